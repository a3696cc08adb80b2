"""EKS managed add-ons: how each is declared, and the ones that run on nodes.

Every add-on follows one lifecycle (as terraform-aws-eks v21 and pulumi-eks do):

- **version**: pinned in ``argosy:cluster.addonVersions``, or else the most recent version
  EKS lists as compatible with the cluster's Kubernetes version, looked up when the program
  runs (``eks:DescribeAddonVersions`` through ``aws.eks.get_addon_version``). A cluster
  upgrade in the stack file therefore moves every unpinned add-on along in the same
  ``pulumi up``; a plain value (not an Output) shows the version in ``pulumi preview``.
- **conflicts**: ``OVERWRITE`` on create and update. The declared configuration wins over
  changes made in the cluster to the fields EKS manages; fields EKS does not manage are left
  alone. On create there is nothing to overwrite (the cluster starts without self-managed
  add-ons), unless an existing cluster is adopted, where taking the fields over is wanted.
- **preserve**: ``True``. Deleting the add-on resource (a rename, a refactor) leaves its pods
  running, so the cluster never loses its CNI or DNS by accident.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from argosy import naming
from argosy.config.models import AddonName
from argosy.manifests import addons
from components._options import child_options
from components.identity import ServiceAccountRole, ServiceAccountRoleArgs

EBS_CSI_POLICY = "AmazonEBSCSIDriverPolicy"


def addon_version(
    parent: pulumi.Resource,
    addon: AddonName,
    *,
    kubernetes_version: str,
    pinned: Mapping[AddonName, str],
    provider: aws.Provider,
) -> str:
    """The add-on version to declare: the pinned one, or EKS's most recent compatible one."""
    if addon in pinned:
        return pinned[addon]
    found = aws.eks.get_addon_version(
        addon_name=addon,
        kubernetes_version=kubernetes_version,
        most_recent=True,
        opts=pulumi.InvokeOptions(provider=provider, parent=parent),
    )
    return found.version


def managed_addon(
    parent: pulumi.Resource,
    name: str,
    *,
    cluster_name: pulumi.Input[str],
    addon: AddonName,
    version: str,
    provider: aws.Provider,
    configuration: str | None = None,
    identity: ServiceAccountRole | None = None,
    after: Sequence[pulumi.Resource] = (),
) -> aws.eks.Addon:
    """An EKS managed add-on with argosy's lifecycle (see the module docstring).

    Args:
        parent: The component the add-on belongs to.
        name: Logical name.
        cluster_name: The cluster (add-on ``clusterName``).
        addon: The add-on (``addonName``).
        version: ``addonVersion``, from :func:`addon_version`.
        provider: The stage's AWS provider.
        configuration: ``configurationValues`` JSON; default none.
        identity: The add-on's Pod Identity role, declared as the add-on's own association
            (``podIdentityAssociations``); default none.
        after: Resources to wait for besides the inputs; default none.
    """
    return aws.eks.Addon(
        name,
        cluster_name=cluster_name,
        addon_name=addon,
        addon_version=version,
        configuration_values=configuration,
        pod_identity_associations=[identity.addon_association()] if identity else None,
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="OVERWRITE",
        preserve=True,
        opts=child_options(
            parent, provider, depends_on=[*after, *(identity.ready if identity else ())]
        ),
    )


@dataclass(frozen=True, kw_only=True)
class AddonCluster:
    """What declaring an add-on of one cluster needs: the cluster, its stage and versions.

    Attributes:
        stage: Stage name, for role names.
        cluster_name: The cluster (add-on ``clusterName``).
        cluster_arn: The cluster's ARN, pinned in the add-ons' Pod Identity trusts.
        kubernetes_version: The cluster's Kubernetes version, for version lookups.
        pinned: Pinned add-on versions (``argosy:cluster.addonVersions``); default none.
        account_id: The stage's account.
        partition: The AWS partition, for managed policy ARNs.
        provider: The stage's AWS provider.
    """

    stage: str
    cluster_name: pulumi.Input[str]
    cluster_arn: pulumi.Input[str]
    kubernetes_version: str
    account_id: str
    partition: str
    provider: aws.Provider
    pinned: Mapping[AddonName, str] = field(default_factory=dict)

    def identity(
        self,
        parent: pulumi.Resource,
        *,
        short_name: str,
        namespace: str,
        service_account: str,
        policy: str,
    ) -> ServiceAccountRole:
        """An add-on's Pod Identity role with one AWS managed policy; the add-on associates it."""
        return ServiceAccountRole(
            naming.service_account_role_resource_name(self.stage, short_name),
            ServiceAccountRoleArgs(
                namespace=namespace,
                service_account=service_account,
                cluster_name=self.cluster_name,
                cluster_arn=self.cluster_arn,
                account_id=self.account_id,
                partition=self.partition,
                managed_policies=(policy,),
                associate=False,
                provider=self.provider,
            ),
            opts=pulumi.ResourceOptions(parent=parent),
        )

    def addon(
        self,
        parent: pulumi.Resource,
        name: str,
        addon: AddonName,
        *,
        configuration: dict[str, object] | None = None,
        identity: ServiceAccountRole | None = None,
        after: Sequence[pulumi.Resource] = (),
    ) -> aws.eks.Addon:
        """Declare ``addon`` at its pinned or most recent compatible version."""
        return managed_addon(
            parent,
            f"{name}-{addon}",
            cluster_name=self.cluster_name,
            addon=addon,
            version=addon_version(
                parent,
                addon,
                kubernetes_version=self.kubernetes_version,
                pinned=self.pinned,
                provider=self.provider,
            ),
            configuration=addons.to_json(configuration) if configuration else None,
            identity=identity,
            after=after,
            provider=self.provider,
        )


@dataclass(frozen=True, kw_only=True)
class SystemAddonsArgs:
    """Arguments of :class:`SystemAddons`.

    Attributes:
        cluster: The cluster the add-ons belong to.
        after: Resources the add-ons wait for: the node groups, since pods need nodes (a
            coredns created before any node waits out its 20-minute timeout and fails).
    """

    cluster: AddonCluster
    after: Sequence[pulumi.Resource] = ()


class SystemAddons(pulumi.ComponentResource):
    """coredns and the EBS CSI driver, created once nodes exist.

    The EBS CSI controller calls EC2 through its own Pod Identity role, never through the
    node role, and declares the cluster's default StorageClass (encrypted gp3).
    """

    ebs_csi_role_arn: pulumi.Output[str]
    """The EBS CSI controller's role."""
    default_storage_class: str
    """The default StorageClass the EBS CSI add-on creates."""

    def __init__(
        self, name: str, args: SystemAddonsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:SystemAddons", name, None, opts)
        cluster = args.cluster
        ebs_role = cluster.identity(
            self,
            short_name=naming.EBS_CSI_ROLE_SHORT_NAME,
            namespace=naming.EBS_CSI_NAMESPACE,
            service_account=naming.EBS_CSI_SERVICE_ACCOUNT,
            policy=EBS_CSI_POLICY,
        )
        cluster.addon(self, name, "coredns", after=args.after)
        cluster.addon(
            self,
            name,
            "aws-ebs-csi-driver",
            configuration=addons.ebs_csi_configuration(),
            identity=ebs_role,
            after=args.after,
        )
        self.ebs_csi_role_arn = ebs_role.role_arn
        self.default_storage_class = addons.DEFAULT_STORAGE_CLASS
        self.register_outputs(
            {
                "ebsCsiRoleArn": self.ebs_csi_role_arn,
                "defaultStorageClass": self.default_storage_class,
            }
        )
