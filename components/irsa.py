"""IAM roles for service accounts (IRSA): AWS access for exactly one Kubernetes identity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from argosy.manifests import iam
from components._options import child_options


@dataclass(frozen=True, kw_only=True)
class IrsaRoleArgs:
    """Arguments of :class:`IrsaRole`.

    Attributes:
        oidc_provider_arn: ARN of the cluster's IAM OIDC provider (trust ``Principal``).
        oidc_issuer_url: The cluster's OIDC issuer URL (EKS ``identities[0].oidcs[0].issuer``).
        namespace: Namespace of the one service account that may assume the role.
        service_account: Name of that service account.
        managed_policies: Names of AWS managed policies to attach, e.g.
            ``AmazonEBSCSIDriverPolicy``; default none.
        inline_policy: A policy document (JSON text) of the role's own; default none.
        partition: The AWS partition, for managed policy ARNs.
        provider: The stage's AWS provider.
    """

    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer_url: pulumi.Input[str]
    namespace: str
    service_account: str
    partition: str
    provider: aws.Provider
    managed_policies: Sequence[str] = field(default=())
    inline_policy: pulumi.Input[str] | None = None


class IrsaRole(pulumi.ComponentResource):
    """An IAM role only ``system:serviceaccount:<namespace>:<name>`` can assume.

    The trust policy pins the token's subject and its audience (``sts.amazonaws.com``)
    with exact matches, so no other pod of the cluster, and no token meant for another
    audience, can use the role.
    """

    role_arn: pulumi.Output[str]
    """The role's ARN, for the service account's ``eks.amazonaws.com/role-arn`` annotation."""
    role_name: pulumi.Output[str]
    """The role's name."""

    def __init__(
        self, name: str, args: IrsaRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:IrsaRole", name, None, opts)
        trust = pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer_url).apply(
            lambda values: iam.to_json(
                iam.irsa_trust_policy(
                    oidc_provider_arn=values[0],
                    issuer_url=values[1],
                    namespace=args.namespace,
                    service_account=args.service_account,
                )
            )
        )
        role = aws.iam.Role(
            name,
            assume_role_policy=trust,
            description=f"IRSA: {args.namespace}/{args.service_account}",
            max_session_duration=3600,
            opts=child_options(self, args.provider),
        )
        for policy in args.managed_policies:
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy}",
                role=role.name,
                policy_arn=iam.managed_policy_arn(args.partition, policy),
                opts=child_options(self, args.provider),
            )
        if args.inline_policy is not None:
            aws.iam.RolePolicy(
                f"{name}-inline",
                role=role.name,
                policy=args.inline_policy,
                opts=child_options(self, args.provider),
            )
        self.role_arn = role.arn
        self.role_name = role.name
        self.register_outputs({"roleArn": self.role_arn, "roleName": self.role_name})
