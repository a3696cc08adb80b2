"""EKS add-ons that run as pods on the nodes: coredns and the EBS CSI driver."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from argosy import naming
from argosy.config.models import AddonName
from components._options import child_options
from components.irsa import IrsaRole, IrsaRoleArgs

EBS_CSI_POLICY = "AmazonEBSCSIDriverPolicy"


@dataclass(frozen=True, kw_only=True)
class SystemAddonsArgs:
    """Arguments of :class:`SystemAddons`.

    Attributes:
        stage: Stage name, for the IRSA role's name.
        cluster_name: The cluster (add-on ``clusterName``).
        oidc_provider_arn: The cluster's IAM OIDC provider, trusted by the EBS CSI role.
        oidc_issuer_url: The cluster's OIDC issuer URL.
        partition: The AWS partition, for managed policy ARNs.
        versions: Pinned add-on versions by add-on name (add-on ``addonVersion``); an add-on
            left out gets EKS's default for the cluster version. Default none pinned.
        after: Resources the add-ons wait for: the node groups, since pods need nodes (a
            coredns created before any node waits out its 20-minute timeout and fails).
        provider: The stage's AWS provider.
    """

    stage: str
    cluster_name: pulumi.Input[str]
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer_url: pulumi.Input[str]
    partition: str
    provider: aws.Provider
    versions: Mapping[AddonName, str] = field(default_factory=dict)
    after: Sequence[pulumi.Resource] = ()


def managed_addon(
    parent: pulumi.Resource,
    name: str,
    *,
    cluster_name: pulumi.Input[str],
    addon: AddonName,
    provider: aws.Provider,
    version: str | None = None,
    configuration: str | None = None,
    role_arn: pulumi.Input[str] | None = None,
    after: Sequence[pulumi.Resource] = (),
) -> aws.eks.Addon:
    """An EKS managed add-on whose declared configuration wins over changes made in-cluster.

    Args:
        parent: The component the add-on belongs to.
        name: Logical name.
        cluster_name: The cluster (add-on ``clusterName``).
        addon: The add-on (``addonName``).
        provider: The stage's AWS provider.
        version: ``addonVersion``; default EKS's default for the cluster version.
        configuration: ``configurationValues`` JSON; default none.
        role_arn: ``serviceAccountRoleArn`` (IRSA); default none (the node role).
        after: Resources to wait for besides the inputs; default none.
    """
    return aws.eks.Addon(
        name,
        cluster_name=cluster_name,
        addon_name=addon,
        addon_version=version,
        configuration_values=configuration,
        service_account_role_arn=role_arn,
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="OVERWRITE",
        opts=child_options(parent, provider, depends_on=after),
    )


class SystemAddons(pulumi.ComponentResource):
    """coredns and the EBS CSI driver, created once nodes exist.

    The EBS CSI controller calls EC2 through IRSA (its own role, trusted only for its service
    account), not through the node role.
    """

    ebs_csi_role_arn: pulumi.Output[str]
    """The EBS CSI controller's IRSA role."""

    def __init__(
        self, name: str, args: SystemAddonsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:SystemAddons", name, None, opts)
        ebs_role = IrsaRole(
            naming.irsa_role_resource_name(args.stage, naming.EBS_CSI_ROLE_SHORT_NAME),
            IrsaRoleArgs(
                oidc_provider_arn=args.oidc_provider_arn,
                oidc_issuer_url=args.oidc_issuer_url,
                namespace=naming.EBS_CSI_NAMESPACE,
                service_account=naming.EBS_CSI_SERVICE_ACCOUNT,
                managed_policies=(EBS_CSI_POLICY,),
                partition=args.partition,
                provider=args.provider,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        on_nodes: tuple[tuple[AddonName, pulumi.Output[str] | None], ...] = (
            ("coredns", None),
            ("aws-ebs-csi-driver", ebs_role.role_arn),
        )
        for addon_name, role_arn in on_nodes:
            managed_addon(
                self,
                f"{name}-{addon_name}",
                cluster_name=args.cluster_name,
                addon=addon_name,
                version=args.versions.get(addon_name),
                role_arn=role_arn,
                after=args.after,
                provider=args.provider,
            )
        self.ebs_csi_role_arn = ebs_role.role_arn
        self.register_outputs({"ebsCsiRoleArn": self.ebs_csi_role_arn})
