"""An add-on: one small typed spec, read by both sides of the delivery model.

An :class:`Addon` says everything about one controller Argo CD delivers:

- its chart (a key of :data:`argosy.argocd.versions.CHARTS`), namespace, sync wave and Helm
  release name;
- a pure values builder, from the stage's :class:`AddonContext`;
- the AWS identities it needs (:class:`AddonIdentity`: one namespace and service account
  each, with a least-privilege policy, SECURITY.md E15), which **the stage's own stack**
  creates with fixed names, so that the stack hosting Argo CD derives their ARNs for the
  registration's ``<key>_iam_role_arn`` annotations;
- the objects it needs beside the chart (an EventBus, a ClusterSecretStore, a NodePool),
  which ``argosy render`` writes to ``clusters/<stage>/addons/<name>/`` and the add-on's
  Application syncs together with the chart: after it (sync wave 1 inside the Application,
  :func:`object_annotations`), or before it where the chart's pods need the object to start
  (Argo Workflows' SSO Secret, wave -1);
- whether it makes load balancers (an Ingress or a LoadBalancer Service), so that its
  Application comes after the Load Balancer Controller's and goes before it (SECURITY.md L4).

The context is built from the stage's stack file alone (:meth:`AddonContext.of`): the stage's
stack and the hub read the same file, so they agree on every name without a StackReference.
Nothing here imports Pulumi.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from argosy import naming, patterns
from argosy.argocd.delivery import IgnoreDifference
from argosy.argocd.metadata import DNS_LABEL_RULE, addon_role_annotation
from argosy.argocd.versions import CHARTS
from argosy.config.models.addons import AddonsSettings
from argosy.config.models.apps import AppsSettings
from argosy.config.stage import AwsStageConfig, StageConfig
from argosy.manifests.addons import DEFAULT_STORAGE_CLASS
from argosy.manifests.iam import PolicyDocument
from argosy.patterns import is_dns_label

#: The annotation ordering objects inside one Application's sync, lowest first.
SYNC_WAVE_ANNOTATION: Final = "argocd.argoproj.io/sync-wave"
#: Argo CD's per-object sync options.
SYNC_OPTIONS_ANNOTATION: Final = "argocd.argoproj.io/sync-options"
#: The wave of an add-on's own objects: after the chart's (wave 0), whose controller and
#: webhooks must be healthy before their custom resources are applied.
OBJECTS_SYNC_WAVE: Final = 1
#: Lets the first sync apply a custom resource whose CRD the same sync creates (the chart's).
SKIP_DRY_RUN: Final = "SkipDryRunOnMissingResource=true"

#: The ClusterSecretStore external-secrets serves on every AWS stage: the stage's Secrets
#: Manager secrets under its prefix (:func:`secrets_prefix`).
CLUSTER_SECRET_STORE: Final = "aws-secrets-manager"

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@dataclass(frozen=True, kw_only=True)
class AwsTarget:
    """The AWS facts of a stage an add-on may need, all derived from its stack file.

    Attributes:
        account_id: The stage's account.
        region: The stage's region.
        partition: Its partition (``aws``, ``aws-cn``, ``aws-us-gov``).
        cluster_name: The EKS cluster's name (``argosy-<stage>``).
        cluster_arn: The EKS cluster's ARN.
        vpc_name: The VPC's ``Name`` tag, unique in the account and region: the Load Balancer
            Controller finds the VPC by it (chart ``vpcTags``), since the stack that declares
            the Application cannot read a spoke's VPC ID.
        vpc_cidr: The VPC's range.
    """

    account_id: str
    region: str
    partition: str
    cluster_name: str
    cluster_arn: str
    vpc_name: str
    vpc_cidr: str

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        """An ARN of ``service`` in the stage's account (and region, unless global)."""
        where = self.region if region else ""
        return f"arn:{self.partition}:{service}:{where}:{self.account_id}:{resource}"


@dataclass(frozen=True, kw_only=True)
class AddonContext:
    """What an add-on's builders may read about one stage.

    Attributes:
        stage: The stage.
        production: Whether production rules apply.
        kubernetes_version: The cluster's minor version; objects are checked against it.
        settings: ``argosy:addons`` of the stage (defaults if absent).
        aws: The stage's AWS facts; ``None`` on the local stage.
        storage_class: The StorageClass volumes use: the EBS CSI add-on's on AWS; ``None``
            (the cluster's default) on local.
        secret_readers: The apps' namespaces on the stage that read Secrets Manager through
            external-secrets (from the app catalog, :mod:`argosy.apps`). Default none.
        apps: ``argosy:apps`` of the stage (defaults if absent): the app domain and zone
            external-dns serves, and whether Argo Rollouts queries the stage's Prometheus.
            Default: no domain, no Prometheus.
    """

    stage: str
    production: bool
    kubernetes_version: str
    settings: AddonsSettings
    aws: AwsTarget | None
    storage_class: str | None
    secret_readers: tuple[str, ...] = ()
    apps: AppsSettings = field(default_factory=AppsSettings)

    @classmethod
    def of(cls, config: StageConfig) -> AddonContext:
        """The context of ``config``'s stage."""
        settings = getattr(config, "addons", None) or AddonsSettings()
        if not isinstance(config, AwsStageConfig):
            return cls(
                stage=config.stage,
                production=config.production,
                kubernetes_version=config.kubernetes.version,
                settings=settings,
                aws=None,
                storage_class=None,
                apps=config.apps,
            )
        aws = AwsTarget(
            account_id=config.aws.account_id,
            region=config.aws.region,
            partition=config.aws.partition,
            cluster_name=naming.cluster_name(config.stage),
            cluster_arn=naming.cluster_arn(
                config.aws.partition, config.aws.region, config.aws.account_id, config.stage
            ),
            vpc_name=naming.vpc_name(config.stage),
            vpc_cidr=config.network.vpc_cidr,
        )
        return cls(
            stage=config.stage,
            production=config.production,
            kubernetes_version=config.cluster.version,
            settings=settings,
            aws=aws,
            storage_class=DEFAULT_STORAGE_CLASS,
            apps=config.apps,
        )

    @property
    def on_aws(self) -> bool:
        """Whether the stage runs on AWS."""
        return self.aws is not None

    def require_aws(self, addon: str) -> AwsTarget:
        """The AWS facts, for an add-on that runs on AWS only."""
        if self.aws is None:
            raise ValueError(f"add-on {addon!r} runs on AWS only; stage {self.stage!r} is local")
        return self.aws

    def role_arn(self, identity: AddonIdentity) -> str:
        """The ARN of ``identity``'s role on this stage."""
        aws = self.require_aws(identity.key)
        return naming.addon_role_arn(aws.partition, aws.account_id, self.stage, identity.role)


@dataclass(frozen=True, kw_only=True)
class AddonIdentity:
    """An AWS identity for exactly one service account of an add-on (SECURITY.md E15).

    The stage's stack creates the role ``argosy-<stage>-<role>`` with a Pod Identity trust
    for this namespace and service account only, attaches ``policy`` (and the AWS managed
    ``managed_policies``), and associates it.

    Attributes:
        key: snake_case name of the identity; the registration's ``<key>_iam_role_arn``
            annotation (the GitOps Bridge convention), such as ``external_dns``.
        role: The role name's suffix, such as ``external-dns``.
        namespace: The service account's namespace.
        service_account: The service account's name.
        policy: The role's own policy; ``None`` for none (managed policies only).
        managed_policy_arns: Full ARNs of existing policies to attach (Crossplane's, from
            config). Default none.
    """

    key: str
    role: str
    namespace: str
    service_account: str
    policy: PolicyDocument | None
    managed_policy_arns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        addon_role_annotation(self.key)  # ValueError unless a valid snake_case key
        for name, value in (
            ("role", self.role),
            ("namespace", self.namespace),
            ("service_account", self.service_account),
        ):
            if not is_dns_label(value):
                raise ValueError(f"identity {self.key} {name} {value!r}: {DNS_LABEL_RULE}")
        if self.policy is None and not self.managed_policy_arns:
            raise ValueError(f"identity {self.key} has no policy: give policy or managed ones")


@dataclass(frozen=True, kw_only=True)
class TreeObject:
    """An object an add-on needs beside its chart, rendered into the GitOps tree.

    Attributes:
        manifest: The object, checked against its schema (Argo kinds strictly, core kinds
            against Kubernetes', other custom resources against their CRD's schema).
        comment: Why it exists, written above it in its file.
    """

    manifest: Mapping[str, Any]
    comment: str

    @property
    def path(self) -> str:
        """Its file in the add-on's directory: ``[<namespace>/]<kind>-<name>.yaml``."""
        metadata = self.manifest["metadata"]
        file = f"{self.manifest['kind']}-{metadata['name']}.yaml".lower()
        namespace = metadata.get("namespace")
        return f"{namespace}/{file}" if namespace else file


def _none(ctx: AddonContext) -> Sequence[Any]:
    return ()


def _never(ctx: AddonContext) -> bool:
    return False


def _always(ctx: AddonContext) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class Addon:
    """One controller Argo CD delivers, on both sides of the delivery model.

    Attributes:
        name: The delivery's name, a DNS-1123 label (``external-dns``): the Application is
            ``<name>-<stage>``, its objects go to ``clusters/<stage>/addons/<name>/``.
        chart: Its key in the versions table.
        namespace: Where the chart goes (created by the sync if missing).
        values: Pure function from the stage's context to the chart's values.
        enabled: Whether the stage gets it. Default: always.
        aws_only: Delivered only to stages on AWS. Default false.
        sync_wave: The Application's wave (``argocd.argoproj.io/sync-wave``): the order among
            add-ons when a parent Application syncs them. Default 0.
        release_name: The Helm release name. Default: the chart's name.
        identities: Its AWS identities on a stage (``()`` on local). Default none.
        objects: Its objects beside the chart, in the GitOps tree. Default none.
        makes_load_balancers: Whether it makes an Ingress or a LoadBalancer Service on the
            stage (SECURITY.md L4). Default never.
        after: Names of add-ons whose Applications must exist before this one's and be
            deleted after it. Default none.
        server_side_apply: Sync with server-side apply (large CRDs). Default false.
        ignore_differences: Fields Argo CD neither compares nor syncs (``spec.ignoreDifferences``),
            such as a webhook certificate the chart generates anew on every render. Default
            none.
    """

    name: str
    chart: str
    namespace: str
    values: Callable[[AddonContext], Mapping[str, Any]]
    enabled: Callable[[AddonContext], bool] = _always
    aws_only: bool = False
    sync_wave: int = 0
    release_name: str | None = None
    identities: Callable[[AddonContext], Sequence[AddonIdentity]] = _none
    objects: Callable[[AddonContext], Sequence[TreeObject]] = _none
    makes_load_balancers: Callable[[AddonContext], bool] = _never
    after: tuple[str, ...] = field(default=())
    server_side_apply: bool = False
    ignore_differences: tuple[IgnoreDifference, ...] = ()

    def __post_init__(self) -> None:
        if not is_dns_label(self.name):
            raise ValueError(f"add-on name {self.name!r} is not valid: {DNS_LABEL_RULE}")
        if self.chart not in CHARTS:
            raise ValueError(
                f"add-on {self.name!r} chart {self.chart!r} is not in the versions table "
                "(argosy/argocd/versions.py)"
            )
        if not is_dns_label(self.namespace):
            raise ValueError(f"add-on {self.name!r} namespace: {DNS_LABEL_RULE}")

    def delivered_to(self, ctx: AddonContext) -> bool:
        """Whether ``ctx``'s stage gets this add-on."""
        return (ctx.on_aws or not self.aws_only) and self.enabled(ctx)

    def identities_on(self, ctx: AddonContext) -> tuple[AddonIdentity, ...]:
        """Its identities on ``ctx``'s stage: none where it is not delivered, or on local."""
        if not ctx.on_aws or not self.delivered_to(ctx):
            return ()
        return tuple(self.identities(ctx))


def secrets_prefix(ctx: AddonContext) -> str:
    """The Secrets Manager name prefix the stage's secrets live under (``argosy/<stage>/``)."""
    return ctx.settings.external_secrets.prefix or f"{naming.PROJECT}/{ctx.stage}/"


def object_annotations(*, skip_dry_run: bool = True) -> dict[str, str]:
    """The annotations of an add-on's tree object: after the chart, CRD possibly new."""
    annotations = {SYNC_WAVE_ANNOTATION: str(OBJECTS_SYNC_WAVE)}
    if skip_dry_run:
        annotations[SYNC_OPTIONS_ANNOTATION] = SKIP_DRY_RUN
    return annotations


def snake(name: str) -> str:
    """``name`` as a snake_case identity key: ``argo-workflows`` becomes ``argo_workflows``."""
    key = name.replace("-", "_")
    if not _SNAKE.fullmatch(key):
        raise ValueError(f"{name!r} has no snake_case form (DNS-1123 label expected)")
    return key


def dns_label(value: str) -> bool:
    """Whether ``value`` is a DNS-1123 label (re-exported for the add-on modules)."""
    return len(value) <= 63 and bool(patterns.DNS_LABEL.fullmatch(value))
