"""AWS access for exactly one Kubernetes service account: EKS Pod Identity or IRSA (rule E15).

Every controller that calls AWS gets its own role through :class:`ServiceAccountRole`, by
either mechanism:

- ``pod-identity`` (the default): the role trusts ``pods.eks.amazonaws.com`` for one
  cluster, namespace and service account, and a Pod Identity association binds it. No OIDC
  provider is involved, the trust does not name the issuer, and the role works unchanged
  after a cluster is replaced. EKS add-ons carry the association themselves
  (``associate=False`` plus :meth:`ServiceAccountRole.addon_association`), since EKS cannot
  hand an existing association over to an add-on.
- ``irsa``: the role trusts the cluster's IAM OIDC provider for one ``system:serviceaccount``
  subject and the STS audience, for charts and tools that do not support Pod Identity yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from argosy.manifests import iam
from components._options import child_options

Mechanism = Literal["pod-identity", "irsa"]
#: Longest a role session lasts; the SDKs refresh credentials before it ends.
MAX_SESSION_SECONDS = 3600


@dataclass(frozen=True, kw_only=True)
class ServiceAccountRoleArgs:
    """Arguments of :class:`ServiceAccountRole`.

    Attributes:
        namespace: Namespace of the one service account that may use the role.
        service_account: That service account's name.
        cluster_name: The cluster (Pod Identity association ``clusterName``).
        cluster_arn: The cluster's ARN, pinned in the Pod Identity trust
            (``aws:RequestTag/eks-cluster-arn``).
        account_id: The stage's account, pinned in the trust (``aws:SourceAccount``).
        partition: The AWS partition, for managed policy ARNs.
        provider: The stage's AWS provider.
        mechanism: ``pod-identity`` (default) or ``irsa``.
        oidc_provider_arn: The cluster's IAM OIDC provider; required for ``irsa``.
        oidc_issuer_url: The cluster's OIDC issuer URL; required for ``irsa``.
        managed_policies: AWS managed policies to attach by name (``AmazonEBSCSIDriverPolicy``);
            default none.
        policy_arns: Customer-managed policies to attach, by full ARN (IAM
            ``PolicyArn``); default none.
        inline_policy: The role's own policy document (JSON text); default none.
        associate: With ``pod-identity``, create the association here (default). ``False``
            when an EKS add-on declares it (add-on ``podIdentityAssociations``). IRSA has no
            association (the service account's annotation binds it), so it ignores this.
        role_name: A fixed role name, for a role other stacks name (IAM ``RoleName``).
            Default: auto-named from the logical name.
    """

    namespace: str
    service_account: str
    cluster_name: pulumi.Input[str]
    cluster_arn: pulumi.Input[str]
    account_id: str
    partition: str
    provider: aws.Provider
    mechanism: Mechanism = "pod-identity"
    oidc_provider_arn: pulumi.Input[str] | None = None
    oidc_issuer_url: pulumi.Input[str] | None = None
    managed_policies: Sequence[str] = field(default=())
    policy_arns: Sequence[str] = field(default=())
    inline_policy: pulumi.Input[str] | None = None
    associate: bool = True
    role_name: str | None = None

    def __post_init__(self) -> None:
        if self.mechanism == "irsa" and (
            self.oidc_provider_arn is None or self.oidc_issuer_url is None
        ):
            raise ValueError(
                f"ServiceAccountRole for {self.namespace}/{self.service_account}: mechanism "
                "irsa needs oidc_provider_arn and oidc_issuer_url"
            )


class ServiceAccountRole(pulumi.ComponentResource):
    """An IAM role that exactly one service account of one cluster can use.

    ``ready`` lists what must exist before a pod may use the role (its policies and, for Pod
    Identity, its association): whatever starts those pods waits for it.
    """

    role_arn: pulumi.Output[str]
    """The role's ARN."""
    role_name: pulumi.Output[str]
    """The role's name."""

    def __init__(
        self, name: str, args: ServiceAccountRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:ServiceAccountRole", name, None, opts)
        self.namespace = args.namespace
        self.service_account = args.service_account
        trust: pulumi.Output[str]
        if args.mechanism == "pod-identity":
            trust = pulumi.Output.from_input(args.cluster_arn).apply(
                lambda cluster_arn: iam.to_json(
                    iam.pod_identity_trust_policy(
                        account_id=args.account_id,
                        cluster_arn=cluster_arn,
                        namespace=args.namespace,
                        service_account=args.service_account,
                    )
                )
            )
        else:
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
            name=args.role_name,
            assume_role_policy=trust,
            description=f"{args.mechanism}: {args.namespace}/{args.service_account}",
            max_session_duration=MAX_SESSION_SECONDS,
            opts=child_options(self, args.provider),
        )
        self.ready: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy}",
                role=role.name,
                policy_arn=iam.managed_policy_arn(args.partition, policy),
                opts=child_options(self, args.provider),
            )
            for policy in args.managed_policies
        ]
        self.ready += [
            aws.iam.RolePolicyAttachment(
                f"{name}-policy-{index}",
                role=role.name,
                policy_arn=policy_arn,
                opts=child_options(self, args.provider),
            )
            for index, policy_arn in enumerate(sorted(args.policy_arns))
        ]
        if args.inline_policy is not None:
            self.ready.append(
                aws.iam.RolePolicy(
                    f"{name}-inline",
                    role=role.name,
                    policy=args.inline_policy,
                    opts=child_options(self, args.provider),
                )
            )
        if args.mechanism == "pod-identity" and args.associate:
            self.ready.append(
                aws.eks.PodIdentityAssociation(
                    name,
                    cluster_name=args.cluster_name,
                    namespace=args.namespace,
                    service_account=args.service_account,
                    role_arn=role.arn,
                    opts=child_options(self, args.provider),
                )
            )
        self.role_arn = role.arn
        self.role_name = role.name
        self.register_outputs({"roleArn": self.role_arn, "roleName": self.role_name})

    def addon_association(self) -> aws.eks.AddonPodIdentityAssociationArgs:
        """The association an EKS add-on declares for this role (add-on namespace implied)."""
        return aws.eks.AddonPodIdentityAssociationArgs(
            role_arn=self.role_arn, service_account=self.service_account
        )
