"""A whole stage: the composition ``pulumi up --stack <stage>`` deploys."""

from __future__ import annotations

from typing import Any

import pulumi

from argosy import naming, outputs
from argosy.argocd.metadata import ClusterMetadata
from argosy.config.stage import AwsStageConfig, LocalStageConfig, StageConfig
from argosy.config.topology import Topology
from argosy.manifests.network import subnet_layout
from components.access import ClusterAccess, ClusterAccessArgs
from components.account import AwsAccount, AwsAccountArgs, default_tags
from components.addons import AddonCluster, SystemAddons, SystemAddonsArgs
from components.argocd import (
    ArgoCdAccess,
    ArgoCdAccessArgs,
    ManagedArgoCd,
    ManagedArgoCdArgs,
    Registrations,
    RegistrationsArgs,
)
from components.cluster import EksCluster, EksClusterArgs
from components.keys import StageEncryption, StageEncryptionArgs
from components.kubernetes import eks_kubeconfig_output, local_kubernetes_provider
from components.network import Network, NetworkArgs
from components.nodegroup import ManagedNodeGroup, ManagedNodeGroupArgs


class AwsStage(pulumi.ComponentResource):
    """A stage in its own AWS account: keys, VPC, EKS, node groups, add-ons, access.

    Only AWS APIs are called (rule P2): the stack deploys from any CI runner, whether the
    cluster's endpoint is private or not. Everything inside the cluster is Argo CD's to
    deliver. Creation follows the critical path VPC → cluster → Pod Identity agent, vpc-cni,
    kube-proxy → node groups → coredns, EBS CSI.
    """

    stage: str
    """The stage's name."""

    def __init__(
        self,
        name: str,
        config: AwsStageConfig,
        topology: Topology | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("argosy:stage:AwsStage", name, None, opts)
        topology = topology or Topology()
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
        flow_logs_in_cloudwatch = config.network.flow_logs.destination == "cloud-watch-logs"
        encryption = StageEncryption(
            f"{stage}-encryption",
            StageEncryptionArgs(
                stage=stage,
                production=config.production,
                storage=config.cluster.storage,
                log_group_names=[
                    naming.cluster_log_group_name(stage),
                    *([naming.flow_log_group_name(stage)] if flow_logs_in_cloudwatch else []),
                    *([naming.argocd_log_group_name(stage)] if config.argocd else []),
                ],
                account_id=config.aws.account_id,
                region=config.aws.region,
                partition=account.partition,
                provider=provider,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        network = Network(
            f"{stage}-network",
            NetworkArgs(
                name_prefix=naming.cluster_name(stage),
                region=config.aws.region,
                vpc_cidr=config.network.vpc_cidr,
                layout=subnet_layout(config.network),
                nat_mode=config.network.nat_gateways,
                reverse_dns_prefix=account.reverse_dns_prefix,
                flow_logs=config.network.flow_logs,
                flow_log_group_name=naming.flow_log_group_name(stage),
                flow_log_role_name=naming.flow_log_role_resource_name(stage),
                logs_key_arn=encryption.logs_key_arn,
                account_id=config.aws.account_id,
                partition=account.partition,
                production=config.production,
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
                logs_key_arn=encryption.logs_key_arn,
                account_id=config.aws.account_id,
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
                    # The cluster component (roles, the agent, vpc-cni, kube-proxy), the
                    # routes out of the private subnets, and encryption by default for the
                    # nodes' volumes. (depends_on on a component would not reach children.)
                    after=[cluster, *network.egress_routes, *encryption.ready],
                    provider=provider,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for group in config.cluster.node_groups
        ]
        system_addons = SystemAddons(
            f"{stage}-system-addons",
            SystemAddonsArgs(
                cluster=AddonCluster(
                    stage=stage,
                    cluster_name=cluster.name,
                    cluster_arn=cluster.arn,
                    kubernetes_version=config.cluster.version,
                    pinned=config.cluster.addon_versions,
                    account_id=config.aws.account_id,
                    partition=account.partition,
                    provider=provider,
                ),
                after=node_groups,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        # For people and tools, and for the hub's own registrations: it holds no credential.
        kubeconfig = eks_kubeconfig_output(
            cluster_name=cluster.name,
            endpoint=cluster.endpoint,
            certificate_authority_data=cluster.certificate_authority_data,
            region=config.aws.region,
            role_arn=config.aws.deploy_role_arn,
        )
        if topology.host is not None:
            ArgoCdAccess(
                f"{stage}-argocd-access",
                ArgoCdAccessArgs(
                    cluster_name=cluster.name,
                    principal_arn=topology.host.principal_arn,
                    partition=account.partition,
                    provider=provider,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        if config.argocd is not None:
            argocd = ManagedArgoCd(
                f"{stage}-argocd",
                ManagedArgoCdArgs(
                    stage=stage,
                    settings=config.argocd,
                    cluster_name=cluster.name,
                    region=config.aws.region,
                    vpc_id=network.vpc_id,
                    vpc_cidr=config.network.vpc_cidr,
                    private_subnet_ids=network.private_subnet_ids,
                    logs_key_arn=encryption.logs_key_arn,
                    partition=account.partition,
                    provider=provider,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            Registrations(
                f"{stage}-registrations",
                RegistrationsArgs(
                    settings=config.argocd,
                    clusters=[cluster_metadata(config, config)]
                    + [cluster_metadata(spoke, config) for spoke in topology.spokes],
                    cluster_name=cluster.name,
                    kubeconfig=kubeconfig,
                    kubernetes_version=config.cluster.version,
                    # The provider's first call needs the deploy role's access; the project
                    # and registrations need Argo CD's namespace and CRDs.
                    after=[access, *argocd.ready],
                    production=config.production,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )

        self._exports: dict[str, Any] = {
            "stage": stage,
            "accountId": account.account_id,
            "region": config.aws.region,
            "vpcId": network.vpc_id,
            "vpcCidr": config.network.vpc_cidr,
            "privateSubnetIds": network.private_subnet_ids,
            "publicSubnetIds": network.public_subnet_ids,
            "clusterName": cluster.name,
            "clusterArn": cluster.arn,
            "clusterEndpoint": cluster.endpoint,
            "clusterCertificateAuthority": cluster.certificate_authority_data,
            "clusterSecurityGroupId": cluster.cluster_security_group_id,
            "kubernetesVersion": cluster.version,
            "oidcIssuerUrl": cluster.oidc_issuer_url,
            "oidcProviderArn": cluster.oidc_provider_arn,
            "nodeRoleArn": cluster.node_role_arn,
            "logsKeyArn": encryption.logs_key_arn,
            "defaultStorageClass": system_addons.default_storage_class,
            "kubeconfig": kubeconfig,
        }
        if set(self._exports) != set(outputs.AWS_STAGE_OUTPUTS):
            raise AssertionError("AwsStage exports must match argosy.outputs.AWS_STAGE_OUTPUTS")
        self.register_outputs(self._exports)

    def exports(self) -> dict[str, Any]:
        """The stack outputs (:data:`argosy.outputs.AWS_STAGE_OUTPUTS`), in that order."""
        return {name: self._exports[name] for name in outputs.AWS_STAGE_OUTPUTS}


def cluster_metadata(stage: AwsStageConfig, host: AwsStageConfig) -> ClusterMetadata:
    """What Argo CD knows of a stage's cluster, all of it derived from the stage's stack file."""
    assert host.argocd is not None
    return ClusterMetadata(
        stage=stage.stage,
        account_id=stage.aws.account_id,
        region=stage.aws.region,
        production=stage.production,
        cluster_name=naming.cluster_name(stage.stage),
        cluster_arn=naming.cluster_arn(
            stage.aws.partition, stage.aws.region, stage.aws.account_id, stage.stage
        ),
        kubernetes_version=stage.cluster.version,
        vpc_cidr=stage.network.vpc_cidr,
        gitops_repo_url=host.argocd.gitops.repo_url,
        gitops_path=host.argocd.gitops.path,
        gitops_revision=host.argocd.gitops.target_revision,
    )


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


def build_stage(config: StageConfig, topology: Topology | None = None) -> AwsStage | LocalStage:
    """Declare the stage ``config`` describes, in its place in the Argo CD ``topology``."""
    if isinstance(config, LocalStageConfig):
        return LocalStage(config.stage, config)
    return AwsStage(config.stage, config, topology)
