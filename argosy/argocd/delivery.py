"""Deliveries: what Argo CD puts into a cluster, as one small typed spec, and its Applications.

A :class:`Delivery` says what to deliver and how: a Helm chart from the versions table
(:mod:`argosy.argocd.versions`) with values built by a pure function, or a directory of the
GitOps tree; its namespace, sync wave, sync policy (automated or manual, retries), server-side
apply for charts with large CRDs, the resources finalizer, differences to ignore, and per-stage
value overrides. Build one with :meth:`Delivery.helm` or :meth:`Delivery.directory`.

The stack that hosts Argo CD declares the result, in Argo CD's namespace:

- :func:`application`: one Application for one registered cluster, named
  ``<delivery>-<stage>``;
- :func:`application_set`: one ApplicationSet whose ``clusters`` generator selects the
  registrations by label (:mod:`argosy.argocd.metadata`) and templates each Application from
  the registration (Go templates, ``missingkey=error``).

Both are deterministic (the same spec gives the same dict; Helm values are canonical JSON with
sorted keys) and checked against the upstream schema in strict mode before they are returned.
What they refuse, SECURITY.md asks for: never the ``default`` project (A4); ``selfHeal`` stated
wherever a production cluster may be the destination (L2); never Argo CD's own namespace as a
destination (L5). An Application with the resources finalizer must also depend on the Argo CD
that processes it (L5): that is the registering component's to wire.

Values builders take :class:`ClusterFacts`, never the metadata itself, so that the same builder
serves both: an Application gets the cluster's facts, an ApplicationSet gets Go template
expressions that read them from the registration (``{{.metadata.annotations.aws_region}}``).
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from argosy import patterns
from argosy.argocd.metadata import (
    ADDONS_REPO_BASEPATH,
    ADDONS_REPO_REVISION,
    ADDONS_REPO_URL,
    AWS_ACCOUNT_ID,
    AWS_CLUSTER_ARN,
    AWS_CLUSTER_NAME,
    AWS_REGION,
    AWS_VPC_CIDR,
    DNS_LABEL_RULE,
    ENVIRONMENT,
    KUBERNETES_VERSION,
    LABEL_KEYS,
    LABEL_VALUE_RULE,
    PRODUCTION,
    ClusterMetadata,
    addon_role_annotation,
)
from argosy.argocd.projects import PLATFORM_PROJECT
from argosy.argocd.versions import CHARTS, ChartVersion
from argosy.manifests.argo_schemas import check_argo_manifest
from argosy.patterns import is_dns_label, is_dns_subdomain, is_label_value

API_VERSION: Final = "argoproj.io/v1alpha1"
#: The finalizer with which deleting an Application deletes what it synced (cascading).
RESOURCES_FINALIZER: Final = "resources-finalizer.argocd.argoproj.io"
#: The annotation ordering Applications synced together (app of apps), lowest first.
SYNC_WAVE_ANNOTATION: Final = "argocd.argoproj.io/sync-wave"
#: Labels of every Application argosy declares: which delivery, which stage.
DELIVERY_LABEL: Final = "argosy.dev/delivery"
STAGE_LABEL: Final = "argosy.dev/stage"
#: Argo CD's built-in project, which allows everything: never used (A4).
DEFAULT_PROJECT: Final = "default"
#: Helm's limit on a release name.
HELM_RELEASE_NAME_MAX: Final = 53
#: The key of a cluster generator's ``values`` holding the chart version per stage.
CHART_VERSION_VALUE: Final = "chartVersion"

_KIND = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_API_GROUP = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$")
_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)")
_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_STAGE_PLACEHOLDER = "{stage}"
#: Wraps a Go template expression inside a templated fact, until it is rendered.
_MARK = "\x00"
_GO_OPEN = "{{"
_GO_OPEN_ESCAPED = '{{ "{{" }}'


def _go(expression: str) -> str:
    """A Go template action reading ``expression`` from a cluster generator's parameters."""
    return f"{_GO_OPEN}{expression}}}}}"


# --------------------------------------------------------------------------------------
# What a values builder may read about a cluster


@dataclass(frozen=True, kw_only=True)
class ClusterFacts:
    """What a values builder may read about the destination cluster.

    For an Application, the cluster's own facts (:meth:`of`); for an ApplicationSet, Go
    template expressions that read them from each selected registration (:meth:`template`).
    A builder should treat every fact as an opaque string it may put into a value, or into a
    longer string (``f"arn:aws:s3:::{facts.stage}-logs"``), but not transform.

    Attributes:
        stage: The stage, Argo CD's name for the cluster (``{{.name}}``).
        cluster_name: The EKS cluster's name.
        account_id: The stage's AWS account ID (``None`` on the local stage).
        region: The stage's AWS region (``None`` on local).
        cluster_arn: The EKS cluster's ARN (``None`` on local).
        vpc_cidr: The VPC's IPv4 range (``None`` on local).
        kubernetes_version: The control plane's minor version, such as ``1.33``.
        addon_roles: Add-on name to IAM role ARN (empty for a template; see
            :meth:`addon_role_arn`).
        templated: Whether the facts are Go template expressions.
    """

    stage: str
    cluster_name: str
    account_id: str | None
    region: str | None
    cluster_arn: str | None
    vpc_cidr: str | None
    kubernetes_version: str
    addon_roles: Mapping[str, str] = field(default_factory=lambda: types.MappingProxyType({}))
    templated: bool = False

    @classmethod
    def of(cls, cluster: ClusterMetadata) -> ClusterFacts:
        """The facts of ``cluster``, for its Application."""
        return cls(
            stage=cluster.stage,
            cluster_name=cluster.cluster_name,
            account_id=cluster.account_id,
            region=cluster.region,
            cluster_arn=cluster.cluster_arn,
            vpc_cidr=cluster.vpc_cidr,
            kubernetes_version=cluster.kubernetes_version,
            addon_roles=cluster.addon_roles,
        )

    @classmethod
    def template(cls) -> ClusterFacts:
        """Expressions reading each fact from a registration, for an ApplicationSet."""
        return cls(
            stage=_template_fact(_go(".name")),
            cluster_name=_template_fact(_go(f".metadata.annotations.{AWS_CLUSTER_NAME}")),
            account_id=_template_fact(_go(f".metadata.annotations.{AWS_ACCOUNT_ID}")),
            region=_template_fact(_go(f".metadata.annotations.{AWS_REGION}")),
            cluster_arn=_template_fact(_go(f".metadata.annotations.{AWS_CLUSTER_ARN}")),
            vpc_cidr=_template_fact(_go(f".metadata.annotations.{AWS_VPC_CIDR}")),
            kubernetes_version=_template_fact(_go(f".metadata.labels.{KUBERNETES_VERSION}")),
            templated=True,
        )

    def addon_role_arn(self, addon: str) -> str:
        """The ARN of the IAM role ``addon`` (snake_case) runs as, on this cluster.

        In a template, an expression reading ``<addon>_iam_role_arn`` from the registration's
        annotations: with ``missingkey=error``, a cluster without it fails to generate instead
        of getting an empty role. Otherwise ValueError if the cluster has no such role.
        """
        key = addon_role_annotation(addon)
        if self.templated:
            return _template_fact(_go(f".metadata.annotations.{key}"))
        role = self.addon_roles.get(addon)
        if role is None:
            raise ValueError(
                f"cluster {self.stage!r} has no IAM role for add-on {addon!r}: its metadata's "
                f"addon_roles must name it (the registration's {key} annotation)"
            )
        return role


def _template_fact(expression: str) -> str:
    return f"{_MARK}{expression}{_MARK}"


#: A pure function from a cluster's facts to Helm values (JSON: mappings with string keys,
#: lists, strings, numbers, booleans, null).
ValuesBuilder = Callable[[ClusterFacts], Mapping[str, Any]]


def no_values(facts: ClusterFacts) -> Mapping[str, Any]:
    """The values builder of a chart delivered with its defaults."""
    return {}


# --------------------------------------------------------------------------------------
# Sync policy


def _seconds(duration: str) -> float:
    return sum(float(n) * _SECONDS[unit] for n, unit in _DURATION_PART.findall(duration))


@dataclass(frozen=True, kw_only=True)
class Retry:
    """How Argo CD retries a failed sync (``spec.syncPolicy.retry``).

    Attributes:
        limit: Retries of a failed sync, 0 or more (0: none). Default 5.
        duration: The first wait, a duration such as ``5s`` (``backoff.duration``).
            Default ``5s``.
        factor: Each wait is the previous one times this, 1 or more (``backoff.factor``).
            Default 2.
        max_duration: The longest wait (``backoff.maxDuration``), at least ``duration``.
            Default ``3m``.
    """

    limit: int = 5
    duration: str = "5s"
    factor: int = 2
    max_duration: str = "3m"

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 0:
            raise ValueError(
                f"retry limit {self.limit!r} is not valid: the number of retries of a failed "
                "sync, 0 or more (0: none)"
            )
        if isinstance(self.factor, bool) or not isinstance(self.factor, int) or self.factor < 1:
            raise ValueError(
                f"retry factor {self.factor!r} is not valid: a whole number, 1 or more (each "
                "wait is the previous one times the factor)"
            )
        for name, value in (("duration", self.duration), ("max_duration", self.max_duration)):
            if not isinstance(value, str) or not _DURATION.fullmatch(value):
                raise ValueError(
                    f"retry {name} {value!r} is not valid: a duration such as 5s, 2m or 1h"
                )
        if _seconds(self.max_duration) < _seconds(self.duration):
            raise ValueError(
                f"retry max_duration {self.max_duration!r} is shorter than duration "
                f"{self.duration!r}: the longest wait is at least the first"
            )

    def to_manifest(self) -> dict[str, Any]:
        """The ``spec.syncPolicy.retry`` object."""
        return {
            "limit": self.limit,
            "backoff": {
                "duration": self.duration,
                "factor": self.factor,
                "maxDuration": self.max_duration,
            },
        }


#: The retry of every sync policy unless told otherwise: 5 retries, 5 s doubling to 3 min.
DEFAULT_RETRY: Final = Retry()


@dataclass(frozen=True, kw_only=True)
class SyncPolicy:
    """When Argo CD syncs a delivery. Build one with :meth:`automated` or :meth:`manual`.

    Attributes:
        automatic: Whether Argo CD syncs on its own (``spec.syncPolicy.automated``); without,
            a stated ``self_heal`` writes ``automated.enabled: false`` (see
            :meth:`manual_stating`).
        prune: Whether an automated sync deletes what left the source (``automated.prune``).
        self_heal: Whether an automated sync reverts changes made in the cluster
            (``automated.selfHeal``); ``None`` leaves it unstated, which Argo CD reads as off
            and production refuses (SECURITY.md L2).
        retry: How failed syncs are retried; ``None`` for never.
    """

    automatic: bool
    prune: bool = False
    self_heal: bool | None = None
    retry: Retry | None = DEFAULT_RETRY

    def __post_init__(self) -> None:
        for name, value in (("automatic", self.automatic), ("prune", self.prune)):
            if not isinstance(value, bool):
                raise ValueError(f"sync policy {name} {value!r} is not valid: True or False")
        if self.self_heal is not None and not isinstance(self.self_heal, bool):
            raise ValueError(
                f"sync policy self_heal {self.self_heal!r} is not valid: True, False or None "
                "(unstated)"
            )
        if not self.automatic and self.prune and self.self_heal is None:
            raise ValueError(
                "a manual sync policy neither prunes nor self-heals: use SyncPolicy.manual(), "
                "or SyncPolicy.automated(prune=..., self_heal=...)"
            )
        if self.retry is not None and not isinstance(self.retry, Retry):
            raise ValueError(f"sync policy retry {self.retry!r} is not valid: a Retry or None")

    @classmethod
    def automated(
        cls,
        *,
        prune: bool = True,
        self_heal: bool | None = True,
        retry: Retry | None = DEFAULT_RETRY,
    ) -> SyncPolicy:
        """Argo CD syncs on every change of the source, pruning and self-healing as told."""
        return cls(automatic=True, prune=prune, self_heal=self_heal, retry=retry)

    @classmethod
    def manual_stating(
        cls, *, prune: bool, self_heal: bool, retry: Retry | None = DEFAULT_RETRY
    ) -> SyncPolicy:
        """Someone syncs by hand, with ``prune`` and ``selfHeal`` stated for when they do.

        Written as ``automated: {enabled: false, prune, selfHeal}`` (Argo CD 3.0+), so that a
        production Application states ``selfHeal`` (L2) even when it syncs by hand.
        """
        return cls(automatic=False, prune=prune, self_heal=self_heal, retry=retry)

    @classmethod
    def manual(cls, *, retry: Retry | None = DEFAULT_RETRY) -> SyncPolicy:
        """Someone syncs by hand. ``selfHeal`` is then unstated: refused in production (L2)."""
        return cls(automatic=False, retry=retry)

    @property
    def states_self_heal(self) -> bool:
        """Whether the policy writes ``selfHeal`` (as L2 asks of production Applications)."""
        return self.self_heal is not None

    def to_manifest(self, sync_options: Sequence[str]) -> dict[str, Any]:
        """The ``spec.syncPolicy`` object, with ``sync_options``."""
        policy: dict[str, Any] = {}
        if self.automatic:
            automated: dict[str, Any] = {"prune": self.prune}
            if self.self_heal is not None:
                automated["selfHeal"] = self.self_heal
            policy["automated"] = automated
        elif self.self_heal is not None:
            policy["automated"] = {
                "enabled": False,
                "prune": self.prune,
                "selfHeal": self.self_heal,
            }
        policy["syncOptions"] = list(sync_options)
        if self.retry is not None:
            policy["retry"] = self.retry.to_manifest()
        return policy


# --------------------------------------------------------------------------------------
# Differences to ignore


@dataclass(frozen=True, kw_only=True)
class IgnoreDifference:
    """Fields of live objects Argo CD does not compare (``spec.ignoreDifferences`` item).

    Syncs leave them alone too: a delivery with any adds ``RespectIgnoreDifferences=true``.

    Attributes:
        kind: The objects' kind, such as ``Deployment``.
        group: Their API group, such as ``apps`` (empty for the core group). Default empty.
        name: Only the object of this name. Default: every object of the kind.
        namespace: Only objects in this namespace. Default: every namespace.
        json_pointers: Fields as JSON pointers, such as ``/spec/replicas``.
        jq_path_expressions: Fields as jq paths, such as ``.spec.template.metadata``.
        managed_fields_managers: Field managers whose changes are not drift, such as
            ``kube-controller-manager``.
    """

    kind: str
    group: str = ""
    name: str | None = None
    namespace: str | None = None
    json_pointers: tuple[str, ...] = ()
    jq_path_expressions: tuple[str, ...] = ()
    managed_fields_managers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _KIND.fullmatch(self.kind):
            raise ValueError(
                f"ignore_differences kind {self.kind!r} is not valid: a Kubernetes kind such "
                "as Deployment"
            )
        if not _API_GROUP.fullmatch(self.group):
            raise ValueError(
                f"ignore_differences group {self.group!r} is not valid: an API group such as "
                "apps, or empty for the core group"
            )
        for attribute in ("json_pointers", "jq_path_expressions", "managed_fields_managers"):
            object.__setattr__(self, attribute, tuple(getattr(self, attribute)))
        if not (self.json_pointers or self.jq_path_expressions or self.managed_fields_managers):
            raise ValueError(
                f"ignore_differences for {self.kind} names no field: give json_pointers, "
                "jq_path_expressions or managed_fields_managers"
            )
        for pointer in self.json_pointers:
            if not pointer.startswith("/"):
                raise ValueError(
                    f"ignore_differences JSON pointer {pointer!r} is not valid: it starts with "
                    "'/', such as /spec/replicas"
                )
        texts = (
            self.kind,
            self.group,
            self.name or "",
            self.namespace or "",
            *self.json_pointers,
            *self.jq_path_expressions,
            *self.managed_fields_managers,
        )
        if any(_GO_OPEN in text for text in texts):
            raise ValueError(
                f"ignore_differences for {self.kind} is not valid: it contains '{_GO_OPEN}', "
                "which an ApplicationSet would read as a Go template"
            )

    @classmethod
    def replicas(
        cls, kind: str = "Deployment", *, group: str = "apps", name: str | None = None
    ) -> IgnoreDifference:
        """The replica count, which a HorizontalPodAutoscaler owns."""
        return cls(kind=kind, group=group, name=name, json_pointers=("/spec/replicas",))

    def sort_key(self) -> tuple[str, str, str, str]:
        """Order by group, kind, namespace and name."""
        return (self.group, self.kind, self.namespace or "", self.name or "")

    def to_manifest(self) -> dict[str, Any]:
        """The ``spec.ignoreDifferences`` item."""
        item: dict[str, Any] = {"group": self.group, "kind": self.kind}
        if self.name is not None:
            item["name"] = self.name
        if self.namespace is not None:
            item["namespace"] = self.namespace
        if self.json_pointers:
            item["jsonPointers"] = list(self.json_pointers)
        if self.jq_path_expressions:
            item["jqPathExpressions"] = list(self.jq_path_expressions)
        if self.managed_fields_managers:
            item["managedFieldsManagers"] = list(self.managed_fields_managers)
        return item


# --------------------------------------------------------------------------------------
# Sources


@dataclass(frozen=True, kw_only=True)
class HelmSource:
    """A chart from the versions table, with values built by a pure function.

    Attributes:
        chart: The chart's key in ``charts``, such as ``argo-rollouts``.
        values: A :data:`ValuesBuilder`, from the cluster's facts to the chart's values.
            Default: none (the chart's defaults).
        release_name: The Helm release name, at most 53 characters. Default: the chart's
            name, the same on every stage (Argo CD's default, the Application's name, would
            differ by stage and rename what the chart creates).
        charts: The versions table. Default: :data:`argosy.argocd.versions.CHARTS`.
    """

    chart: str
    values: ValuesBuilder = no_values
    release_name: str | None = None
    charts: Mapping[str, ChartVersion] = field(default_factory=lambda: CHARTS)

    def __post_init__(self) -> None:
        if self.chart not in self.charts:
            known = ", ".join(sorted(self.charts))
            raise ValueError(
                f"unknown chart key {self.chart!r}: one of {known} (the versions table, "
                "argosy/argocd/versions.py)"
            )
        if not callable(self.values):
            raise ValueError(
                f"values of chart {self.chart!r} is not valid: a pure function from "
                "ClusterFacts to a mapping of Helm values"
            )
        release = self.release
        if len(release) > HELM_RELEASE_NAME_MAX or not patterns.DNS_LABEL.fullmatch(release):
            raise ValueError(
                f"release_name {release!r} is not valid: a Helm release name, at most "
                f"{HELM_RELEASE_NAME_MAX} lowercase letters, digits or '-', starting and ending "
                "with a letter or digit"
            )

    @property
    def chart_version(self) -> ChartVersion:
        """The chart's entry in the versions table."""
        return self.charts[self.chart]

    @property
    def release(self) -> str:
        """The release name in effect."""
        return self.release_name if self.release_name is not None else self.chart


@dataclass(frozen=True, kw_only=True)
class GitSource:
    """A directory of the GitOps tree, read at the cluster's repository and revision.

    The repository, the tree's base path and the revision are the cluster's
    (:class:`~argosy.argocd.metadata.ClusterMetadata`: ``gitops_repo_url``, ``gitops_path``,
    ``gitops_revision``; the registration's ``addons_repo_*`` annotations).

    Attributes:
        path: The directory under the tree's base path; ``{stage}`` stands for the stage, as
            in ``clusters/{stage}/baseline``.
    """

    path: str

    def __post_init__(self) -> None:
        plain = self.path.replace(_STAGE_PLACEHOLDER, "stage")
        if not patterns.GIT_PATH.fullmatch(plain) or ".." in plain.split("/"):
            raise ValueError(
                f"directory path {self.path!r} is not valid: a relative directory of the "
                "GitOps tree without leading or trailing '/' or '..', where {stage} stands for "
                "the stage, such as clusters/{stage}/baseline"
            )

    def path_for(self, stage: str) -> str:
        """The directory for ``stage`` (a stage, or a template expression for one)."""
        return self.path.replace(_STAGE_PLACEHOLDER, stage)


# --------------------------------------------------------------------------------------
# Values


def _plain(value: Any, where: str) -> Any:
    """``value`` as plain JSON data: dicts with string keys, lists and scalars."""
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(
                    f"{where} are not valid: key {key!r} is not a string (Helm values are JSON)"
                )
            result[key] = _plain(item, where)
        return result
    if isinstance(value, list | tuple):
        return [_plain(item, where) for item in value]
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise ValueError(
        f"{where} are not valid: {value!r} is not JSON (mappings with string keys, lists, "
        "strings, numbers, booleans and null)"
    )


def _canonical(value: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``value`` as canonical JSON data: keys sorted at every depth, a fresh copy."""
    plain = _plain(value, where)
    try:
        text = json.dumps(plain, sort_keys=True, allow_nan=False)
    except ValueError as error:  # NaN or infinity
        raise ValueError(f"{where} are not valid: {error}") from error
    result: dict[str, Any] = json.loads(text)
    return result


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in: mappings merge key by key, all else replaces."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = _merge(current, value)
        else:
            merged[key] = value
    return merged


def _render_templates(value: Any) -> Any:
    """``value`` for an ApplicationSet template: facts become Go actions, other ``{{`` text."""
    if isinstance(value, dict):
        return {_render_text(k): _render_templates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_render_templates(v) for v in value]
    if isinstance(value, str):
        return _render_text(value)
    return value


def _render_text(text: str) -> str:
    parts = text.split(_MARK)
    if len(parts) % 2 == 0:
        raise ValueError(
            f"value {text!r} holds part of a templated fact: put facts into values whole, or "
            "inside a longer string, without slicing them"
        )
    # Even parts are literal text, escaped so that Go templating leaves them as they are; odd
    # parts are the facts' expressions.
    return "".join(
        part.replace(_GO_OPEN, _GO_OPEN_ESCAPED) if index % 2 == 0 else part
        for index, part in enumerate(parts)
    )


# --------------------------------------------------------------------------------------
# The delivery


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """Something Argo CD puts into a cluster. Build one with :meth:`helm` or :meth:`directory`.

    Attributes:
        name: The delivery's name, a DNS-1123 label such as ``argo-rollouts``: the
            ApplicationSet's name, and with the stage, each Application's.
        namespace: Where it goes on the cluster (created if missing); never Argo CD's (L5).
        source: A :class:`HelmSource` or a :class:`GitSource`.
        sync_policy: A :class:`SyncPolicy`.
        finalizer: Whether deleting the Application deletes what it synced (the
            ``resources-finalizer.argocd.argoproj.io`` finalizer). No default: a deliberate
            choice either way. With it, the Application must depend on the Argo CD that
            processes it (L5), or deleting the stack leaves it stuck.
        sync_wave: The Application's sync wave (``argocd.argoproj.io/sync-wave``): lower
            waves sync first, as when controllers must come before what uses their CRDs.
            Default 0.
        server_side_apply: Whether to sync with server-side apply (``ServerSideApply=true``),
            needed by charts whose CRDs exceed the client-side annotation limit. Default off.
        ignore_differences: Fields Argo CD neither compares nor syncs, such as replicas owned
            by an autoscaler (:meth:`IgnoreDifference.replicas`). Default none.
        stage_values: Stage name to Helm values merged over the builder's on that stage
            (mappings merge key by key; anything else replaces). Helm only. Default none.
        objects: A directory of the GitOps tree synced together with the chart, as a second
            source of the same Application (``spec.sources``): the add-on's own objects, such
            as its custom resources, ordered after the chart by their sync waves inside one
            sync. ``{stage}`` stands for the stage. Helm only. Default none.
    """

    name: str
    namespace: str
    source: HelmSource | GitSource
    sync_policy: SyncPolicy
    finalizer: bool
    sync_wave: int = 0
    server_side_apply: bool = False
    ignore_differences: tuple[IgnoreDifference, ...] = ()
    stage_values: Mapping[str, Mapping[str, Any]] = field(
        default_factory=lambda: types.MappingProxyType({})
    )
    objects: GitSource | None = None

    def __post_init__(self) -> None:
        if not is_dns_label(self.name):
            raise ValueError(f"delivery name {self.name!r} is not valid: {DNS_LABEL_RULE}")
        if not is_dns_label(self.namespace):
            raise ValueError(
                f"delivery {self.name!r} namespace {self.namespace!r} is not valid: "
                f"{DNS_LABEL_RULE}"
            )
        if not isinstance(self.source, HelmSource | GitSource):
            raise ValueError(
                f"delivery {self.name!r} source is not valid: a HelmSource or a GitSource; use "
                "Delivery.helm(...) or Delivery.directory(...)"
            )
        if not isinstance(self.sync_policy, SyncPolicy):
            raise ValueError(
                f"delivery {self.name!r} sync_policy is not valid: SyncPolicy.automated(...) "
                "or SyncPolicy.manual()"
            )
        for attribute in ("finalizer", "server_side_apply"):
            value = getattr(self, attribute)
            if not isinstance(value, bool):
                raise ValueError(
                    f"delivery {self.name!r} {attribute} {value!r} is not valid: True or False"
                )
        if isinstance(self.sync_wave, bool) or not isinstance(self.sync_wave, int):
            raise ValueError(
                f"delivery {self.name!r} sync_wave {self.sync_wave!r} is not valid: a whole "
                "number, such as -1 to come before wave 0"
            )
        differences = tuple(self.ignore_differences)
        for difference in differences:
            if not isinstance(difference, IgnoreDifference):
                raise ValueError(
                    f"delivery {self.name!r} ignore_differences item {difference!r} is not "
                    "valid: an IgnoreDifference"
                )
        object.__setattr__(
            self, "ignore_differences", tuple(sorted(differences, key=IgnoreDifference.sort_key))
        )
        self._check_stage_values()
        if self.objects is not None and not isinstance(self.source, HelmSource):
            raise ValueError(
                f"delivery {self.name!r} has objects but delivers a directory already: put the "
                "objects in that directory"
            )

    def _check_stage_values(self) -> None:
        if self.stage_values and not isinstance(self.source, HelmSource):
            raise ValueError(
                f"delivery {self.name!r} has stage_values but delivers a directory: per-stage "
                "values are Helm values; a directory differs by stage through its path "
                "({stage})"
            )
        overrides = {}
        for stage, values in sorted(self.stage_values.items()):
            if not is_dns_label(stage):
                raise ValueError(
                    f"delivery {self.name!r} stage_values key {stage!r} is not valid: a stage "
                    f"name, {DNS_LABEL_RULE}"
                )
            if not isinstance(values, Mapping):
                raise ValueError(
                    f"delivery {self.name!r} stage_values[{stage!r}] is not valid: a mapping of "
                    "Helm values"
                )
            canonical = _canonical(values, f"stage_values[{stage!r}] of delivery {self.name!r}")
            overrides[stage] = types.MappingProxyType(canonical)
        # A read-only, canonical copy: the caller's mappings can change nothing later.
        object.__setattr__(self, "stage_values", types.MappingProxyType(overrides))

    @classmethod
    def helm(
        cls,
        *,
        name: str,
        namespace: str,
        chart: str,
        sync_policy: SyncPolicy,
        finalizer: bool,
        values: ValuesBuilder = no_values,
        release_name: str | None = None,
        sync_wave: int = 0,
        server_side_apply: bool = False,
        ignore_differences: Sequence[IgnoreDifference] = (),
        stage_values: Mapping[str, Mapping[str, Any]] | None = None,
        charts: Mapping[str, ChartVersion] = CHARTS,
        objects_path: str | None = None,
    ) -> Delivery:
        """A chart from the versions table (see :class:`HelmSource` and the attributes).

        ``objects_path``: the tree directory of :attr:`objects` (``{stage}`` for the stage).
        """
        return cls(
            name=name,
            namespace=namespace,
            source=HelmSource(chart=chart, values=values, release_name=release_name, charts=charts),
            sync_policy=sync_policy,
            finalizer=finalizer,
            sync_wave=sync_wave,
            server_side_apply=server_side_apply,
            ignore_differences=tuple(ignore_differences),
            stage_values=stage_values or {},
            objects=GitSource(path=objects_path) if objects_path is not None else None,
        )

    @classmethod
    def directory(
        cls,
        *,
        name: str,
        namespace: str,
        path: str,
        sync_policy: SyncPolicy,
        finalizer: bool,
        sync_wave: int = 0,
        server_side_apply: bool = False,
        ignore_differences: Sequence[IgnoreDifference] = (),
    ) -> Delivery:
        """A directory of the GitOps tree, such as ``clusters/{stage}/baseline``."""
        return cls(
            name=name,
            namespace=namespace,
            source=GitSource(path=path),
            sync_policy=sync_policy,
            finalizer=finalizer,
            sync_wave=sync_wave,
            server_side_apply=server_side_apply,
            ignore_differences=tuple(ignore_differences),
        )

    def sync_options(self) -> list[str]:
        """The ``spec.syncPolicy.syncOptions``, sorted."""
        options = ["CreateNamespace=true", "PruneLast=true"]
        if self.server_side_apply:
            options.append("ServerSideApply=true")
        if self.ignore_differences:
            options.append("RespectIgnoreDifferences=true")
        return sorted(options)

    def values_for(self, facts: ClusterFacts, stage: str | None) -> dict[str, Any]:
        """The Helm values for ``facts``, with ``stage``'s overrides merged in (if a stage).

        Canonical: keys sorted at every depth. ValueError if the builder's result is not JSON.
        """
        if not isinstance(self.source, HelmSource):
            raise ValueError(f"delivery {self.name!r} delivers a directory: it has no values")
        where = f"values of delivery {self.name!r}"
        built = self.source.values(facts)
        if not isinstance(built, Mapping):
            raise ValueError(
                f"{where} are not valid: the builder returned {built!r}, not a mapping"
            )
        values = _canonical(built, where)
        if stage is not None and stage in self.stage_values:
            values = _canonical(_merge(values, self.stage_values[stage]), where)
        return values


# --------------------------------------------------------------------------------------
# Builders


def _check_target(delivery: Delivery, argocd_namespace: str, project: str) -> None:
    if not is_dns_label(argocd_namespace):
        raise ValueError(f"argocd_namespace {argocd_namespace!r} is not valid: {DNS_LABEL_RULE}")
    if project == DEFAULT_PROJECT:
        raise ValueError(
            "project 'default' is not valid: Argo CD's default project allows every source and "
            f"destination (SECURITY.md A4); use a bounded project such as {PLATFORM_PROJECT!r}"
        )
    if not is_dns_subdomain(project):
        raise ValueError(
            f"project {project!r} is not valid: the name of an AppProject, a DNS-1123 "
            "subdomain (lowercase letters, digits, '-' and '.', at most 253 characters)"
        )
    if delivery.namespace in (argocd_namespace, "argocd"):
        raise ValueError(
            f"delivery {delivery.name!r} namespace {delivery.namespace!r} is not valid: Argo "
            "CD's namespace is never managed by an Application (SECURITY.md L5)"
        )


def _check_self_heal(delivery: Delivery, where: str) -> None:
    if not delivery.sync_policy.states_self_heal:
        raise ValueError(
            f"delivery {delivery.name!r} leaves selfHeal implicit {where}: production "
            "Applications state it (SECURITY.md L2), e.g. "
            "SyncPolicy.automated(prune=True, self_heal=True)"
        )


def _metadata(
    delivery: Delivery, *, name: str, namespace: str, labels: dict[str, str]
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "labels": labels,
        "annotations": {SYNC_WAVE_ANNOTATION: str(delivery.sync_wave)},
    }
    if delivery.finalizer:
        metadata["finalizers"] = [RESOURCES_FINALIZER]
    return metadata


def _spec(
    delivery: Delivery, *, project: str, sources: list[dict[str, Any]], cluster: str
) -> dict[str, Any]:
    # One source as ``source``; a chart with its objects as ``sources`` (multi-source).
    source_field: dict[str, Any] = (
        {"source": sources[0]} if len(sources) == 1 else {"sources": sources}
    )
    spec: dict[str, Any] = {
        "project": project,
        **source_field,
        # By name: registrations are named by stage; the server (an ARN or a URL) stays in
        # the registration.
        "destination": {"name": cluster, "namespace": delivery.namespace},
        "syncPolicy": delivery.sync_policy.to_manifest(delivery.sync_options()),
    }
    if delivery.ignore_differences:
        spec["ignoreDifferences"] = [d.to_manifest() for d in delivery.ignore_differences]
    return spec


def _helm_source(
    source: HelmSource, *, target_revision: str, values: dict[str, Any]
) -> dict[str, Any]:
    chart = source.chart_version
    helm: dict[str, Any] = {"releaseName": source.release}
    if values:
        helm["valuesObject"] = values
    return {
        "repoURL": chart.argocd_repo_url,
        "chart": chart.chart,
        "targetRevision": target_revision,
        "helm": helm,
    }


def application(
    delivery: Delivery, cluster: ClusterMetadata, *, argocd_namespace: str, project: str
) -> dict[str, Any]:
    """The Application delivering ``delivery`` to ``cluster``, declared where Argo CD runs.

    Args:
        delivery: What to deliver.
        cluster: The destination's metadata; the Application names the cluster by its
            registration's name, the stage.
        argocd_namespace: Argo CD's namespace, where the Application lives.
        project: The AppProject, never ``default`` (A4).

    Returns:
        The Application ``<delivery>-<stage>``, labelled with the delivery, the stage and
        whether it is production; Helm values inline (``valuesObject``) or the directory's
        path in the cluster's GitOps tree. Checked against the upstream schema in strict mode.
    """
    _check_target(delivery, argocd_namespace, project)
    if cluster.production:
        _check_self_heal(delivery, f"on production stage {cluster.stage!r}")
    name = f"{delivery.name}-{cluster.stage}"
    if not is_dns_label(name):
        raise ValueError(
            f"Application name {name!r} is not valid: {DNS_LABEL_RULE}; shorten the delivery's name"
        )
    sources: list[dict[str, Any]]
    if isinstance(delivery.source, HelmSource):
        sources = [
            _helm_source(
                delivery.source,
                target_revision=delivery.source.chart_version.version_for(cluster.stage),
                values=delivery.values_for(ClusterFacts.of(cluster), cluster.stage),
            )
        ]
    else:
        sources = []
    directory = delivery.source if isinstance(delivery.source, GitSource) else delivery.objects
    if directory is not None:
        sources.append(
            {
                "repoURL": cluster.gitops_repo_url,
                "targetRevision": cluster.gitops_revision,
                "path": cluster.addons_repo_basepath + directory.path_for(cluster.stage),
            }
        )
    labels = {
        DELIVERY_LABEL: delivery.name,
        STAGE_LABEL: cluster.stage,
        PRODUCTION: "true" if cluster.production else "false",
    }
    manifest: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": _metadata(delivery, name=name, namespace=argocd_namespace, labels=labels),
        "spec": _spec(delivery, project=project, sources=sources, cluster=cluster.stage),
    }
    check_argo_manifest(manifest)
    return manifest


def _check_selector(selector: Mapping[str, str]) -> dict[str, str]:
    if not selector:
        raise ValueError(
            "selector is empty: select the registrations by label, such as "
            "{'argosy.dev/production': 'true'}"
        )
    for key, value in selector.items():
        if key not in LABEL_KEYS:
            raise ValueError(
                f"selector key {key!r} is not valid: a label of cluster registrations, one of "
                f"{', '.join(LABEL_KEYS)}"
            )
        if not isinstance(value, str) or not is_label_value(value):
            raise ValueError(f"selector {key} value {value!r} is not valid: {LABEL_VALUE_RULE}")
    return dict(sorted(selector.items()))


def _clusters_generator(
    match_labels: dict[str, str],
    *,
    not_in: Sequence[str] = (),
    chart_version: str | None = None,
) -> dict[str, Any]:
    selector: dict[str, Any] = {"matchLabels": dict(sorted(match_labels.items()))}
    if not_in:
        selector["matchExpressions"] = [
            {"key": ENVIRONMENT, "operator": "NotIn", "values": sorted(not_in)}
        ]
    clusters: dict[str, Any] = {"selector": selector}
    if chart_version is not None:
        clusters["values"] = {CHART_VERSION_VALUE: chart_version}
    return {"clusters": clusters}


def application_set(
    delivery: Delivery,
    *,
    argocd_namespace: str,
    project: str,
    selector: Mapping[str, str],
) -> dict[str, Any]:
    """One ApplicationSet delivering ``delivery`` to every registration ``selector`` matches.

    The ``clusters`` generator selects registrations by their labels
    (:data:`argosy.argocd.metadata.LABEL_KEYS`, such as ``environment`` or
    ``argosy.dev/production``); the template names each Application ``<delivery>-{{.name}}``
    and its destination ``{{.name}}`` (the stage), and Helm values read the cluster's facts
    from the registration (:meth:`ClusterFacts.template`). Go templates run with
    ``missingkey=error``: a registration without a fact the template reads fails to generate.

    Per-stage chart versions (:attr:`ChartVersion.stage_pins`) become one generator per pinned
    stage, with the version in the generator's ``values``, and one for every other stage.
    Per-stage Helm values cannot be templated into one ApplicationSet: they are refused unless
    the selector names the stage (``environment``).

    Args:
        delivery: What to deliver.
        argocd_namespace: Argo CD's namespace, where the ApplicationSet and its Applications
            live.
        project: The AppProject, never ``default`` (A4).
        selector: Registration labels to match, all of them. Unless it holds
            ``argosy.dev/production: 'false'``, it may select production clusters, so the sync
            policy must state ``selfHeal`` (L2).

    Returns:
        The ApplicationSet, checked against the upstream schema in strict mode. Without the
        finalizer, ``preserveResourcesOnDeletion`` keeps the ApplicationSet controller from
        adding it.
    """
    _check_target(delivery, argocd_namespace, project)
    match_labels = _check_selector(selector)
    if match_labels.get(PRODUCTION) != "false":
        _check_self_heal(
            delivery,
            f"on the production clusters its selector may match ({PRODUCTION} is not 'false')",
        )
    stage = match_labels.get(ENVIRONMENT)
    generators: list[dict[str, Any]]
    sources: list[dict[str, Any]] = []
    if isinstance(delivery.source, HelmSource):
        if stage is None and delivery.stage_values:
            raise ValueError(
                f"delivery {delivery.name!r} has stage_values for "
                f"{', '.join(delivery.stage_values)}, which one ApplicationSet cannot "
                f"template: select one stage ({ENVIRONMENT}: <stage>), or declare an "
                "Application per cluster"
            )
        chart = delivery.source.chart_version
        pins = sorted(chart.stage_pins) if stage is None else []
        if pins:
            generators = [
                _clusters_generator(match_labels, not_in=pins, chart_version=chart.version)
            ]
            generators += [
                _clusters_generator(
                    {**match_labels, ENVIRONMENT: pinned}, chart_version=chart.version_for(pinned)
                )
                for pinned in pins
            ]
            target_revision = _go(f".values.{CHART_VERSION_VALUE}")
        else:
            generators = [_clusters_generator(match_labels)]
            target_revision = chart.version_for(stage) if stage else chart.version
        values = delivery.values_for(ClusterFacts.template(), stage)
        sources.append(
            _helm_source(
                delivery.source, target_revision=target_revision, values=_render_templates(values)
            )
        )
    else:
        generators = [_clusters_generator(match_labels)]
    directory = delivery.source if isinstance(delivery.source, GitSource) else delivery.objects
    if directory is not None:
        sources.append(
            {
                "repoURL": _go(f".metadata.annotations.{ADDONS_REPO_URL}"),
                "targetRevision": _go(f".metadata.annotations.{ADDONS_REPO_REVISION}"),
                "path": _go(f".metadata.annotations.{ADDONS_REPO_BASEPATH}")
                + directory.path_for(_go(".name")),
            }
        )
    labels = {
        DELIVERY_LABEL: delivery.name,
        STAGE_LABEL: _go(".name"),
        PRODUCTION: _go(f'index .metadata.labels "{PRODUCTION}"'),
    }
    name = f"{delivery.name}-{_go('.name')}"
    spec: dict[str, Any] = {
        "goTemplate": True,
        "goTemplateOptions": ["missingkey=error"],
        "generators": generators,
        "template": {
            "metadata": _metadata(delivery, name=name, namespace=argocd_namespace, labels=labels),
            "spec": _spec(delivery, project=project, sources=sources, cluster=_go(".name")),
        },
    }
    if not delivery.finalizer:
        # The controller adds the finalizer to templates without one unless told to preserve.
        spec["syncPolicy"] = {"preserveResourcesOnDeletion": True}
    manifest: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "ApplicationSet",
        "metadata": {
            "name": delivery.name,
            "namespace": argocd_namespace,
            "labels": {DELIVERY_LABEL: delivery.name},
        },
        "spec": spec,
    }
    check_argo_manifest(manifest)
    return manifest
