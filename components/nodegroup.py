"""An EKS managed node group on a hardened launch template."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from argosy.config.models import NodeGroupSettings
from components._options import child_options

#: IMDSv2 only, and one network hop: pods (one hop further) cannot reach the instance
#: metadata and borrow the node role; they get AWS access through Pod Identity or IRSA.
METADATA_HOP_LIMIT = 1
#: AL2023's root device.
ROOT_DEVICE = "/dev/xvda"
#: Nodes replaced at once during an update, as a share of the group.
MAX_UNAVAILABLE_PERCENTAGE = 33


def ami_type(settings: NodeGroupSettings) -> str:
    """The EKS AMI type for the group's architecture (Amazon Linux 2023)."""
    return "AL2023_ARM_64_STANDARD" if settings.is_arm else "AL2023_x86_64_STANDARD"


@dataclass(frozen=True, kw_only=True)
class ManagedNodeGroupArgs:
    """Arguments of :class:`ManagedNodeGroup`.

    Attributes:
        settings: Instance types, capacity type, sizes, disk, labels and taints.
        cluster_name: The cluster to join (node group ``clusterName``).
        kubernetes_version: Kubernetes version of the nodes (node group ``version``); the
            control plane's, so nodes follow it on upgrades.
        node_role_arn: The nodes' IAM role (node group ``nodeRoleArn``).
        subnet_ids: Private subnets only (node group ``subnetIds``).
        instance_tags: Tags for instances, volumes and network interfaces (launch template
            ``tagSpecifications``); the provider's default tags do not reach them.
        after: Resources the node group waits for besides its inputs: the cluster component,
            whose vpc-cni and kube-proxy add-ons a node needs to turn Ready, and whose node
            role policies it needs to join. (``depends_on`` on this component would not reach
            its children.)
        provider: The stage's AWS provider.
    """

    settings: NodeGroupSettings
    cluster_name: pulumi.Input[str]
    kubernetes_version: pulumi.Input[str]
    node_role_arn: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    provider: aws.Provider
    instance_tags: Mapping[str, str] = field(default_factory=dict)
    after: Sequence[pulumi.Resource] = ()


class ManagedNodeGroup(pulumi.ComponentResource):
    """A managed node group in private subnets: IMDSv2, encrypted gp3, no SSH.

    ``scalingConfig.desiredSize`` is ignored after creation, so an autoscaler's changes are
    kept rather than reverted by the next ``pulumi up``.
    """

    node_group_name: pulumi.Output[str]
    """The node group's name in EKS."""
    launch_template_id: pulumi.Output[str]
    """The launch template's ID."""

    def __init__(
        self, name: str, args: ManagedNodeGroupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:aws:ManagedNodeGroup", name, None, opts)
        settings = args.settings
        tags = dict(sorted({**args.instance_tags, "Name": name}.items()))
        template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            description=f"EKS managed node group {name}",
            update_default_version=True,
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=METADATA_HOP_LIMIT,
                instance_metadata_tags="disabled",
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name=ROOT_DEVICE,
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=settings.disk_size_gib,
                        volume_type="gp3",
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=tags)
                for kind in ("instance", "volume", "network-interface")
            ],
            opts=child_options(self, args.provider),
        )
        group = aws.eks.NodeGroup(
            name,
            cluster_name=args.cluster_name,
            version=args.kubernetes_version,
            node_role_arn=args.node_role_arn,
            subnet_ids=args.subnet_ids,
            ami_type=ami_type(settings),
            capacity_type=settings.capacity_type,
            instance_types=list(settings.instance_types),
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=settings.min_size,
                desired_size=settings.desired_size,
                max_size=settings.max_size,
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(
                max_unavailable_percentage=MAX_UNAVAILABLE_PERCENTAGE
            ),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            labels=dict(sorted(settings.labels.items())) or None,
            taints=[
                aws.eks.NodeGroupTaintArgs(key=t.key, value=t.value or None, effect=t.effect)
                for t in settings.taints
            ]
            or None,
            opts=child_options(
                self,
                args.provider,
                depends_on=args.after,
                ignore_changes=["scalingConfig.desiredSize"],
            ),
        )
        self.node_group_name = group.node_group_name
        self.launch_template_id = template.id
        self.register_outputs(
            {"nodeGroupName": self.node_group_name, "launchTemplateId": self.launch_template_id}
        )
