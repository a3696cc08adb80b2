"""SECURITY.md rules over every example stack, and each rule caught breaking."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from argosy.manifests import iam
from argosy.plan.monitor import Registration
from argosy.plan.planner import stage_facts
from argosy.policy.graph import PlanGraph
from argosy.policy.rules import RULES, Finding, StageFacts, evaluate
from tests.conftest import AWS_EXAMPLE_STACKS, EXAMPLE_STACKS, Planned
from tests.example_apps import app_key_names, apps_on, teams_on

CLUSTER = "aws:eks/cluster:Cluster"
KMS_KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ADDON = "aws:eks/addon:Addon"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
#: The stages the hub's Argo CD manages; they reach no Kubernetes API at all.
SPOKES = ("dev", "prod", "staging")
#: Every cluster registered with the hub's Argo CD: its own and its spokes'.
REGISTERED = ("dev", "hub", "prod", "staging")
#: The add-ons Argo CD delivers to every AWS stage of the examples (Karpenter: prod only).
EVERY_STAGE_ADDONS = (
    "argo-events",
    "argo-rollouts",
    "argo-workflows",
    "aws-load-balancer-controller",
    "external-dns",
    "external-secrets",
)


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_rule_passes_on_every_example(planned: Callable[[str], Planned], stack: str) -> None:
    report = planned(stack).checks
    assert report.findings == ()
    assert report.passed == tuple(rule.id for rule in RULES)


def test_the_new_rules_are_run() -> None:
    ids = [rule.id for rule in RULES]
    assert {"E12", "E13", "E14", "E15", "L8", "P2"} <= set(ids)
    assert len(ids) == len(set(ids))


def facts(plan: Planned, **changes: Any) -> StageFacts:
    """The facts the plan itself gives the rules for this stage, with ``changes``."""
    return dataclasses.replace(stage_facts(plan.config), **changes)


def altered(
    plan: Planned | PlanGraph,
    match: Callable[[Registration], bool],
    change: Callable[[Registration], Registration],
) -> PlanGraph:
    """The plan's graph (or ``plan`` itself, a graph) with every matching registration changed."""
    resources = plan.resources if isinstance(plan, PlanGraph) else plan.run.resources
    hits = [r for r in resources if match(r)]
    assert hits, "the alteration matched nothing"
    return PlanGraph(change(r) if match(r) else r for r in resources)


def without(plan: Planned, match: Callable[[Registration], bool]) -> PlanGraph:
    """The plan's graph without the matching registrations."""
    assert any(match(r) for r in plan.run.resources), "the removal matched nothing"
    return PlanGraph(r for r in plan.run.resources if not match(r))


def added(plan: Planned, *extra: Registration) -> PlanGraph:
    """The plan's graph with ``extra`` registrations, as if the program declared them."""
    return PlanGraph([*plan.run.resources, *extra])


def declared(
    plan: Planned,
    *,
    type_: str,
    name: str,
    parent: Registration,
    inputs: dict[str, Any],
    provider: str | None,
    outputs: dict[str, Any] | None = None,
) -> Registration:
    """A registration as the program would record it: a child of ``parent``."""
    urn = f"urn:pulumi:{plan.run.stack}::argosy::{parent.type}${type_}::{name}"
    return Registration(
        urn=urn,
        id=f"{name}-id",
        type=type_,
        name=name,
        custom=True,
        parent=parent.urn,
        provider=provider,
        dependencies=(),
        protect=False,
        retain_on_delete=False,
        deleted_with=None,
        ignore_changes=(),
        inputs=inputs,
        has_secret_inputs=False,
        outputs={**inputs, **(outputs or {})},
    )


def with_inputs(edit: Callable[[dict[str, Any]], None]) -> Callable[[Registration], Registration]:
    def change(resource: Registration) -> Registration:
        inputs = copy.deepcopy(resource.inputs)
        edit(inputs)
        return dataclasses.replace(resource, inputs=inputs)

    return change


def with_policy(
    key: str, edit: Callable[[dict[str, Any]], None]
) -> Callable[[Registration], Registration]:
    """Edit the JSON policy document held in input ``key``."""

    def change(inputs: dict[str, Any]) -> None:
        document = json.loads(inputs[key])
        edit(document)
        inputs[key] = json.dumps(document)

    return with_inputs(change)


def without_dependencies(*urns: str) -> Callable[[Registration], Registration]:
    def change(resource: Registration) -> Registration:
        return dataclasses.replace(
            resource, dependencies=tuple(d for d in resource.dependencies if d not in urns)
        )

    return change


def of_type(token: str) -> Callable[[Registration], bool]:
    return lambda r: r.type == token


def named(type_: str, name: str) -> Callable[[Registration], bool]:
    return lambda r: r.type == type_ and r.name == name


def addon(plan: Planned, name: str) -> Registration:
    [found] = [a for a in plan.graph.of_type(ADDON) if a.inputs["addonName"] == name]
    return found


def findings(rule_id: str, graph: PlanGraph, stage: StageFacts) -> list[str]:
    [rule] = [r for r in RULES if r.id == rule_id]
    return [f.message for f in evaluate(graph, stage, [rule]).findings]


def findings_at(rule_id: str, graph: PlanGraph, stage: StageFacts) -> list[tuple[str, str]]:
    """(resource name, message) of every finding."""
    [rule] = [r for r in RULES if r.id == rule_id]
    return [
        (f.urn.rsplit("::", 1)[-1] if f.urn else "(stack)", f.message)
        for f in evaluate(graph, stage, [rule]).findings
    ]


def test_e1_endpoint(planned: Callable[[str], Planned]) -> None:
    prod = planned("prod")

    def public(open_to: list[str]) -> Callable[[dict[str, Any]], None]:
        def edit(inputs: dict[str, Any]) -> None:
            inputs["vpcConfig"]["endpointPublicAccess"] = True
            inputs["vpcConfig"]["publicAccessCidrs"] = open_to

        return edit

    graph = altered(prod, of_type(CLUSTER), with_inputs(public(["0.0.0.0/0"])))
    assert findings("E1", graph, facts(prod)) == [
        "production endpoint is public",
        "public endpoint open to 0.0.0.0/0",
    ]
    dev = planned("dev")
    graph = altered(dev, of_type(CLUSTER), with_inputs(public([])))
    assert findings("E1", graph, facts(dev)) == ["public endpoint without publicAccessCidrs"]


def test_e2_secrets_encryption(planned: Callable[[str], Planned]) -> None:
    plan = planned("dev")
    graph = altered(plan, of_type(CLUSTER), with_inputs(lambda i: i.pop("encryptionConfig")))
    assert findings("E2", graph, facts(plan)) == ["Secrets are not envelope-encrypted"]
    graph = altered(
        plan,
        named(KMS_KEY, "dev-eks-secrets"),
        with_inputs(lambda i: i.update(enableKeyRotation=False)),
    )
    assert findings_at("E2", graph, facts(plan)) == [("dev-eks-secrets", "key rotation is off")]
    assert findings(
        "E2", PlanGraph(plan.run.resources), facts(plan, account_id="999999999999")
    ) == ["key is outside the stage's account"]


def test_e3_control_plane_logs(planned: Callable[[str], Planned]) -> None:
    plan = planned("staging")
    graph = altered(
        plan, of_type(CLUSTER), with_inputs(lambda i: i.update(enabledClusterLogTypes=["api"]))
    )
    assert findings("E3", graph, facts(plan)) == [
        "log types off: audit, authenticator, controllerManager, scheduler"
    ]
    control_plane = named(LOG_GROUP, "staging-eks-logs")
    graph = altered(plan, control_plane, with_inputs(lambda i: i.pop("retentionInDays")))
    assert findings_at("E3", graph, facts(plan)) == [
        ("staging-eks-logs", "log group keeps logs forever")
    ]
    # The flow logs' group is not the control plane's: E3 leaves it to E12 and E14.
    graph = altered(
        plan,
        named(LOG_GROUP, "staging-network-flow-logs"),
        with_inputs(lambda i: i.pop("retentionInDays")),
    )
    assert findings("E3", graph, facts(plan)) == []
    log_group = plan.one(LOG_GROUP, "staging-eks-logs").urn
    graph = altered(plan, of_type(CLUSTER), without_dependencies(log_group))
    assert findings("E3", graph, facts(plan)) == [
        "cluster does not wait for its log group (EKS would create one without retention)"
    ]
    graph = without(plan, control_plane)
    assert findings("E3", graph, facts(plan)) == ["no log group /aws/eks/argosy-staging/cluster"]


def test_e4_instance_metadata(planned: Callable[[str], Planned]) -> None:
    plan = planned("dev")

    def imdsv1(inputs: dict[str, Any]) -> None:
        inputs["metadataOptions"].update(httpTokens="optional", httpPutResponseHopLimit=2)

    graph = altered(plan, of_type("aws:ec2/launchTemplate:LaunchTemplate"), with_inputs(imdsv1))
    assert findings("E4", graph, facts(plan)) == [
        "IMDSv1 allowed",
        "metadata hop limit 2, not 1",
        "IMDSv1 allowed",
        "metadata hop limit 2, not 1",
    ]
    graph = altered(plan, of_type(NODE_GROUP), with_inputs(lambda i: i.pop("launchTemplate")))
    assert findings("E4", graph, facts(plan)) == ["no launch template of this stack"] * 2


def aws_auth_config_map(plan: Planned) -> Registration:
    """The ConfigMap that API_AND_CONFIG_MAP clusters read, as a Kubernetes provider would."""
    stage = plan.one("argosy:stage:AwsStage")
    return declared(
        plan,
        type_="kubernetes:core/v1:ConfigMap",
        name="aws-auth",
        parent=stage,
        inputs={
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "aws-auth", "namespace": "kube-system"},
            "data": {"mapRoles": "- rolearn: arn:aws:iam::111111111111:role/ops\n"},
        },
        provider=None,
    )


def test_e5_access_entries(planned: Callable[[str], Planned]) -> None:
    plan = planned("hub")
    graph = altered(
        plan,
        of_type(CLUSTER),
        with_inputs(lambda i: i["accessConfig"].update(authenticationMode="API_AND_CONFIG_MAP")),
    )
    assert findings("E5", graph, facts(plan)) == ["authenticationMode is API_AND_CONFIG_MAP"]
    graph = added(plan, aws_auth_config_map(plan))
    assert findings("E5", graph, facts(plan)) == ["aws-auth ConfigMap declared"]


def irsa_trust(plan: Planned, namespace: str, service_account: str) -> str:
    """An IRSA trust on the stage's own OIDC provider, as ServiceAccountRole(irsa) writes it."""
    oidc = plan.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    return iam.to_json(
        iam.irsa_trust_policy(
            oidc_provider_arn=oidc.outputs["arn"],
            issuer_url=oidc.inputs["url"],
            namespace=namespace,
            service_account=service_account,
        )
    )


def test_e6_irsa_trust(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    # No example uses IRSA any more: turn the EBS CSI role back into an IRSA role (as before
    # Pod Identity), which E6 accepts, then break its trust in each way E6 knows.
    ebs_role = named(ROLE, "prod-ebs-csi")
    trust = irsa_trust(plan, "kube-system", "ebs-csi-controller-sa")
    irsa = altered(plan, ebs_role, with_inputs(lambda i: i.update(assumeRolePolicy=trust)))
    assert findings("E6", irsa, facts(plan)) == []
    assert findings("E15", irsa, facts(plan)) == []

    def loosen(document: dict[str, Any]) -> None:
        condition = document["Statement"][0]["Condition"]
        sub_key = next(k for k in condition["StringEquals"] if k.endswith(":sub"))
        condition["StringLike"] = {sub_key: "system:serviceaccount:kube-system:*"}
        del condition["StringEquals"][sub_key]

    graph = altered(irsa, ebs_role, with_policy("assumeRolePolicy", loosen))
    assert findings_at("E6", graph, facts(plan)) == [
        ("prod-ebs-csi", "trust not pinned to one service account"),
        ("prod-ebs-csi", "trust uses conditions other than equality"),
    ]

    def wildcard(document: dict[str, Any]) -> None:
        equals = document["Statement"][0]["Condition"]["StringEquals"]
        sub_key = next(k for k in equals if k.endswith(":sub"))
        equals[sub_key] = "system:serviceaccount:kube-system:*"

    graph = altered(irsa, ebs_role, with_policy("assumeRolePolicy", wildcard))
    assert findings("E6", graph, facts(plan)) == [
        "subject system:serviceaccount:kube-system:* is not exact"
    ]

    def no_audience(document: dict[str, Any]) -> None:
        equals = document["Statement"][0]["Condition"]["StringEquals"]
        for key in [k for k in equals if k.endswith(":aud")]:
            del equals[key]

    graph = altered(irsa, ebs_role, with_policy("assumeRolePolicy", no_audience))
    assert findings("E6", graph, facts(plan)) == ["audience is not sts.amazonaws.com"]


def test_e6_node_role_least_privilege(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    node_role = plan.one(ROLE, "prod-eks-node")
    graph = altered(
        plan,
        named(ATTACHMENT, "prod-eks-node-AmazonEC2ContainerRegistryPullOnly"),
        with_inputs(lambda i: i.update(policyArn="arn:aws:iam::aws:policy/AdministratorAccess")),
    )
    assert findings_at("E6", graph, facts(plan)) == [
        ("prod-eks-node", "node role also holds AdministratorAccess")
    ]
    [rule] = [r for r in RULES if r.id == "E6"]
    [finding] = evaluate(graph, facts(plan), [rule]).findings
    assert finding.urn == node_role.urn
    eks = plan.one("argosy:aws:EksCluster")
    inline = declared(
        plan,
        type_="aws:iam/rolePolicy:RolePolicy",
        name="prod-eks-node-s3",
        parent=eks,
        inputs={
            "role": node_role.outputs["name"],
            "policy": '{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}]}',
        },
        provider=plan.one("pulumi:providers:aws").urn,
    )
    assert findings("E6", added(plan, inline), facts(plan)) == ["node role has an inline policy"]


def test_e7_node_placement(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    public_subnet = next(
        s.id for s in plan.graph.of_type("aws:ec2/subnet:Subnet") if "public" in s.name
    )

    def into_public(inputs: dict[str, Any]) -> None:
        inputs["subnetIds"] = [public_subnet]
        inputs["remoteAccess"] = {"ec2SshKey": "ops"}

    graph = altered(plan, lambda r: r.name == "prod-system" and r.custom, with_inputs(into_public))
    assert findings("E7", graph, facts(plan)) == [
        f"not private: {public_subnet}",
        "remote access (SSH) enabled",
    ]
    graph = altered(
        plan,
        lambda r: r.name == "prod-system-lt",
        with_inputs(lambda i: i.update(keyName="ops")),
    )
    assert findings("E7", graph, facts(plan)) == ["launch template has an SSH key"]


def test_e8_network_policy(planned: Callable[[str], Planned]) -> None:
    plan = planned("dev")
    graph = altered(
        plan,
        lambda r: r.inputs.get("addonName") == "vpc-cni",
        with_inputs(lambda i: i.update(configurationValues="{}")),
    )
    assert findings("E8", graph, facts(plan)) == ["vpc-cni network policy is off"]


def test_e9_version(planned: Callable[[str], Planned]) -> None:
    plan = planned("dev")

    def old(inputs: dict[str, Any]) -> None:
        inputs["version"] = "1.29"
        inputs.pop("upgradePolicy")

    graph = altered(plan, of_type(CLUSTER), with_inputs(old))
    assert findings("E9", graph, facts(plan)) == [
        "upgradePolicy.supportType not set",
        "version 1.29 not supported",
    ]


# --------------------------------------------------------------------------------------
# E12: flow logs


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_e12_a_vpc_without_flow_logs(planned: Callable[[str], Planned], stack: str) -> None:
    plan = planned(stack)
    graph = without(plan, of_type(FLOW_LOG))
    assert findings_at("E12", graph, facts(plan)) == [
        (f"{stack}-network-vpc", "VPC has no flow log")
    ]
    # A flow log of another VPC does not count.
    graph = altered(plan, of_type(FLOW_LOG), with_inputs(lambda i: i.update(vpcId="vpc-0other")))
    assert findings("E12", graph, facts(plan)) == ["VPC has no flow log"]


def test_e12_flow_log_destinations(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    flow_log = of_type(FLOW_LOG)
    group = named(LOG_GROUP, "prod-network-flow-logs")
    graph = altered(plan, group, with_inputs(lambda i: i.pop("kmsKeyId")))
    assert findings_at("E12", graph, facts(plan)) == [
        ("prod-network-flow-logs", "log group lacks a key or retention")
    ]
    graph = altered(plan, group, with_inputs(lambda i: i.pop("retentionInDays")))
    assert findings("E12", graph, facts(plan)) == ["log group lacks a key or retention"]
    graph = altered(plan, flow_log, with_inputs(lambda i: i.pop("iamRoleArn")))
    assert findings("E12", graph, facts(plan)) == ["no delivery role"]
    # Into a log group this stack does not manage (created by hand, say: no key, no retention).
    graph = altered(
        plan,
        flow_log,
        with_inputs(
            lambda i: i.update(
                logDestination="arn:aws:logs:eu-west-1:444444444444:log-group:vpc-flow-logs"
            )
        ),
    )
    assert findings("E12", graph, facts(plan)) == ["log group is not managed here"]

    def to_s3_without_bucket(inputs: dict[str, Any]) -> None:
        inputs.update(logDestinationType="s3")
        inputs.pop("logDestination")
        inputs.pop("iamRoleArn")

    graph = altered(plan, flow_log, with_inputs(to_s3_without_bucket))
    assert findings("E12", graph, facts(plan)) == ["no S3 destination"]


# --------------------------------------------------------------------------------------
# E13: key policies


def test_e13_a_key_without_an_explicit_policy(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    graph = altered(
        plan, named(KMS_KEY, "prod-encryption-logs"), with_inputs(lambda i: i.pop("policy"))
    )
    assert findings_at("E13", graph, facts(plan)) == [
        ("prod-encryption-logs", "no explicit key policy")
    ]
    graph = altered(plan, of_type(KMS_KEY), with_inputs(lambda i: i.pop("policy")))
    # In URN order: the controllers', the cluster's, the apps' (StageApps: each database's
    # and bucket's own), the stage's encryption.
    assert findings_at("E13", graph, facts(plan)) == [
        ("prod-controllers-artifacts", "no explicit key policy"),
        ("prod-eks-secrets", "no explicit key policy"),
        *((name, "no explicit key policy") for name in app_key_names("prod")),
        ("prod-encryption-ebs", "no explicit key policy"),
        ("prod-encryption-logs", "no explicit key policy"),
    ]


def test_e13_the_account_root_may_not_use_a_key(planned: Callable[[str], Planned]) -> None:
    plan = planned("hub")
    secrets = named(KMS_KEY, "hub-eks-secrets")

    def kms_default_policy(document: dict[str, Any]) -> None:
        # KMS's default key policy: everything to the account, and so to any IAM admin.
        document["Statement"] = [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]

    graph = altered(plan, secrets, with_policy("policy", kms_default_policy))
    assert findings_at("E13", graph, facts(plan)) == [
        ("hub-eks-secrets", "a statement allows kms:*")
    ]

    def admins_decrypt(document: dict[str, Any]) -> None:
        [admin] = [s for s in document["Statement"] if s["Sid"] == "AccountAdministersKey"]
        admin["Action"].append("kms:Decrypt")

    graph = altered(plan, secrets, with_policy("policy", admins_decrypt))
    assert findings("E13", graph, facts(plan)) == ["the account root may use the key"]

    def admins_create_anything(document: dict[str, Any]) -> None:
        # KMS's own "key administrators" statement has kms:Create*, which covers
        # kms:CreateGrant: an administrator could grant itself Decrypt.
        [admin] = [s for s in document["Statement"] if s["Sid"] == "AccountAdministersKey"]
        admin["Action"] = ["kms:Create*" if a == "kms:CreateAlias" else a for a in admin["Action"]]

    graph = altered(plan, secrets, with_policy("policy", admins_create_anything))
    assert findings("E13", graph, facts(plan)) == ["the account root may use the key"]


def test_e13_anyone_may_use_a_key_only_under_conditions(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    ebs_key = named(KMS_KEY, "prod-encryption-ebs")
    # The EBS key lets any principal use it, but only through EC2 in the account: E13 accepts.
    document = json.loads(plan.one(KMS_KEY, "prod-encryption-ebs").inputs["policy"])
    assert all(s["Principal"] == {"AWS": "*"} and s["Condition"] for s in document["Statement"][1:])

    def unconditional(document: dict[str, Any]) -> None:
        [use] = [s for s in document["Statement"] if s["Sid"] == "AccountUsesKeyThroughEc2"]
        del use["Condition"]

    graph = altered(plan, ebs_key, with_policy("policy", unconditional))
    assert findings_at("E13", graph, facts(plan)) == [
        ("prod-encryption-ebs", "anyone may use the key, unconditionally")
    ]


# --------------------------------------------------------------------------------------
# E14: log groups


@pytest.mark.parametrize("group", ["eks-logs", "network-flow-logs"])
def test_e14_log_groups_are_encrypted_and_expire(
    planned: Callable[[str], Planned], group: str
) -> None:
    plan = planned("dev")
    name = f"dev-{group}"
    graph = altered(plan, named(LOG_GROUP, name), with_inputs(lambda i: i.pop("kmsKeyId")))
    assert findings_at("E14", graph, facts(plan)) == [(name, "log group is not KMS-encrypted")]
    graph = altered(plan, named(LOG_GROUP, name), with_inputs(lambda i: i.pop("retentionInDays")))
    assert findings_at("E14", graph, facts(plan)) == [(name, "log group keeps logs forever")]
    foreign_key = "arn:aws:kms:eu-west-1:222222222222:key/00000000-0000-0000-0000-000000000000"
    graph = altered(
        plan, named(LOG_GROUP, name), with_inputs(lambda i: i.update(kmsKeyId=foreign_key))
    )
    assert findings_at("E14", graph, facts(plan)) == [(name, "log group key is not managed here")]


# --------------------------------------------------------------------------------------
# E15: service account identities


def association(
    plan: Planned, role: Registration, namespace: str, service_account: str
) -> Registration:
    """A stand-alone Pod Identity association, as ServiceAccountRole(associate=True) makes."""
    return declared(
        plan,
        type_="aws:eks/podIdentityAssociation:PodIdentityAssociation",
        name=f"{plan.run.stack}-{service_account}",
        parent=plan.graph.by_urn[role.parent or ""],
        inputs={
            "clusterName": f"argosy-{plan.run.stack}",
            "namespace": namespace,
            "serviceAccount": service_account,
            "roleArn": role.outputs["arn"],
        },
        provider=plan.one("pulumi:providers:aws").urn,
    )


def test_e15_a_role_bound_to_a_second_service_account(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    role = plan.one(ROLE, "prod-ebs-csi")
    # Someone reuses the EBS CSI role for another service account through an association.
    graph = added(plan, association(plan, role, "kube-system", "ebs-csi-controller-sa"))
    assert findings_at("E15", graph, facts(plan)) == [
        ("prod-ebs-csi", "bound to 2 service accounts by Pod Identity, not 1")
    ]
    # For another service account: still two bindings; the trust matches one of them.
    graph = added(plan, association(plan, role, "team-a", "backup"))
    assert findings_at("E15", graph, facts(plan)) == [
        ("prod-ebs-csi", "bound to 2 service accounts by Pod Identity, not 1")
    ]
    # An unbound Pod Identity role is reported too (the add-on no longer carries it).
    graph = altered(
        plan,
        lambda r: r.inputs.get("addonName") == "aws-ebs-csi-driver",
        with_inputs(lambda i: i.pop("podIdentityAssociations")),
    )
    assert findings_at("E15", graph, facts(plan)) == [
        ("prod-ebs-csi", "bound to 0 service accounts by Pod Identity, not 1")
    ]


def test_e15_a_trust_widened_or_pinned_elsewhere(planned: Callable[[str], Planned]) -> None:
    plan = planned("staging")
    cni_role = named(ROLE, "staging-vpc-cni")

    def any_namespace(document: dict[str, Any]) -> None:
        condition = document["Statement"][0]["Condition"]
        del condition["StringEquals"]["aws:RequestTag/kubernetes-namespace"]
        condition["StringLike"] = {"aws:RequestTag/kubernetes-namespace": "*"}

    graph = altered(plan, cni_role, with_policy("assumeRolePolicy", any_namespace))
    assert findings_at("E15", graph, facts(plan)) == [
        ("staging-vpc-cni", "trust does not pin kubernetes-namespace")
    ]

    def no_cluster(document: dict[str, Any]) -> None:
        equals = document["Statement"][0]["Condition"]["StringEquals"]
        equals["aws:RequestTag/eks-cluster-arn"] = "arn:aws:eks:eu-west-1:333333333333:cluster/*"

    graph = altered(plan, cni_role, with_policy("assumeRolePolicy", no_cluster))
    assert findings("E15", graph, facts(plan)) == ["trust does not pin eks-cluster-arn"]

    def other_account(document: dict[str, Any]) -> None:
        equals = document["Statement"][0]["Condition"]["StringEquals"]
        equals["aws:RequestTag/kubernetes-service-account"] = "default"

    graph = altered(plan, cni_role, with_policy("assumeRolePolicy", other_account))
    assert findings("E15", graph, facts(plan)) == [
        "trust pins another service account than kube-system/aws-node"
    ]


def test_e15_least_privilege(planned: Callable[[str], Planned]) -> None:
    plan = planned("dev")
    graph = altered(
        plan,
        named(ATTACHMENT, "dev-ebs-csi-AmazonEBSCSIDriverPolicy"),
        with_inputs(lambda i: i.update(policyArn="arn:aws:iam::aws:policy/AmazonEC2FullAccess")),
    )
    assert findings_at("E15", graph, facts(plan)) == [
        ("dev-ebs-csi", "holds the broad managed policy AmazonEC2FullAccess")
    ]
    role = plan.one(ROLE, "dev-ebs-csi")
    inline = declared(
        plan,
        type_="aws:iam/rolePolicy:RolePolicy",
        name="dev-ebs-csi-inline",
        parent=plan.graph.by_urn[role.parent or ""],
        inputs={
            "role": role.outputs["name"],
            "policy": iam.to_json(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}],
                }
            ),
        },
        provider=plan.one("pulumi:providers:aws").urn,
    )
    # A wildcard action, and so also a write on * without a condition.
    assert findings_at("E15", added(plan, inline), facts(plan)) == [
        ("dev-ebs-csi", "inline policy grants a wildcard action"),
        ("dev-ebs-csi", "statement (no Sid) allows ec2:* on * without a condition"),
    ]


# --------------------------------------------------------------------------------------
# Providers, ordering, protection


def test_p1_account_guard(planned: Callable[[str], Planned]) -> None:
    plan = planned("staging")
    assert findings("P1", plan.graph, facts(plan, account_id="999999999999")) == [
        "allowedAccountIds is ['333333333333']",
        "assumes a role in another account",
    ]
    graph = altered(
        plan,
        lambda r: r.name == "staging-network-vpc",
        lambda r: dataclasses.replace(r, provider=None),
    )
    assert findings("P1", graph, facts(plan)) == ["no explicit provider of the stage"]


@pytest.mark.parametrize("stack", SPOKES)
def test_p2_aws_stages_reach_no_kubernetes_api(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    assert facts(plan).kubernetes_allowed is False
    stage = plan.one("argosy:stage:AwsStage")
    provider = declared(
        plan,
        type_="pulumi:providers:kubernetes",
        name=f"{stack}-eks",
        parent=stage,
        inputs={"clusterIdentifier": f"argosy-{stack}", "kubeconfig": "{}"},
        provider=None,
    )
    assert findings_at("P2", added(plan, provider), facts(plan)) == [
        (f"{stack}-eks", "a Kubernetes resource in a stage that must reach only AWS APIs")
    ]
    config_map = aws_auth_config_map(plan)
    assert findings_at("P2", added(plan, config_map), facts(plan)) == [
        ("aws-auth", "a Kubernetes resource in a stage that must reach only AWS APIs")
    ]


def test_p2_the_hub_may_reach_its_own_cluster(planned: Callable[[str], Planned]) -> None:
    plan = planned("hub")
    # It hosts Argo CD, so it registers the stages through its own cluster's API.
    assert facts(plan).kubernetes_allowed is True
    assert facts(plan).own_cluster == "argosy-hub"
    assert findings("P2", plan.graph, facts(plan)) == []
    # The same graph fails P2 for a stage that must not reach Kubernetes: every object and
    # the provider, in URN order. (Another target cluster: tests/test_argocd_stage.py.)
    # The AppProjects: the platform's, and one per team with apps on a stage.
    projects = sorted(
        [
            "platform",
            *(f"project-{team}-{stage}" for stage in REGISTERED for team in teams_on(stage)),
        ]
    )
    # The Applications: per cluster its add-ons' (Karpenter on prod only), its baseline and
    # its apps' (app-<name>).
    applications = {
        stage: sorted(
            [
                *EVERY_STAGE_ADDONS,
                "baseline",
                *(["karpenter"] if stage == "prod" else []),
                *(f"app-{app.name}" for app in apps_on(stage)),
            ]
        )
        for stage in REGISTERED
    }
    assert findings_at("P2", plan.graph, facts(plan, kubernetes_allowed=False)) == [
        (name, "a Kubernetes resource in a stage that must reach only AWS APIs")
        for name in (
            *(f"hub-registrations-{project}" for project in projects),  # the AppProjects
            *(
                f"hub-registrations-{stage}-{application}"
                for stage in sorted(applications)
                for application in applications[stage]
            ),
            "hub-registrations-dev",  # the Secrets: registrations and Karpenter's repository
            "hub-registrations-hub",
            "hub-registrations-prod",
            "hub-registrations-repository-karpenter",
            "hub-registrations-staging",
            "hub-argocd-kubernetes",  # the provider
        )
    ]


def test_p2_the_local_stage_may_reach_its_cluster(planned: Callable[[str], Planned]) -> None:
    plan = planned("local")
    assert facts(plan).kubernetes_allowed is True
    assert findings("P2", plan.graph, facts(plan)) == []
    # The same graph fails P2 for a stage that must not reach Kubernetes: the platform
    # project and its teams' (one per team with an app on local), the Applications (its
    # apps', the Argo add-ons', the baseline's), its registration, Argo CD's release and the
    # provider.
    assert findings_at("P2", plan.graph, facts(plan, kubernetes_allowed=False)) == [
        (name, "a Kubernetes resource in a stage that must reach only AWS APIs")
        for name in (
            "local-registrations-platform",
            *(f"local-registrations-project-{team}-local" for team in teams_on("local")),
            *(f"local-registrations-local-app-{app.name}" for app in apps_on("local")),
            "local-registrations-local-argo-events",
            "local-registrations-local-argo-rollouts",
            "local-registrations-local-argo-workflows",
            "local-registrations-local-baseline",
            "local-registrations-local",
            "local-argocd",
            "local-local",
        )
    ]


def test_o1_ordering(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    node_addons = {
        r.urn
        for r in plan.graph.of_type(ADDON)
        if r.inputs["addonName"] in ("eks-pod-identity-agent", "vpc-cni", "kube-proxy")
    }
    graph = altered(plan, of_type(NODE_GROUP), without_dependencies(*node_addons))
    assert findings_at("O1", graph, facts(plan)) == [
        ("prod-system", "node group does not wait for eks-pod-identity-agent"),
        ("prod-system", "node group does not wait for kube-proxy"),
        ("prod-system", "node group does not wait for vpc-cni"),
        ("prod-workloads", "node group does not wait for eks-pod-identity-agent"),
        ("prod-workloads", "node group does not wait for kube-proxy"),
        ("prod-workloads", "node group does not wait for vpc-cni"),
    ]
    groups = {g.urn for g in plan.graph.of_type(NODE_GROUP)}
    templates = {t.urn for t in plan.graph.of_type("aws:ec2/launchTemplate:LaunchTemplate")}
    graph = altered(
        plan,
        lambda r: r.inputs.get("addonName") == "coredns",
        without_dependencies(*groups, *templates),
    )
    assert findings("O1", graph, facts(plan)) == [
        "created before any node group: its pods would have nowhere to run"
    ]


def test_o1_node_groups_wait_for_the_private_routes(planned: Callable[[str], Planned]) -> None:
    plan = planned("dev")
    routes = {
        r.urn
        for r in plan.graph.of_type("aws:ec2/route:Route")
        if r.inputs.get("natGatewayId") and r.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    }
    assert len(routes) == 2
    graph = altered(plan, of_type(NODE_GROUP), without_dependencies(*routes))
    assert findings_at("O1", graph, facts(plan)) == [
        ("dev-spot", "node group does not wait for the private routes"),
        ("dev-system", "node group does not wait for the private routes"),
    ]
    # Waiting for some of the routes is not enough.
    one = sorted(routes)[0]
    graph = altered(plan, named(NODE_GROUP, "dev-system"), without_dependencies(one))
    assert findings_at("O1", graph, facts(plan)) == [
        ("dev-system", "node group does not wait for the private routes")
    ]


def test_o1_vpc_cni_waits_for_the_agent(planned: Callable[[str], Planned]) -> None:
    plan = planned("hub")
    agent = addon(plan, "eks-pod-identity-agent")
    graph = altered(
        plan, lambda r: r.inputs.get("addonName") == "vpc-cni", without_dependencies(agent.urn)
    )
    assert findings_at("O1", graph, facts(plan)) == [
        ("hub-eks-vpc-cni", "vpc-cni does not wait for the agent")
    ]


@pytest.mark.parametrize(
    ("addon_name", "attachment", "addon_resource"),
    [
        ("vpc-cni", "prod-vpc-cni-AmazonEKS_CNI_Policy", "prod-eks-vpc-cni"),
        (
            "aws-ebs-csi-driver",
            "prod-ebs-csi-AmazonEBSCSIDriverPolicy",
            "prod-system-addons-aws-ebs-csi-driver",
        ),
    ],
)
def test_o1_addons_wait_for_their_role_policies(
    planned: Callable[[str], Planned], addon_name: str, attachment: str, addon_resource: str
) -> None:
    plan = planned("prod")
    policy = plan.one(ATTACHMENT, attachment)
    graph = altered(
        plan, lambda r: r.inputs.get("addonName") == addon_name, without_dependencies(policy.urn)
    )
    assert findings_at("O1", graph, facts(plan)) == [
        (addon_resource, "add-on does not wait for its role's policies")
    ]


def test_l3_protection(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    graph = altered(
        plan,
        lambda r: r.type in (CLUSTER, KMS_KEY),
        lambda r: dataclasses.replace(r, protect=False),
    )
    assert findings_at("L3", graph, facts(plan)) == [
        ("prod-controllers-artifacts", "not protected in production"),  # the artifacts key
        ("prod-eks", "not protected in production"),
        ("prod-eks-secrets", "not protected in production"),
        # The apps' keys (each database's and bucket's own).
        *((name, "not protected in production") for name in app_key_names("prod")),
        ("prod-encryption-ebs", "not protected in production"),
        ("prod-encryption-logs", "not protected in production"),
    ]
    graph = altered(
        plan, of_type(CLUSTER), with_inputs(lambda i: i.update(deletionProtection=False))
    )
    assert findings("L3", graph, facts(plan)) == ["EKS deletion protection is off"]
    # The stateful resources of the controllers and apps: buckets, databases, the workspace.
    stateful = (
        "aws:s3/bucket:Bucket",
        "aws:rds/cluster:Cluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:amp/workspace:Workspace",
    )
    graph = altered(
        plan, lambda r: r.type in stateful, lambda r: dataclasses.replace(r, protect=False)
    )
    unprotected = [r for r in plan.graph.resources if r.type in stateful]
    assert {r.type for r in unprotected} == set(stateful)
    assert findings_at("L3", graph, facts(plan)) == [
        (r.name, "not protected in production") for r in sorted(unprotected, key=lambda r: r.urn)
    ]
    graph = altered(
        plan,
        of_type("aws:rds/cluster:Cluster"),
        with_inputs(lambda i: i.update(deletionProtection=False)),
    )
    assert findings("L3", graph, facts(plan)) == ["RDS deletion protection is off"]
    staging = planned("staging")
    assert findings("L3", staging.graph, facts(staging)) == []


@pytest.mark.parametrize("group", ["prod-eks-logs", "prod-network-flow-logs"])
def test_l8_production_audit_logs_outlive_the_stack(
    planned: Callable[[str], Planned], group: str
) -> None:
    plan = planned("prod")
    graph = altered(
        plan, named(LOG_GROUP, group), lambda r: dataclasses.replace(r, retain_on_delete=False)
    )
    assert findings_at("L8", graph, facts(plan)) == [
        (group, "audit log group is deleted with the stack")
    ]
    # Outside production the same graph passes: dev and staging delete their log groups.
    assert findings("L8", graph, facts(plan, production=False)) == []


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_l8_does_not_apply_outside_production(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    assert not any(r.retain_on_delete for r in plan.graph.of_type(LOG_GROUP))
    assert findings("L8", plan.graph, facts(plan)) == []
    assert (
        findings("L8", plan.graph, facts(plan, production=True))
        == ["audit log group is deleted with the stack"] * 2
    )


def test_finding_format() -> None:
    finding = Finding(
        rule="E1",
        urn="urn:pulumi:prod::argosy::x$aws:eks/cluster:Cluster::prod-eks",
        message="production endpoint is public",
    )
    assert finding.format() == "E1 prod-eks: production endpoint is public"
