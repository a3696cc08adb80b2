"""ServiceAccountRole under mocks: one service account's AWS identity, by Pod Identity or IRSA.

No example stage uses IRSA any more; this builds both mechanisms in a small program under the
plan's mocks, and runs the identity rules (E6 for IRSA trusts, E15 for both) on the result.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from argosy.manifests import iam
from argosy.plan.engine import ProgramRun, run_program
from argosy.plan.mocks import AwsContext, PlanMocks
from argosy.plan.monitor import Registration
from argosy.policy.graph import PlanGraph
from argosy.policy.rules import RULES, StageFacts, evaluate
from components.identity import ServiceAccountRole, ServiceAccountRoleArgs

ACCOUNT = "222222222222"
CONTEXT = AwsContext(
    account_id=ACCOUNT,
    region="eu-west-1",
    deploy_role_arn=f"arn:aws:iam::{ACCOUNT}:role/argosy-deploy",
)
CLUSTER_ARN = f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/argosy-dev"
ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER.removeprefix('https://')}"
FACTS = StageFacts(production=False, account_id=ACCOUNT)
INLINE = iam.to_json(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["route53:ChangeResourceRecordSets"],
                "Resource": "arn:aws:route53:::hostedzone/Z0123456789",
            }
        ],
    }
)


def role_args(provider: aws.Provider, **changes: Any) -> ServiceAccountRoleArgs:
    values: dict[str, Any] = {
        "namespace": "external-dns",
        "service_account": "external-dns",
        "cluster_name": "argosy-dev",
        "cluster_arn": CLUSTER_ARN,
        "account_id": ACCOUNT,
        "partition": "aws",
        "provider": provider,
        **changes,
    }
    return ServiceAccountRoleArgs(**values)


def run(build: Callable[[aws.Provider], None]) -> ProgramRun:
    def program() -> None:
        provider = aws.Provider("dev-account", region="eu-west-1", allowed_account_ids=[ACCOUNT])
        build(provider)

    return run_program(
        program,
        project="argosy",
        stack="dev",
        mocks=PlanMocks(stack="dev", aws=CONTEXT),
        config={},
    )


def of(result: ProgramRun, type_: str) -> list[Registration]:
    return [r for r in result.resources if r.type == type_]


def messages(rule_id: str, graph: PlanGraph) -> list[str]:
    [rule] = [r for r in RULES if r.id == rule_id]
    return [f.message for f in evaluate(graph, FACTS, [rule]).findings]


def test_pod_identity_role_with_its_association() -> None:
    def build(provider: aws.Provider) -> None:
        ServiceAccountRole("dev-external-dns", role_args(provider, inline_policy=INLINE))

    result = run(build)
    [component] = of(result, "argosy:aws:ServiceAccountRole")
    [role] = of(result, "aws:iam/role:Role")
    [inline] = of(result, "aws:iam/rolePolicy:RolePolicy")
    [association] = of(result, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert {r.parent for r in (role, inline, association)} == {component.urn}
    assert json.loads(role.inputs["assumeRolePolicy"]) == iam.pod_identity_trust_policy(
        account_id=ACCOUNT,
        cluster_arn=CLUSTER_ARN,
        namespace="external-dns",
        service_account="external-dns",
    )
    assert role.inputs["description"] == "pod-identity: external-dns/external-dns"
    assert role.inputs["maxSessionDuration"] == 3600
    assert inline.inputs == {"role": role.outputs["name"], "policy": INLINE}
    assert association.inputs == {
        "clusterName": "argosy-dev",
        "namespace": "external-dns",
        "serviceAccount": "external-dns",
        "roleArn": role.outputs["arn"],
    }
    assert of(result, "aws:iam/rolePolicyAttachment:RolePolicyAttachment") == []
    graph = PlanGraph(result.resources)
    assert messages("E15", graph) == []
    assert messages("E6", graph) == []
    # A second association for another service account breaks E15.
    second = dataclasses.replace(
        association,
        urn=association.urn + "-2",
        name=association.name + "-2",
        inputs={**association.inputs, "serviceAccount": "default"},
    )
    assert messages("E15", PlanGraph([*result.resources, second])) == [
        "bound to 2 service accounts by Pod Identity, not 1"
    ]


def test_pod_identity_role_for_an_addon_has_no_association_of_its_own() -> None:
    holder: list[ServiceAccountRole] = []

    def build(provider: aws.Provider) -> None:
        role = ServiceAccountRole(
            "dev-ebs-csi",
            role_args(
                provider,
                namespace="kube-system",
                service_account="ebs-csi-controller-sa",
                managed_policies=("AmazonEBSCSIDriverPolicy",),
                associate=False,
            ),
        )
        holder.append(role)
        aws.eks.Addon(
            "dev-ebs-csi",
            cluster_name="argosy-dev",
            addon_name="aws-ebs-csi-driver",
            pod_identity_associations=[role.addon_association()],
            opts=pulumi.ResourceOptions(provider=provider, depends_on=role.ready),
        )

    result = run(build)
    assert of(result, "aws:eks/podIdentityAssociation:PodIdentityAssociation") == []
    [role] = of(result, "aws:iam/role:Role")
    [attachment] = of(result, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs == {
        "role": role.outputs["name"],
        "policyArn": "arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicy",
    }
    [addon] = of(result, "aws:eks/addon:Addon")
    assert addon.inputs["podIdentityAssociations"] == [
        {"roleArn": role.outputs["arn"], "serviceAccount": "ebs-csi-controller-sa"}
    ]
    # `ready` is what a consumer waits for: the role's policy.
    assert attachment.urn in addon.dependencies
    graph = PlanGraph(result.resources)
    assert messages("E15", graph) == []
    assert messages("O1", graph) == []


def test_irsa_role_trusts_one_service_account_of_the_oidc_provider() -> None:
    def build(provider: aws.Provider) -> None:
        ServiceAccountRole(
            "dev-argo-workflows",
            role_args(
                provider,
                namespace="argo",
                service_account="argo-workflow",
                mechanism="irsa",
                oidc_provider_arn=OIDC_ARN,
                oidc_issuer_url=ISSUER,
                inline_policy=INLINE,
            ),
        )

    result = run(build)
    [role] = of(result, "aws:iam/role:Role")
    issuer = ISSUER.removeprefix("https://")
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": OIDC_ARN},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:aud": "sts.amazonaws.com",
                        f"{issuer}:sub": "system:serviceaccount:argo:argo-workflow",
                    }
                },
            }
        ],
    }
    assert role.inputs["description"] == "irsa: argo/argo-workflow"
    # IRSA needs no association: the service account's annotation names the role.
    assert of(result, "aws:eks/podIdentityAssociation:PodIdentityAssociation") == []
    graph = PlanGraph(result.resources)
    assert messages("E6", graph) == []
    assert messages("E15", graph) == []

    # E6 catches the trust loosened to any service account of the namespace.
    def loosen(resource: Registration) -> Registration:
        document = json.loads(resource.inputs["assumeRolePolicy"])
        condition = document["Statement"][0]["Condition"]
        del condition["StringEquals"][f"{issuer}:sub"]
        condition["StringLike"] = {f"{issuer}:sub": "system:serviceaccount:argo:*"}
        inputs = {**resource.inputs, "assumeRolePolicy": json.dumps(document)}
        return dataclasses.replace(resource, inputs=inputs)

    loose = PlanGraph(loosen(r) if r.urn == role.urn else r for r in result.resources)
    assert messages("E6", loose) == [
        "trust not pinned to one service account",
        "trust uses conditions other than equality",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"mechanism": "irsa"},
            "ServiceAccountRole for external-dns/external-dns: mechanism irsa needs "
            "oidc_provider_arn and oidc_issuer_url",
        ),
        (
            {"mechanism": "irsa", "oidc_provider_arn": OIDC_ARN},
            "ServiceAccountRole for external-dns/external-dns: mechanism irsa needs "
            "oidc_provider_arn and oidc_issuer_url",
        ),
    ],
)
def test_inconsistent_arguments_are_refused(changes: dict[str, Any], message: str) -> None:
    provider: Any = object()  # never used: the arguments are refused first
    with pytest.raises(ValueError) as caught:
        role_args(provider, **changes)
    assert str(caught.value) == message
