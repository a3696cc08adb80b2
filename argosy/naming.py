"""Names derived from a stage's config, in one place.

Components take their resource names from here, and validation checks every derived name
against its service's length limit before anything is registered, so a long stage or node
group name fails with a clear message instead of halfway through ``pulumi up``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

PROJECT = "argosy"
#: Pulumi auto-names a resource ``<logical name>-<7 random characters>``.
AUTONAME_SUFFIX_LENGTH = 8


def cluster_name(stage: str) -> str:
    """The EKS cluster's name (fixed, so its log group can exist before it)."""
    return f"{PROJECT}-{stage}"


def cluster_log_group_name(stage: str) -> str:
    """The CloudWatch log group EKS writes control-plane logs to (fixed by EKS)."""
    return f"/aws/eks/{cluster_name(stage)}/cluster"


def flow_log_group_name(stage: str) -> str:
    """The CloudWatch log group of the VPC's flow logs."""
    return f"/aws/vpc/{cluster_name(stage)}/flow-logs"


def logs_key_alias(stage: str) -> str:
    """The KMS alias of the key that encrypts the stage's CloudWatch log groups."""
    return f"alias/{PROJECT}-{stage}-logs"


def ebs_key_alias(stage: str) -> str:
    """The KMS alias of the stage's default EBS encryption key (``storage.ebsKey: stage``)."""
    return f"alias/{PROJECT}-{stage}-ebs"


def secrets_key_alias(stage: str) -> str:
    """The KMS alias of the key that envelope-encrypts the cluster's Secrets."""
    return f"alias/{PROJECT}-{stage}-eks-secrets"


def node_group_resource_name(stage: str, group: str) -> str:
    """Logical name of a managed node group; its physical name adds a random suffix."""
    return f"{stage}-{group}"


def node_role_resource_name(stage: str) -> str:
    """Logical name of the node IAM role (auto-named)."""
    return f"{stage}-eks-node"


def cluster_role_resource_name(stage: str) -> str:
    """Logical name of the EKS cluster IAM role (auto-named)."""
    return f"{stage}-eks-cluster"


def service_account_role_resource_name(stage: str, short_name: str) -> str:
    """Logical name of a service account's IAM role (auto-named), e.g. ``dev-ebs-csi``."""
    return f"{stage}-{short_name}"


def argocd_role_name(stage: str) -> str:
    """The IAM role Argo CD hosted by ``stage`` acts as; fixed, as spokes name it."""
    return f"{PROJECT}-{stage}-argocd"


def argocd_role_arn(partition: str, account_id: str, stage: str) -> str:
    """The ARN of :func:`argocd_role_name`, as a spoke derives it from the hub's stack file."""
    return f"arn:{partition}:iam::{account_id}:role/{argocd_role_name(stage)}"


#: The service accounts of a self-hosted Argo CD that reach other clusters as an IAM role
#: (Argo CD operator manual, "Declarative setup: EKS"): one role each (rule E15).
ARGOCD_MANAGEMENT_SERVICE_ACCOUNTS = (
    "argocd-application-controller",
    "argocd-applicationset-controller",
    "argocd-server",
)


def argocd_component_role_name(stage: str, service_account: str) -> str:
    """The role a self-hosted Argo CD's ``service_account`` runs as on ``stage``.

    Fixed, as spokes name it.
    """
    return f"{PROJECT}-{stage}-{service_account}"


def argocd_component_role_arn(
    partition: str, account_id: str, stage: str, service_account: str
) -> str:
    """The ARN of :func:`argocd_component_role_name`, as a spoke derives it."""
    return (
        f"arn:{partition}:iam::{account_id}:role/"
        f"{argocd_component_role_name(stage, service_account)}"
    )


def argocd_access_role_name(stage: str) -> str:
    """The role a self-hosted hub's Argo CD assumes to reach ``stage``'s cluster.

    Fixed, as the hub names it.
    """
    return f"{PROJECT}-{stage}-argocd-access"


def argocd_access_role_arn(partition: str, account_id: str, stage: str) -> str:
    """The ARN of :func:`argocd_access_role_name`, as the hub derives it from a stack file."""
    return f"arn:{partition}:iam::{account_id}:role/{argocd_access_role_name(stage)}"


def transit_gateway_name(hub: str) -> str:
    """The ``Name`` tag of the hub's Transit Gateway, by which spokes find it once shared."""
    return f"{PROJECT}-{hub}-tgw"


def argocd_log_group_name(stage: str) -> str:
    """The CloudWatch log group of the Argo CD capability's controller logs."""
    return f"/aws/eks-capabilities/{cluster_name(stage)}/argocd"


def cluster_arn(partition: str, region: str, account_id: str, stage: str) -> str:
    """The EKS cluster's ARN, as the hub derives it from a spoke's stack file."""
    return f"arn:{partition}:eks:{region}:{account_id}:cluster/{cluster_name(stage)}"


def vpc_name(stage: str) -> str:
    """The VPC's ``Name`` tag, by which the Load Balancer Controller finds it (``vpcTags``)."""
    return cluster_name(stage)


def addon_role_name(stage: str, role: str) -> str:
    """The IAM role of an add-on's identity on ``stage``: fixed, as its registration names it."""
    return f"{PROJECT}-{stage}-{role}"


def addon_role_arn(partition: str, account_id: str, stage: str, role: str) -> str:
    """The ARN of :func:`addon_role_name`, as the stack hosting Argo CD derives it."""
    return f"arn:{partition}:iam::{account_id}:role/{addon_role_name(stage, role)}"


def artifact_bucket_name(stage: str, account_id: str) -> str:
    """The stage's Argo Workflows artifact bucket: global, so its account is in it.

    No region: a stage lives in one region, and the name stays short enough for long stage
    names.
    """
    return f"{PROJECT}-{stage}-artifacts-{account_id}"


def artifacts_key_alias(stage: str) -> str:
    """The KMS alias of the key that encrypts the stage's Argo Workflows artifacts."""
    return f"alias/{PROJECT}-{stage}-artifacts"


def karpenter_queue_name(stage: str) -> str:
    """The SQS queue Karpenter reads interruption events from."""
    return f"{PROJECT}-{stage}-karpenter"


def karpenter_node_role_name(stage: str) -> str:
    """The IAM role of the nodes Karpenter launches (EC2NodeClass ``role``)."""
    return f"{PROJECT}-{stage}-karpenter-node"


def flow_log_role_resource_name(stage: str) -> str:
    """Logical name of the role VPC flow logs deliver to CloudWatch with (auto-named)."""
    return f"{stage}-flow-logs"


#: The EBS CSI driver's controller: its namespace, service account and short role name.
EBS_CSI_NAMESPACE = "kube-system"
EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"
EBS_CSI_ROLE_SHORT_NAME = "ebs-csi"
#: The VPC CNI's node agent (aws-node): its namespace, service account and short role name.
VPC_CNI_NAMESPACE = "kube-system"
VPC_CNI_SERVICE_ACCOUNT = "aws-node"
VPC_CNI_ROLE_SHORT_NAME = "vpc-cni"


def state_bucket_name(account_id: str, region: str) -> str:
    """The default S3 bucket for a stage's Pulumi state (bucket names are global)."""
    return f"{PROJECT}-state-{account_id}-{region}"


def stack_secrets_alias(stage: str) -> str:
    """The KMS alias of the key that encrypts a stage's Pulumi stack secrets."""
    return f"alias/{PROJECT}-{stage}-pulumi"


def backend_url(bucket: str, region: str) -> str:
    """The ``pulumi login`` URL of a stage's state bucket."""
    return f"s3://{bucket}?region={region}&awssdk=v2"


def secrets_provider_url(stage: str, region: str) -> str:
    """The stack file's ``secretsprovider`` for a stage."""
    return f"awskms://{stack_secrets_alias(stage)}?region={region}"


#: GitHub Actions' OIDC issuer, as an IAM identity provider.
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
#: Tags that mark what ``argosy bootstrap`` created, so it never touches anything else.
BOOTSTRAP_TAG_KEY = "argosy:bootstrap"


#: The longest fixed role suffixes of the add-ons' identities (argosy/addons).
LONGEST_ADDON_ROLES = ("aws-load-balancer-controller", "crossplane-provider-aws")
#: The role suffix of a workflow namespace's identity: ``workflows-<namespace>``.
WORKFLOW_ROLE_PREFIX = "workflows-"


@dataclass(frozen=True, kw_only=True)
class DerivedName:
    """A name argosy derives, with the limit of the service that takes it.

    ``fixed``: the name is used as derived; otherwise Pulumi adds its random suffix (included
    in ``name`` as placeholders).
    """

    what: str
    name: str
    limit: int
    fixed: bool = False


def derived_names(stage: str, node_groups: tuple[str, ...]) -> Iterator[DerivedName]:
    """Every derived name of a stage whose length a service limits, at its longest."""
    suffix = "x" * AUTONAME_SUFFIX_LENGTH
    yield DerivedName(what="EKS cluster name", name=cluster_name(stage), limit=100)
    for alias in (secrets_key_alias(stage), logs_key_alias(stage), ebs_key_alias(stage)):
        yield DerivedName(what="KMS alias", name=alias, limit=256)
    for logical in (
        cluster_role_resource_name(stage),
        node_role_resource_name(stage),
        service_account_role_resource_name(stage, EBS_CSI_ROLE_SHORT_NAME),
        service_account_role_resource_name(stage, VPC_CNI_ROLE_SHORT_NAME),
        flow_log_role_resource_name(stage),
    ):
        yield DerivedName(what="IAM role name", name=logical + suffix, limit=64)
    # Fixed, not auto-named: the spokes' access entries name it.
    yield DerivedName(what="IAM role name", name=argocd_role_name(stage), limit=64, fixed=True)
    # The add-ons' fixed role names at their longest, and the artifact bucket.
    for role in LONGEST_ADDON_ROLES:
        yield DerivedName(
            what="IAM role name", name=addon_role_name(stage, role), limit=64, fixed=True
        )
    yield DerivedName(
        what="IAM role name", name=karpenter_node_role_name(stage), limit=64, fixed=True
    )
    yield DerivedName(
        what="S3 bucket name", name=artifact_bucket_name(stage, "0" * 12), limit=63, fixed=True
    )
    for group in node_groups:
        yield DerivedName(
            what="EKS node group name",
            name=node_group_resource_name(stage, group) + suffix,
            limit=63,
        )
