"""A whole stage: the composition ``pulumi up --stack <stage>`` deploys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from argosy import naming, outputs
from argosy.addons.catalog import addon_roles
from argosy.addons.spec import AddonContext
from argosy.apps.cloud import AppCloud
from argosy.apps.resolve import AppOnStage
from argosy.argocd.metadata import ClusterMetadata
from argosy.config.stage import AwsStageConfig, LocalStageConfig, StageConfig
from argosy.config.topology import Topology
from argosy.manifests.network import subnet_layout
from components.access import ClusterAccess, ClusterAccessArgs
from components.account import AwsAccount, AwsAccountArgs, default_tags
from components.addons import AddonCluster, SystemAddons, SystemAddonsArgs
from components.apps_aws import StageApps, StageAppsArgs
from components.argocd import (
    ArgoCdAccess,
    ArgoCdAccessArgs,
    ManagedArgoCd,
    ManagedArgoCdArgs,
    RegisteredCluster,
    Registrations,
    RegistrationsArgs,
)
from components.cluster import EksCluster, EksClusterArgs
from components.controllers import ControllersAws, ControllersAwsArgs
from components.keys import StageEncryption, StageEncryptionArgs
from components.kubernetes import (
    eks_kubeconfig_output,
    eks_kubernetes_provider,
    local_kubernetes_provider,
)
from components.network import Network, NetworkArgs
from components.nodegroup import ManagedNodeGroup, ManagedNodeGroupArgs
from components.selfhosted import ArgoCdAwsIdentity, SelfHostedArgoCd, SelfHostedArgoCdArgs
from components.transit import (
    HubTransit,
    HubTransitArgs,
    SpokeNetwork,
    SpokeTransit,
    SpokeTransitArgs,
)


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
        *,
        catalog: Sequence[AppOnStage] = (),
        apps: Sequence[AppCloud] = (),
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
                    *(
                        [naming.argocd_log_group_name(stage)]
                        if config.argocd and config.argocd.install == "managed"
                        else []
                    ),
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

        # The AWS side of the controllers Argo CD delivers here: their identities, the
        # artifact bucket, Karpenter's queue and node role.
        controllers = ControllersAws(
            f"{stage}-controllers",
            ControllersAwsArgs(
                context=AddonContext.of(config),
                cluster_name=cluster.name,
                cluster_arn=cluster.arn,
                provider=provider,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The AWS side of the apps on this stage: the app domain's zone and certificate,
        # Prometheus and the analysis role (after Argo Rollouts' role, which its trust names),
        # each app's database and bucket. Argo CD may deploy once these exist.
        stage_apps = (
            StageApps(
                f"{stage}-apps",
                StageAppsArgs(
                    config=config,
                    apps=apps,
                    cluster_name=cluster.name,
                    cluster_arn=cluster.arn,
                    vpc_id=network.vpc_id,
                    private_subnet_ids=network.private_subnet_ids,
                    cluster_security_group_id=cluster.cluster_security_group_id,
                    partition=account.partition,
                    provider=provider,
                    after=controllers.ready,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            if apps or config.apps.domain is not None or config.apps.prometheus
            else None
        )
        # What Argo CD's first sync needs in AWS: the identities (and certificate) of what it
        # deploys here.
        deployable = [*controllers.ready, *(stage_apps.ready if stage_apps else [])]

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
                    stage=stage,
                    cluster_name=cluster.name,
                    host=topology.host,
                    partition=account.partition,
                    provider=provider,
                    after=deployable,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            if topology.host.self_hosted:
                SpokeTransit(
                    f"{stage}-transit",
                    SpokeTransitArgs(
                        stage=stage,
                        hub_stage=topology.host.stage,
                        hub_account_id=topology.host.account_id,
                        hub_vpc_cidr=topology.host.vpc_cidr,
                        vpc_id=network.vpc_id,
                        private_subnet_ids=network.private_subnet_ids,
                        private_route_table_ids=network.private_route_table_ids,
                        cluster_security_group_id=cluster.cluster_security_group_id,
                        provider=provider,
                    ),
                    opts=pulumi.ResourceOptions(parent=self),
                )
        if config.argocd is not None:
            kubernetes = eks_kubernetes_provider(
                f"{stage}-argocd-kubernetes",
                kubeconfig=kubeconfig,
                cluster_name=cluster.name,
                namespace=config.argocd.namespace,
                parent=self,
                # The provider's first call needs the deploy role's access.
                after=[access],
            )
            ready: list[pulumi.Resource]
            clusters: list[RegisteredCluster]
            if config.argocd.install == "managed":
                managed = ManagedArgoCd(
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
                ready = managed.ready
                clusters = [
                    RegisteredCluster(
                        metadata=cluster_metadata(c, config),
                        addons=AddonContext.of(c),
                        reach="capability",
                    )
                    for c in (config, *topology.spokes)
                ]
            else:
                ready, clusters = self._self_hosted_argocd(
                    config,
                    topology,
                    kubernetes=kubernetes,
                    cluster=cluster,
                    network=network,
                    partition=account.partition,
                    provider=provider,
                    after=[*node_groups, system_addons],
                )
            Registrations(
                f"{stage}-registrations",
                RegistrationsArgs(
                    settings=config.argocd,
                    clusters=clusters,
                    provider=kubernetes,
                    kubernetes_version=config.cluster.version,
                    # Argo CD, and the identities of the controllers it deploys here.
                    after=[*ready, *deployable],
                    production=config.production,
                    apps=catalog,
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
            **(stage_apps.exports() if stage_apps else {}),
        }
        expected = set(outputs.AWS_STAGE_OUTPUTS)
        if config.apps.domain is not None:
            expected |= set(outputs.APPS_DNS_OUTPUTS)
        if set(self._exports) != expected:
            raise AssertionError(
                "AwsStage exports must match argosy.outputs.AWS_STAGE_OUTPUTS (and "
                "APPS_DNS_OUTPUTS with an app domain)"
            )
        self.register_outputs(self._exports)

    def _self_hosted_argocd(
        self,
        config: AwsStageConfig,
        topology: Topology,
        *,
        kubernetes: k8s.Provider,
        cluster: EksCluster,
        network: Network,
        partition: str,
        provider: aws.Provider,
        after: list[pulumi.Resource],
    ) -> tuple[list[pulumi.Resource], list[RegisteredCluster]]:
        """The argo-cd chart on this cluster, the network path to the spokes, the clusters.

        Argo CD registers its own cluster, and each spoke through the spoke's access role.
        """
        assert config.argocd is not None and config.argocd.self_hosted is not None
        stage = config.stage
        spokes = topology.spokes
        if spokes:
            HubTransit(
                f"{stage}-transit",
                HubTransitArgs(
                    stage=stage,
                    spokes=[
                        SpokeNetwork(
                            stage=s.stage, account_id=s.aws.account_id, vpc_cidr=s.network.vpc_cidr
                        )
                        for s in spokes
                    ],
                    vpc_id=network.vpc_id,
                    private_subnet_ids=network.private_subnet_ids,
                    private_route_table_ids=network.private_route_table_ids,
                    provider=provider,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        access_roles = {
            s.stage: naming.argocd_access_role_arn(s.aws.partition, s.aws.account_id, s.stage)
            for s in spokes
        }
        argocd = SelfHostedArgoCd(
            f"{stage}-argocd",
            SelfHostedArgoCdArgs(
                stage=stage,
                settings=config.argocd,
                production=config.production,
                kubernetes_provider=kubernetes,
                on_aws=True,
                identity=ArgoCdAwsIdentity(
                    cluster_name=cluster.name,
                    cluster_arn=cluster.arn,
                    account_id=config.aws.account_id,
                    partition=partition,
                    access_role_arns=sorted(access_roles.values()),
                    provider=provider,
                )
                if spokes
                else None,
                after=after,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        clusters = [
            RegisteredCluster(
                metadata=cluster_metadata(config, config),
                addons=AddonContext.of(config),
                reach="in-cluster",
                # Argo CD's own Ingress on this cluster (argo-cd chart, hostname required on AWS).
                serves_argocd=True,
            )
        ]
        prefix = config.argocd.self_hosted.stack_reference_prefix
        for spoke in spokes:
            if spoke.stage in config.argocd.self_hosted.pending_spokes:
                continue
            # Only AWS knows a cluster's endpoint and CA: read them from the spoke's stack.
            outputs = pulumi.StackReference(
                f"{stage}-{spoke.stage}-outputs",
                stack_name=f"{prefix}/{spoke.stage}",
                opts=pulumi.ResourceOptions(parent=self),
            )
            clusters.append(
                RegisteredCluster(
                    metadata=cluster_metadata(spoke, config),
                    addons=AddonContext.of(spoke),
                    reach="access-role",
                    access_role_arn=access_roles[spoke.stage],
                    endpoint=outputs.require_output("clusterEndpoint"),
                    ca_data=outputs.require_output("clusterCertificateAuthority"),
                )
            )
        return argocd.ready, clusters

    def exports(self) -> dict[str, Any]:
        """The stack outputs (:data:`argosy.outputs.AWS_STAGE_OUTPUTS`), in that order.

        With an app domain, :data:`argosy.outputs.APPS_DNS_OUTPUTS` follow, in their order.
        """
        names = [*outputs.AWS_STAGE_OUTPUTS, *outputs.APPS_DNS_OUTPUTS]
        return {name: self._exports[name] for name in names if name in self._exports}


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
        addon_roles=addon_roles(AddonContext.of(stage)),
    )


class LocalStage(pulumi.ComponentResource):
    """A stage on an existing kind or k3d cluster: a self-hosted Argo CD, no AWS at all."""

    stage: str
    """The stage's name."""
    kube_context: pulumi.Output[str]
    """The kubeconfig context deployed to."""

    def __init__(
        self,
        name: str,
        config: LocalStageConfig,
        opts: pulumi.ResourceOptions | None = None,
        *,
        catalog: Sequence[AppOnStage] = (),
    ) -> None:
        super().__init__("argosy:stage:LocalStage", name, None, opts)
        self.stage = config.stage
        provider = local_kubernetes_provider(
            f"{config.stage}-local",
            context=config.kubernetes.context,
            kubeconfig_path=config.kubernetes.kubeconfig,
            parent=self,
        )
        # Argo CD from the same chart and pin as on AWS; no SSO, no Ingress, no AWS identity.
        argocd = SelfHostedArgoCd(
            f"{config.stage}-argocd",
            SelfHostedArgoCdArgs(
                stage=config.stage,
                settings=config.argocd,
                production=config.production,
                kubernetes_provider=provider,
                on_aws=False,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # It manages its own cluster: the baseline and the Argo controllers, from the same
        # specs as on AWS (the AWS-only add-ons are not delivered here).
        gitops = config.argocd.gitops
        Registrations(
            f"{config.stage}-registrations",
            RegistrationsArgs(
                settings=config.argocd,
                clusters=[
                    RegisteredCluster(
                        metadata=ClusterMetadata(
                            stage=config.stage,
                            account_id=None,
                            region=None,
                            production=config.production,
                            cluster_name=naming.cluster_name(config.stage),
                            cluster_arn=None,
                            kubernetes_version=config.kubernetes.version,
                            vpc_cidr=None,
                            gitops_repo_url=gitops.repo_url,
                            gitops_path=gitops.path,
                            gitops_revision=gitops.target_revision,
                        ),
                        addons=AddonContext.of(config),
                        reach="in-cluster",
                    )
                ],
                provider=provider,
                kubernetes_version=config.kubernetes.version,
                after=argocd.ready,
                production=config.production,
                apps=catalog,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.kube_context = pulumi.Output.from_input(config.kubernetes.context)
        self.register_outputs(self.exports())

    def exports(self) -> dict[str, Any]:
        """The stack outputs."""
        return {"stage": self.stage, "kubeContext": self.kube_context}


def build_stage(
    config: StageConfig,
    topology: Topology | None = None,
    *,
    catalog: Sequence[AppOnStage] = (),
    apps: Sequence[AppCloud] = (),
) -> AwsStage | LocalStage:
    """Declare the stage ``config`` describes, in its place in the Argo CD ``topology``.

    ``catalog``: the app catalog's apps on the clusters this stage's Argo CD manages (each
    on one stage), whose projects and Applications it declares. Default none.
    ``apps``: what the apps on this stage need from AWS (:class:`AppCloud`, each for this
    stage), which this stage's own stack creates; a local stage has no AWS and takes none.
    Default none.
    """
    if isinstance(config, LocalStageConfig):
        if apps:
            raise ValueError(f"stage {config.stage} is local: it has no AWS for apps' resources")
        return LocalStage(config.stage, config, catalog=catalog)
    return AwsStage(config.stage, config, topology, catalog=catalog, apps=apps)
