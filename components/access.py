"""Kubernetes access through EKS access entries: every principal declared, none implicit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from argosy.config.models import ACCESS_POLICY_NAMES, AccessGrant
from components._options import child_options


def access_policy_arn(partition: str, policy: str) -> str:
    """ARN of an EKS access policy from its short name (``cluster-admin`` and so on)."""
    return f"arn:{partition}:eks::aws:cluster-access-policy/{ACCESS_POLICY_NAMES[policy]}"


@dataclass(frozen=True, kw_only=True)
class ClusterAccessArgs:
    """Arguments of :class:`ClusterAccess`.

    Attributes:
        cluster_name: The cluster (access entry ``clusterName``).
        deploy_role_arn: The role Pulumi runs as; it gets ``cluster-admin``, for people
            and tools that use the stage's ``kubeconfig`` output (and, on a stage that hosts
            Argo CD, the stack's own Kubernetes provider).
        grants: Further principals and their policies (``argosy:access.admins``).
        partition: The AWS partition, for access policy ARNs.
        provider: The stage's AWS provider.
    """

    cluster_name: pulumi.Input[str]
    deploy_role_arn: str
    grants: Sequence[AccessGrant]
    partition: str
    provider: aws.Provider


class ClusterAccess(pulumi.ComponentResource):
    """One access entry and one policy association per principal.

    Entries are named by their position in config (``admin-0``) rather than by ARN, so that
    URNs stay short; reordering the list therefore replaces entries, which is harmless.
    """

    principal_arns: pulumi.Output[list[str]]
    """Every principal with access, the deploy role first."""

    def __init__(
        self, name: str, args: ClusterAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:ClusterAccess", name, None, opts)
        deployer = AccessGrant.model_validate(
            {"principalArn": args.deploy_role_arn, "policy": "cluster-admin"}
        )
        grants = [("deploy", deployer)] + [(f"admin-{i}", g) for i, g in enumerate(args.grants)]
        for label, grant in grants:
            entry = aws.eks.AccessEntry(
                f"{name}-{label}",
                cluster_name=args.cluster_name,
                principal_arn=grant.principal_arn,
                type="STANDARD",
                opts=child_options(self, args.provider),
            )
            aws.eks.AccessPolicyAssociation(
                f"{name}-{label}",
                cluster_name=args.cluster_name,
                principal_arn=entry.principal_arn,
                policy_arn=access_policy_arn(args.partition, grant.policy),
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(
                    type="namespace" if grant.namespaces else "cluster",
                    namespaces=list(grant.namespaces) or None,
                ),
                opts=child_options(self, args.provider),
            )
        self.principal_arns = pulumi.Output.from_input([g.principal_arn for _, g in grants])
        self.register_outputs({"principalArns": self.principal_arns})
