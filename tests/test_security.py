"""SECURITY.md rules over every example stack, and each rule caught breaking."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from argosy.plan.monitor import Registration
from argosy.policy.graph import PlanGraph
from argosy.policy.rules import RULES, Finding, StageFacts, evaluate
from tests.conftest import EXAMPLE_STACKS, Planned

CLUSTER = "aws:eks/cluster:Cluster"


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_rule_passes_on_every_example(planned: Callable[[str], Planned], stack: str) -> None:
    report = planned(stack).checks
    assert report.findings == ()
    assert report.passed == tuple(rule.id for rule in RULES)


def facts(plan: Planned, **changes: Any) -> StageFacts:
    account = getattr(getattr(plan.config, "aws", None), "account_id", None)
    return dataclasses.replace(
        StageFacts(production=plan.config.production, account_id=account), **changes
    )


def altered(
    plan: Planned,
    match: Callable[[Registration], bool],
    change: Callable[[Registration], Registration],
) -> PlanGraph:
    """The plan's graph with every matching registration changed."""
    hits = [r for r in plan.run.resources if match(r)]
    assert hits, "the alteration matched nothing"
    return PlanGraph(change(r) if match(r) else r for r in plan.run.resources)


def with_inputs(edit: Callable[[dict[str, Any]], None]) -> Callable[[Registration], Registration]:
    def change(resource: Registration) -> Registration:
        inputs = copy.deepcopy(resource.inputs)
        edit(inputs)
        return dataclasses.replace(resource, inputs=inputs)

    return change


def of_type(token: str) -> Callable[[Registration], bool]:
    return lambda r: r.type == token


def findings(rule_id: str, graph: PlanGraph, stage: StageFacts) -> list[str]:
    [rule] = [r for r in RULES if r.id == rule_id]
    return [f.message for f in evaluate(graph, stage, [rule]).findings]


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
        of_type("aws:kms/key:Key"),
        with_inputs(lambda i: i.update(enableKeyRotation=False)),
    )
    assert findings("E2", graph, facts(plan)) == ["key rotation is off"]
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
    graph = altered(
        plan,
        of_type("aws:cloudwatch/logGroup:LogGroup"),
        with_inputs(lambda i: i.pop("retentionInDays")),
    )
    assert findings("E3", graph, facts(plan)) == ["log group keeps logs forever"]
    log_group = plan.one("aws:cloudwatch/logGroup:LogGroup").urn
    graph = altered(
        plan,
        of_type(CLUSTER),
        lambda r: dataclasses.replace(
            r, dependencies=tuple(d for d in r.dependencies if d != log_group)
        ),
    )
    assert findings("E3", graph, facts(plan)) == [
        "cluster does not wait for its log group (EKS would create one without retention)"
    ]


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
    graph = altered(
        plan, of_type("aws:eks/nodeGroup:NodeGroup"), with_inputs(lambda i: i.pop("launchTemplate"))
    )
    assert findings("E4", graph, facts(plan)) == ["no launch template of this stack"] * 2


def test_e5_access_entries(planned: Callable[[str], Planned]) -> None:
    plan = planned("hub")
    graph = altered(
        plan,
        of_type(CLUSTER),
        with_inputs(lambda i: i["accessConfig"].update(authenticationMode="API_AND_CONFIG_MAP")),
    )
    assert findings("E5", graph, facts(plan)) == ["authenticationMode is API_AND_CONFIG_MAP"]
    storage_class = plan.one("kubernetes:storage.k8s.io/v1:StorageClass")
    aws_auth = dataclasses.replace(
        storage_class,
        urn=storage_class.urn.replace("StorageClass", "ConfigMap"),
        type="kubernetes:core/v1:ConfigMap",
        inputs={"metadata": {"name": "aws-auth", "namespace": "kube-system"}},
    )
    graph = PlanGraph([*plan.run.resources, aws_auth])
    assert findings("E5", graph, facts(plan)) == ["aws-auth ConfigMap declared"]


def test_e6_irsa_trust(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    irsa_role = next(
        r
        for r in plan.graph.of_type("aws:iam/role:Role")
        if "Federated" in r.inputs["assumeRolePolicy"]
    )

    def loosen(inputs: dict[str, Any]) -> None:
        policy = json.loads(inputs["assumeRolePolicy"])
        condition = policy["Statement"][0]["Condition"]
        sub_key = next(k for k in condition["StringEquals"] if k.endswith(":sub"))
        condition["StringLike"] = {sub_key: "system:serviceaccount:kube-system:*"}
        del condition["StringEquals"][sub_key]
        inputs["assumeRolePolicy"] = json.dumps(policy)

    graph = altered(plan, lambda r: r.urn == irsa_role.urn, with_inputs(loosen))
    assert findings("E6", graph, facts(plan)) == [
        "trust not pinned to one service account",
        "trust uses conditions other than equality",
    ]

    def no_audience(inputs: dict[str, Any]) -> None:
        policy = json.loads(inputs["assumeRolePolicy"])
        equals = policy["Statement"][0]["Condition"]["StringEquals"]
        for key in [k for k in equals if k.endswith(":aud")]:
            del equals[key]
        inputs["assumeRolePolicy"] = json.dumps(policy)

    graph = altered(plan, lambda r: r.urn == irsa_role.urn, with_inputs(no_audience))
    assert findings("E6", graph, facts(plan)) == ["audience is not sts.amazonaws.com"]


def test_e6_node_role_least_privilege(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    attachment = next(
        a
        for a in plan.graph.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["policyArn"].endswith("AmazonEKS_CNI_Policy")
    )
    graph = altered(
        plan,
        lambda r: r.urn == attachment.urn,
        with_inputs(lambda i: i.update(policyArn="arn:aws:iam::aws:policy/AdministratorAccess")),
    )
    assert findings("E6", graph, facts(plan)) == ["node role also holds AdministratorAccess"]
    [rule] = [r for r in RULES if r.id == "E6"]
    [finding] = evaluate(graph, facts(plan), [rule]).findings
    assert finding.urn == plan.one("aws:iam/role:Role", "prod-eks-node").urn


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


def test_o1_ordering(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    cluster_children = {
        r.urn
        for r in plan.graph.of_type("aws:eks/addon:Addon")
        if r.inputs["addonName"] in ("vpc-cni", "kube-proxy")
    }

    def eager(resource: Registration) -> Registration:
        return dataclasses.replace(
            resource,
            dependencies=tuple(d for d in resource.dependencies if d not in cluster_children),
        )

    graph = altered(plan, of_type("aws:eks/nodeGroup:NodeGroup"), eager)
    assert (
        findings("O1", graph, facts(plan))
        == [
            "node group does not wait for kube-proxy",
            "node group does not wait for vpc-cni",
        ]
        * 2
    )
    groups = {g.urn for g in plan.graph.of_type("aws:eks/nodeGroup:NodeGroup")}
    graph = altered(
        plan,
        lambda r: r.inputs.get("addonName") == "coredns",
        lambda r: dataclasses.replace(
            r, dependencies=tuple(d for d in r.dependencies if d not in groups and "-lt" not in d)
        ),
    )
    assert findings("O1", graph, facts(plan)) == [
        "created before any node group: its pods would have nowhere to run"
    ]


def test_l3_protection(planned: Callable[[str], Planned]) -> None:
    plan = planned("prod")
    graph = altered(
        plan,
        lambda r: r.type in (CLUSTER, "aws:kms/key:Key"),
        lambda r: dataclasses.replace(r, protect=False),
    )
    assert findings("L3", graph, facts(plan)) == ["not protected in production"] * 2
    graph = altered(
        plan, of_type(CLUSTER), with_inputs(lambda i: i.update(deletionProtection=False))
    )
    assert findings("L3", graph, facts(plan)) == ["EKS deletion protection is off"]
    staging = planned("staging")
    assert findings("L3", staging.graph, facts(staging)) == []


def test_finding_format() -> None:
    finding = Finding(
        rule="E1",
        urn="urn:pulumi:prod::argosy::x$aws:eks/cluster:Cluster::prod-eks",
        message="production endpoint is public",
    )
    assert finding.format() == "E1 prod-eks: production endpoint is public"
