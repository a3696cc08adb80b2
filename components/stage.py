"""A whole stage: the composition ``pulumi up --stack <stage>`` deploys."""

from __future__ import annotations

from typing import Any

import pulumi

from argosy import naming
from argosy.config.validate import AwsStageConfig, LocalStageConfig, StageConfig
from argosy.manifests.network import subnet_layout
from components.access import ClusterAccess, ClusterAccessArgs
from components.account import AwsAccount, AwsAccountArgs, default_tags
from components.addons import SystemAddons, SystemAddonsArgs
from components.cluster import EksCluster, EksClusterArgs
from components.kubernetes import (
    ClusterBaseline,
    ClusterBaselineArgs,
    EksProviderArgs,
    eks_kubernetes_provider,
    local_kubernetes_provider,
)
from components.network import Network, NetworkArgs
from components.nodegroup import ManagedNodeGroup, ManagedNodeGroupArgs


class AwsStage(pulumi.ComponentResource):
    """A stage in its own AWS account: VPC, EKS, node groups, add-ons, access, baseline.

    Creation follows the critical path VPC → cluster → node groups → system add-ons; the
    Kubernetes objects wait only for the deploy role's access to the cluster.
    """

    stage: str
    """The stage's name."""
    account_id: pulumi.Output[str]
    """The stage's AWS account."""
    vpc_id: pulumi.Output[str]
    """The VPC's ID."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Private subnets, in zone order."""
    public_subnet_ids: pulumi.Output[list[str]]
    """Public subnets, in zone order."""
    cluster_name: pulumi.Output[str]
    """The EKS cluster's name."""
    cluster_endpoint: pulumi.Output[str]
    """The Kubernetes API server URL."""
    cluster_certificate_authority: pulumi.Output[str]
    """The API server's base64 CA bundle."""
    oidc_provider_arn: pulumi.Output[str]
    """The IAM OIDC provider that IRSA roles trust."""
    oidc_issuer_url: pulumi.Output[str]
    """The cluster's OIDC issuer URL."""
    node_role_arn: pulumi.Output[str]
    """The node role, for later access entries (e.g. Karpenter nodes)."""
    kubeconfig: pulumi.Output[str]
    """A kubeconfig using ``aws eks get-token`` as the deploy role (holds no credentials)."""

    def __init__(
        self, name: str, config: AwsStageConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:stage:AwsStage", name, None, opts)
        stage = config.stage
        self.stage = stage
        account = AwsAccount(
            f"{stage}-account",
            AwsAccountArgs(
                stage=stage,
                account_id=config.aws.account_id,
                region=config.aws.region,
                deploy_role_arn=config.aws.deploy_role_arn,
                tags=config.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        provider = account.provider
        network = Network(
            f"{stage}-network",
            NetworkArgs(
                name_prefix=naming.cluster_name(stage),
                region=config.aws.region,
                vpc_cidr=config.network.vpc_cidr,
                layout=subnet_layout(config.network),
                nat_mode=config.network.nat_gateways,
                reverse_dns_prefix=account.reverse_dns_prefix,
                provider=provider,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        cluster = EksCluster(
            f"{stage}-eks",
            EksClusterArgs(
                stage=stage,
                production=config.production,
                settings=config.cluster,
                subnet_ids=network.private_subnet_ids,
                partition=account.partition,
                provider=provider,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        access = ClusterAccess(
            f"{stage}-access",
            ClusterAccessArgs(
                cluster_name=cluster.name,
                deploy_role_arn=config.aws.deploy_role_arn,
                grants=config.access.admins,
                partition=account.partition,
                provider=provider,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        node_groups = [
            ManagedNodeGroup(
                naming.node_group_resource_name(stage, group.name),
                ManagedNodeGroupArgs(
                    settings=group,
                    cluster_name=cluster.name,
                    kubernetes_version=cluster.version,
                    node_role_arn=cluster.node_role_arn,
                    subnet_ids=network.private_subnet_ids,
                    instance_tags=default_tags(stage, config.tags),
                    # Everything in the cluster component: roles, vpc-cni and kube-proxy.
                    after=[cluster],
                    provider=provider,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for group in config.cluster.node_groups
        ]
        SystemAddons(
            f"{stage}-system-addons",
            SystemAddonsArgs(
                stage=stage,
                cluster_name=cluster.name,
                oidc_provider_arn=cluster.oidc_provider_arn,
                oidc_issuer_url=cluster.oidc_issuer_url,
                partition=account.partition,
                versions=config.cluster.addon_versions,
                after=node_groups,
                provider=provider,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        kubernetes = eks_kubernetes_provider(
            f"{stage}-eks",
            EksProviderArgs(
                cluster_name=cluster.name,
                endpoint=cluster.endpoint,
                certificate_authority_data=cluster.certificate_authority_data,
                region=config.aws.region,
                role_arn=config.aws.deploy_role_arn,
                after=[access],
            ),
            parent=self,
        )
        ClusterBaseline(
            f"{stage}-baseline",
            ClusterBaselineArgs(
                kubernetes_version=config.cluster.version, provider=kubernetes.provider
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.account_id = account.account_id
        self.vpc_id = network.vpc_id
        self.private_subnet_ids = network.private_subnet_ids
        self.public_subnet_ids = network.public_subnet_ids
        self.cluster_name = cluster.name
        self.cluster_endpoint = cluster.endpoint
        self.cluster_certificate_authority = cluster.certificate_authority_data
        self.oidc_provider_arn = cluster.oidc_provider_arn
        self.oidc_issuer_url = cluster.oidc_issuer_url
        self.node_role_arn = cluster.node_role_arn
        self.kubeconfig = kubernetes.kubeconfig
        self.register_outputs(self.exports())

    def exports(self) -> dict[str, Any]:
        """The stack outputs: what other stacks and people need from this stage."""
        return {
            "stage": self.stage,
            "accountId": self.account_id,
            "vpcId": self.vpc_id,
            "privateSubnetIds": self.private_subnet_ids,
            "publicSubnetIds": self.public_subnet_ids,
            "clusterName": self.cluster_name,
            "clusterEndpoint": self.cluster_endpoint,
            "clusterCertificateAuthority": self.cluster_certificate_authority,
            "oidcProviderArn": self.oidc_provider_arn,
            "oidcIssuerUrl": self.oidc_issuer_url,
            "nodeRoleArn": self.node_role_arn,
            "kubeconfig": self.kubeconfig,
        }


class LocalStage(pulumi.ComponentResource):
    """A stage on an existing kind or k3d cluster: a Kubernetes provider, no AWS at all."""

    stage: str
    """The stage's name."""
    kube_context: pulumi.Output[str]
    """The kubeconfig context deployed to."""

    def __init__(
        self, name: str, config: LocalStageConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:stage:LocalStage", name, None, opts)
        self.stage = config.stage
        local_kubernetes_provider(
            f"{config.stage}-local",
            context=config.kubernetes.context,
            kubeconfig_path=config.kubernetes.kubeconfig,
            parent=self,
        )
        self.kube_context = pulumi.Output.from_input(config.kubernetes.context)
        self.register_outputs(self.exports())

    def exports(self) -> dict[str, Any]:
        """The stack outputs."""
        return {"stage": self.stage, "kubeContext": self.kube_context}


def build_stage(config: StageConfig) -> AwsStage | LocalStage:
    """Declare the stage ``config`` describes."""
    if isinstance(config, LocalStageConfig):
        return LocalStage(config.stage, config)
    return AwsStage(config.stage, config)
