"""Stage config validation: every rule's exact message, all errors at once.

Every broken config here also has its examples checked: each error's example, written where
the error points, must leave no error there (tests/test_bad_input.py holds the machinery).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from argosy.config import eks_versions
from argosy.config.across import check_across_stages
from argosy.config.errors import ConfigInvalidError, ConfigIssue
from argosy.config.source import ConfigSource, read_stack_file
from argosy.config.validate import AwsStageConfig, LocalStageConfig, validate_stage
from tests.test_bad_input import assert_examples_valid

#: The EKS version table is dated and grows: messages quoting it are built from it.
NEWEST = eks_versions.newest_version()
SUPPORTED = ", ".join(eks_versions.supported_versions())
IN_STANDARD = ", ".join(eks_versions.versions_with("STANDARD"))

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


def revalidate_as(
    stack: str, source: ConfigSource = SOURCE
) -> Callable[[Mapping[str, dict[str, Any]]], Sequence[ConfigIssue]]:
    """Validate the config of a changed document again (for the example check)."""

    def revalidate(documents: Mapping[str, dict[str, Any]]) -> Sequence[ConfigIssue]:
        try:
            validate_stage(stack, documents[source.file]["config"], source=source)
        except ConfigInvalidError as exc:
            return exc.issues
        return []

    return revalidate


def errors(values: dict[str, Any], stack: str = "dev") -> list[tuple[str, str, str, str]]:
    """(path, value, rule, example) of every error, in report order.

    Every error's example is checked to be valid where the error points.
    """
    with pytest.raises(ConfigInvalidError) as caught:
        validate_stage(stack, values, source=SOURCE)
    assert_examples_valid(
        caught.value.issues, {SOURCE.file: {"config": values}}, revalidate_as(stack)
    )
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
            "argosy:argocd": {
                "topology": "standalone",
                "install": "self-hosted",
                "gitops": {"repoUrl": "https://github.com/acme/platform.git"},
                "selfHosted": {"adminLogin": True},
            },
        },
        source=SOURCE,
    )
    assert isinstance(stage, LocalStageConfig)
    assert stage.kubernetes.context == "kind-argosy"
    assert stage.kubernetes.kubeconfig is None
    assert stage.argocd.self_hosted is not None and stage.argocd.self_hosted.admin_login


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


def test_region_must_exist() -> None:
    aws = {**BASE["argosy:aws"], "region": "eu-wset-1"}
    assert only_error(config(**{"argosy:aws": aws})) == (
        "argosy:aws.region",
        "eu-wset-1",
        "a region AWS offers; eu-wset-1 is none of the 38 regions argosy knows "
        "(argosy/config/regions.py)",
        # The closest region argosy knows.
        "region: eu-west-1",
    )


def test_a_region_far_from_any_follows_the_deploy_roles_partition() -> None:
    aws = {
        **BASE["argosy:aws"],
        "region": "xx-nowhere-9",
        "deployRoleArn": "arn:aws-cn:iam::222222222222:role/argosy-deploy",
    }
    assert only_error(config(**{"argosy:aws": aws}))[3] == "region: cn-north-1"


def test_examples_use_the_stages_account_and_partition() -> None:
    aws = {
        "accountId": "222222222222",
        "region": "cn-north-1",
        "deployRoleArn": "arn:aws-cn:iam::222222222222:user/ci",
    }
    bootstrap = {"githubRepository": "acme/platform", "trustedPrincipals": ["nope"]}
    flow_logs = {"destination": "s3"}
    values = config(
        **{
            "argosy:aws": aws,
            "argosy:bootstrap": bootstrap,
            "argosy:network": {"vpcCidr": "10.20.0.0/16", "flowLogs": flow_logs},
            "argosy:access": {"admins": [{"principalArn": 5, "policy": "view"}]},
        }
    )
    assert [(path, example) for path, _, _, example in errors(values)] == [
        (
            "argosy:access.admins[0].principalArn",
            "principalArn: arn:aws-cn:iam::222222222222:role/platform-admins",
        ),
        (
            "argosy:aws.deployRoleArn",
            "deployRoleArn: arn:aws-cn:iam::222222222222:role/argosy-deploy",
        ),
        # A list where the field holds a list.
        (
            "argosy:bootstrap.trustedPrincipals[0]",
            "trustedPrincipals: [arn:aws-cn:iam::222222222222:role/platform-admins]",
        ),
        (
            "argosy:network.flowLogs.s3BucketArn",
            "s3BucketArn: arn:aws-cn:s3:::acme-log-archive/flow-logs",
        ),
    ]


def test_an_invalid_account_is_never_repeated_in_examples() -> None:
    aws = {**BASE["argosy:aws"], "accountId": "22222222222"}
    admins = [{"principalArn": "arn:aws:iam::222222222222:role/ops", "policy": "owner"}]
    assert errors(config(**{"argosy:aws": aws, "argosy:access": {"admins": admins}})) == [
        (
            "argosy:access.admins[0].policy",
            "owner",
            "must be one of: cluster-admin, admin, edit, view",
            "policy: cluster-admin",
        ),
        (
            "argosy:aws.accountId",
            "'22222222222'",
            "an AWS account ID is exactly 12 digits, written as a quoted string",
            'accountId: "111111111111"',
        ),
    ]


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
            # Two zones: the VPC's first two of four blocks, as the default layout has them.
            "privateSubnets: [10.20.0.0/18, 10.20.64.0/18]",
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
        # Clear of the private subnets given, one per zone.
        "publicSubnets: [10.20.192.0/21, 10.20.200.0/21]",
    )


def test_no_more_zones_than_the_region_has() -> None:
    aws = {**BASE["argosy:aws"], "region": "us-west-1"}
    network = {"vpcCidr": "10.30.0.0/16", "azCount": 3}
    assert only_error(config(**{"argosy:aws": aws, "argosy:network": network})) == (
        "argosy:network.azCount",
        "3",
        "region us-west-1 offers 2 availability zones to a new account "
        "(argosy/config/regions.py); azCount must not be more than 2",
        "azCount: 2",
    )
    # The default (3) too, and subnet examples follow the region's zones.
    network = {"vpcCidr": "10.30.0.0/16", "privateSubnets": ["x"], "publicSubnets": ["y"]}
    assert [
        (path, value, example)
        for path, value, _, example in errors(
            config(**{"argosy:aws": aws, "argosy:network": network})
        )
    ] == [
        ("argosy:network.azCount", "3", "azCount: 2"),
        (
            "argosy:network.privateSubnets[0]",
            "x",
            "privateSubnets: [10.30.0.0/18, 10.30.64.0/18]",
        ),
        (
            "argosy:network.publicSubnets[0]",
            "y",
            "publicSubnets: [10.30.192.0/21, 10.30.200.0/21]",
        ),
    ]


def test_flow_logs() -> None:
    flow_logs = {
        "destination": "s3",
        "trafficType": "SOME",
        "maxAggregationInterval": 300,
        "retentionDays": 100,
    }
    found = errors(config(**{"argosy:network": {"vpcCidr": "10.20.0.0/16", "flowLogs": flow_logs}}))
    assert [(path, value, example) for path, value, _, example in found] == [
        ("argosy:network.flowLogs.maxAggregationInterval", "300", "maxAggregationInterval: 600"),
        ("argosy:network.flowLogs.retentionDays", "100", "retentionDays: 90"),
        (
            "argosy:network.flowLogs.s3BucketArn",
            "(not set)",
            "s3BucketArn: arn:aws:s3:::acme-log-archive/flow-logs",
        ),
        ("argosy:network.flowLogs.trafficType", "SOME", "trafficType: ALL"),
    ]
    assert found[2][2] == "flow logs to S3 need the bucket: its ARN, optionally with a prefix"
    arn = {"s3BucketArn": "arn:aws:s3:::acme-logs"}
    assert only_error(
        config(**{"argosy:network": {"vpcCidr": "10.20.0.0/16", "flowLogs": arn}})
    ) == (
        "argosy:network.flowLogs.s3BucketArn",
        "arn:aws:s3:::acme-logs",
        "s3BucketArn applies only with destination: s3; remove it or set destination",
        "destination: s3",
    )
    bad = {"destination": "s3", "s3BucketArn": "acme-logs"}
    assert only_error(
        config(**{"argosy:network": {"vpcCidr": "10.20.0.0/16", "flowLogs": bad}})
    ) == (
        "argosy:network.flowLogs.s3BucketArn",
        "acme-logs",
        "an S3 bucket ARN, optionally with a prefix: arn:<partition>:s3:::<bucket>[/path]",
        "s3BucketArn: arn:aws:s3:::acme-log-archive/flow-logs",
    )


def test_snake_case_fields_are_reported_as_written() -> None:
    network = {"vpc_cidr": "10.20.0.1/16", "az-count": 2, "NatGateways": "single"}
    groups = [{**group(), "disk_size_gib": 10}]
    values = config(**{"argosy:network": network, "argosy:cluster": cluster(nodeGroups=groups)})
    fields = (
        "unknown field; the fields here are: name, instanceTypes, capacityType, minSize, "
        "desiredSize, maxSize, diskSizeGiB, labels, taints"
    )
    network_fields = (
        "unknown field; the fields here are: vpcCidr, azCount, natGateways, privateSubnets, "
        "publicSubnets, flowLogs"
    )
    # Each value is checked under its field too; the example is the value written when valid.
    assert errors(values) == [
        (
            "argosy:cluster.nodeGroups[0].disk_size_gib",
            "10",
            "must be at least 20",
            "diskSizeGiB: 50",
        ),
        ("argosy:cluster.nodeGroups[0].disk_size_gib", "10", fields, "diskSizeGiB: 50"),
        ("argosy:network.NatGateways", "single", network_fields, "natGateways: single"),
        ("argosy:network.az-count", "2", network_fields, "azCount: 2"),
        (
            "argosy:network.vpc_cidr",
            "10.20.0.1/16",
            "the address must be the network's first address (10.20.0.0/16 here), with no host "
            "bits set",
            "vpcCidr: 10.20.0.0/16",
        ),
        ("argosy:network.vpc_cidr", "10.20.0.1/16", network_fields, "vpcCidr: 10.20.0.0/16"),
    ]


# --------------------------------------------------------------------------------------
# argosy:cluster


def test_version_must_be_quoted() -> None:
    assert only_error(config(**{"argosy:cluster": cluster(version=1.3)})) == (
        "argosy:cluster.version",
        "1.3",
        "must be a string (quote it in YAML)",
        f"version: '{NEWEST}'",
    )


def test_version_must_be_supported() -> None:
    assert only_error(config(**{"argosy:cluster": cluster(version="1.29")})) == (
        "argosy:cluster.version",
        "'1.29'",
        f"a Kubernetes version EKS supports as of 2026-11-21: {SUPPORTED}",
        f'version: "{NEWEST}"',
    )


def test_standard_policy_needs_standard_support() -> None:
    assert only_error(config(**{"argosy:cluster": cluster(version="1.33")})) == (
        "argosy:cluster.upgradePolicy",
        "STANDARD",
        "Kubernetes 1.33 is past standard support as of 2026-11-21; pick a version in standard "
        f"support ({IN_STANDARD}) or choose upgradePolicy: EXTENDED explicitly",
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
        f'    example: version: "{NEWEST}"'
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
    # At the repeat, where its line is, with a name no other group has.
    assert only_error(values) == (
        "argosy:cluster.nodeGroups[1].name",
        "system",
        "node group names are unique in a cluster; nodeGroups[0] is named system too",
        "name: system-2",
    )


def test_a_repeat_is_reported_whatever_else_is_wrong() -> None:
    """A repeated name, type or principal shows even when another item is invalid."""
    groups = [
        group(instanceTypes=["m7g.large", "large", "m7g.large"]),
        group(name="system", maxSize="six"),
    ]
    logging = {"types": ["api", "audit", "kubelet", "api"]}
    admins = [
        {"principalArn": "arn:aws:iam::222222222222:role/ops", "policy": "view"},
        {"principalArn": "arn:aws:iam::222222222222:role/ops", "policy": "owner"},
    ]
    values = config(
        **{
            "argosy:cluster": cluster(nodeGroups=groups, logging=logging),
            "argosy:access": {"admins": admins},
            "argosy:tags": {"stage": "dev", "team": "a&b"},
        }
    )
    assert errors(values) == [
        (
            "argosy:access.admins[1].policy",
            "owner",
            "must be one of: cluster-admin, admin, edit, view",
            "policy: cluster-admin",
        ),
        (
            "argosy:access.admins[1].principalArn",
            "arn:aws:iam::222222222222:role/ops",
            "one access entry per principal: admins[0] grants arn:aws:iam::222222222222:role/ops "
            "already; remove this grant, or give it another principal",
            "principalArn: arn:aws:iam::222222222222:role/platform-admins",
        ),
        (
            "argosy:cluster.logging.types[2]",
            "kubelet",
            "must be one of: api, audit, authenticator, controllerManager, scheduler",
            "types: [api, audit, authenticator, controllerManager, scheduler]",
        ),
        (
            "argosy:cluster.logging.types[3]",
            "api",
            "each log type at most once; types[0] is api too",
            "types: [api, audit, authenticator, controllerManager, scheduler]",
        ),
        (
            "argosy:cluster.nodeGroups[0].instanceTypes[1]",
            "large",
            "an EC2 instance type such as m7g.large",
            "instanceTypes: [m7g.large]",
        ),
        (
            "argosy:cluster.nodeGroups[0].instanceTypes[2]",
            "m7g.large",
            "each instance type at most once; instanceTypes[0] is m7g.large too",
            "instanceTypes: [m7g.large]",
        ),
        (
            "argosy:cluster.nodeGroups[1].maxSize",
            "six",
            "must be a whole number",
            "maxSize: 6",
        ),
        (
            "argosy:cluster.nodeGroups[1].name",
            "system",
            "node group names are unique in a cluster; nodeGroups[0] is named system too",
            "name: system-2",
        ),
        (
            "argosy:tags",
            "{stage: dev, team: a&b}",
            "managed-by, project, stage are set by argosy on every resource; choose other keys "
            "than stage",
            "argosy:tags: {cost-center: platform}",
        ),
        (
            "argosy:tags.team",
            "a&b",
            "an AWS tag value: at most 256 letters, digits, spaces or + - = . _ : / @",
            "argosy:tags: {cost-center: platform}",
        ),
    ]


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
            "must be one of: vpc-cni, kube-proxy, eks-pod-identity-agent, coredns, "
            "aws-ebs-csi-driver",
            "addonVersions: {coredns: v1.12.4-eksbuild.1}",
        ),
    ]


def test_storage_and_addons() -> None:
    values = config(
        **{
            "argosy:cluster": cluster(
                storage={"ebsKey": "customer"},
                addonVersions={"eks-pod-identity-agent": "v1.3.10-eksbuild.2", "coredns": 1},
            )
        }
    )
    assert errors(values) == [
        (
            "argosy:cluster.addonVersions.coredns",
            "1",
            "must be a string (quote it in YAML)",
            "addonVersions: {coredns: v1.12.4-eksbuild.1}",
        ),
        (
            "argosy:cluster.storage.ebsKey",
            "customer",
            "must be one of: aws-managed, stage",
            "ebsKey: stage",
        ),
    ]


def test_examples_fit_the_other_fields() -> None:
    """Each example is valid beside the values around it."""
    groups = [
        group(minSize=10, desiredSize=10, maxSize="many"),
        group(name="System", taints=[{"key": "bad key", "value": "-x-", "effect": "NO_SCHEDULE"}]),
    ]
    endpoint = {"publicAccessCidrs": "203.0.113.0/24"}
    values = config(
        **{
            "argosy:cluster": cluster(
                version="1.33", upgradePolicy="standard", nodeGroups=groups, endpoint=endpoint
            )
        }
    )
    assert [(path, example) for path, _, _, example in errors(values)] == [
        # No public access: no ranges.
        ("argosy:cluster.endpoint.publicAccessCidrs", "publicAccessCidrs: []"),
        ("argosy:cluster.nodeGroups[0].maxSize", "maxSize: 10"),
        ("argosy:cluster.nodeGroups[1].name", "name: system-2"),
        ("argosy:cluster.nodeGroups[1].taints[0].key", "key: dedicated"),
        ("argosy:cluster.nodeGroups[1].taints[0].value", "value: batch"),
        # 1.33 is past standard support: STANDARD would not do.
        ("argosy:cluster.upgradePolicy", "upgradePolicy: EXTENDED"),
    ]
    admins = [
        {
            "principalArn": "arn:aws:iam::222222222222:role/a",
            "policy": "cluster-admin",
            "namespaces": "team-a",
        },
        {"principalArn": "arn:aws:iam::222222222222:role/b", "policy": "view", "namespaces": ["B"]},
    ]
    assert [(p, e) for p, _, _, e in errors(config(**{"argosy:access": {"admins": admins}}))] == [
        ("argosy:access.admins[0].namespaces", "namespaces: []"),
        ("argosy:access.admins[1].namespaces[0]", "namespaces: [team-a]"),
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
            "the deploy role (aws.deployRoleArn) is a cluster admin already; remove this grant",
            # In the stage's account, so that the example is valid where it is written.
            "principalArn: arn:aws:iam::222222222222:role/platform-admins",
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
        # Reported although the grant's policy is wrong too.
        (
            "argosy:access.admins[4].principalArn",
            "arn:aws:iam::222222222222:role/team",
            "one access entry per principal: admins[3] grants arn:aws:iam::222222222222:role/team "
            "already; remove this grant, or give it another principal",
            "principalArn: arn:aws:iam::222222222222:role/platform-admins",
        ),
    ]


def test_one_entry_per_principal() -> None:
    grant = {"principalArn": "arn:aws:iam::222222222222:role/ops", "policy": "view"}
    assert only_error(config(**{"argosy:access": {"admins": [grant, grant]}})) == (
        "argosy:access.admins[1].principalArn",
        "arn:aws:iam::222222222222:role/ops",
        "one access entry per principal: admins[0] grants arn:aws:iam::222222222222:role/ops "
        "already; remove this grant, or give it another principal",
        "principalArn: arn:aws:iam::222222222222:role/platform-admins",
    )


def test_tags() -> None:
    assert only_error(config(**{"argosy:tags": {"stage": "x", "team": "a"}})) == (
        "argosy:tags",
        "{stage: x, team: a}",
        "managed-by, project, stage are set by argosy on every resource; choose other keys "
        "than stage",
        # The key as written in the file: argosy:tags, namespaced.
        "argosy:tags: {cost-center: platform}",
    )
    assert only_error(config(**{"argosy:tags": {"aws:owner": "x"}})) == (
        'argosy:tags["aws:owner"]',
        "aws:owner",
        "the aws: prefix is reserved by AWS",
        "argosy:tags: {cost-center: platform}",
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
            f'argosy:cluster: {{version: "{NEWEST}", nodeGroups: [{{name: system, instanceTypes: '
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
        "argosy:argocd": {
            "topology": "standalone",
            "install": "self-hosted",
            "gitops": {"repoUrl": "https://github.com/acme/platform.git"},
            "selfHosted": {"adminLogin": True},
        },
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
        "argosy:network, argosy:cluster, argosy:access, argosy:tags, argosy:argocd, "
        "argosy:addons, argosy:apps, argosy:bootstrap, argosy:backend, argosy:kubernetes",
        # {} is no valid network: the key's own example.
        "argosy:network: {vpcCidr: 10.20.0.0/16, azCount: 3, natGateways: per-az}",
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


SUFFIX_NOTE = "(the last 8 are Pulumi's random suffix): shorten the stack or node group name"


FIXED_NOTE = ": shorten the stack or node group name"


def stage_name_too_long(stage: str) -> list[tuple[str, str, str, str]]:
    """The errors of a 45-character stack name: every stage-derived name that no longer fits.

    The cluster's auto-named role (with Pulumi's suffix), and the fixed names: the add-ons'
    roles at their longest, Karpenter's node role, the artifact bucket with a 12-digit
    account.
    """
    assert len(stage) == 45
    return [
        (
            "(stack name)",
            stage,
            f"the derived {what} '{name}' is {length} characters; at most {limit}{note}",
            "pulumi stack init prod-eu",
        )
        for what, name, length, limit, note in (
            ("IAM role name", f"{stage}-eks-cluster{'x' * 8}", 65, 64, f" {SUFFIX_NOTE}"),
            ("IAM role name", f"argosy-{stage}-aws-load-balancer-controller", 81, 64, FIXED_NOTE),
            ("IAM role name", f"argosy-{stage}-crossplane-provider-aws", 76, 64, FIXED_NOTE),
            ("IAM role name", f"argosy-{stage}-karpenter-node", 67, 64, FIXED_NOTE),
            ("S3 bucket name", f"argosy-{stage}-artifacts-000000000000", 75, 63, FIXED_NOTE),
        )
    ]


def test_derived_names_fit_their_limits() -> None:
    # The Load Balancer Controller's role name is the tightest: 28 characters of stack name
    # fit and 29 do not.
    validate_stage("a" * 28, BASE, source=SOURCE)
    stage = "a" * 29
    assert only_error(BASE, stack=stage) == (
        "(stack name)",
        stage,
        f"the derived IAM role name 'argosy-{stage}-aws-load-balancer-controller' is 65 "
        f"characters; at most 64{FIXED_NOTE}",
        "pulumi stack init prod-eu",
    )
    assert errors(BASE, stack="a" * 45) == stage_name_too_long("a" * 45)
    long_group = group(name="g" * 52)
    # At the group's name, with a name that fits.
    assert only_error(config(**{"argosy:cluster": cluster(nodeGroups=[long_group])})) == (
        "argosy:cluster.nodeGroups[0].name",
        "g" * 52,
        f"the derived EKS node group name 'dev-{'g' * 52}{'x' * 8}' is 64 characters; at most "
        f"63 {SUFFIX_NOTE}",
        f"name: {'g' * 51}",
    )


def test_derived_names_are_checked_whatever_else_is_wrong() -> None:
    stage = "a" * 45
    groups = [group(name="g" * 52), group(name="spot", minSize=-1)]
    values = config(**{"argosy:cluster": cluster(nodeGroups=groups), "argosy:production": "no"})
    suffix = SUFFIX_NOTE
    assert errors(values, stack=stage) == [
        *stage_name_too_long(stage),
        (
            "argosy:cluster.nodeGroups[0].name",
            "g" * 52,
            f"the derived EKS node group name '{stage}-{'g' * 52}{'x' * 8}' is 106 characters; "
            f"at most 63 {suffix}",
            # What fits beside this stack name: 63 - 45 - 1 - 8 characters.
            "name: ggggggggg",
        ),
        ("argosy:cluster.nodeGroups[1].minSize", "-1", "must be at least 0", "minSize: 2"),
        ("argosy:production", "'no'", "must be true or false", "argosy:production: false"),
    ]


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
        # Not 10.16.0.0/12: a VPC range is /16 to /20, and the example must be valid.
        "    example: vpcCidr: 10.20.0.0/16\n"
        "stacks/Pulumi.prod.yaml:10: argosy:network.natGateway = single\n"
        "    rule: unknown field; the fields here are: vpcCidr, azCount, natGateways, "
        "privateSubnets, publicSubnets, flowLogs\n"
        "    example: natGateways: single\n"
        "stacks/Pulumi.prod.yaml:12: argosy:cluster.version = 1.35\n"
        "    rule: must be a string (quote it in YAML)\n"
        f"    example: version: '{NEWEST}'\n"
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
    documents = {stack_file.source.file: {"config": dict(stack_file.config)}}
    revalidate = revalidate_as("prod", stack_file.source)
    assert_examples_valid(caught.value.issues, documents, revalidate)


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


def test_a_mistyped_role_suggests_the_closest() -> None:
    values = {
        "argosy:role": "locl",
        "argosy:production": False,
        "argosy:kubernetes": {"context": "kind-argosy"},
    }
    assert only_error(values) == (
        "argosy:role",
        "locl",
        "must be one of: hub, workload, local",
        "argosy:role: local",
    )
