"""Stage config validation: every rule's exact message, all errors at once."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from argosy.config.errors import ConfigInvalidError, ConfigIssue
from argosy.config.source import ConfigSource, read_stack_file
from argosy.config.validate import (
    AwsStageConfig,
    LocalStageConfig,
    check_across_stages,
    validate_stage,
)

BASE: dict[str, Any] = {
    "argosy:role": "workload",
    "argosy:production": False,
    "argosy:aws": {
        "accountId": "222222222222",
        "region": "eu-west-1",
        "deployRoleArn": "arn:aws:iam::222222222222:role/argosy-deploy",
    },
    "argosy:network": {"vpcCidr": "10.20.0.0/16"},
    "argosy:cluster": {
        "version": "1.35",
        "nodeGroups": [
            {
                "name": "system",
                "instanceTypes": ["m7g.large"],
                "minSize": 2,
                "desiredSize": 3,
                "maxSize": 6,
            }
        ],
    },
}
SOURCE = ConfigSource(file="stacks/Pulumi.dev.yaml")


def config(**changes: Any) -> dict[str, Any]:
    """BASE with changes: ``config(**{"argosy:network": {...}})``; None removes a key."""
    result = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def cluster(**changes: Any) -> dict[str, Any]:
    """The BASE cluster with top-level fields changed."""
    result: dict[str, Any] = copy.deepcopy(BASE["argosy:cluster"])
    result.update(changes)
    return result


def group(**changes: Any) -> dict[str, Any]:
    """The BASE node group with fields changed."""
    result: dict[str, Any] = copy.deepcopy(BASE["argosy:cluster"]["nodeGroups"][0])
    result.update(changes)
    return result


def errors(values: dict[str, Any], stack: str = "dev") -> list[tuple[str, str, str, str]]:
    """(path, value, rule, example) of every error, in report order."""
    with pytest.raises(ConfigInvalidError) as caught:
        validate_stage(stack, values, source=SOURCE)
    return [(i.path, i.value, i.rule, i.example) for i in caught.value.errors]


def only_error(values: dict[str, Any], stack: str = "dev") -> tuple[str, str, str, str]:
    found = errors(values, stack)
    assert len(found) == 1, found
    return found[0]


def test_valid_config_gets_its_defaults() -> None:
    stage = validate_stage("dev", BASE, source=SOURCE)
    assert isinstance(stage, AwsStageConfig)
    assert stage.network.az_count == 3
    assert stage.network.nat_gateways == "per-az"
    assert stage.cluster.upgrade_policy == "STANDARD"
    assert stage.cluster.endpoint.public_access is False
    assert stage.cluster.logging.types == (
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    )
    assert stage.cluster.logging.retention_days == 90
    assert stage.cluster.node_groups[0].disk_size_gib == 50
    assert stage.cluster.node_groups[0].capacity_type == "ON_DEMAND"
    assert stage.access.admins == ()
    assert stage.tags == {}
    assert stage.warnings == ()


def test_local_stage() -> None:
    stage = validate_stage(
        "local",
        {
            "argosy:role": "local",
            "argosy:production": False,
            "argosy:kubernetes": {"context": "kind-argosy"},
        },
        source=SOURCE,
    )
    assert isinstance(stage, LocalStageConfig)
    assert stage.kubernetes.context == "kind-argosy"
    assert stage.kubernetes.kubeconfig is None


# --------------------------------------------------------------------------------------
# argosy:aws


def test_account_id_must_be_quoted() -> None:
    aws = {**BASE["argosy:aws"], "accountId": 222222222222}
    assert only_error(config(**{"argosy:aws": aws})) == (
        "argosy:aws.accountId",
        "222222222222",
        "must be a string (quote it in YAML)",
        "accountId: '111111111111'",
    )


def test_account_id_is_twelve_digits() -> None:
    aws = {**BASE["argosy:aws"], "accountId": "2222"}
    assert only_error(config(**{"argosy:aws": aws})) == (
        "argosy:aws.accountId",
        "'2222'",
        "an AWS account ID is exactly 12 digits, written as a quoted string",
        'accountId: "111111111111"',
    )


def test_deploy_role_must_be_in_the_stage_account() -> None:
    aws = {**BASE["argosy:aws"], "deployRoleArn": "arn:aws:iam::999999999999:role/argosy-deploy"}
    assert only_error(config(**{"argosy:aws": aws})) == (
        "argosy:aws.deployRoleArn",
        "arn:aws:iam::999999999999:role/argosy-deploy",
        "the deploy role must be in the stage's account 222222222222 (accountId)",
        "deployRoleArn: arn:aws:iam::222222222222:role/argosy-deploy",
    )


def test_deploy_role_partition_follows_the_region() -> None:
    aws = {**BASE["argosy:aws"], "region": "cn-north-1"}
    assert only_error(config(**{"argosy:aws": aws})) == (
        "argosy:aws.deployRoleArn",
        "arn:aws:iam::222222222222:role/argosy-deploy",
        "the ARN's partition must be aws-cn, the partition of cn-north-1",
        "deployRoleArn: arn:aws-cn:iam::222222222222:role/argosy-deploy",
    )


def test_deploy_role_must_be_a_role() -> None:
    aws = {**BASE["argosy:aws"], "deployRoleArn": "arn:aws:iam::222222222222:user/ci"}
    assert only_error(config(**{"argosy:aws": aws}))[2] == "the ARN of an IAM role"


def test_region_format() -> None:
    aws = {**BASE["argosy:aws"], "region": "Ireland"}
    assert only_error(config(**{"argosy:aws": aws})) == (
        "argosy:aws.region",
        "Ireland",
        "an AWS region code such as eu-west-1 or us-east-1",
        "region: eu-west-1",
    )


# --------------------------------------------------------------------------------------
# argosy:network


def test_vpc_cidr_without_host_bits() -> None:
    assert only_error(config(**{"argosy:network": {"vpcCidr": "10.20.0.1/16"}})) == (
        "argosy:network.vpcCidr",
        "10.20.0.1/16",
        "the address must be the network's first address (10.20.0.0/16 here), with no host "
        "bits set",
        "vpcCidr: 10.20.0.0/16",
    )


@pytest.mark.parametrize(
    ("cidr", "rule"),
    [
        (
            "8.8.0.0/16",
            "a private (RFC 1918) range inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
        ),
        (
            "10.20.0.0/24",
            "a prefix length from /16 to /20, large enough for pod IPs from the "
            "VPC CNI and within what a VPC allows",
        ),
        (
            "10.20.0.0",
            "a prefix length from /16 to /20, large enough for pod IPs from the VPC "
            "CNI and within what a VPC allows",
        ),
        ("10.20.0.0/33", "an IPv4 network in CIDR notation, such as 10.20.0.0/16"),
        ("fd00::/48", "an IPv4 network in CIDR notation, such as 10.20.0.0/16"),
    ],
)
def test_vpc_cidr_rules(cidr: str, rule: str) -> None:
    path, value, got, _ = only_error(config(**{"argosy:network": {"vpcCidr": cidr}}))
    assert (path, value, got) == ("argosy:network.vpcCidr", cidr, rule)


def test_az_count_bounds() -> None:
    network = {"vpcCidr": "10.20.0.0/16", "azCount": 1}
    assert only_error(config(**{"argosy:network": network})) == (
        "argosy:network.azCount",
        "1",
        "must be at least 2",
        "azCount: 3",
    )


def test_nat_mode_choices() -> None:
    network = {"vpcCidr": "10.20.0.0/16", "natGateways": "none"}
    assert only_error(config(**{"argosy:network": network})) == (
        "argosy:network.natGateways",
        "none",
        "must be one of: single, per-az",
        "natGateways: per-az",
    )


def test_explicit_subnets_must_fit() -> None:
    network = {
        "vpcCidr": "10.20.0.0/16",
        "azCount": 2,
        "privateSubnets": ["10.20.0.0/18", "10.99.0.0/18"],
        "publicSubnets": ["10.20.0.0/24", "10.20.201.0/24"],
    }
    assert errors(config(**{"argosy:network": network})) == [
        (
            "argosy:network.privateSubnets",
            "[10.20.0.0/18, 10.99.0.0/18]",
            "every subnet must sit inside the VPC range 10.20.0.0/16",
            "privateSubnets: [10.20.0.0/18, 10.20.64.0/18, 10.20.128.0/18]",
        ),
    ]
    network["privateSubnets"] = ["10.20.0.0/18", "10.20.64.0/18"]
    assert only_error(config(**{"argosy:network": network}))[2] == (
        "subnets must not overlap: 10.20.0.0/24 and 10.20.0.0/18 do"
    )


def test_subnet_count_matches_zones() -> None:
    network = {
        "vpcCidr": "10.20.0.0/16",
        "privateSubnets": ["10.20.0.0/18"],
        "publicSubnets": ["10.20.192.0/21"],
    }
    found = errors(config(**{"argosy:network": network}))
    assert [f[2] for f in found] == ["one subnet per availability zone: 3 (azCount)"] * 2


def test_subnets_set_together() -> None:
    network = {
        "vpcCidr": "10.20.0.0/16",
        "azCount": 2,
        "privateSubnets": ["10.20.0.0/18", "10.20.64.0/18"],
    }
    assert only_error(config(**{"argosy:network": network})) == (
        "argosy:network.publicSubnets",
        "(not set)",
        "set privateSubnets and publicSubnets together, or neither to derive both from "
        "vpcCidr; publicSubnets is missing",
        "publicSubnets: [10.20.0.0/18, 10.20.64.0/18, 10.20.128.0/18]",
    )


# --------------------------------------------------------------------------------------
# argosy:cluster


def test_version_must_be_quoted() -> None:
    assert only_error(config(**{"argosy:cluster": cluster(version=1.3)})) == (
        "argosy:cluster.version",
        "1.3",
        "must be a string (quote it in YAML)",
        "version: '1.35'",
    )


def test_version_must_be_supported() -> None:
    assert only_error(config(**{"argosy:cluster": cluster(version="1.29")})) == (
        "argosy:cluster.version",
        "'1.29'",
        "a Kubernetes version EKS supports as of 2026-11-21: 1.31, 1.32, 1.33, 1.34, 1.35",
        'version: "1.35"',
    )


def test_standard_policy_needs_standard_support() -> None:
    assert only_error(config(**{"argosy:cluster": cluster(version="1.33")})) == (
        "argosy:cluster.upgradePolicy",
        "STANDARD",
        "Kubernetes 1.33 is past standard support as of 2026-11-21; pick a version in standard "
        "support (1.34, 1.35) or choose upgradePolicy: EXTENDED explicitly",
        "upgradePolicy: EXTENDED",
    )


def test_extended_support_is_a_warning() -> None:
    stage = validate_stage(
        "dev",
        config(**{"argosy:cluster": cluster(version="1.33", upgradePolicy="EXTENDED")}),
        source=SOURCE,
    )
    assert [w.format() for w in stage.warnings] == [
        "warning: stacks/Pulumi.dev.yaml: argosy:cluster.version = '1.33'\n"
        "    rule: Kubernetes 1.33 is in extended support: the control plane costs $0.60 "
        "instead of $0.10 per hour until 2027-07-29; plan the upgrade\n"
        '    example: version: "1.35"'
    ]


def test_production_endpoint_is_private() -> None:
    endpoint = {"publicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}
    values = config(**{"argosy:production": True, "argosy:cluster": cluster(endpoint=endpoint)})
    assert only_error(values) == (
        "argosy:cluster.endpoint.publicAccess",
        "true",
        "a production API endpoint is private only (CIS EKS 5.4.2); reach it through the VPC, "
        "a VPN or a bastion",
        "publicAccess: false",
    )


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        (
            {"publicAccess": True},
            (
                "argosy:cluster.endpoint.publicAccessCidrs",
                "[]",
                "a public endpoint needs the ranges allowed to reach it; without them EKS opens it "
                "to 0.0.0.0/0",
                "publicAccessCidrs: [203.0.113.0/24]",
            ),
        ),
        (
            {"publicAccess": False, "publicAccessCidrs": ["203.0.113.0/24"]},
            (
                "argosy:cluster.endpoint.publicAccessCidrs",
                "[203.0.113.0/24]",
                "publicAccessCidrs only apply with publicAccess: true; remove them",
                "publicAccessCidrs: []",
            ),
        ),
        (
            {"publicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]},
            (
                "argosy:cluster.endpoint.publicAccessCidrs[0]",
                "0.0.0.0/0",
                "the public endpoint must not be open to the whole internet; list the ranges that "
                "need it (office, VPN, CI egress)",
                "publicAccessCidrs: [203.0.113.0/24]",
            ),
        ),
        (
            {"publicAccess": True, "publicAccessCidrs": ["10.0.0.0/8"]},
            (
                "argosy:cluster.endpoint.publicAccessCidrs[0]",
                "10.0.0.0/8",
                "a public (globally routable) range; private ranges reach the private endpoint",
                "publicAccessCidrs: [203.0.113.0/24]",
            ),
        ),
    ],
)
def test_public_endpoint_rules(endpoint: dict[str, Any], expected: tuple[str, ...]) -> None:
    assert only_error(config(**{"argosy:cluster": cluster(endpoint=endpoint)})) == expected


def test_production_enables_every_log_type() -> None:
    values = config(
        **{
            "argosy:production": True,
            "argosy:cluster": cluster(logging={"types": ["api", "audit"]}),
        }
    )
    assert only_error(values) == (
        "argosy:cluster.logging.types",
        "[api, audit]",
        "production enables every control-plane log type (CIS EKS 2.1.1); missing: "
        "authenticator, controllerManager, scheduler",
        "types: [api, audit, authenticator, controllerManager, scheduler]",
    )


def test_log_retention_is_a_cloudwatch_period() -> None:
    path, value, rule, example = only_error(
        config(**{"argosy:cluster": cluster(logging={"retentionDays": 100})})
    )
    assert (path, value, example) == (
        "argosy:cluster.logging.retentionDays",
        "100",
        "retentionDays: 90",
    )
    assert rule.startswith("one of the retention periods CloudWatch Logs accepts: 1, 3, 5, 7,")


def test_node_group_sizes_are_ordered() -> None:
    values = config(
        **{"argosy:cluster": cluster(nodeGroups=[group(minSize=4, desiredSize=3, maxSize=2)])}
    )
    assert errors(values) == [
        (
            "argosy:cluster.nodeGroups[0].desiredSize",
            "3",
            "desiredSize must be at least minSize (4)",
            "desiredSize: 4",
        ),
        (
            "argosy:cluster.nodeGroups[0].maxSize",
            "2",
            "maxSize must be at least minSize and desiredSize (4)",
            "maxSize: 4",
        ),
    ]


def test_node_group_one_architecture() -> None:
    values = config(
        **{"argosy:cluster": cluster(nodeGroups=[group(instanceTypes=["m7g.large", "m7i.large"])])}
    )
    assert only_error(values) == (
        "argosy:cluster.nodeGroups[0].instanceTypes",
        "[m7g.large, m7i.large]",
        "all instance types of a group share one architecture (one AMI per group); put "
        "Graviton and x86 types in separate groups",
        "instanceTypes: [m7g.large, m6g.large]",
    )


def test_node_group_names_unique() -> None:
    values = config(**{"argosy:cluster": cluster(nodeGroups=[group(), group()])})
    assert only_error(values)[:3] == (
        "argosy:cluster.nodeGroups",
        "[{name: system, instanceTypes: [m7g.large], minSize: 2, desiredSize: 3, maxSize: 6}, "
        "{name: system, instanceTypes: [m7g.large], minSize: 2, desiredSize: 3, maxSize: 6}]",
        "node group names are unique in a cluster; repeated: system",
    )


def test_some_node_group_runs_system_pods() -> None:
    tainted = group(taints=[{"key": "dedicated", "value": "gpu", "effect": "NO_SCHEDULE"}])
    assert only_error(config(**{"argosy:cluster": cluster(nodeGroups=[tainted])}))[2] == (
        "at least one node group must run system pods (coredns, ebs-csi): desiredSize of 1 or "
        "more and no NoSchedule/NoExecute taint except CriticalAddonsOnly"
    )
    critical = group(
        taints=[{"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}]
    )
    validate_stage(
        "dev", config(**{"argosy:cluster": cluster(nodeGroups=[critical])}), source=SOURCE
    )


def test_node_group_fields() -> None:
    bad = group(
        name="System",
        instanceTypes=["large"],
        labels={"bad key!": "x", "ok": "-bad-"},
        taints=[{"key": "a", "effect": "NoSchedule"}],
        capacityType="RESERVED",
    )
    assert errors(config(**{"argosy:cluster": cluster(nodeGroups=[bad])})) == [
        (
            "argosy:cluster.nodeGroups[0].capacityType",
            "RESERVED",
            "must be one of: ON_DEMAND, SPOT",
            "capacityType: ON_DEMAND",
        ),
        (
            "argosy:cluster.nodeGroups[0].instanceTypes[0]",
            "large",
            "an EC2 instance type such as m7g.large",
            "instanceTypes: [m7g.large]",
        ),
        (
            "argosy:cluster.nodeGroups[0].labels.ok",
            "-bad-",
            "a Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit",
            "labels: {argosy.dev/pool: system}",
        ),
        (
            'argosy:cluster.nodeGroups[0].labels["bad key!"]',
            "bad key!",
            "a Kubernetes label key: an optional DNS subdomain prefix and '/', then at most 63 "
            "letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
            "labels: {argosy.dev/pool: system}",
        ),
        (
            "argosy:cluster.nodeGroups[0].name",
            "System",
            "a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending "
            "with a letter or digit",
            "name: system",
        ),
        (
            "argosy:cluster.nodeGroups[0].taints[0].effect",
            "NoSchedule",
            "must be one of: NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE",
            "effect: NO_SCHEDULE",
        ),
    ]


def test_unknown_field_suggests_the_close_one() -> None:
    values = config(**{"argosy:cluster": cluster(nodeGroups=[group(diskSizeGib=80)])})
    assert only_error(values) == (
        "argosy:cluster.nodeGroups[0].diskSizeGib",
        "80",
        "unknown field; the fields here are: name, instanceTypes, capacityType, minSize, "
        "desiredSize, maxSize, diskSizeGiB, labels, taints",
        "diskSizeGiB: 80",
    )


def test_missing_field() -> None:
    incomplete = {k: v for k, v in group().items() if k != "maxSize"}
    assert only_error(config(**{"argosy:cluster": cluster(nodeGroups=[incomplete])})) == (
        "argosy:cluster.nodeGroups[0].maxSize",
        "(not set)",
        "required",
        "maxSize: 6",
    )


def test_addon_versions() -> None:
    values = config(
        **{"argosy:cluster": cluster(addonVersions={"coredns": "1.12", "istio": "v1.0.0"})}
    )
    assert errors(values) == [
        (
            "argosy:cluster.addonVersions.coredns",
            "'1.12'",
            "an EKS add-on version as listed by `aws eks describe-addon-versions`",
            "addonVersions: {coredns: v1.12.4-eksbuild.1}",
        ),
        # The key is not an add-on, and its value is no add-on version either: two problems.
        (
            "argosy:cluster.addonVersions.istio",
            "v1.0.0",
            "an EKS add-on version as listed by `aws eks describe-addon-versions`",
            "addonVersions: {coredns: v1.12.4-eksbuild.1}",
        ),
        (
            "argosy:cluster.addonVersions.istio",
            "istio",
            "must be one of: vpc-cni, kube-proxy, coredns, aws-ebs-csi-driver",
            "addonVersions: {coredns: v1.12.4-eksbuild.1}",
        ),
    ]


# --------------------------------------------------------------------------------------
# argosy:access and argosy:tags


def test_access_grants() -> None:
    admins = [
        {
            "principalArn": "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/"
            "eu-west-1/AWSReservedSSO_Admin_0123",
            "policy": "cluster-admin",
        },
        {"principalArn": "arn:aws:iam::999999999999:role/ops", "policy": "view"},
        {"principalArn": "arn:aws:iam::222222222222:role/argosy-deploy", "policy": "admin"},
        {
            "principalArn": "arn:aws:iam::222222222222:role/team",
            "policy": "cluster-admin",
            "namespaces": ["team-a"],
        },
        {"principalArn": "arn:aws:iam::222222222222:role/team", "policy": "owner"},
    ]
    assert errors(config(**{"argosy:access": {"admins": admins}})) == [
        (
            "argosy:access.admins[0].principalArn",
            "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
            "AWSReservedSSO_Admin_0123",
            "EKS access entries take an Identity Center role's ARN without its path",
            "principalArn: arn:aws:iam::222222222222:role/AWSReservedSSO_Admin_0123",
        ),
        (
            "argosy:access.admins[1].principalArn",
            "arn:aws:iam::999999999999:role/ops",
            "the principal must be in the stage's own account 222222222222; a stack only ever "
            "touches its own account",
            "principalArn: arn:aws:iam::222222222222:role/ops",
        ),
        (
            "argosy:access.admins[2].principalArn",
            "arn:aws:iam::222222222222:role/argosy-deploy",
            "the deploy role (aws.deployRoleArn) is a cluster admin already; remove it here",
            "principalArn: arn:aws:iam::111111111111:role/platform-admins",
        ),
        (
            "argosy:access.admins[3].namespaces",
            "[team-a]",
            "cluster-admin is cluster-wide; use admin, edit or view to scope by namespace",
            "policy: admin",
        ),
        (
            "argosy:access.admins[4].policy",
            "owner",
            "must be one of: cluster-admin, admin, edit, view",
            "policy: cluster-admin",
        ),
    ]


def test_one_entry_per_principal() -> None:
    grant = {"principalArn": "arn:aws:iam::222222222222:role/ops", "policy": "view"}
    assert only_error(config(**{"argosy:access": {"admins": [grant, grant]}}))[2] == (
        "one access entry per principal; merge the grants of: arn:aws:iam::222222222222:role/ops"
    )


def test_tags() -> None:
    assert only_error(config(**{"argosy:tags": {"stage": "x", "team": "a"}})) == (
        "argosy:tags",
        "{stage: x, team: a}",
        "managed-by, project, stage are set by argosy on every resource; choose other keys "
        "than stage",
        "tags: {cost-center: platform}",
    )
    assert only_error(config(**{"argosy:tags": {"aws:owner": "x"}})) == (
        'argosy:tags["aws:owner"]',
        "aws:owner",
        "the aws: prefix is reserved by AWS",
        "tags: {cost-center: platform}",
    )


# --------------------------------------------------------------------------------------
# Top-level keys, roles and names


def test_required_keys() -> None:
    assert errors({}) == [
        ("argosy:production", "(not set)", "required", "argosy:production: false"),
        ("argosy:role", "(not set)", "required", "argosy:role: workload"),
    ]
    assert errors({"argosy:role": "hub"}) == [
        (
            "argosy:aws",
            "(not set)",
            "required for role hub",
            'argosy:aws: {accountId: "111111111111", region: eu-west-1, deployRoleArn: '
            "arn:aws:iam::111111111111:role/argosy-deploy}",
        ),
        (
            "argosy:cluster",
            "(not set)",
            "required for role hub",
            'argosy:cluster: {version: "1.35", nodeGroups: [{name: system, instanceTypes: '
            "[m7g.large], minSize: 2, desiredSize: 3, maxSize: 6}]}",
        ),
        (
            "argosy:network",
            "(not set)",
            "required for role hub",
            "argosy:network: {vpcCidr: 10.20.0.0/16, azCount: 3, natGateways: per-az}",
        ),
        (
            "argosy:production",
            "(not set)",
            "required for role hub",
            "argosy:production: false",
        ),
    ]


def test_role_and_production_types() -> None:
    assert errors(config(**{"argosy:role": "spoke", "argosy:production": "yes"})) == [
        # YAML quotes 'yes' because YAML 1.1 readers take a bare yes for true.
        ("argosy:production", "'yes'", "must be true or false", "argosy:production: false"),
        ("argosy:role", "spoke", "must be one of: hub, workload, local", "argosy:role: workload"),
    ]


def test_keys_a_role_does_not_read() -> None:
    values = {
        "argosy:role": "local",
        "argosy:production": False,
        "argosy:kubernetes": {"context": "kind-argosy"},
        "argosy:network": {"vpcCidr": "10.20.0.0/16"},
    }
    assert only_error(values) == (
        "argosy:network",
        "{vpcCidr: 10.20.0.0/16}",
        "not read by role local (only by hub, workload); remove it",
        "argosy:role: hub",
    )


def test_unknown_key_suggests_the_close_one() -> None:
    assert only_error(config(**{"argosy:netwrok": {}})) == (
        "argosy:netwrok",
        "{}",
        "unknown key; argosy reads: argosy:role, argosy:production, argosy:aws, "
        "argosy:network, argosy:cluster, argosy:access, argosy:tags, argosy:bootstrap, "
        "argosy:backend, argosy:kubernetes",
        "argosy:network: ...",
    )


def test_other_namespaces_are_not_argosys_business() -> None:
    validate_stage("dev", config(**{"pulumi:disable-default-providers": ["*"]}), source=SOURCE)


def test_stack_name_is_a_dns_label() -> None:
    assert only_error(BASE, stack="Prod_EU") == (
        "(stack name)",
        "Prod_EU",
        "the stack name names the stage and its resources: a DNS-1123 label of lowercase "
        "letters, digits and '-', at most 63 characters",
        "pulumi stack init staging",
    )


def test_derived_names_fit_their_limits() -> None:
    stage = "a" * 45
    assert only_error(BASE, stack=stage) == (
        "(stack name)",
        stage,
        f"the derived IAM role name '{stage}-eks-cluster{'x' * 8}' is 65 characters; at most 64"
        " (the last 8 are Pulumi's random suffix): shorten the stack or node group name",
        "pulumi stack init prod-eu",
    )
    long_group = group(name="g" * 52)
    assert only_error(config(**{"argosy:cluster": cluster(nodeGroups=[long_group])}))[2] == (
        f"the derived EKS node group name 'dev-{'g' * 52}{'x' * 8}' is 64 characters; at most "
        "63 (the last 8 are Pulumi's random suffix): shorten the stack or node group name"
    )


# --------------------------------------------------------------------------------------
# Whole files: lines, everything at once, nothing half-validated


MANY_MISTAKES = """\
config:
  argosy:role: workload
  argosy:production: true
  argosy:aws:
    accountId: 22222222222
    region: eu-west-1
    deployRoleArn: arn:aws:iam::222222222222:role/argosy-deploy
  argosy:network:
    vpcCidr: 10.20.0.0/12
    natGateway: single
  argosy:cluster:
    version: 1.35
    endpoint:
      publicAccess: true
      publicAccessCidrs: [0.0.0.0/0]
    nodeGroups:
      - name: system
        instanceTypes: [m7g.large]
        minSize: 3
        desiredSize: 2
        maxSize: 6
"""


def test_every_mistake_reported_at_once_with_lines(write_stack: Callable[..., Path]) -> None:
    path = write_stack(MANY_MISTAKES, "prod")
    stack_file = read_stack_file(path, stack="prod", display="stacks/Pulumi.prod.yaml")
    with pytest.raises(ConfigInvalidError) as caught:
        validate_stage("prod", stack_file.config, source=stack_file.source)
    assert str(caught.value) == (
        "7 configuration errors:\n"
        "stacks/Pulumi.prod.yaml:5: argosy:aws.accountId = 22222222222\n"
        "    rule: must be a string (quote it in YAML)\n"
        "    example: accountId: '111111111111'\n"
        "stacks/Pulumi.prod.yaml:9: argosy:network.vpcCidr = 10.20.0.0/12\n"
        "    rule: the address must be the network's first address (10.16.0.0/12 here), with no "
        "host bits set\n"
        "    example: vpcCidr: 10.16.0.0/12\n"
        "stacks/Pulumi.prod.yaml:10: argosy:network.natGateway = single\n"
        "    rule: unknown field; the fields here are: vpcCidr, azCount, natGateways, "
        "privateSubnets, publicSubnets\n"
        "    example: natGateways: single\n"
        "stacks/Pulumi.prod.yaml:12: argosy:cluster.version = 1.35\n"
        "    rule: must be a string (quote it in YAML)\n"
        "    example: version: '1.35'\n"
        "stacks/Pulumi.prod.yaml:14: argosy:cluster.endpoint.publicAccess = true\n"
        "    rule: a production API endpoint is private only (CIS EKS 5.4.2); reach it through "
        "the VPC, a VPN or a bastion\n"
        "    example: publicAccess: false\n"
        "stacks/Pulumi.prod.yaml:15: argosy:cluster.endpoint.publicAccessCidrs[0] = 0.0.0.0/0\n"
        "    rule: the public endpoint must not be open to the whole internet; list the ranges "
        "that need it (office, VPN, CI egress)\n"
        "    example: publicAccessCidrs: [203.0.113.0/24]\n"
        "stacks/Pulumi.prod.yaml:20: argosy:cluster.nodeGroups[0].desiredSize = 2\n"
        "    rule: desiredSize must be at least minSize (3)\n"
        "    example: desiredSize: 3"
    )


def test_cross_stage_accounts_and_ranges() -> None:
    dev = validate_stage("dev", BASE, source=ConfigSource(file="stacks/Pulumi.dev.yaml"))
    staging = validate_stage(
        "staging",
        config(**{"argosy:network": {"vpcCidr": "10.20.128.0/17"}}),
        source=ConfigSource(file="stacks/Pulumi.staging.yaml"),
    )
    issues = check_across_stages([dev, staging])
    assert [i.format() for i in issues] == [
        "stacks/Pulumi.staging.yaml: argosy:aws.accountId = '222222222222'\n"
        "    rule: each stage has its own AWS account; stage dev (stacks/Pulumi.dev.yaml) uses "
        "222222222222 too\n"
        '    example: accountId: "111111111111"',
        "stacks/Pulumi.staging.yaml: argosy:network.vpcCidr = 10.20.128.0/17\n"
        "    rule: stage VPCs must not overlap, so they can be peered or routed later; stage dev "
        "(stacks/Pulumi.dev.yaml) uses 10.20.0.0/16\n"
        "    example: vpcCidr: 10.10.0.0/16",
    ]


def test_issue_is_ordered_by_file_and_line() -> None:
    a = ConfigIssue(file="b", line=2, path="x", value="1", rule="r", example="e")
    b = ConfigIssue(file="a", line=9, path="y", value="1", rule="r", example="e")
    error = ConfigInvalidError([a, b])
    assert [i.file for i in error.issues] == ["a", "b"]
