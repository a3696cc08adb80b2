"""Stack outputs: the stable names of argosy.outputs, in order, with realistic values."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from argosy.outputs import APPS_DNS_OUTPUTS, AWS_STAGE_OUTPUTS, LOCAL_STAGE_OUTPUTS
from argosy.plan.planner import Project
from tests.conftest import AWS_EXAMPLE_STACKS, Planned, load_example, plan_valid

ACCOUNTS = {
    "hub": "111111111111",
    "dev": "222222222222",
    "staging": "333333333333",
    "prod": "444444444444",
}


@pytest.fixture
def exported(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], tuple[Planned, list[str]]]:
    """Plan an example stack, with the names the program exported in the order it did."""

    def plan(stack: str) -> tuple[Planned, list[str]]:
        names: list[str] = []
        export = pulumi.export

        def recording_export(name: str, value: Any) -> None:
            names.append(name)
            export(name, value)

        with monkeypatch.context() as patch:
            patch.setattr(pulumi, "export", recording_export)
            planned = plan_valid(project, project.stack_file(stack), stack)
        return planned, names

    return plan


def test_the_output_names_are_the_published_ones() -> None:
    # Other stacks and tools read these names: this list changes by addition only.
    assert list(AWS_STAGE_OUTPUTS) == [
        "stage",
        "accountId",
        "region",
        "vpcId",
        "vpcCidr",
        "privateSubnetIds",
        "publicSubnetIds",
        "clusterName",
        "clusterArn",
        "clusterEndpoint",
        "clusterCertificateAuthority",
        "clusterSecurityGroupId",
        "kubernetesVersion",
        "oidcIssuerUrl",
        "oidcProviderArn",
        "nodeRoleArn",
        "logsKeyArn",
        "defaultStorageClass",
        "kubeconfig",
    ]
    assert list(LOCAL_STAGE_OUTPUTS) == ["stage", "kubeContext"]
    # A stage with an app domain (argosy:apps domain) adds these, after the others.
    assert list(APPS_DNS_OUTPUTS) == ["appsZoneId", "appsZoneNameServers", "appsCertificateArn"]


def expected_outputs(stack: str) -> list[str]:
    """The output names of an example stack: the app domain's when it has one."""
    domain = (load_example(stack)["config"].get("argosy:apps") or {}).get("domain")
    return [*AWS_STAGE_OUTPUTS, *(APPS_DNS_OUTPUTS if domain else ())]


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_aws_stage_exports_exactly_its_outputs_in_order(
    exported: Callable[[str], tuple[Planned, list[str]]], stack: str
) -> None:
    plan, names = exported(stack)
    assert names == expected_outputs(stack)
    assert set(plan.run.outputs) == set(expected_outputs(stack))


def test_local_stage_exports_exactly_its_outputs_in_order(
    exported: Callable[[str], tuple[Planned, list[str]]],
) -> None:
    plan, names = exported("local")
    assert names == list(LOCAL_STAGE_OUTPUTS)
    assert dict(plan.run.outputs) == {"stage": "local", "kubeContext": "kind-argosy"}


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_output_values_are_the_stage_s(planned: Callable[[str], Planned], stack: str) -> None:
    plan = planned(stack)
    outputs = plan.run.outputs
    account = ACCOUNTS[stack]
    example = load_example(stack)["config"]
    cluster = plan.one("aws:eks/cluster:Cluster")
    oidc = plan.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")

    assert outputs["stage"] == stack
    assert outputs["accountId"] == account
    assert outputs["region"] == example["argosy:aws"]["region"] == "eu-west-1"

    [vpc] = plan.graph.of_type("aws:ec2/vpc:Vpc")
    assert outputs["vpcId"] == vpc.id
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", outputs["vpcId"])
    assert outputs["vpcCidr"] == example["argosy:network"]["vpcCidr"] == vpc.inputs["cidrBlock"]
    subnets = {s.name: s for s in plan.graph.of_type("aws:ec2/subnet:Subnet")}
    zones = "abcdef"[: example["argosy:network"]["azCount"]]
    for kind in ("private", "public"):
        ids = outputs[f"{kind}SubnetIds"]
        # In zone order, each a subnet of this VPC.
        assert ids == [subnets[f"{stack}-network-{kind}-{zone}"].id for zone in zones]
        assert all(subnets[f"{stack}-network-{kind}-{z}"].inputs["vpcId"] == vpc.id for z in zones)
    assert cluster.inputs["vpcConfig"]["subnetIds"] == outputs["privateSubnetIds"]

    assert outputs["clusterName"] == f"argosy-{stack}"
    assert outputs["clusterArn"] == f"arn:aws:eks:eu-west-1:{account}:cluster/argosy-{stack}"
    assert outputs["clusterArn"] == cluster.outputs["arn"]
    assert re.fullmatch(
        r"https://[0-9A-F]{32}\.gr7\.eu-west-1\.eks\.amazonaws\.com", outputs["clusterEndpoint"]
    )
    assert outputs["clusterEndpoint"] == cluster.outputs["endpoint"]
    certificate = base64.b64decode(outputs["clusterCertificateAuthority"]).decode()
    assert certificate.startswith("-----BEGIN CERTIFICATE-----\n")
    assert certificate.endswith("-----END CERTIFICATE-----\n")
    assert (
        outputs["clusterSecurityGroupId"]
        == (cluster.outputs["vpcConfig"]["clusterSecurityGroupId"])
    )
    assert re.fullmatch(r"sg-[0-9a-f]{17}", outputs["clusterSecurityGroupId"])
    assert outputs["kubernetesVersion"] == example["argosy:cluster"]["version"] == "1.36"

    issuer = outputs["oidcIssuerUrl"]
    assert issuer == oidc.inputs["url"]
    assert re.fullmatch(r"https://oidc\.eks\.eu-west-1\.amazonaws\.com/id/[0-9A-F]{32}", issuer)
    # The issuer's ID is the endpoint's: both belong to this cluster.
    assert issuer.rsplit("/", 1)[1] == outputs["clusterEndpoint"].split("//")[1].split(".")[0]
    assert outputs["oidcProviderArn"] == (
        f"arn:aws:iam::{account}:oidc-provider/{issuer.removeprefix('https://')}"
    )
    assert outputs["oidcProviderArn"] == oidc.outputs["arn"]

    node_role = plan.one("aws:iam/role:Role", f"{stack}-eks-node")
    assert outputs["nodeRoleArn"] == node_role.outputs["arn"]
    assert re.fullmatch(rf"arn:aws:iam::{account}:role/{stack}-eks-node-[0-9a-f]{{7}}",
                        outputs["nodeRoleArn"])  # fmt: skip
    logs_key = plan.one("aws:kms/key:Key", f"{stack}-encryption-logs")
    assert outputs["logsKeyArn"] == logs_key.outputs["arn"]
    assert re.fullmatch(
        rf"arn:aws:kms:eu-west-1:{account}:key/[0-9a-f-]{{36}}", outputs["logsKeyArn"]
    )
    assert outputs["defaultStorageClass"] == "ebs-csi-default-sc"

    kubeconfig = json.loads(outputs["kubeconfig"])
    assert kubeconfig["current-context"] == f"argosy-{stack}"
    [entry] = kubeconfig["clusters"]
    assert entry["cluster"] == {
        "server": outputs["clusterEndpoint"],
        "certificate-authority-data": outputs["clusterCertificateAuthority"],
    }
    args = kubeconfig["users"][0]["user"]["exec"]["args"]
    assert args[args.index("--cluster-name") + 1] == f"argosy-{stack}"
    assert args[args.index("--region") + 1] == "eu-west-1"
    assert args[args.index("--role-arn") + 1] == f"arn:aws:iam::{account}:role/argosy-deploy"

    apps = example.get("argosy:apps") or {}
    if not apps.get("domain"):
        assert not set(APPS_DNS_OUTPUTS) & set(outputs)
        return
    validation = plan.one("aws:acm/certificateValidation:CertificateValidation")
    issued = plan.one("aws:acm/certificate:Certificate")
    assert outputs["appsCertificateArn"] == issued.outputs["arn"]
    assert validation.inputs["certificateArn"] == outputs["appsCertificateArn"]
    assert re.fullmatch(
        rf"arn:aws:acm:eu-west-1:{account}:certificate/[0-9a-f-]{{36}}",
        outputs["appsCertificateArn"],
    )
    servers = outputs["appsZoneNameServers"]
    assert len(servers) == 4 and all(
        re.fullmatch(r"ns-\d+\.awsdns-\d\d\.[a-z.]+", s) for s in servers
    )
    made = plan.graph.of_type("aws:route53/zone:Zone")
    if apps.get("hostedZoneId"):
        # Adopted: named by the stack file, read (not managed) for its name servers.
        assert outputs["appsZoneId"] == apps["hostedZoneId"] and made == []
    else:
        [zone] = made
        assert outputs["appsZoneId"] == zone.outputs["zoneId"] == zone.id
        assert servers == zone.outputs["nameServers"]


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_no_output_is_secret_or_unknown(planned: Callable[[str], Planned], stack: str) -> None:
    for name, value in planned(stack).run.outputs.items():
        assert value not in (None, "", [], "[secret]"), name
        assert "04da6b54-80e4-46f7-96ec-b56ff0331ba9" not in json.dumps(value), name
