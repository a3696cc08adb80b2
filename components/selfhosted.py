"""A self-hosted Argo CD: the argo-cd chart as a Helm release, and its AWS identities.

The stack of the stage that hosts Argo CD installs it on its own cluster (ARCHITECTURE.md,
"Who touches what"); the values come from the pure builder :mod:`argosy.argocd.install` and
the chart pin from :data:`argosy.argocd.versions.ARGO_CD`. On a hub that manages spokes, each
component that reaches other clusters (the application controller, the ApplicationSet
controller and the server) runs as an IAM role of its own through EKS Pod Identity (rule
E15), with a fixed name the spokes' access roles trust, and may assume those access roles
and nothing else (Argo CD operator manual, "Declarative setup: EKS").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from argosy import naming
from argosy.argocd.install import ArgoCdInstall, argo_cd_values, release_name
from argosy.argocd.versions import ARGO_CD
from argosy.config.models import ArgoCdSettings
from argosy.manifests import iam
from components.identity import ServiceAccountRole, ServiceAccountRoleArgs

#: How long Helm waits for Argo CD's workloads to become ready, in seconds (redis-ha's
#: three-member quorum takes minutes on fresh nodes).
RELEASE_TIMEOUT_SECONDS = 900


@dataclass(frozen=True, kw_only=True)
class ArgoCdAwsIdentity:
    """What the components' IAM roles need: the cluster and the roles they may assume.

    Attributes:
        cluster_name: The hub's cluster (Pod Identity association ``clusterName``).
        cluster_arn: Its ARN, pinned in the roles' trust.
        account_id: The hub's account.
        partition: The AWS partition.
        access_role_arns: The spokes' access roles (derived from their stack files).
        provider: The hub's AWS provider.
    """

    cluster_name: pulumi.Input[str]
    cluster_arn: pulumi.Input[str]
    account_id: str
    partition: str
    access_role_arns: Sequence[str]
    provider: aws.Provider


@dataclass(frozen=True, kw_only=True)
class SelfHostedArgoCdArgs:
    """Arguments of :class:`SelfHostedArgoCd`.

    Attributes:
        stage: The hosting stage.
        settings: ``argosy:argocd`` (with ``selfHosted``).
        production: Production rules (HA by default, empty default role).
        kubernetes_provider: The provider for the stage's own cluster.
        on_aws: Whether the cluster is EKS (then Argo CD is behind an ALB with SSO) rather
            than the local kind or k3d cluster.
        identity: The components' AWS identities; ``None`` when Argo CD reaches no other
            cluster (standalone, local).
        after: What must exist first (the deploy role's access, the nodes).
    """

    stage: str
    settings: ArgoCdSettings
    production: bool
    kubernetes_provider: k8s.Provider
    on_aws: bool
    identity: ArgoCdAwsIdentity | None = None
    after: Sequence[pulumi.Resource] = ()


class SelfHostedArgoCd(pulumi.ComponentResource):
    """The argo-cd chart on the stage's own cluster, pinned, with its identities."""

    ready: list[pulumi.Resource]
    """What must exist before anything is declared in Argo CD's namespace."""
    chart_version: str
    """The chart version installed."""

    def __init__(
        self, name: str, args: SelfHostedArgoCdArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("argosy:argocd:SelfHostedArgoCd", name, None, opts)
        settings = args.settings
        if settings.self_hosted is None:  # validation requires it with install: self-hosted
            raise ValueError("SelfHostedArgoCd needs argosy:argocd.selfHosted")
        identities: list[pulumi.Resource] = []
        if args.identity is not None and args.identity.access_role_arns:
            identity = args.identity
            policy = iam.to_json(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "ReachTheSpokes",
                            "Effect": "Allow",
                            "Action": ["sts:AssumeRole", "sts:TagSession"],
                            "Resource": sorted(identity.access_role_arns),
                        }
                    ],
                }
            )
            for service_account in naming.ARGOCD_MANAGEMENT_SERVICE_ACCOUNTS:
                role = ServiceAccountRole(
                    f"{name}-{service_account.removeprefix('argocd-')}",
                    ServiceAccountRoleArgs(
                        namespace=settings.namespace,
                        service_account=service_account,
                        cluster_name=identity.cluster_name,
                        cluster_arn=identity.cluster_arn,
                        account_id=identity.account_id,
                        partition=identity.partition,
                        provider=identity.provider,
                        inline_policy=policy,
                        role_name=naming.argocd_component_role_name(args.stage, service_account),
                    ),
                    opts=pulumi.ResourceOptions(parent=self),
                )
                identities.extend(role.ready)
        install = ArgoCdInstall(
            stage=args.stage,
            namespace=settings.namespace,
            production=args.production,
            settings=settings.self_hosted,
            on_aws=args.on_aws,
        )
        release = k8s.helm.v3.Release(
            name,
            name=release_name(),
            chart=ARGO_CD.chart,
            version=ARGO_CD.version_for(args.stage),
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=ARGO_CD.repository),
            namespace=settings.namespace,
            create_namespace=True,
            values=argo_cd_values(install),
            # A failed upgrade rolls back instead of leaving Argo CD half-upgraded.
            atomic=True,
            cleanup_on_fail=True,
            timeout=RELEASE_TIMEOUT_SECONDS,
            max_history=10,
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=args.kubernetes_provider,
                # Pods start with their AWS identity in place.
                depends_on=[*args.after, *identities],
            ),
        )
        self.ready = [release]
        self.chart_version = ARGO_CD.version_for(args.stage)
        self.register_outputs({"chartVersion": self.chart_version})
