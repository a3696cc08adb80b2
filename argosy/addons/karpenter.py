"""Karpenter: nodes that grow and shrink with the pending pods, on the stages that turn it on.

Chart ``karpenter`` 1.14.1 (``oci://public.ecr.aws/karpenter``), published from
aws/karpenter-provider-aws tag v1.14.1 (bde00654cd316fddb3dccfba3f5ac07039865429): the release
script (``hack/release/common.sh``) packages ``charts/karpenter`` from the tag's tree, setting
only the version and the controller image; every values key below is in that tree's
``charts/karpenter/values.yaml``. The controller's policy is transcribed from the getting-started
CloudFormation template of the release, ``website/content/en/v1.14/getting-started/
getting-started-with-karpenter/cloudformation.yaml`` at 1d927085dd81a9df9301e613f371dac5b4d16bfe
(the same file as ``docs/`` at the tag). The NodePool and EC2NodeClass are checked against the
CRDs of the tag (``argosy/schemas/crds/PROVENANCE-karpenter.md``).

The stage's stack creates Karpenter's AWS side with the names :mod:`argosy.naming` derives:
the interruption queue (:func:`~argosy.naming.karpenter_queue_name`) with its EventBridge
rules, the node role (:func:`~argosy.naming.karpenter_node_role_name`) with its access entry,
and the controller's identity (:func:`identity`).

Choices, with the upstream evidence:

- **Region explicit.** Pods cannot reach instance metadata (IMDSv2, hop limit 1), so the
  controller gets ``AWS_REGION`` through ``controller.env`` (the chart's own example of that
  key); ``settings.clusterName`` and ``settings.interruptionQueue`` as the getting-started
  guide sets them (``scripts/step08-apply-helm-chart.sh``).
- **Off the nodes it launches.** The chart's default affinity requires nodes without the
  ``karpenter.sh/nodepool`` label (every node Karpenter launches has it) and one replica per
  host; it is restated here so that a later chart cannot drop it silently. The managed node
  groups run Karpenter.
- **Production**: two replicas (leader election is built in), the chart's budget
  (``podDisruptionBudget``, max one unavailable) and zone spread (``DoNotSchedule``), the
  getting-started resources (1 CPU, 1 GiB, requests equal to limits).
- **EC2NodeClass** ``default``: the node role by name (Karpenter makes the instance profile),
  the pinned AMI alias, the private subnets by ``karpenter.sh/discovery: <cluster>`` (the
  network component tags them), the EKS cluster security group by the tag EKS puts on it and
  puts back if removed, ``aws:eks:cluster-name: <cluster>`` (EKS user guide
  ``latest/ug/networking/sec-group-reqs.adoc``, "Default cluster security group"; no one but
  AWS may write an ``aws:`` tag), IMDSv2 required with hop limit 1 (SECURITY.md E4), encrypted
  gp3 volumes (Karpenter's own defaults per AMI family, ``pkg/providers/amifamily``, stated).
- **NodePool** ``default``: the settings' requirements, instance generation above 5, a CPU
  limit, consolidation when empty or underused, nodes replaced after 30 days, and at most 10%
  of the nodes disrupted at once.
"""

from __future__ import annotations

from typing import Any, Final

from argosy import naming
from argosy.addons.common import HOSTNAME, allow, replicas, resources, sized, zone_spread
from argosy.addons.spec import (
    Addon,
    AddonContext,
    AddonIdentity,
    AwsTarget,
    TreeObject,
    object_annotations,
)
from argosy.manifests.argo_schemas import check_manifest
from argosy.manifests.iam import PolicyDocument

NAME: Final = "karpenter"
NAMESPACE: Final = "kube-system"
SERVICE_ACCOUNT: Final = "karpenter"
#: The NodePool and EC2NodeClass every Karpenter stage gets.
DEFAULT: Final = "default"
#: The tag the network component puts on the private subnets, valued with the cluster's name.
DISCOVERY_TAG: Final = "karpenter.sh/discovery"
#: The tag EKS puts on the cluster security group (and only there), valued with its name.
CLUSTER_SECURITY_GROUP_TAG: Final = "aws:eks:cluster-name"
#: The tag of everything Karpenter launches: which stage.
STAGE_TAG: Final = "argosy:stage"
#: Nodes live at most this long, then are replaced (NodePool ``expireAfter``: 30 days).
EXPIRE_AFTER: Final = "720h"
#: At most this share of the NodePool's nodes is disrupted at once (a disruption budget).
DISRUPTION_BUDGET: Final = "10%"
#: Instance generations above this one: current instance types only.
MIN_GENERATION_EXCLUSIVE: Final = 5

NODEPOOL_API: Final = "karpenter.sh/v1"
NODECLASS_GROUP: Final = "karpenter.k8s.aws"
NODECLASS_API: Final = f"{NODECLASS_GROUP}/v1"

#: Karpenter's label on every node it launches (the chart's default affinity keys on it).
_NODEPOOL_LABEL: Final = "karpenter.sh/nodepool"


def values(ctx: AddonContext) -> dict[str, Any]:
    """The chart's values on ``ctx``'s stage (AWS only).

    Raises ValueError on a stage without AWS.
    """
    aws = ctx.require_aws(NAME)
    return {
        "settings": {
            "clusterName": aws.cluster_name,
            "interruptionQueue": naming.karpenter_queue_name(ctx.stage),
        },
        "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT},
        "replicas": replicas(ctx.production),
        # The chart renders the budget whatever the replicas; with one replica it blocks
        # nothing (max one unavailable).
        "podDisruptionBudget": {"name": NAME, "maxUnavailable": 1},
        # The chart's defaults, restated: never on a node Karpenter launched (they carry
        # karpenter.sh/nodepool), one replica per node. The chart adds the label selector.
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": _NODEPOOL_LABEL, "operator": "DoesNotExist"}]}
                    ]
                }
            },
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": HOSTNAME}]
            },
        },
        # The chart's default, restated: one replica per zone.
        "topologySpreadConstraints": zone_spread(when_unsatisfiable="DoNotSchedule"),
        "controller": {
            # The SDK's region: instance metadata is out of reach.
            "env": [{"name": "AWS_REGION", "value": aws.region}],
            "resources": sized(
                ctx.production,
                # The getting-started guide's values (step08-apply-helm-chart.sh).
                resources("1", "1Gi", "1", "1Gi"),
                resources("250m", "512Mi", "1", "512Mi"),
            ),
        },
    }


# --------------------------------------------------------------------------------------
# IAM


#: The statements whose resource is ``*``: their actions take no resource ARN.
WILDCARD_SIDS: Final = frozenset(
    {
        "AllowRegionalReadActions",
        "AllowPricingReadActions",
        "AllowUnscopedInstanceProfileListAction",
    }
)


def interruption_queue_arn(aws: AwsTarget, stage: str) -> str:
    """The ARN of the stage's interruption queue (:func:`~argosy.naming.karpenter_queue_name`)."""
    return aws.arn("sqs", naming.karpenter_queue_name(stage))


def node_role_arn(aws: AwsTarget, stage: str) -> str:
    """The ARN of the role of the nodes Karpenter launches."""
    return aws.arn("iam", f"role/{naming.karpenter_node_role_name(stage)}", region=False)


def controller_policy(aws: AwsTarget, stage: str) -> PolicyDocument:
    """The controller's policy: upstream's getting-started template at v1.14.1, in one document.

    The statements of its managed policies ``NodeLifecyclePolicy``, ``IAMIntegrationPolicy``,
    ``EKSIntegrationPolicy``, ``InterruptionPolicy`` and ``ResourceDiscoveryPolicy``, in that
    order, each with upstream's Sid, actions and conditions (the cluster's name where upstream
    writes ``${ClusterName}``). Two differences, both narrower:

    - EC2 resources that belong to an account name the stage's account where upstream writes
      ``*`` (instances, volumes, network interfaces, launch templates, fleets, Spot requests,
      subnets, security groups, capacity reservations, placement groups): Karpenter launches
      into the stage's own VPC. Images and snapshots keep upstream's empty account (public
      AMIs belong to Amazon).
    - No ``ZonalShiftPolicy`` (``arc-zonal-shift:GetManagedResource``): the chart's
      ``settings.enableZonalShift`` stays off.
    """
    region = aws.region
    cluster = aws.cluster_name
    owned = {f"aws:ResourceTag/kubernetes.io/cluster/{cluster}": "owned"}
    request_owned = {
        f"aws:RequestTag/kubernetes.io/cluster/{cluster}": "owned",
        "aws:RequestTag/eks:eks-cluster-name": cluster,
    }
    any_nodepool = {"aws:ResourceTag/karpenter.sh/nodepool": "*"}
    request_nodepool = {"aws:RequestTag/karpenter.sh/nodepool": "*"}
    profiles = aws.arn("iam", "instance-profile/*", region=False)

    def ec2(resource: str) -> str:
        return aws.arn("ec2", resource)

    # Not the account's: public AMIs and their snapshots belong to Amazon.
    amazon_owned = [
        f"arn:{aws.partition}:ec2:{region}::image/*",
        f"arn:{aws.partition}:ec2:{region}::snapshot/*",
    ]
    launched = [
        ec2("fleet/*"),
        ec2("instance/*"),
        ec2("volume/*"),
        ec2("network-interface/*"),
        ec2("launch-template/*"),
        ec2("spot-instances-request/*"),
    ]
    node_lifecycle = [
        allow(
            "AllowScopedEC2InstanceAccessActions",
            ["ec2:RunInstances", "ec2:CreateFleet"],
            [
                *amazon_owned,
                ec2("security-group/*"),
                ec2("subnet/*"),
                ec2("capacity-reservation/*"),
                ec2("placement-group/*"),
            ],
        ),
        allow(
            "AllowScopedEC2LaunchTemplateAccessActions",
            ["ec2:RunInstances", "ec2:CreateFleet"],
            ec2("launch-template/*"),
            {"StringEquals": owned, "StringLike": any_nodepool},
        ),
        allow(
            "AllowScopedEC2InstanceActionsWithTags",
            ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            launched,
            {"StringEquals": request_owned, "StringLike": request_nodepool},
        ),
        allow(
            "AllowScopedResourceCreationTagging",
            ["ec2:CreateTags"],
            launched,
            {
                "StringEquals": {
                    **request_owned,
                    "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
                },
                "StringLike": request_nodepool,
            },
        ),
        allow(
            "AllowScopedResourceTagging",
            ["ec2:CreateTags"],
            ec2("instance/*"),
            {
                "StringEquals": owned,
                "StringLike": any_nodepool,
                "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster},
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]
                },
            },
        ),
        allow(
            "AllowScopedDeletion",
            ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            [ec2("instance/*"), ec2("launch-template/*")],
            {"StringEquals": owned, "StringLike": any_nodepool},
        ),
    ]
    region_tag = "topology.kubernetes.io/region"
    any_nodeclass = {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"}
    request_nodeclass = {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"}
    request_profile = {**request_owned, f"aws:RequestTag/{region_tag}": region}
    owned_profile = {**owned, f"aws:ResourceTag/{region_tag}": region}
    iam_integration = [
        allow(
            "AllowPassingInstanceRole",
            ["iam:PassRole"],
            node_role_arn(aws, stage),
            {
                "StringEquals": {
                    "iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]
                }
            },
        ),
        allow(
            "AllowScopedInstanceProfileCreationActions",
            ["iam:CreateInstanceProfile"],
            profiles,
            {"StringEquals": request_profile, "StringLike": request_nodeclass},
        ),
        allow(
            "AllowScopedInstanceProfileTagActions",
            ["iam:TagInstanceProfile"],
            profiles,
            {
                "StringEquals": {**owned_profile, **request_profile},
                "StringLike": {**any_nodeclass, **request_nodeclass},
            },
        ),
        allow(
            "AllowScopedInstanceProfileActions",
            [
                "iam:AddRoleToInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
                "iam:DeleteInstanceProfile",
            ],
            profiles,
            {"StringEquals": owned_profile, "StringLike": any_nodeclass},
        ),
    ]
    integrations = [
        allow("AllowAPIServerEndpointDiscovery", ["eks:DescribeCluster"], aws.cluster_arn),
        allow(
            "AllowInterruptionQueueActions",
            ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            interruption_queue_arn(aws, stage),
        ),
    ]
    discovery = [
        # Describe* take no resource ARN; upstream keeps them to the stage's region.
        allow(
            "AllowRegionalReadActions",
            [
                "ec2:DescribeCapacityReservations",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceStatus",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribePlacementGroups",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ],
            "*",
            {"StringEquals": {"aws:RequestedRegion": region}},
        ),
        # The EKS-optimized AMIs' public parameters, owned by AWS (no account in the ARN).
        allow(
            "AllowSSMReadActions",
            ["ssm:GetParameter"],
            f"arn:{aws.partition}:ssm:{region}::parameter/aws/service/*",
        ),
        # The Price List API takes no resource ARN.
        allow("AllowPricingReadActions", ["pricing:GetProducts"], "*"),
        # ListInstanceProfiles takes no resource ARN.
        allow("AllowUnscopedInstanceProfileListAction", ["iam:ListInstanceProfiles"], "*"),
        allow("AllowInstanceProfileReadActions", ["iam:GetInstanceProfile"], profiles),
    ]
    return {
        "Version": "2012-10-17",
        "Statement": [*node_lifecycle, *iam_integration, *integrations, *discovery],
    }


def identity(ctx: AddonContext) -> AddonIdentity:
    """The controller's identity: its service account in kube-system, with its policy."""
    return AddonIdentity(
        key="karpenter",
        role="karpenter-controller",
        namespace=NAMESPACE,
        service_account=SERVICE_ACCOUNT,
        policy=controller_policy(ctx.require_aws(NAME), ctx.stage),
    )


def identities(ctx: AddonContext) -> tuple[AddonIdentity, ...]:
    """The add-on's identities on ``ctx``'s stage: the controller's."""
    return (identity(ctx),)


# --------------------------------------------------------------------------------------
# Objects


def _block_devices(family: str) -> list[dict[str, Any]]:
    """Karpenter's own defaults for the AMI family (``pkg/providers/amifamily``), stated."""
    ebs = {"volumeType": "gp3", "encrypted": True, "deleteOnTermination": True}
    if family == "bottlerocket":
        # Bottlerocket: a small OS volume and a data volume for images and pods.
        return [
            {"deviceName": "/dev/xvda", "ebs": {**ebs, "volumeSize": "4Gi"}},
            {"deviceName": "/dev/xvdb", "ebs": {**ebs, "volumeSize": "20Gi"}},
        ]
    return [{"deviceName": "/dev/xvda", "ebs": {**ebs, "volumeSize": "20Gi"}}]


def node_class(ctx: AddonContext) -> TreeObject:
    """The EC2NodeClass ``default``: how Karpenter launches a node on the stage."""
    aws = ctx.require_aws(NAME)
    settings = ctx.settings.karpenter
    family = settings.ami_alias.split("@", 1)[0]
    manifest = {
        "apiVersion": NODECLASS_API,
        "kind": "EC2NodeClass",
        "metadata": {"name": DEFAULT, "annotations": object_annotations()},
        "spec": {
            "role": naming.karpenter_node_role_name(ctx.stage),
            "amiSelectorTerms": [{"alias": settings.ami_alias}],
            "subnetSelectorTerms": [{"tags": {DISCOVERY_TAG: aws.cluster_name}}],
            "securityGroupSelectorTerms": [
                {"tags": {CLUSTER_SECURITY_GROUP_TAG: aws.cluster_name}}
            ],
            "metadataOptions": {
                "httpEndpoint": "enabled",
                "httpProtocolIPv6": "disabled",
                "httpPutResponseHopLimit": 1,
                "httpTokens": "required",
            },
            "blockDeviceMappings": _block_devices(family),
            "tags": {STAGE_TAG: ctx.stage},
        },
    }
    check_manifest(manifest, ctx.kubernetes_version)
    comment = (
        f"How Karpenter launches the nodes of NodePool {DEFAULT}: the AMI "
        f"{settings.ami_alias} (pinned in production, so that nodes change only when the "
        "stack file does), the node role the stage's stack creates, the private subnets "
        f"tagged {DISCOVERY_TAG}={aws.cluster_name}, the EKS cluster security group (found "
        f"by the tag EKS keeps on it, {CLUSTER_SECURITY_GROUP_TAG}), IMDSv2 only with hop "
        "limit 1 so that pods cannot borrow the node's role (SECURITY.md E4), and encrypted "
        "gp3 volumes."
    )
    return TreeObject(manifest=manifest, comment=comment)


def node_pool(ctx: AddonContext) -> TreeObject:
    """The NodePool ``default``: which nodes Karpenter may launch, and when it removes them."""
    settings = ctx.settings.karpenter
    requirements = [
        {"key": "kubernetes.io/arch", "operator": "In", "values": list(settings.architectures)},
        {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
        {
            "key": "karpenter.sh/capacity-type",
            "operator": "In",
            "values": list(settings.capacity_types),
        },
        {
            "key": "karpenter.k8s.aws/instance-category",
            "operator": "In",
            "values": list(settings.instance_categories),
        },
        {
            "key": "karpenter.k8s.aws/instance-generation",
            "operator": "Gt",
            "values": [str(MIN_GENERATION_EXCLUSIVE)],
        },
    ]
    manifest = {
        "apiVersion": NODEPOOL_API,
        "kind": "NodePool",
        "metadata": {"name": DEFAULT, "annotations": object_annotations()},
        "spec": {
            "template": {
                "spec": {
                    "requirements": requirements,
                    "nodeClassRef": {
                        "group": NODECLASS_GROUP,
                        "kind": "EC2NodeClass",
                        "name": DEFAULT,
                    },
                    "expireAfter": EXPIRE_AFTER,
                }
            },
            "limits": {"cpu": str(settings.cpu_limit)},
            "disruption": {
                "consolidationPolicy": "WhenEmptyOrUnderutilized",
                "consolidateAfter": settings.consolidate_after,
                "budgets": [{"nodes": DISRUPTION_BUDGET}],
            },
        },
    }
    check_manifest(manifest, ctx.kubernetes_version)
    comment = (
        f"The nodes Karpenter may launch for pending pods: {', '.join(settings.architectures)}, "
        f"{', '.join(settings.capacity_types)}, instance categories "
        f"{', '.join(settings.instance_categories)} of generation {MIN_GENERATION_EXCLUSIVE + 1} "
        f"or later, {settings.cpu_limit} vCPUs at most. Empty or underused nodes are "
        f"consolidated after {settings.consolidate_after}, every node is replaced after "
        f"{EXPIRE_AFTER} (fresh AMI, no drift), and at most {DISRUPTION_BUDGET} of the nodes "
        "are disrupted at once."
    )
    return TreeObject(manifest=manifest, comment=comment)


def objects(ctx: AddonContext) -> tuple[TreeObject, ...]:
    """The add-on's objects: its EC2NodeClass, then its NodePool."""
    return (node_class(ctx), node_pool(ctx))


def _enabled(ctx: AddonContext) -> bool:
    return ctx.settings.karpenter.enabled


#: Karpenter on the AWS stages that turn it on, early: workloads' pods wait for its nodes.
ADDON: Final = Addon(
    name=NAME,
    chart="karpenter",
    namespace=NAMESPACE,
    values=values,
    enabled=_enabled,
    aws_only=True,
    sync_wave=-1,
    identities=identities,
    objects=objects,
)
