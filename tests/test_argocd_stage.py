"""Argo CD for every stage: the hub hosts it, registers every stage, each spoke grants it access.

The hub (stacks/Pulumi.hub.yaml, ``argosy:argocd``) runs Argo CD as the EKS Argo CD capability
and registers its own cluster and its spokes (dev, staging, prod) through its own cluster's
Kubernetes API; each spoke grants the hub's Argo CD role one access entry, derived from the
hub's stack file. Here: the planned graphs, the topology's errors (at the function level, in the
program and through the CLI), rules A9 and P2 caught breaking, and ``argosy:argocd``'s
validation. The pure builders are tested in tests/test_argocd_builders.py.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockResourceArgs
from typer.testing import CliRunner

from argosy import cli
from argosy.config.errors import ConfigInvalidError, ConfigIssue
from argosy.config.source import encode_for_program, read_stack_file
from argosy.config.stage import AwsStageConfig, StageConfig
from argosy.config.topology import ArgoCdHost, Topology, resolve_topology
from argosy.config.validate import validate_stage
from argosy.manifests.argo_schemas import check_argo_manifest
from argosy.manifests.iam import account_of_arn
from argosy.plan.engine import ProgramFailedError, project_program, run_program
from argosy.plan.mocks import AwsContext, PlanMocks
from argosy.plan.monitor import REDACTED
from argosy.plan.planner import StackRequest, validate_requests
from argosy.policy.graph import PlanGraph
from tests.conftest import EXAMPLE_STACKS, REPO, Planned, load_example
from tests.example_apps import app_applications, team_projects
from tests.test_config_validation import SOURCE, config, errors, only_error
from tests.test_security import (
    added,
    altered,
    declared,
    facts,
    findings,
    findings_at,
    named,
    with_inputs,
)

ACCOUNTS = {
    "hub": "111111111111",
    "dev": "222222222222",
    "staging": "333333333333",
    "prod": "444444444444",
}
PRODUCTION = {"hub": True, "dev": False, "staging": False, "prod": True}
#: What the hub's Argo CD manages besides its own cluster (argosy:argocd.spokes, in order).
SPOKES = ("dev", "staging", "prod")
#: Every cluster registered with it.
REGISTERED = ("dev", "hub", "prod", "staging")
#: The add-ons Argo CD delivers to every registered cluster (Karpenter: prod only).
EVERY_STAGE_ADDONS = (
    "argo-events",
    "argo-rollouts",
    "argo-workflows",
    "aws-load-balancer-controller",
    "external-dns",
    "external-secrets",
)
#: Each registered cluster's add-on identities: annotation key prefix to role name suffix
#: (``argosy-<stage>-<suffix>``); workflows' own identity per workflow namespace.
ADDON_ROLES = {
    stage: {
        "argo_rollouts": "argo-rollouts",
        "argo_workflows_server": "argo-workflows-server",
        f"argo_workflows_{namespace}": f"workflows-{namespace}",
        "aws_load_balancer_controller": "aws-load-balancer-controller",
        "external_dns": "external-dns",
        "external_secrets": "external-secrets",
    }
    for stage, namespace in (
        ("dev", "workflows"),
        ("hub", "ci"),
        ("prod", "workflows"),
        ("staging", "workflows"),
    )
}
ADDON_ROLES["prod"]["karpenter"] = "karpenter-controller"
#: The fixed role the capability acts as; each spoke derives it from the hub's stack file.
ARGOCD_ROLE_ARN = "arn:aws:iam::111111111111:role/argosy-hub-argocd"
CLUSTER_ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
GITOPS_REPO = "https://github.com/acme/platform.git"
PROD_ENDPOINT = "https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com"
LOG_TYPES = tuple(
    f"EKS_CAPABILITY_ARGOCD_{kind}_LOGS"
    for kind in ("APPLICATION", "APPLICATIONSET", "COMMITSERVER", "REPOSERVER", "SERVER")
)

CAPABILITY = "aws:eks/capability:Capability"
ROLE = "aws:iam/role:Role"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
DELIVERY_DESTINATION = "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination"
DELIVERY = "aws:cloudwatch/logDelivery:LogDelivery"
SECRET = "kubernetes:core/v1:Secret"
APP_PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject"
K8S_PROVIDER = "pulumi:providers:kubernetes"


def hub_argocd() -> dict[str, Any]:
    """``argosy:argocd`` as stacks/Pulumi.hub.yaml writes it."""
    argocd: dict[str, Any] = load_example("hub")["config"]["argosy:argocd"]
    return argocd


# --------------------------------------------------------------------------------------
# The hub: the capability


def test_the_hub_holds_the_argo_cd_capability(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    cluster = hub.one("aws:eks/cluster:Cluster")
    capability = hub.one(CAPABILITY)
    role = hub.one(ROLE, "hub-argocd-role")
    endpoint = hub.one("aws:ec2/vpcEndpoint:VpcEndpoint", "hub-argocd-endpoint")
    group = hub.one("aws:ec2/securityGroup:SecurityGroup", "hub-argocd-endpoint")
    [vpc] = hub.graph.of_type("aws:ec2/vpc:Vpc")
    managed = hub_argocd()["managed"]

    # The role: a fixed name (spokes name it), trusted by EKS capabilities only.
    assert role.inputs["name"] == "argosy-hub-argocd"
    assert role.outputs["arn"] == ARGOCD_ROLE_ARN
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "capabilities.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ],
    }
    # No permission policy: clusters authorize it through access entries.
    for token in (
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/rolePolicy:RolePolicy",
    ):
        assert [
            p.name for p in hub.graph.of_type(token) if p.inputs["role"] == role.outputs["name"]
        ] == []

    # The capability, on the hub's own cluster.
    inputs = dict(capability.inputs)
    argo_cd = inputs.pop("configuration")["argoCd"]
    assert inputs == {
        "capabilityName": "argocd",
        "clusterName": cluster.outputs["name"],
        "deletePropagationPolicy": "RETAIN",
        "roleArn": ARGOCD_ROLE_ARN,
        "type": "ARGOCD",
    }
    assert cluster.outputs["name"] == "argosy-hub"
    # Sign-in through Identity Center, roles exactly as the stack file maps them.
    assert [m["role"] for m in managed["rbac"]] == ["ADMIN", "VIEWER"]
    assert argo_cd == {
        "namespace": "argocd",
        "awsIdc": {
            "idcInstanceArn": managed["identityCenter"]["instanceArn"],
            "idcRegion": "eu-west-1",
        },
        "rbacRoleMappings": [
            {
                "role": mapping["role"],
                "identities": [{"id": g, "type": "SSO_GROUP"} for g in mapping["groups"]],
            }
            for mapping in managed["rbac"]
        ],
        "networkAccess": {"vpceIds": [endpoint.id]},
    }
    assert argo_cd["rbacRoleMappings"][0] == {
        "role": "ADMIN",
        "identities": [{"id": "906739a2-4071-7066-d5c9-2d0a1b2c3d4e", "type": "SSO_GROUP"}],
    }

    # The private endpoint: in the hub's private subnets, 443 from the hub's VPC only.
    private = sorted(
        str(s.id)
        for s in hub.graph.of_type("aws:ec2/subnet:Subnet")
        if s.inputs["tags"].get("kubernetes.io/role/internal-elb") == "1"
    )
    assert endpoint.inputs == {
        "serviceName": "com.amazonaws.eu-west-1.eks-capabilities",
        "vpcEndpointType": "Interface",
        "vpcId": vpc.id,
        "subnetIds": endpoint.inputs["subnetIds"],
        "securityGroupIds": [group.id],
    }
    assert sorted(endpoint.inputs["subnetIds"]) == private and len(private) == 3
    assert vpc.inputs["cidrBlock"] == "10.10.0.0/16"
    assert group.inputs["vpcId"] == vpc.id
    assert [
        (r["protocol"], r["fromPort"], r["toPort"], r["cidrBlocks"], r.get("ipv6CidrBlocks"))
        for r in group.inputs["ingress"]
    ] == [("tcp", 443, 443, ["10.10.0.0/16"], None)]
    assert "securityGroups" not in group.inputs["ingress"][0]

    # Argo CD gets cluster admin on its own cluster once the capability exists.
    own = hub.one(ASSOCIATION, "hub-argocd-own-cluster")
    assert own.inputs == {
        "clusterName": "argosy-hub",
        "principalArn": ARGOCD_ROLE_ARN,
        "policyArn": CLUSTER_ADMIN,
        "accessScope": {"type": "cluster"},
    }
    assert capability.urn in own.dependencies
    assert capability.urn in hub.graph.waits_for(own.urn)


def test_every_capability_log_type_is_delivered_to_an_encrypted_group(
    planned: Callable[[str], Planned],
) -> None:
    hub = planned("hub")
    capability = hub.one(CAPABILITY)
    logs_key = hub.one("aws:kms/key:Key", "hub-encryption-logs")
    group = hub.one(LOG_GROUP, "hub-argocd-logs")
    assert group.inputs == {
        "name": "/aws/eks-capabilities/argosy-hub/argocd",
        "retentionInDays": 90,
        "kmsKeyId": logs_key.outputs["arn"],
    }
    [destination] = hub.graph.of_type(DELIVERY_DESTINATION)
    assert destination.inputs["deliveryDestinationConfiguration"] == {
        "destinationResourceArn": group.outputs["arn"]
    }
    sources = hub.graph.of_type(DELIVERY_SOURCE)
    assert sorted(s.inputs["logType"] for s in sources) == sorted(LOG_TYPES)
    deliveries = hub.graph.of_type(DELIVERY)
    assert len(deliveries) == len(LOG_TYPES)
    for source in sources:
        assert source.inputs["resourceArn"] == capability.outputs["arn"], source.name
        [delivery] = [
            d for d in deliveries if d.inputs["deliverySourceName"] == source.outputs["name"]
        ]
        assert delivery.inputs["deliveryDestinationArn"] == destination.outputs["arn"]
        assert {source.urn, destination.urn} <= hub.graph.waits_for(delivery.urn)
        assert capability.urn in hub.graph.waits_for(source.urn)
    assert group.urn in hub.graph.waits_for(destination.urn)


# --------------------------------------------------------------------------------------
# The hub: what Argo CD reads


def test_a_registration_per_cluster(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    secrets = {s.inputs["metadata"]["name"]: s for s in hub.graph.of_type(SECRET)}
    # A registration per cluster, and the credentials of Karpenter's OCI chart repository
    # (tests/test_controllers_stage.py).
    assert sorted(secrets) == sorted(
        [*(f"cluster-{s}" for s in REGISTERED), "repository-karpenter"]
    )
    assert secrets["repository-karpenter"].inputs["metadata"]["labels"] == {
        "argocd.argoproj.io/secret-type": "repository"
    }
    for stage in REGISTERED:
        example = load_example(stage)["config"]
        account = ACCOUNTS[stage]
        secret = secrets[f"cluster-{stage}"]
        assert example["argosy:aws"]["accountId"] == account
        assert example["argosy:production"] is PRODUCTION[stage]
        assert secret.inputs["metadata"] == {
            "name": f"cluster-{stage}",
            "namespace": "argocd",
            "labels": {
                "argocd.argoproj.io/secret-type": "cluster",
                "environment": stage,
                "cluster_name": f"argosy-{stage}",
                "kubernetes_version": example["argosy:cluster"]["version"],
                "aws_region": "eu-west-1",
                "aws_account_id": account,
                "argosy.dev/production": "true" if PRODUCTION[stage] else "false",
            },
            "annotations": {
                "environment": stage,
                "cluster_name": f"argosy-{stage}",
                "aws_account_id": account,
                "aws_region": "eu-west-1",
                "aws_cluster_name": f"argosy-{stage}",
                "aws_cluster_arn": f"arn:aws:eks:eu-west-1:{account}:cluster/argosy-{stage}",
                "aws_vpc_cidr": example["argosy:network"]["vpcCidr"],
                "addons_repo_url": GITOPS_REPO,
                "addons_repo_basepath": "gitops/",
                "addons_repo_revision": "main",
                # The stage's add-on identities, derived from their fixed names.
                **{
                    f"{key}_iam_role_arn": f"arn:aws:iam::{account}:role/argosy-{stage}-{role}"
                    for key, role in ADDON_ROLES[stage].items()
                },
            },
        }
        assert secret.inputs["type"] == "Opaque"
        # What Argo CD connects with is a secret Output: redacted in every plan.
        assert secret.inputs["stringData"] == REDACTED
        assert secret.has_secret_inputs
    assert hub_argocd()["gitops"]["repoUrl"] == GITOPS_REPO
    assert secrets["cluster-prod"].inputs["metadata"]["labels"]["argosy.dev/production"] == "true"
    assert secrets["cluster-dev"].inputs["metadata"]["labels"]["aws_account_id"] == "222222222222"


def test_the_platform_project(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    # The platform's project, and one per team and stage of the app catalog (their bounds:
    # tests/test_app_*.py).
    assert sorted(p.inputs["metadata"]["name"] for p in hub.graph.of_type(APP_PROJECT)) == sorted(
        ["platform", *team_projects(REGISTERED)]
    )
    project = hub.one(APP_PROJECT, "hub-registrations-platform")
    manifest = project.inputs
    check_argo_manifest(manifest)
    assert manifest["metadata"] == {
        "name": "platform",
        "namespace": "argocd",
        "labels": {"argosy.dev/production": "true"},
    }
    spec = manifest["spec"]
    # The GitOps repository and the repository of every chart some stage gets.
    assert spec["sourceRepos"] == [
        "https://argoproj.github.io/argo-helm",
        "https://aws.github.io/eks-charts",
        "https://charts.external-secrets.io",
        GITOPS_REPO,
        "https://kubernetes-sigs.github.io/external-dns",
        "public.ecr.aws/karpenter",
    ]
    assert spec["sourceNamespaces"] == ["argocd"]
    controllers = ["argo-events", "argo-rollouts", "argo-workflows", "external-dns"]
    workflow_namespaces = {"hub": "ci", "dev": "workflows", "staging": "workflows"}
    assert spec["destinations"] == [
        {"name": stage, "namespace": namespace}
        for stage in REGISTERED
        for namespace in sorted(
            [
                *controllers,
                "external-secrets",
                "kube-system",
                workflow_namespaces.get(stage, "workflows"),
            ]
        )
    ]
    assert len(spec["destinations"]) == 4 * 7
    # No wildcard anywhere: repositories, clusters, namespaces or cluster-scoped kinds.
    assert "*" not in json.dumps(spec)


def test_the_kubernetes_provider_waits_for_access_and_argo_cd(
    planned: Callable[[str], Planned],
) -> None:
    hub = planned("hub")
    provider = hub.one(K8S_PROVIDER)
    kubeconfig = json.loads(provider.inputs["kubeconfig"])
    args = kubeconfig["users"][0]["user"]["exec"]["args"]
    # It authenticates as the deploy role...
    assert args[args.index("--role-arn") + 1] == "arn:aws:iam::111111111111:role/argosy-deploy"
    assert args[args.index("--cluster-name") + 1] == "argosy-hub"
    # ...so it waits for that role's access (entry and policy); every object declared
    # through it waits for Argo CD itself too (its namespace and CRDs).
    access = {
        hub.one(ACCESS_ENTRY, "hub-access-deploy").urn,
        hub.one(ASSOCIATION, "hub-access-deploy").urn,
    }
    argocd = {hub.one(CAPABILITY).urn, hub.one(ASSOCIATION, "hub-argocd-own-cluster").urn}
    assert access <= hub.graph.waits_for(provider.urn)
    objects = [*hub.graph.of_type(SECRET), *hub.graph.of_type(APP_PROJECT)]
    assert sorted(r.name for r in objects) == sorted(
        [
            "hub-registrations-dev",
            "hub-registrations-hub",
            "hub-registrations-platform",
            "hub-registrations-prod",
            "hub-registrations-repository-karpenter",
            "hub-registrations-staging",
            # The app catalog's team projects.
            *(f"hub-registrations-project-{p}" for p in team_projects(REGISTERED)),
        ]
    )
    for resource in objects:
        assert resource.provider_urn == provider.urn, resource.name
        assert access | argocd <= hub.graph.waits_for(resource.urn), resource.name


# --------------------------------------------------------------------------------------
# The spokes


@pytest.mark.parametrize("stack", SPOKES)
def test_a_spoke_grants_the_hubs_argo_cd_one_access_entry(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    account = ACCOUNTS[stack]
    foreign = [
        e
        for e in plan.graph.of_type(ACCESS_ENTRY)
        if account_of_arn(e.inputs["principalArn"]) != account
    ]
    assert [(e.name, e.inputs) for e in foreign] == [
        (
            f"{stack}-argocd-access",
            {
                "clusterName": f"argosy-{stack}",
                "principalArn": ARGOCD_ROLE_ARN,
                "type": "STANDARD",
            },
        )
    ]
    [entry] = foreign
    [association] = [
        a for a in plan.graph.of_type(ASSOCIATION) if a.inputs["principalArn"] == ARGOCD_ROLE_ARN
    ]
    assert association.inputs == {
        "clusterName": f"argosy-{stack}",
        "principalArn": ARGOCD_ROLE_ARN,
        "policyArn": CLUSTER_ADMIN,
        "accessScope": {"type": "cluster"},
    }
    assert entry.urn in association.dependencies
    component = plan.graph.by_urn[entry.parent or ""]
    assert component.type == "argosy:argocd:ArgoCdAccess"
    assert plan.graph.by_urn[association.parent or ""] == component
    # Nothing else for Argo CD: no role, no Kubernetes provider or object.
    assert [r.name for r in plan.graph.of_type(ROLE) if "argocd" in r.name] == []
    assert [r.urn for r in plan.run.resources if "kubernetes" in r.type] == []
    assert plan.graph.of_type(CAPABILITY) == []


def test_the_hub_and_local_stages_grant_no_foreign_access(
    planned: Callable[[str], Planned],
) -> None:
    hub = planned("hub")
    assert {account_of_arn(e.inputs["principalArn"]) for e in hub.graph.of_type(ACCESS_ENTRY)} == {
        "111111111111"
    }
    assert hub.graph.of_type("argosy:argocd:ArgoCdAccess") == []
    local = planned("local")
    # The local stage's Argo CD is the chart, with no AWS identity at all, and what it
    # reads of its own cluster (its registration, project and Applications).
    assert [r.type for r in local.run.resources if "argocd" in r.type] == [
        "argosy:argocd:Registrations",
        "argosy:argocd:SelfHostedArgoCd",
    ]
    assert [r for r in local.run.resources if r.type.startswith("aws:")] == []


# --------------------------------------------------------------------------------------
# The topology: who hosts whom, from the stack files


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    """A copy of the repository's stack files to edit, in ``<tmp>/stacks``."""
    directory = tmp_path / "stacks"
    directory.mkdir()
    for path in sorted((REPO / "stacks").glob("Pulumi.*.yaml")):
        shutil.copy(path, directory / path.name)
    return directory


def replace_in(stacks: Path, stage: str, old: str, new: str) -> None:
    """Edit a stack file's text (comments and lines stay where they are)."""
    path = stacks / f"Pulumi.{stage}.yaml"
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not once in {path.name}"
    path.write_text(text.replace(old, new))


def add_hub(stacks: Path, stage: str, spokes: str) -> None:
    """A second hub, ``stage``, in its own account and range, listing ``spokes``."""
    text = (stacks / "Pulumi.hub.yaml").read_text()
    for old, new in (
        ("111111111111", "555555555555"),
        ("vpcCidr: 10.10.0.0/16", "vpcCidr: 10.50.0.0/16"),
        ("spokes: [dev, staging, prod]", f"spokes: {spokes}"),
    ):
        assert old in text
        text = text.replace(old, new)
    (stacks / f"Pulumi.{stage}.yaml").write_text(text)


def stage_config(stacks: Path, stage: str) -> StageConfig:
    path = stacks / f"Pulumi.{stage}.yaml"
    stack_file = read_stack_file(path, stack=stage, display=f"stacks/{path.name}")
    return validate_stage(stage, stack_file.config, source=stack_file.source)


Problem = tuple[str, str, str, str]
"""An issue as (file:line, path, value, rule); examples are checked apart (see below)."""


def problem(issue: ConfigIssue) -> Problem:
    return (f"{issue.file}:{issue.line}", issue.path, issue.value, issue.rule)


def line_of(stacks: Path, stage: str, text: str) -> str:
    """``stacks/Pulumi.<stage>.yaml:<line>`` of the one line holding ``text``."""
    lines = (stacks / f"Pulumi.{stage}.yaml").read_text().splitlines()
    [number] = [n for n, line in enumerate(lines, start=1) if text in line]
    return f"stacks/Pulumi.{stage}.yaml:{number}"


def topology_problems(stacks: Path, stage: str) -> list[Problem]:
    with pytest.raises(ConfigInvalidError) as caught:
        resolve_topology(stage_config(stacks, stage), stacks)
    return [problem(i) for i in caught.value.issues]


def requests_for(stacks: Path, *stages: str) -> list[StackRequest]:
    return [
        StackRequest(
            stack=s, config_file=stacks / f"Pulumi.{s}.yaml", display=f"stacks/Pulumi.{s}.yaml"
        )
        for s in stages
    ]


def request_problems(stacks: Path, *stages: str) -> list[Problem]:
    with pytest.raises(ConfigInvalidError) as caught:
        validate_requests(requests_for(stacks, *stages), stacks)
    return [problem(i) for i in caught.value.issues]


def test_the_examples_topology() -> None:
    stacks = REPO / "stacks"
    hub = resolve_topology(stage_config(stacks, "hub"), stacks)
    assert hub.host is None
    assert [s.stage for s in hub.spokes] == list(SPOKES)
    for stage in SPOKES:
        topology = resolve_topology(stage_config(stacks, stage), stacks)
        assert topology == Topology(
            host=ArgoCdHost(
                stage="hub",
                account_id="111111111111",
                partition="aws",
                region="eu-west-1",
                vpc_cidr="10.10.0.0/16",
                install="managed",
            )
        )
        assert topology.host is not None and topology.host.principal_arn == ARGOCD_ROLE_ARN
    assert resolve_topology(stage_config(stacks, "local"), stacks) == Topology()
    # The plan resolves it too, for every stack at once.
    valid = validate_requests(requests_for(stacks, *EXAMPLE_STACKS), stacks)
    assert [v.config.stage for v in valid] == list(EXAMPLE_STACKS)


def test_a_spoke_without_a_stack_file(stacks: Path) -> None:
    replace_in(stacks, "hub", "spokes: [dev, staging, prod]", "spokes: [dev, qa, prod]")
    expected = [
        (
            line_of(stacks, "hub", "spokes: [dev, qa, prod]"),
            "argosy:argocd.spokes[1]",
            "qa",
            "a stage with a stack file in stacks/ (there is no stacks/Pulumi.qa.yaml)",
        )
    ]
    assert topology_problems(stacks, "hub") == expected
    # The plan reports it before planning anything; the spokes are fine (staging has no host
    # any more: nothing lists it).
    assert request_problems(stacks, *EXAMPLE_STACKS) == expected
    assert resolve_topology(stage_config(stacks, "staging"), stacks) == Topology()


def test_the_hub_listing_itself(stacks: Path) -> None:
    replace_in(stacks, "hub", "spokes: [dev, staging, prod]", "spokes: [dev, hub, prod]")
    assert topology_problems(stacks, "hub") == [
        (
            line_of(stacks, "hub", "spokes: [dev, hub, prod]"),
            "argosy:argocd.spokes[1]",
            "hub",
            "a hub manages its own cluster already; list only the other stages",
        )
    ]


def test_a_spoke_with_role_hub(stacks: Path) -> None:
    replace_in(stacks, "staging", "argosy:role: workload", "argosy:role: hub")
    assert topology_problems(stacks, "hub") == [
        (
            line_of(stacks, "hub", "spokes: [dev, staging, prod]"),
            "argosy:argocd.spokes[1]",
            "staging",
            "a spoke is a workload stage; staging has role hub",
        )
    ]


def test_a_spoke_that_is_a_hub_itself(stacks: Path) -> None:
    add_hub(stacks, "ops", "[]")
    replace_in(stacks, "hub", "spokes: [dev, staging, prod]", "spokes: [dev, staging, prod, ops]")
    ops = stage_config(stacks, "ops")
    assert isinstance(ops, AwsStageConfig) and ops.role == "hub" and ops.argocd is not None
    where = line_of(stacks, "hub", "spokes: [dev, staging, prod, ops]")
    assert topology_problems(stacks, "hub") == [
        (where, "argosy:argocd.spokes[3]", "ops", "a spoke is a workload stage; ops has role hub")
    ]
    # A local stage is no spoke either.
    replace_in(stacks, "hub", "prod, ops]", "prod, local]")
    assert topology_problems(stacks, "hub") == [
        (
            where,
            "argosy:argocd.spokes[3]",
            "local",
            "a spoke is a workload stage; local has role local",
        )
    ]


def test_two_hubs_listing_the_same_stage(stacks: Path) -> None:
    add_hub(stacks, "ops", "[staging]")
    hub_line = line_of(stacks, "hub", "spokes: [dev, staging, prod]")
    ops_line = line_of(stacks, "ops", "spokes: [staging]")
    assert topology_problems(stacks, "hub") == [
        (
            hub_line,
            "argosy:argocd.spokes[1]",
            "staging",
            "one Argo CD manages a stage; staging is listed by ops too",
        )
    ]
    assert topology_problems(stacks, "ops") == [
        (
            ops_line,
            "argosy:argocd.spokes[0]",
            "staging",
            "one Argo CD manages a stage; staging is listed by hub too",
        )
    ]
    assert topology_problems(stacks, "staging") == [
        (
            "stacks/Pulumi.staging.yaml:None",
            "(stack name)",
            "staging",
            "one Argo CD manages a stage; hub and ops both list staging in "
            "argosy:argocd.spokes: remove it from all but one",
        )
    ]
    # dev keeps its one host.
    dev = resolve_topology(stage_config(stacks, "dev"), stacks)
    assert dev.host is not None and dev.host.stage == "hub"
    # The plan gathers all three at once, in file order.
    assert request_problems(stacks, "dev", "hub", "ops", "staging") == [
        topology_problems(stacks, "hub")[0],
        topology_problems(stacks, "ops")[0],
        topology_problems(stacks, "staging")[0],
    ]


def test_a_spoke_whose_stack_file_is_invalid(stacks: Path) -> None:
    replace_in(stacks, "dev", "vpcCidr: 10.20.0.0/16", "vpcCidr: 10.20.0.0/8")
    hub_problem = (
        line_of(stacks, "hub", "spokes: [dev, staging, prod]"),
        "argosy:argocd.spokes[0]",
        "dev",
        "stacks/Pulumi.dev.yaml has mistakes of its own (`python -m argosy plan --stack dev` "
        "lists them); the hub derives what it needs about dev from it",
    )
    assert topology_problems(stacks, "hub") == [hub_problem]
    # Planning the hub alone is refused, though the hub's own file is valid.
    assert request_problems(stacks, "hub") == [hub_problem]


def test_a_workload_whose_only_host_is_invalid(stacks: Path) -> None:
    replace_in(stacks, "hub", 'accountId: "111111111111"', 'accountId: "1111"')
    dev_problem = (
        "stacks/Pulumi.dev.yaml:None",
        "(stack name)",
        "dev",
        "stacks/Pulumi.hub.yaml, whose Argo CD manages dev, has mistakes of its own; fix them "
        "first",
    )
    assert topology_problems(stacks, "dev") == [dev_problem]
    assert request_problems(stacks, "dev") == [dev_problem]


def test_the_cli_refuses_a_broken_topology_before_planning(
    stacks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``plan`` in a project whose stack files disagree: exit 2, every mistake, no plan."""
    root = stacks.parent
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, root / name)

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("a stack was planned although the topology is invalid")

    monkeypatch.setattr(cli, "plan_stack", refuse)
    monkeypatch.chdir(root)
    add_hub(stacks, "ops", "[staging]")
    replace_in(stacks, "hub", "spokes: [dev, staging, prod]", "spokes: [dev, staging, prod, qa]")
    result = CliRunner().invoke(cli.app, ["plan", "--all"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "4 configuration errors:"
    hub_line = line_of(stacks, "hub", "spokes: [dev, staging, prod, qa]")
    assert [line for line in lines if not line.startswith("    example: ")] == [
        "4 configuration errors:",
        f"{hub_line}: argosy:argocd.spokes[1] = staging",
        "    rule: one Argo CD manages a stage; staging is listed by ops too",
        f"{hub_line}: argosy:argocd.spokes[3] = qa",
        "    rule: a stage with a stack file in stacks/ (there is no stacks/Pulumi.qa.yaml)",
        f"{line_of(stacks, 'ops', 'spokes: [staging]')}: argosy:argocd.spokes[0] = staging",
        "    rule: one Argo CD manages a stage; staging is listed by hub too",
        "stacks/Pulumi.staging.yaml: (stack name) = staging",
        "    rule: one Argo CD manages a stage; hub and ops both list staging in "
        "argosy:argocd.spokes: remove it from all but one",
    ]
    assert len(lines) == 1 + 4 * 3
    # One stack alone: only its own mistakes.
    result = CliRunner().invoke(cli.app, ["plan", "--stack", "ops"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:3] == [
        "1 configuration error:",
        f"{line_of(stacks, 'ops', 'spokes: [staging]')}: argosy:argocd.spokes[0] = staging",
        "    rule: one Argo CD manages a stage; staging is listed by hub too",
    ]


def test_the_program_refuses_a_broken_topology(stacks: Path) -> None:
    """Under `pulumi up`, the program reads the stack files beside its project itself."""
    replace_in(stacks, "hub", 'accountId: "111111111111"', 'accountId: "1111"')
    registered: list[str] = []

    class Recording(PlanMocks):
        def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
            registered.append(args.name)
            return super().new_resource(args)

    config = load_example("dev")["config"]
    encoded, secret_keys = encode_for_program(config)
    with pytest.raises(ProgramFailedError) as caught:
        run_program(
            project_program(REPO),
            project="argosy",
            stack="dev",
            mocks=Recording(
                stack="dev",
                aws=AwsContext(
                    account_id="222222222222",
                    region="eu-west-1",
                    deploy_role_arn="arn:aws:iam::222222222222:role/argosy-deploy",
                ),
            ),
            config=encoded,
            secret_keys=secret_keys,
            root_directory=stacks.parent,
        )
    assert isinstance(caught.value.cause, pulumi.RunError)
    # The CLI hands config over without lines: the issue names the file only.
    assert str(caught.value.cause) == (
        "1 configuration error:\n"
        "stacks/Pulumi.dev.yaml: (stack name) = dev\n"
        "    rule: stacks/Pulumi.hub.yaml, whose Argo CD manages dev, has mistakes of its own; "
        "fix them first\n"
        "    example: python -m argosy plan --stack hub"
    )
    assert registered == []


def test_a_topology_errors_example_is_valid_where_it_points(stacks: Path) -> None:
    replace_in(stacks, "hub", "spokes: [dev, staging, prod]", "spokes: [dev, qa, prod]")
    with pytest.raises(ConfigInvalidError) as caught:
        resolve_topology(stage_config(stacks, "hub"), stacks)
    [issue] = caught.value.issues
    replace_in(stacks, "hub", "spokes: [dev, qa, prod]", issue.example)
    resolve_topology(stage_config(stacks, "hub"), stacks)


def test_a_workload_whose_host_file_is_not_yaml(stacks: Path) -> None:
    path = stacks / "Pulumi.hub.yaml"
    path.write_text(path.read_text().replace("  argosy:tags:\n", "  argosy:tags: [\n"))
    with pytest.raises(ConfigInvalidError):
        read_stack_file(path, stack="hub")
    with pytest.raises(ConfigInvalidError):
        resolve_topology(stage_config(stacks, "dev"), stacks)


# --------------------------------------------------------------------------------------
# Rules A9 and P2


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_a9_and_p2_pass_on_every_example(planned: Callable[[str], Planned], stack: str) -> None:
    plan = planned(stack)
    assert findings("A9", plan.graph, facts(plan)) == []
    assert findings("P2", plan.graph, facts(plan)) == []
    assert {"A9", "P2"} <= set(plan.checks.passed)


def test_a9_a_second_foreign_access_entry(planned: Callable[[str], Planned]) -> None:
    dev = planned("dev")
    component = dev.one("argosy:argocd:ArgoCdAccess")
    other = declared(
        dev,
        type_=ACCESS_ENTRY,
        name="dev-ops-argocd-access",
        parent=component,
        inputs={
            "clusterName": "argosy-dev",
            "principalArn": "arn:aws:iam::555555555555:role/argosy-ops-argocd",
            "type": "STANDARD",
        },
        provider=dev.one(ACCESS_ENTRY, "dev-argocd-access").provider,
    )
    assert findings_at("A9", added(dev, other), facts(dev)) == [
        ("(stack)", "2 access entries for other accounts' principals; one Argo CD manages a stage")
    ]


def test_a9_a_foreign_principal_that_is_no_argo_cd_role(
    planned: Callable[[str], Planned],
) -> None:
    staging = planned("staging")
    graph = altered(
        staging,
        named(ACCESS_ENTRY, "staging-argocd-access"),
        with_inputs(
            lambda i: i.update(principalArn="arn:aws:iam::111111111111:role/platform-admins")
        ),
    )
    assert findings_at("A9", graph, facts(staging)) == [
        (
            "staging-argocd-access",
            "access for arn:aws:iam::111111111111:role/platform-admins of another account, "
            "which is no Argo CD role",
        )
    ]


def test_a9_a_registration_in_clear(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    arn = "arn:aws:eks:eu-west-1:444444444444:cluster/argosy-prod"
    in_clear = {"name": "prod", "server": arn, "project": "platform"}
    graph = altered(
        hub,
        named(SECRET, "hub-registrations-prod"),
        with_inputs(lambda i: i.update(stringData={**in_clear, "bearerToken": "eyJhbGciOi"})),
    )
    assert findings_at("A9", graph, facts(hub)) == [
        ("hub-registrations-prod", "registration holds a credential: bearerToken"),
        ("hub-registrations-prod", "registration is in clear, not a secret Output"),
    ]
    # In clear without a credential is still refused; a credential inside `config` is found.
    graph = altered(
        hub,
        named(SECRET, "hub-registrations-prod"),
        with_inputs(lambda i: i.update(stringData=in_clear)),
    )
    assert findings_at("A9", graph, facts(hub)) == [
        ("hub-registrations-prod", "registration is in clear, not a secret Output")
    ]
    config_with_key = json.dumps({"tlsClientConfig": {"caData": "LS0t", "keyData": "LS0t"}})
    graph = altered(
        hub,
        named(SECRET, "hub-registrations-dev"),
        with_inputs(lambda i: i.update(stringData={**in_clear, "config": config_with_key})),
    )
    assert findings_at("A9", graph, facts(hub)) == [
        ("hub-registrations-dev", "registration holds a credential: keyData"),
        ("hub-registrations-dev", "registration is in clear, not a secret Output"),
    ]


def test_p2_the_hubs_provider_targets_another_cluster(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    graph = altered(
        hub,
        named(K8S_PROVIDER, "hub-argocd-kubernetes"),
        with_inputs(lambda i: i.update(clusterIdentifier="argosy-prod")),
    )
    assert findings_at("P2", graph, facts(hub)) == [
        ("hub-argocd-kubernetes", "targets argosy-prod, not the stage's own cluster argosy-hub")
    ]
    # A second provider, for a spoke's cluster, is caught the same way.
    stage = hub.one("argosy:stage:AwsStage")
    second = declared(
        hub,
        type_=K8S_PROVIDER,
        name="hub-dev",
        parent=stage,
        inputs={"clusterIdentifier": "argosy-dev", "kubeconfig": "{}"},
        provider=None,
    )
    assert findings_at("P2", added(hub, second), facts(hub)) == [
        ("hub-dev", "targets argosy-dev, not the stage's own cluster argosy-hub")
    ]


def test_p2_the_hubs_kubeconfig_targets_another_cluster(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")

    def to_prod(inputs: dict[str, Any]) -> None:
        # prod's API server and a token for prod's cluster; the label still says argosy-hub.
        kubeconfig = json.loads(inputs["kubeconfig"].replace("argosy-hub", "argosy-prod"))
        kubeconfig["clusters"][0]["cluster"]["server"] = PROD_ENDPOINT
        inputs["kubeconfig"] = json.dumps(kubeconfig)
        assert inputs["clusterIdentifier"] == "argosy-hub"

    graph = altered(hub, named(K8S_PROVIDER, "hub-argocd-kubernetes"), with_inputs(to_prod))
    assert findings("P2", graph, facts(hub)) != []


def test_a9_and_p2_read_the_stage_facts(planned: Callable[[str], Planned]) -> None:
    """The facts the plan derives: only the hub reaches Kubernetes, on its own cluster."""
    for stack in SPOKES:
        stage = facts(planned(stack))
        assert (stage.kubernetes_allowed, stage.own_cluster) == (False, f"argosy-{stack}")
    hub = facts(planned("hub"))
    assert (hub.kubernetes_allowed, hub.own_cluster, hub.account_id) == (
        True,
        "argosy-hub",
        "111111111111",
    )
    # The hub's own graph seen as another stage's: its provider targets a foreign cluster.
    assert findings(
        "P2",
        PlanGraph(planned("hub").run.resources),
        dataclasses.replace(hub, own_cluster="argosy-dev"),
    ) == ["targets argosy-hub, not the stage's own cluster argosy-dev"]


# --------------------------------------------------------------------------------------
# Validation of argosy:argocd

ARGOCD: dict[str, Any] = {
    "spokes": ["dev"],
    "gitops": {"repoUrl": GITOPS_REPO},
    "managed": {
        "identityCenter": {"instanceArn": "arn:aws:sso:::instance/ssoins-0123456789abcdef"},
        "rbac": [{"role": "ADMIN", "groups": ["906739a2-4071-7066-d5c9-2d0a1b2c3d4e"]}],
    },
}
USER = "c4f8e2d1-3b5a-4c6d-8e9f-0a1b2c3d4e5f"
VIEWERS = "a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


def hub_values(
    edit: Callable[[dict[str, Any]], None] | None = None,
    *,
    production: bool = True,
    role: str = "hub",
) -> dict[str, Any]:
    """A hub's config with ``argosy:argocd`` (ARGOCD, edited)."""
    argocd = copy.deepcopy(ARGOCD)
    if edit is not None:
        edit(argocd)
    return config(**{"argosy:role": role, "argosy:production": production, "argosy:argocd": argocd})


def test_a_valid_argocd_block_gets_its_defaults() -> None:
    stage = validate_stage("hub", hub_values(), source=SOURCE)
    assert isinstance(stage, AwsStageConfig)
    argocd = stage.argocd
    assert argocd is not None
    assert (argocd.topology, argocd.install, argocd.namespace) == ("hub-spoke", "managed", "argocd")
    assert (argocd.gitops.path, argocd.gitops.target_revision) == ("gitops", "main")
    assert argocd.managed is not None
    assert (argocd.managed.private_endpoint, argocd.managed.log_retention_days) == (False, 90)
    assert argocd.managed.identity_center.region is None
    # ADMIN may go to a user outside production.
    validate_stage(
        "hub",
        hub_values(first_mapping(users=[USER]), production=False),
        source=SOURCE,
    )


def test_install_managed_needs_the_managed_block() -> None:
    assert only_error(hub_values(lambda a: a.pop("managed")), "hub") == (
        "argosy:argocd.managed",
        "(not set)",
        "install: managed needs the capability's Identity Center instance and roles",
        "managed: {identityCenter: {instanceArn: arn:aws:sso:::instance/ssoins-0123456789abcdef}, "
        "rbac: [{role: ADMIN, groups: [906739a2-4071-7066-d5c9-2d0a1b2c3d4e]}]}",
    )


def test_an_identity_center_instance_arn() -> None:
    def malformed(argocd: dict[str, Any]) -> None:
        argocd["managed"]["identityCenter"]["instanceArn"] = "arn:aws:sso:::instance/acme"

    assert only_error(hub_values(malformed), "hub") == (
        "argosy:argocd.managed.identityCenter.instanceArn",
        "arn:aws:sso:::instance/acme",
        "an IAM Identity Center instance ARN, as `aws sso-admin list-instances` shows it",
        "instanceArn: arn:aws:sso:::instance/ssoins-0123456789abcdef",
    )


def first_mapping(**changes: Any) -> Callable[[dict[str, Any]], None]:
    """An edit of ``argosy:argocd``: ``changes`` to the first rbac mapping (ADMIN)."""

    def edit(argocd: dict[str, Any]) -> None:
        argocd["managed"]["rbac"][0].update(changes)

    return edit


def test_a_group_by_display_name() -> None:
    by_name = first_mapping(groups=["platform-admins"])
    assert errors(hub_values(by_name), "hub")[0] == (
        "argosy:argocd.managed.rbac[0].groups",
        "[platform-admins]",
        "an Identity Center user or group ID (a UUID, as `aws identitystore list-groups` "
        "shows it), not a display name",
        "groups: [906739a2-4071-7066-d5c9-2d0a1b2c3d4e]",
    )


def test_a_group_by_display_name_is_one_mistake() -> None:
    only_error(hub_values(first_mapping(groups=["platform-admins"])), "hub")


def test_admin_goes_to_groups_only_in_production() -> None:
    assert only_error(hub_values(first_mapping(users=[USER])), "hub") == (
        "argosy:argocd.managed.rbac[0].users",
        f"[{USER}]",
        "in production ADMIN goes to named groups only, so access follows group membership "
        "(SECURITY.md A3)",
        "users: []",
    )


def test_one_mapping_per_role() -> None:
    def twice(argocd: dict[str, Any]) -> None:
        argocd["managed"]["rbac"].append({"role": "ADMIN", "groups": [VIEWERS]})

    assert only_error(hub_values(twice), "hub") == (
        "argosy:argocd.managed.rbac",
        "[{role: ADMIN, groups: [906739a2-4071-7066-d5c9-2d0a1b2c3d4e]}, {role: ADMIN, groups: "
        f"[{VIEWERS}]}}]",
        "one mapping per role; merge the ADMIN mappings",
        "rbac: [{role: ADMIN, groups: [906739a2-4071-7066-d5c9-2d0a1b2c3d4e]}]",
    )


def test_someone_administers_argo_cd() -> None:
    def viewers_only(argocd: dict[str, Any]) -> None:
        argocd["managed"]["rbac"] = [{"role": "VIEWER", "groups": [VIEWERS]}]

    assert only_error(hub_values(viewers_only), "hub") == (
        "argosy:argocd.managed.rbac",
        f"[{{role: VIEWER, groups: [{VIEWERS}]}}]",
        "someone must administer Argo CD: map ADMIN to a group",
        "rbac: [{role: ADMIN, groups: [906739a2-4071-7066-d5c9-2d0a1b2c3d4e]}]",
    )


def test_the_gitops_repository_and_path() -> None:
    assert only_error(
        hub_values(lambda a: a["gitops"].update(repoUrl="github.com/acme/platform")), "hub"
    ) == (
        "argosy:argocd.gitops.repoUrl",
        "github.com/acme/platform",
        "a Git repository URL: https://host/owner/repo.git, ssh://... or git@host:owner/repo",
        "repoUrl: https://github.com/acme/platform.git",
    )
    assert only_error(
        hub_values(lambda a: a["gitops"].update(path="gitops/../secrets")), "hub"
    ) == (
        "argosy:argocd.gitops.path",
        "gitops/../secrets",
        "a relative directory in the repository: no leading or trailing '/', no '..'",
        "path: gitops",
    )


def test_an_unknown_install_or_topology() -> None:
    assert only_error(hub_values(lambda a: a.update(install="operator")), "hub") == (
        "argosy:argocd.install",
        "operator",
        "must be one of: managed, self-hosted",
        "install: managed",
    )
    assert only_error(hub_values(lambda a: a.update(topology="mesh")), "hub") == (
        "argosy:argocd.topology",
        "mesh",
        "must be one of: hub-spoke, standalone",
        "topology: hub-spoke",
    )


def test_each_spoke_once() -> None:
    assert only_error(hub_values(lambda a: a.update(spokes=["dev", "prod", "dev"])), "hub") == (
        "argosy:argocd.spokes",
        "[dev, prod, dev]",
        "each stage once; repeated: dev",
        "spokes: [dev, prod]",
    )


def test_a_workload_stage_hosts_only_its_own_argo_cd() -> None:
    path, value, rule, example = only_error(hub_values(role="workload"), "dev")
    assert (path, value, rule, example) == (
        "argosy:argocd.topology",
        "hub-spoke",
        "a workload stage's Argo CD manages only its own cluster; spokes are the hub's",
        "topology: standalone",
    )


APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"


def test_the_hub_syncs_every_clusters_baseline(planned: Callable[[str], Planned]) -> None:
    """An Application per cluster syncs the baseline that `argosy render` writes."""
    hub = planned("hub")
    apps = {a.inputs["metadata"]["name"]: a for a in hub.graph.of_type(APPLICATION)}
    # Besides the baselines, the add-ons' Applications (tests/test_controllers_stage.py) and
    # the app catalog's (tests/test_app_*.py).
    addons = [f"{a}-{s}" for s in REGISTERED for a in EVERY_STAGE_ADDONS] + ["karpenter-prod"]
    assert sorted(apps) == sorted(
        [*(f"baseline-{s}" for s in REGISTERED), *addons, *app_applications(REGISTERED)]
    )
    capability = hub.one(CAPABILITY)
    for stage in REGISTERED:
        app = apps[f"baseline-{stage}"]
        metadata, spec = app.inputs["metadata"], app.inputs["spec"]
        assert metadata["namespace"] == "argocd"
        assert metadata["annotations"]["argocd.argoproj.io/sync-wave"] == "-2"
        # No resources finalizer: deleting the Application never takes namespaces with it.
        assert "finalizers" not in metadata
        assert spec["project"] == "platform"
        assert spec["destination"] == {"name": stage, "namespace": "kube-system"}
        assert spec["source"] == {
            "path": f"gitops/clusters/{stage}/baseline",
            "repoURL": GITOPS_REPO,
            "targetRevision": "main",
        }
        automated = spec["syncPolicy"]["automated"]
        assert (automated["prune"], automated["selfHeal"]) == (False, True)
        # The tree it syncs is committed, rendered by `argosy render` (checked in CI).
        assert (REPO / spec["source"]["path"] / "kustomization.yaml").is_file()
        check_argo_manifest(app.inputs)
        waits = hub.graph.waits_for(app.urn)
        registration = hub.one("kubernetes:core/v1:Secret", f"hub-registrations-{stage}")
        project = hub.one(APP_PROJECT, "hub-registrations-platform")
        assert {registration.urn, project.urn, capability.urn} <= waits


def test_l5_an_application_with_the_finalizer_depends_on_argo_cd(
    planned: Callable[[str], Planned],
) -> None:
    hub = planned("hub")
    assert findings("L5", hub.graph, facts(hub)) == []
    app = named(APPLICATION, "hub-registrations-dev-baseline")

    def finalizer_without_dependencies(registration: Any) -> Any:
        inputs = copy.deepcopy(registration.inputs)
        inputs["metadata"]["finalizers"] = ["resources-finalizer.argocd.argoproj.io"]
        return dataclasses.replace(registration, inputs=inputs, dependencies=(), provider=None)

    graph = altered(hub, app, finalizer_without_dependencies)
    assert findings_at("L5", graph, facts(hub)) == [
        (
            "hub-registrations-dev-baseline",
            "has the resources finalizer but does not depend on Argo CD: on destroy Argo CD "
            "could go first and leave it stuck",
        )
    ]
    # The finalizer with the dependencies in place passes.
    graph = altered(
        hub,
        app,
        with_inputs(
            lambda i: i["metadata"].update(finalizers=["resources-finalizer.argocd.argoproj.io"])
        ),
    )
    assert findings("L5", graph, facts(hub)) == []


def test_l5_no_application_manages_argo_cds_namespace(planned: Callable[[str], Planned]) -> None:
    hub = planned("hub")
    graph = altered(
        hub,
        named(APPLICATION, "hub-registrations-prod-baseline"),
        with_inputs(lambda i: i["spec"]["destination"].update(namespace="argocd")),
    )
    assert findings_at("L5", graph, facts(hub)) == [
        ("hub-registrations-prod-baseline", "manages Argo CD's own namespace argocd")
    ]
