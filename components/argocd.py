"""Argo CD: the EKS Argo CD capability on the hub, its registrations, and spokes' access.

Who touches what (ARCHITECTURE.md): the hub's stack owns Argo CD and what Argo CD reads (the
cluster registrations and the platform project), declared through its own cluster's
Kubernetes API; a spoke's stack only grants the hub's Argo CD role one access entry on its
cluster, through AWS APIs. The capability reaches private spoke clusters in other accounts
itself (EKS user guide, "Register target clusters": "AWS manages connectivity ... to private
remote clusters automatically"), so no network path is declared for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from argosy import naming
from argosy.addons.argo_rollouts import ADDON as ARGO_ROLLOUTS
from argosy.addons.catalog import addons_for, comes_after, delivery, namespaces_for
from argosy.addons.external_secrets import ADDON as EXTERNAL_SECRETS
from argosy.addons.load_balancer_controller import ADDON as LOAD_BALANCER_CONTROLLER
from argosy.addons.spec import AddonContext
from argosy.apps.delivery import app_application, projects_of
from argosy.apps.resolve import AppOnStage
from argosy.argocd.delivery import application
from argosy.argocd.metadata import ClusterMetadata
from argosy.argocd.platform import BASELINE
from argosy.argocd.projects import PLATFORM_PROJECT, platform_project
from argosy.argocd.registration import (
    helm_oci_repository_secret,
    in_cluster_secret,
    managed_cluster_secret,
    registration_metadata,
    self_hosted_cluster_secret,
)
from argosy.argocd.versions import CHARTS
from argosy.config.models import ArgoCdSettings
from argosy.config.topology import ArgoCdHost
from argosy.manifests import iam
from components._options import child_options
from components.access import access_policy_arn
from components.keys import encrypted_log_group

#: What the capability logs (EKS user guide, "Argo CD capability logs"); one delivery each.
CAPABILITY_LOG_TYPES: tuple[str, ...] = tuple(
    f"EKS_CAPABILITY_ARGOCD_{kind}_LOGS"
    for kind in ("APPLICATION", "APPLICATIONSET", "COMMITSERVER", "REPOSERVER", "SERVER")
)
CAPABILITY_NAME = "argocd"
#: Argo CD installs controllers cluster-wide (CRDs, cluster roles, webhooks): cluster admin.
ARGOCD_ACCESS_POLICY = "cluster-admin"


@dataclass(frozen=True, kw_only=True)
class ManagedArgoCdArgs:
    """Arguments of :class:`ManagedArgoCd`.

    Attributes:
        stage: The hosting stage; names the role (fixed: spokes name it).
        settings: ``argosy:argocd``.
        cluster_name: The hub's cluster (capability ``clusterName``).
        region: The stage's region (default Identity Center region).
        vpc_id: The hub's VPC, for the private endpoint.
        vpc_cidr: Its range, allowed to reach the private endpoint on 443.
        private_subnet_ids: Where the endpoint's interfaces go.
        logs_key_arn: The stage's logs key, for the controller logs' group.
        partition: The AWS partition.
        provider: The stage's AWS provider.
    """

    stage: str
    settings: ArgoCdSettings
    cluster_name: pulumi.Input[str]
    region: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    private_subnet_ids: pulumi.Input[Sequence[str]]
    logs_key_arn: pulumi.Input[str]
    partition: str
    provider: aws.Provider


class ManagedArgoCd(pulumi.ComponentResource):
    """The EKS Argo CD capability: its role, sign-in, roles, endpoint and logs.

    The role has a fixed name, which each spoke's stack derives from the hub's stack file to
    grant it an access entry, and needs no permission policy: clusters authorize it through
    access entries (EKS user guide, "Argo CD capability role").
    """

    role_arn: pulumi.Output[str]
    """The IAM role Argo CD acts as."""
    capability_arn: pulumi.Output[str]
    """The capability's ARN."""
    version: pulumi.Output[str]
    """The Argo CD version AWS runs (SECURITY.md A7 asks to check it)."""
    ready: list[pulumi.Resource]
    """What must exist before anything is declared in Argo CD's namespace."""

    def __init__(
        self, name: str, args: ManagedArgoCdArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:argocd:ManagedArgoCd", name, None, opts)
        provider = args.provider
        managed = args.settings.managed
        if managed is None:  # validation requires it with install: managed
            raise ValueError("ManagedArgoCd needs argosy:argocd.managed")
        role = aws.iam.Role(
            f"{name}-role",
            name=naming.argocd_role_name(args.stage),
            description=f"Argo CD (EKS capability) of stage {args.stage}",
            assume_role_policy=iam.to_json(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "capabilities.eks.amazonaws.com"},
                            "Action": ["sts:AssumeRole", "sts:TagSession"],
                        }
                    ],
                }
            ),
            opts=child_options(self, provider),
        )

        network_access = None
        if managed.private_endpoint:
            endpoint_group = aws.ec2.SecurityGroup(
                f"{name}-endpoint",
                vpc_id=args.vpc_id,
                description="Argo CD UI and API through the eks-capabilities endpoint",
                ingress=[
                    aws.ec2.SecurityGroupIngressArgs(
                        protocol="tcp",
                        from_port=443,
                        to_port=443,
                        cidr_blocks=[args.vpc_cidr],
                        description="HTTPS from the hub's VPC",
                    )
                ],
                opts=child_options(self, provider),
            )
            endpoint = aws.ec2.VpcEndpoint(
                f"{name}-endpoint",
                vpc_id=args.vpc_id,
                service_name=f"com.amazonaws.{args.region}.eks-capabilities",
                vpc_endpoint_type="Interface",
                subnet_ids=args.private_subnet_ids,
                security_group_ids=[endpoint_group.id],
                opts=child_options(self, provider),
            )
            network_access = aws.eks.CapabilityConfigurationArgoCdNetworkAccessArgs(
                vpce_ids=[endpoint.id]
            )

        capability = aws.eks.Capability(
            name,
            capability_name=CAPABILITY_NAME,
            cluster_name=args.cluster_name,
            type="ARGOCD",
            role_arn=role.arn,
            # The only value EKS accepts: deleting the capability leaves what it deployed.
            delete_propagation_policy="RETAIN",
            configuration=aws.eks.CapabilityConfigurationArgs(
                argo_cd=aws.eks.CapabilityConfigurationArgoCdArgs(
                    namespace=args.settings.namespace,
                    aws_idc=aws.eks.CapabilityConfigurationArgoCdAwsIdcArgs(
                        idc_instance_arn=managed.identity_center.instance_arn,
                        idc_region=managed.identity_center.region or args.region,
                    ),
                    rbac_role_mappings=[
                        aws.eks.CapabilityConfigurationArgoCdRbacRoleMappingArgs(
                            role=mapping.role,
                            identities=[
                                aws.eks.CapabilityConfigurationArgoCdRbacRoleMappingIdentityArgs(
                                    id=identity, type=kind
                                )
                                for kind, identities in (
                                    ("SSO_GROUP", mapping.groups),
                                    ("SSO_USER", mapping.users),
                                )
                                for identity in identities
                            ],
                        )
                        for mapping in managed.rbac
                    ],
                    network_access=network_access,
                )
            ),
            opts=child_options(self, provider),
        )
        # The capability creates its role's access entry on its own cluster, without any
        # Kubernetes permission: the platform's deliveries need cluster admin there too.
        own_access = aws.eks.AccessPolicyAssociation(
            f"{name}-own-cluster",
            cluster_name=args.cluster_name,
            principal_arn=role.arn,
            policy_arn=access_policy_arn(args.partition, ARGOCD_ACCESS_POLICY),
            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
            opts=child_options(self, provider, depends_on=[capability]),
        )

        logs = encrypted_log_group(
            self,
            f"{name}-logs",
            log_group_name=naming.argocd_log_group_name(args.stage),
            retention_days=managed.log_retention_days,
            key_arn=args.logs_key_arn,
            provider=provider,
        )
        destination = aws.cloudwatch.LogDeliveryDestination(
            f"{name}-logs",
            name=f"{naming.cluster_name(args.stage)}-argocd",
            delivery_destination_configuration=(
                aws.cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
                    destination_resource_arn=logs.arn
                )
            ),
            opts=child_options(self, provider),
        )
        for log_type in CAPABILITY_LOG_TYPES:
            short = log_type.removeprefix("EKS_CAPABILITY_ARGOCD_").removesuffix("_LOGS").lower()
            source = aws.cloudwatch.LogDeliverySource(
                f"{name}-{short}",
                name=f"{naming.cluster_name(args.stage)}-argocd-{short}",
                log_type=log_type,
                resource_arn=capability.arn,
                opts=child_options(self, provider),
            )
            aws.cloudwatch.LogDelivery(
                f"{name}-{short}",
                delivery_source_name=source.name,
                delivery_destination_arn=destination.arn,
                opts=child_options(self, provider),
            )

        self.role_arn = role.arn
        self.capability_arn = capability.arn
        self.version = capability.version
        self.ready = [capability, own_access]
        self.register_outputs(
            {
                "roleArn": self.role_arn,
                "capabilityArn": self.capability_arn,
                "version": self.version,
            }
        )


@dataclass(frozen=True, kw_only=True)
class ArgoCdAccessArgs:
    """Arguments of :class:`ArgoCdAccess`.

    Attributes:
        stage: The spoke; names its access role.
        cluster_name: The spoke's cluster (access entry ``clusterName``).
        host: The stage whose Argo CD manages this one, derived from its stack file.
        partition: The AWS partition.
        provider: The spoke's AWS provider.
        after: What must exist before Argo CD may reach the cluster: the controllers'
            identities, so that no pod it deploys starts without its credentials. Default
            none.
    """

    stage: str
    cluster_name: pulumi.Input[str]
    host: ArgoCdHost
    partition: str
    provider: aws.Provider
    after: Sequence[pulumi.Resource] = ()


class ArgoCdAccess(pulumi.ComponentResource):
    """The one access entry a spoke grants the hub's Argo CD (SECURITY.md A9).

    - The hub's Argo CD is the EKS capability: the entry is for the capability's role, in the
      hub's account. Cross-account access needs nothing else: no role in the spoke, no trust
      policy, no credential in the registration (EKS user guide, "Register target clusters").
      The hub's role must exist first: deploy the hub before its spokes.
    - The hub's Argo CD is self-hosted: the entry is for an access role in the spoke's own
      account, with no permission policy, that only the hub's Argo CD components may assume
      (Argo CD operator manual, "Declarative setup: EKS"); the registration names it in
      ``awsAuthConfig``.
    """

    principal_arn: pulumi.Output[str]
    """The principal the entry is for."""

    def __init__(
        self, name: str, args: ArgoCdAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:argocd:ArgoCdAccess", name, None, opts)
        principal: pulumi.Input[str] = args.host.principal_arn
        if args.host.self_hosted:
            role = aws.iam.Role(
                f"{name}-role",
                name=naming.argocd_access_role_name(args.stage),
                description=f"Argo CD of stage {args.host.stage} reaching {args.stage}'s cluster",
                assume_role_policy=iam.to_json(
                    access_role_trust(
                        partition=args.partition,
                        host_account_id=args.host.account_id,
                        principal_arns=args.host.component_role_arns,
                    )
                ),
                opts=child_options(self, args.provider),
            )
            principal = role.arn
        entry = aws.eks.AccessEntry(
            name,
            cluster_name=args.cluster_name,
            principal_arn=principal,
            type="STANDARD",
            opts=child_options(self, args.provider, depends_on=args.after),
        )
        aws.eks.AccessPolicyAssociation(
            name,
            cluster_name=args.cluster_name,
            principal_arn=entry.principal_arn,
            policy_arn=access_policy_arn(args.partition, ARGOCD_ACCESS_POLICY),
            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
            opts=child_options(self, args.provider),
        )
        self.principal_arn = entry.principal_arn
        self.register_outputs({"principalArn": self.principal_arn})


def access_role_trust(
    *, partition: str, host_account_id: str, principal_arns: Sequence[str]
) -> dict[str, object]:
    """Who may assume a spoke's access role: the host's Argo CD components, and nobody else.

    The principal is the host's account, narrowed by ``aws:PrincipalArn`` to the components'
    roles: IAM would reject a role ARN that does not exist yet as a principal (the spoke may
    be deployed before the hub) and would silently break on a recreated role.
    ``sts:TagSession`` because the components' credentials come from EKS Pod Identity,
    which tags sessions.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ArgoCdComponents",
                "Effect": "Allow",
                "Principal": {"AWS": iam.account_root_arn(partition, host_account_id)},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"ArnEquals": {"aws:PrincipalArn": sorted(principal_arns)}},
            }
        ],
    }


@dataclass(frozen=True, kw_only=True)
class RegisteredCluster:
    """A cluster Argo CD manages, and how Argo CD reaches it.

    Attributes:
        metadata: The cluster's facts, which its registration carries.
        addons: The cluster's stage, as its add-ons read it (from its stack file): which
            add-ons it gets and their values.
        reach: ``capability`` (the EKS capability, by cluster ARN), ``in-cluster`` (a
            self-hosted Argo CD's own cluster) or ``access-role`` (a self-hosted Argo CD
            assuming the spoke's access role, ``awsAuthConfig``).
        serves_argocd: Whether the cluster serves a self-hosted Argo CD's own load balancer.
            Its Load Balancer Controller's Application then goes without the resources
            finalizer: when the stack is destroyed the controller keeps running after its
            Application is deleted, and removes Argo CD's load balancer when Argo CD goes
            (SECURITY.md L4). Default false.
        access_role_arn: With ``access-role``: the spoke's access role.
        endpoint: With ``access-role``: the spoke's API server URL (its stack's output).
        ca_data: With ``access-role``: the API server's CA bundle (its stack's output).
    """

    metadata: ClusterMetadata
    addons: AddonContext
    reach: Literal["capability", "in-cluster", "access-role"]
    serves_argocd: bool = False
    access_role_arn: str | None = None
    endpoint: pulumi.Input[str] | None = None
    ca_data: pulumi.Input[str] | None = None

    def __post_init__(self) -> None:
        given = [v is not None for v in (self.access_role_arn, self.endpoint, self.ca_data)]
        # All three with reach access-role, none otherwise.
        if given != [self.reach == "access-role"] * 3:
            raise ValueError(
                f"cluster {self.metadata.stage}: access_role_arn, endpoint and ca_data go "
                "together, with reach access-role only"
            )


@dataclass(frozen=True, kw_only=True)
class RegistrationsArgs:
    """Arguments of :class:`Registrations`.

    Attributes:
        settings: ``argosy:argocd``.
        clusters: Every cluster Argo CD manages (its own first), with its metadata.
        provider: The Kubernetes provider of the stage's own cluster, the only Kubernetes
            API this stack calls.
        kubernetes_version: Its Kubernetes version, whose schemas the objects must match.
        after: What must exist first: Argo CD itself (its namespace and CRDs).
        production: Production rules for the project.
        apps: The app catalog's apps on the clusters (:mod:`argosy.apps`), each on one
            stage: their team projects and Applications. Default none.
    """

    settings: ArgoCdSettings
    clusters: Sequence[RegisteredCluster]
    provider: k8s.Provider
    kubernetes_version: str
    after: Sequence[pulumi.Resource]
    production: bool
    apps: Sequence[AppOnStage] = ()


class Registrations(pulumi.ComponentResource):
    """What Argo CD reads: registrations, the platform project, baselines and controllers.

    Declared through the stage's own Kubernetes API (the one exception rule P2 allows). Each
    registration carries the cluster's metadata as labels and annotations, for
    ApplicationSets to select and template by; none holds a credential (A5, A9). Each
    cluster gets its baseline's Application and one Application per add-on
    (:mod:`argosy.addons.catalog`), each after the Argo CD that processes it (L5) and after
    the add-ons it names (:attr:`~argosy.addons.spec.Addon.after`: whatever makes load
    balancers comes after the Load Balancer Controller and is deleted before it, L4).
    """

    applications: dict[str, dict[str, k8s.apiextensions.CustomResource]]
    """Stage to add-on name to its Application."""

    def __init__(
        self, name: str, args: RegistrationsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:argocd:Registrations", name, None, opts)
        self.applications = {}
        namespace = args.settings.namespace
        after = list(args.after)
        delivered = {
            addon.chart for cluster in args.clusters for addon in addons_for(cluster.addons)
        }
        charts = [CHARTS[chart] for chart in sorted(delivered)]
        project = platform_project(
            namespace=namespace,
            source_repos=[args.settings.gitops.repo_url, *(c.argocd_repo_url for c in charts)],
            destinations=[
                (c.metadata.stage, namespace)
                for c in args.clusters
                for namespace in ("kube-system", *namespaces_for(c.addons))
            ],
            production=args.production,
            source_namespaces=[namespace],
        )
        # Argo CD reads a chart from an OCI registry only through a repository declared with
        # enableOCI (public: no credential).
        self._repositories: dict[str, k8s.core.v1.Secret] = {}
        for chart in charts:
            if chart.is_oci:
                repository = helm_oci_repository_secret(
                    chart, namespace=namespace, host_kubernetes_version=args.kubernetes_version
                )
                self._repositories[chart.chart] = k8s.core.v1.Secret(
                    f"{name}-repository-{chart.chart}",
                    metadata=repository["metadata"],
                    type="Opaque",
                    string_data=repository["stringData"],
                    opts=pulumi.ResourceOptions(
                        parent=self, provider=args.provider, depends_on=after
                    ),
                )
        platform = k8s.apiextensions.CustomResource(
            f"{name}-{PLATFORM_PROJECT}",
            api_version=project["apiVersion"],
            kind=project["kind"],
            metadata=project["metadata"],
            spec=project["spec"],
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=after),
        )
        registrations: dict[str, k8s.core.v1.Secret] = {}
        for cluster in args.clusters:
            metadata: Any = registration_metadata(cluster.metadata, namespace=namespace)
            registration = registrations[cluster.metadata.stage] = k8s.core.v1.Secret(
                f"{name}-{cluster.metadata.stage}",
                metadata=metadata,
                type="Opaque",
                string_data=self._string_data(cluster, namespace, args.kubernetes_version),
                opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=after),
            )
            baseline = application(
                BASELINE, cluster.metadata, argocd_namespace=namespace, project=PLATFORM_PROJECT
            )
            # Its cluster and project exist first, so the first sync finds both; Argo CD
            # too, so that on destroy the Application goes first (L5).
            first: list[pulumi.Resource] = [registration, platform, *after]
            k8s.apiextensions.CustomResource(
                f"{name}-{cluster.metadata.stage}-baseline",
                api_version=baseline["apiVersion"],
                kind=baseline["kind"],
                metadata=baseline["metadata"],
                spec=baseline["spec"],
                opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=first),
            )
            self.applications[cluster.metadata.stage] = self._addons(name, cluster, args, first)
        self._apps(name, args, registrations)
        self.register_outputs({})

    def _apps(
        self, name: str, args: RegistrationsArgs, registrations: Mapping[str, k8s.core.v1.Secret]
    ) -> None:
        """The team projects and each app's Application, after what the app's objects need.

        An app's Application comes after its cluster's registration and project, Argo CD
        (L5), Argo Rollouts (its CRDs), external-secrets when it reads secrets, and the Load
        Balancer Controller when it has an Ingress (L4: on destroy it goes first).
        """
        namespace = args.settings.namespace
        metadata = {c.metadata.stage: c.metadata for c in args.clusters}
        unknown = sorted({a.facts.stage for a in args.apps} - set(metadata))
        if unknown:
            raise ValueError(f"apps on stages {unknown} that this Argo CD does not manage")
        projects: dict[str, k8s.apiextensions.CustomResource] = {}
        for project in projects_of(
            args.apps,
            argocd_namespace=namespace,
            repo_urls={stage: m.gitops_repo_url for stage, m in metadata.items()},
        ):
            project_name = project["metadata"]["name"]
            projects[project_name] = k8s.apiextensions.CustomResource(
                f"{name}-project-{project_name}",
                api_version=project["apiVersion"],
                kind=project["kind"],
                metadata=project["metadata"],
                spec=project["spec"],
                opts=pulumi.ResourceOptions(
                    parent=self, provider=args.provider, depends_on=list(args.after)
                ),
            )
        for app in args.apps:
            stage = app.facts.stage
            manifest = app_application(app, metadata[stage], argocd_namespace=namespace)
            addons = self.applications[stage]
            kinds = {o["kind"] for o in app.objects}
            needed = [ARGO_ROLLOUTS.name]
            if "ExternalSecret" in kinds:
                needed.append(EXTERNAL_SECRETS.name)
            if "Ingress" in kinds:
                needed.append(LOAD_BALANCER_CONTROLLER.name)
            k8s.apiextensions.CustomResource(
                f"{name}-{stage}-app-{app.name}",
                api_version=manifest["apiVersion"],
                kind=manifest["kind"],
                metadata=manifest["metadata"],
                spec=manifest["spec"],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    provider=args.provider,
                    depends_on=[
                        registrations[stage],
                        projects[app.project],
                        *args.after,
                        *(addons[n] for n in needed),
                    ],
                ),
            )

    def _addons(
        self,
        name: str,
        cluster: RegisteredCluster,
        args: RegistrationsArgs,
        first: list[pulumi.Resource],
    ) -> dict[str, k8s.apiextensions.CustomResource]:
        """One Application per add-on of ``cluster``, each after those it names."""
        applications: dict[str, k8s.apiextensions.CustomResource] = {}
        for addon in addons_for(cluster.addons):
            keep_running = cluster.serves_argocd and addon.name == LOAD_BALANCER_CONTROLLER.name
            manifest = application(
                delivery(addon, cluster.addons, finalizer=not keep_running),
                cluster.metadata,
                argocd_namespace=args.settings.namespace,
                project=PLATFORM_PROJECT,
            )
            before: list[pulumi.Resource] = [
                applications[n] for n in comes_after(addon, cluster.addons)
            ]
            # A chart from an OCI registry: its repository first, or the first comparison fails.
            chart = CHARTS[addon.chart].chart
            if chart in self._repositories:
                before.append(self._repositories[chart])
            applications[addon.name] = k8s.apiextensions.CustomResource(
                f"{name}-{cluster.metadata.stage}-{addon.name}",
                api_version=manifest["apiVersion"],
                kind=manifest["kind"],
                metadata=manifest["metadata"],
                spec=manifest["spec"],
                opts=pulumi.ResourceOptions(
                    parent=self, provider=args.provider, depends_on=[*first, *before]
                ),
            )
        return applications

    @staticmethod
    def _string_data(cluster: RegisteredCluster, namespace: str, kubernetes_version: str) -> Any:
        """The registration's data; for a spoke reached by role, once its outputs are known.

        Typed ``Any``: the SDK types ``string_data`` as an Output of a mapping of inputs,
        which an ``Output[dict[str, str]]`` does not match (Output is invariant).
        """
        common = {
            "namespace": namespace,
            "project": PLATFORM_PROJECT,
            "host_kubernetes_version": kubernetes_version,
        }
        if cluster.reach == "capability":
            return managed_cluster_secret(cluster.metadata, **common)["stringData"]
        if cluster.reach == "in-cluster":
            return in_cluster_secret(cluster.metadata, **common)["stringData"]
        role_arn = cluster.access_role_arn
        assert role_arn is not None  # checked by RegisteredCluster
        return pulumi.Output.all(cluster.endpoint, cluster.ca_data).apply(
            lambda values: self_hosted_cluster_secret(
                cluster.metadata,
                role_arn=role_arn,
                endpoint=str(values[0]),
                ca_data=str(values[1]),
                **common,
            )["stringData"]
        )
