"""The other Argo CD variants, planned from fixtures: a self-hosted hub, standalone stages.

``tests/fixtures/variants/<variant>/`` holds a repository's stack files for each variant; the
tests copy them into a project of their own (the program resolves the topology from the
project's ``stacks/``) and plan every stack, the hub's stack references answered by planning
the spokes first, as ``argosy plan`` does.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from argosy.argocd.registration import self_hosted_cluster_secret
from argosy.config.errors import ConfigInvalidError
from argosy.config.source import read_stack_file
from argosy.config.stage import AwsStageConfig
from argosy.config.topology import resolve_topology
from argosy.config.validate import validate_stage
from argosy.manifests.iam import account_of_arn
from argosy.plan.engine import ProgramRun
from argosy.plan.monitor import Registration
from argosy.plan.planner import (
    Project,
    StackRequest,
    ValidStack,
    check_run,
    find_project,
    plan_stack,
    stack_references,
    validate_requests,
)
from argosy.policy.graph import PlanGraph
from argosy.policy.rules import RULES
from components.stage import cluster_metadata
from tests.conftest import REPO, Planned, load_example
from tests.test_config_validation import SOURCE, errors

VARIANTS = REPO / "tests" / "fixtures" / "variants"
HUB_ACCOUNT = "111111111111"
ACCOUNTS = {"hub": HUB_ACCOUNT, "dev": "222222222222", "staging": "333333333333"}
RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
POD_IDENTITY = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"
ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
ROUTE = "aws:ec2/route:Route"
SG_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
PRINCIPAL = "aws:ram/principalAssociation:PrincipalAssociation"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
CAPABILITY = "aws:eks/capability:Capability"
K8S_PROVIDER = "pulumi:providers:kubernetes"
COMPONENT_ROLES = (
    "argosy-hub-argocd-application-controller",
    "argosy-hub-argocd-applicationset-controller",
    "argosy-hub-argocd-server",
)


def variant_project(root: Path, variant: str) -> Project:
    """A project of its own for ``variant``: the repository's program, the fixture's stacks."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(VARIANTS / variant, root / "stacks")
    return find_project(root)


def plan_variant(project: Project) -> dict[str, Planned]:
    """Every stack of the project, planned as ``argosy plan --all`` does."""
    requests = [
        StackRequest(stack=s, config_file=project.stack_file(s), display=f"Pulumi.{s}.yaml")
        for s in project.stacks()
    ]
    runs: dict[str, ProgramRun] = {}
    planned: dict[str, Planned] = {}
    for item in validate_requests(requests, project.stack_config_dir):
        run = plan_stack(project, item, runs)
        runs[run.stack] = run
        planned[run.stack] = Planned(
            config=item.config,
            run=run,
            graph=PlanGraph.of(run),
            checks=check_run(run, item.config),
        )
    return planned


@pytest.fixture(scope="module")
def self_hosted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Planned]:
    return plan_variant(variant_project(tmp_path_factory.mktemp("self-hosted"), "self-hosted"))


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Planned]:
    return plan_variant(variant_project(tmp_path_factory.mktemp("standalone"), "standalone"))


def of_type(plan: Planned, type_: str) -> list[Registration]:
    return [r for r in plan.run.resources if r.type == type_]


def release(plan: Planned) -> Registration:
    [found] = [r for r in of_type(plan, RELEASE) if r.inputs.get("chart") == "argo-cd"]
    return found


def registrations(plan: Planned) -> dict[str, Registration]:
    """Cluster registrations by the stage they register."""
    found = {}
    for secret in of_type(plan, SECRET):
        labels = (secret.inputs.get("metadata") or {}).get("labels") or {}
        if labels.get("argocd.argoproj.io/secret-type") == "cluster":
            found[labels["environment"]] = secret
    return found


# --------------------------------------------------------------------------------------
# Every variant passes every rule


@pytest.mark.parametrize("variant", ["self-hosted", "standalone"])
def test_every_rule_passes_on_every_variant_stack(
    variant: str, self_hosted: dict[str, Planned], standalone: dict[str, Planned]
) -> None:
    plans = self_hosted if variant == "self-hosted" else standalone
    assert plans
    for stack, plan in plans.items():
        assert plan.checks.findings == (), stack
        assert plan.checks.passed == tuple(rule.id for rule in RULES), stack


# --------------------------------------------------------------------------------------
# The self-hosted hub


def test_the_self_hosted_hub_installs_the_chart_on_its_own_cluster(
    self_hosted: dict[str, Planned],
) -> None:
    hub = self_hosted["hub"]
    chart = release(hub)
    assert chart.inputs["version"] == "10.1.1"
    assert chart.inputs["repositoryOpts"] == {"repo": "https://argoproj.github.io/argo-helm"}
    assert chart.inputs["namespace"] == "argocd"
    assert chart.inputs["values"]["global"]["image"]["tag"] == "v3.4.7"
    assert of_type(hub, CAPABILITY) == []
    # Through the hub's own cluster's provider, once its deploy role has access and its
    # nodes and system add-ons exist.
    [provider] = of_type(hub, K8S_PROVIDER)
    assert chart.provider is not None and chart.provider.startswith(provider.urn)
    waits = hub.graph.waits_for(chart.urn)
    assert any(r.endswith("::hub-system") for r in waits)
    assert any("coredns" in r for r in waits)


def test_each_component_reaching_spokes_has_a_role_of_its_own(
    self_hosted: dict[str, Planned],
) -> None:
    hub = self_hosted["hub"]
    roles = {r.inputs.get("name"): r for r in of_type(hub, ROLE)}
    assert set(COMPONENT_ROLES) <= set(roles)
    associations = sorted(
        (a.inputs["namespace"], a.inputs["serviceAccount"])
        for a in of_type(hub, POD_IDENTITY)
        if a.inputs["namespace"] == "argocd"
    )
    assert associations == [
        ("argocd", "argocd-application-controller"),
        ("argocd", "argocd-applicationset-controller"),
        ("argocd", "argocd-server"),
    ]
    # Each may assume the spokes' access roles, and nothing else.
    for name in COMPONENT_ROLES:
        [policy] = [
            p for p in of_type(hub, ROLE_POLICY) if p.inputs["role"] == roles[name].outputs["name"]
        ]
        [statement] = json.loads(policy.inputs["policy"])["Statement"]
        assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
        assert statement["Resource"] == [
            "arn:aws:iam::222222222222:role/argosy-dev-argocd-access",
            "arn:aws:iam::333333333333:role/argosy-staging-argocd-access",
            "arn:aws:iam::444444444444:role/argosy-prod-argocd-access",
        ]
    # The chart is installed once the identities exist.
    waits = hub.graph.waits_for(release(hub).urn)
    assert {a.urn for a in of_type(hub, POD_IDENTITY) if a.inputs["namespace"] == "argocd"} <= (
        waits
    )


def test_the_hub_shares_a_transit_gateway_and_routes_each_spoke(
    self_hosted: dict[str, Planned],
) -> None:
    hub = self_hosted["hub"]
    [gateway] = of_type(hub, TGW)
    assert gateway.inputs["autoAcceptSharedAttachments"] == "enable"
    assert sorted(p.inputs["principal"] for p in of_type(hub, PRINCIPAL)) == [
        "222222222222",
        "333333333333",
        "444444444444",
    ]
    [attachment] = of_type(hub, ATTACHMENT)
    assert attachment.inputs["transitGatewayId"] == gateway.id
    to_spokes = sorted(
        (r.inputs["destinationCidrBlock"], r.name)
        for r in of_type(hub, ROUTE)
        if r.inputs.get("transitGatewayId") == gateway.id
    )
    cidrs = {"10.20.0.0/16", "10.30.0.0/16", "10.40.0.0/16"}
    assert {c for c, _ in to_spokes} == cidrs
    assert len(to_spokes) == 3 * 3  # every spoke from every zone's private route table
    for route in of_type(hub, ROUTE):
        if route.inputs.get("transitGatewayId"):
            assert attachment.urn in hub.graph.waits_for(route.urn)


def test_the_hub_registers_spokes_through_their_access_roles(
    self_hosted: dict[str, Planned],
) -> None:
    hub = self_hosted["hub"]
    found = registrations(hub)
    # staging is pending: shared and routed, not registered until its stack has outputs.
    assert sorted(found) == ["dev", "hub", "prod"]
    references = sorted(r.inputs["name"] for r in of_type(hub, STACK_REFERENCE))
    assert references == ["organization/argosy/dev", "organization/argosy/prod"]
    assert stack_references(hub.config) == {
        "organization/argosy/dev": "dev",
        "organization/argosy/prod": "prod",
    }
    # Every registration waits for Argo CD itself.
    chart = release(hub)
    for secret in found.values():
        assert chart.urn in hub.graph.waits_for(secret.urn)


def test_the_spokes_data_comes_from_the_spokes_own_plan(
    self_hosted: dict[str, Planned],
) -> None:
    """The registration's endpoint and CA are the spoke's outputs, as its plan shows them."""
    hub = self_hosted["hub"]
    dev = self_hosted["dev"]
    # The hub's reference to dev reads what dev's own plan exported.
    [reference] = [
        r for r in of_type(hub, STACK_REFERENCE) if r.inputs["name"] == "organization/argosy/dev"
    ]
    outputs = reference.outputs["outputs"]
    assert outputs["clusterEndpoint"] == dev.run.outputs["clusterEndpoint"]
    assert outputs["clusterCertificateAuthority"] == dev.run.outputs["clusterCertificateAuthority"]
    # The plan redacts a registration's data (a secret Output); rebuild it from those outputs
    # the way the program does, through the same builder.
    config = hub.config
    assert isinstance(config, AwsStageConfig) and isinstance(dev.config, AwsStageConfig)
    expected = self_hosted_cluster_secret(
        cluster_metadata(dev.config, config),
        project="platform",
        role_arn="arn:aws:iam::222222222222:role/argosy-dev-argocd-access",
        endpoint=dev.run.outputs["clusterEndpoint"],
        ca_data=dev.run.outputs["clusterCertificateAuthority"],
        host_kubernetes_version=config.cluster.version,
    )
    secret = registrations(hub)["dev"]
    assert secret.inputs["metadata"] == expected["metadata"]
    config_json = json.loads(expected["stringData"]["config"])
    assert config_json["awsAuthConfig"] == {
        "clusterName": "argosy-dev",
        "roleARN": "arn:aws:iam::222222222222:role/argosy-dev-argocd-access",
    }
    assert expected["stringData"]["server"].startswith("https://")


def test_a_spoke_of_a_self_hosted_hub_grants_one_access_role(
    self_hosted: dict[str, Planned],
) -> None:
    for stage in ("dev", "staging", "prod"):
        spoke = self_hosted[stage]
        [role] = [
            r
            for r in of_type(spoke, ROLE)
            if r.inputs.get("name") == f"argosy-{stage}-argocd-access"
        ]
        trust = json.loads(role.inputs["assumeRolePolicy"])
        assert trust["Statement"] == [
            {
                "Sid": "ArgoCdComponents",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{HUB_ACCOUNT}:root"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "ArnEquals": {
                        "aws:PrincipalArn": [
                            f"arn:aws:iam::{HUB_ACCOUNT}:role/{name}" for name in COMPONENT_ROLES
                        ]
                    }
                },
            }
        ]
        # No permission policy: the role only authenticates to the cluster.
        assert [
            p for p in of_type(spoke, ROLE_POLICY) if p.inputs["role"] == role.outputs["name"]
        ] == []
        argocd_entries = [
            e for e in of_type(spoke, ACCESS_ENTRY) if "argocd" in str(e.inputs["principalArn"])
        ]
        assert [e.inputs["principalArn"] for e in argocd_entries] == [role.outputs["arn"]]
        # Still no Kubernetes API.
        assert of_type(spoke, K8S_PROVIDER) == []


def test_a_spoke_joins_the_hubs_gateway_and_admits_its_range(
    self_hosted: dict[str, Planned],
) -> None:
    [gateway] = of_type(self_hosted["hub"], TGW)
    for stage in ("dev", "staging", "prod"):
        spoke = self_hosted[stage]
        [attachment] = of_type(spoke, ATTACHMENT)
        assert attachment.inputs["transitGatewayId"] == gateway.id
        back = [r for r in of_type(spoke, ROUTE) if r.inputs.get("transitGatewayId")]
        assert {r.inputs["destinationCidrBlock"] for r in back} == {"10.10.0.0/16"}
        [rule] = of_type(spoke, SG_RULE)
        assert (rule.inputs["cidrIpv4"], rule.inputs["fromPort"], rule.inputs["toPort"]) == (
            "10.10.0.0/16",
            443,
            443,
        )
        [cluster] = of_type(spoke, "aws:eks/cluster:Cluster")
        assert (
            rule.inputs["securityGroupId"] == cluster.outputs["vpcConfig"]["clusterSecurityGroupId"]
        )


# --------------------------------------------------------------------------------------
# Standalone


def test_the_load_balancer_controller_outlives_a_self_hosted_argo_cds_own_load_balancer(
    self_hosted: dict[str, Planned],
) -> None:
    applications = {
        a.inputs["metadata"]["name"]: a
        for a in of_type(self_hosted["hub"], "kubernetes:argoproj.io/v1alpha1:Application")
    }
    finalizers = {
        name: applications[name].inputs["metadata"].get("finalizers")
        for name in applications
        if name.startswith("aws-load-balancer-controller-")
    }
    # The hub's own controller keeps running when its Application is deleted, to remove the
    # load balancer of Argo CD's Ingress once the chart goes (L4); the spokes' go with theirs.
    assert finalizers == {
        "aws-load-balancer-controller-hub": None,
        "aws-load-balancer-controller-dev": ["resources-finalizer.argocd.argoproj.io"],
        "aws-load-balancer-controller-prod": ["resources-finalizer.argocd.argoproj.io"],
    }
    assert self_hosted["hub"].checks.findings == ()


def test_standalone_stages_run_argo_cd_for_themselves(standalone: dict[str, Planned]) -> None:
    dev, prod, hub = standalone["dev"], standalone["prod"], standalone["hub"]
    # dev: the chart, registering only its own cluster, in-cluster; no identity, no gateway.
    assert release(dev).inputs["values"]["global"]["domain"] == "argocd.dev.acme.example"
    assert sorted(registrations(dev)) == ["dev"]
    assert of_type(dev, TGW) == [] and of_type(dev, STACK_REFERENCE) == []
    assert [a for a in of_type(dev, POD_IDENTITY) if a.inputs["namespace"] == "argocd"] == []
    # prod: the capability, registering only its own cluster.
    assert len(of_type(prod, CAPABILITY)) == 1
    assert sorted(registrations(prod)) == ["prod"]
    # Nobody's Argo CD reaches another account.
    for plan in (dev, prod):
        assert isinstance(plan.config, AwsStageConfig)
        for entry in of_type(plan, ACCESS_ENTRY):
            assert account_of_arn(entry.inputs["principalArn"]) == plan.config.aws.account_id
    # The hub hosts nothing and calls no Kubernetes API.
    assert of_type(hub, K8S_PROVIDER) == []


def test_the_local_stage_installs_a_self_hosted_argo_cd(planned: Callable[[str], Planned]) -> None:
    local = planned("local")
    chart = release(local)
    assert chart.inputs["version"] == "10.1.1"
    values = chart.inputs["values"]
    assert values["configs"]["cm"]["admin.enabled"] is True
    assert values["server"]["ingress"].get("enabled", False) is False


# --------------------------------------------------------------------------------------
# Bad input


def hub_with(argocd: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = copy.deepcopy(load_example("hub")["config"])
    values["argosy:argocd"] = argocd
    return values


SELF_HOSTED: dict[str, Any] = {
    "topology": "hub-spoke",
    "install": "self-hosted",
    "spokes": ["dev"],
    "gitops": {"repoUrl": "https://github.com/acme/platform.git"},
    "selfHosted": {
        "hostname": "argocd.hub.acme.example",
        "sso": {
            "oidc": {
                "issuer": "https://acme.okta.com",
                "clientId": "argocd",
                "clientSecret": "$argocd-sso:clientSecret",
            }
        },
        "rbac": {"adminGroups": ["platform-admins"]},
        "webhooks": {"github": "$argocd-webhooks:github"},
    },
}


def self_hosted_with(**changes: Any) -> dict[str, Any]:
    argocd = copy.deepcopy(SELF_HOSTED)
    for key, value in changes.items():
        argocd["selfHosted"][key] = value
    return argocd


def test_the_self_hosted_settings_are_valid() -> None:
    stage = validate_stage("hub", hub_with(SELF_HOSTED), source=SOURCE)
    assert isinstance(stage, AwsStageConfig)
    assert stage.argocd is not None and stage.argocd.install == "self-hosted"


@pytest.mark.parametrize(
    ("argocd", "expected"),
    [
        (
            self_hosted_with(
                sso={
                    "oidc": {
                        "issuer": "https://acme.okta.com",
                        "clientId": "argocd",
                        "clientSecret": "hunter2",
                    }
                }
            ),
            (
                "argosy:argocd.selfHosted.sso.oidc.clientSecret",
                "hunter2",
                "a reference to a key of another Secret in Argo CD's namespace, "
                "`$<secret>:<key>`, never the secret itself (SECURITY.md A1, A5)",
            ),
        ),
        (
            self_hosted_with(webhooks={}),
            (
                "argosy:argocd.selfHosted.webhooks",
                "{}",
                "Argo CD's webhook needs a secret for github, the GitOps repository's provider "
                "(SECURITY.md A8)",
            ),
        ),
        (
            self_hosted_with(adminLogin=True),
            (
                "argosy:argocd.selfHosted.adminLogin",
                "true",
                "with SSO the local admin is off (SECURITY.md A1)",
            ),
        ),
        (
            self_hosted_with(rbac={"adminGroups": ["platform-admins"], "defaultRole": "readonly"}),
            (
                "argosy:argocd.selfHosted.rbac.defaultRole",
                "readonly",
                "in production nobody gets a role by default: policy.default stays empty "
                "(SECURITY.md A3)",
            ),
        ),
        (
            self_hosted_with(
                rbac={"adminGroups": ["platform-admins"], "readonlyGroups": ["platform-admins"]}
            ),
            (
                "argosy:argocd.selfHosted.rbac.readonlyGroups",
                "[platform-admins]",
                "a group has one role; platform-admins is an admin group already",
            ),
        ),
        (
            self_hosted_with(
                notifications={"slack": {"channel": "ops", "tokenKey": "slack.token"}}
            ),
            (
                "argosy:argocd.selfHosted.notifications.slack.tokenKey",
                "slack.token",
                "a Secret key: letters, digits, '-' and '_'",
            ),
        ),
        (
            self_hosted_with(pendingSpokes=["qa"]),
            (
                "argosy:argocd.selfHosted.pendingSpokes",
                "[qa]",
                "pending spokes are spokes too; qa is not in spokes",
            ),
        ),
        (
            {**SELF_HOSTED, "topology": "standalone"},
            (
                "argosy:argocd.spokes",
                "[dev]",
                "a standalone Argo CD manages only its own cluster",
            ),
        ),
    ],
)
def test_self_hosted_mistakes(argocd: dict[str, Any], expected: tuple[str, str, str]) -> None:
    found = [(path, value, rule) for path, value, rule, _ in errors(hub_with(argocd), "hub")]
    assert found == [expected]


def test_self_hosted_without_host_name_or_sso() -> None:
    argocd = copy.deepcopy(SELF_HOSTED)
    del argocd["selfHosted"]["hostname"]
    del argocd["selfHosted"]["sso"]
    found = [(path, rule) for path, _, rule, _ in errors(hub_with(argocd), "hub")]
    assert found == [
        (
            "argosy:argocd.selfHosted.hostname",
            "the server needs a host name on an AWS stage: its URL and Ingress",
        )
    ]


def test_a_workload_stage_cannot_host_spokes() -> None:
    values = copy.deepcopy(load_example("dev")["config"])
    values["argosy:argocd"] = {**SELF_HOSTED, "spokes": []}
    found = [(path, value, rule) for path, value, rule, _ in errors(values, "dev")]
    assert found == [
        (
            "argosy:argocd.topology",
            "hub-spoke",
            "a workload stage's Argo CD manages only its own cluster; spokes are the hub's",
        )
    ]


def test_the_local_admin_is_off_with_sso_even_locally() -> None:
    values = copy.deepcopy(load_example("local")["config"])
    values["argosy:argocd"]["selfHosted"]["sso"] = SELF_HOSTED["selfHosted"]["sso"]
    found = [(path, rule) for path, _, rule, _ in errors(values, "local")]
    assert (
        "argosy:argocd.selfHosted.adminLogin",
        "with SSO the local admin is off (SECURITY.md A1)",
    ) in found


def test_the_local_stage_cannot_use_the_capability() -> None:
    values = copy.deepcopy(load_example("local")["config"])
    values["argosy:argocd"]["install"] = "managed"
    found = [(path, value, rule) for path, value, rule, _ in errors(values, "local")]
    assert found == [
        (
            "argosy:argocd.install",
            "managed",
            "the EKS capability runs on EKS only; the local stage installs the chart",
        )
    ]


def test_a_self_hosted_hub_reaches_spokes_in_its_own_region_only(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    shutil.copytree(VARIANTS / "self-hosted", stacks)
    dev = (stacks / "Pulumi.dev.yaml").read_text().replace("eu-west-1", "eu-central-1")
    (stacks / "Pulumi.dev.yaml").write_text(dev)
    hub_file = read_stack_file(stacks / "Pulumi.hub.yaml", stack="hub")
    hub = validate_stage("hub", hub_file.config, source=hub_file.source)
    with pytest.raises(ConfigInvalidError) as caught:
        resolve_topology(hub, stacks)
    [issue] = caught.value.issues
    assert issue.path == "argosy:argocd.spokes[0]"
    assert issue.rule == (
        "a self-hosted Argo CD reaches its spokes through the hub's Transit Gateway, in "
        "eu-west-1; dev is in eu-central-1"
    )


def test_stack_references_are_planned_without_recursion(tmp_path: Path) -> None:
    project = variant_project(tmp_path, "self-hosted")
    [hub] = validate_requests(
        [
            StackRequest(
                stack="hub", config_file=project.stack_file("hub"), display="Pulumi.hub.yaml"
            )
        ],
        project.stack_config_dir,
    )
    assert isinstance(hub, ValidStack)
    # Planned alone, the hub plans dev and prod first for their outputs.
    run = plan_stack(project, hub)
    names = sorted(r.inputs["name"] for r in run.resources if r.type == STACK_REFERENCE)
    assert names == ["organization/argosy/dev", "organization/argosy/prod"]
