"""An app's workload on one stage: the objects of its kustomize overlay, as pure builders.

A :class:`Workload` says, for one app on one stage, what a team writes about it (image, port,
health path, resources, environment, replicas or autoscaling, host) and the delivery strategy
the platform chose for the stage (a :mod:`argosy.apps.strategy` Canary or BlueGreen, built with
:func:`canary_strategy` or :func:`blue_green_strategy` so that its Service names are the ones
built here). Every builder takes the workload and the cluster's Kubernetes minor version and
returns a plain manifest checked in strict mode (:func:`~argosy.manifests.argo_schemas.
check_manifest`; the pod template through a core ``PodTemplate``); :func:`workload_objects`
returns the whole set, in a fixed order. No Pulumi, no I/O, same input, same output.

Names. Everything is named after the app (``<app>``): its Namespace (one per app), service
account, Rollout, Services, Ingress, disruption budget, autoscaler and NetworkPolicy. Two
names are derived: ``<app>-canary`` (a canary with ALB routing) and ``<app>-preview``
(blue-green). Every name is a DNS-1123 label of at most 63 characters; the app's starts with a
letter, since it names Services (DNS-1035 labels). A derived name that would be too long is
refused with the longest app name that fits.

Services per strategy:

- canary with ALB routing: ``<app>`` (stable) and ``<app>-canary``. The Ingress's backend is
  ``<app>`` with the port name ``use-annotation``: Argo Rollouts writes the
  ``alb.ingress.kubernetes.io/actions.<app>`` annotation that splits traffic between the two
  (Argo Rollouts ``docs/features/traffic-management/alb.md`` at v1.9.0, commit
  838d4e792be666ec11bd0c80331e0c5511b5010e: "serviceName must match either:
  canary.trafficRouting.alb.rootService (if specified), or canary.stableService (if
  rootService is omitted)", "servicePort must be the value: use-annotation"; the Rollout is
  refused otherwise, ``pkg/apis/rollouts/validation/validation_references.go``: "ingress ... has
  no rules using service ... backend"). ``rootService`` is left out, so the stable Service is
  the action's name; the annotation is the controller's, never written in git. The controller
  finds the Ingress by ``spec.ingressClassName: alb`` as well as by the old annotation (same
  page, "Custom Ingress Class").
- canary without routing (replica-based): one Service ``<app>`` over every pod; a weight is a
  share of the pods.
- blue-green: ``<app>`` (active, behind the Ingress if any) and ``<app>-preview``.

The Ingress (:class:`AlbIngress`) is the AWS Load Balancer Controller's (``docs/guide/ingress/
annotations.md`` and ``cert_discovery.md`` at v3.5.0, commit
11eb202c97e4ae2ee45e0658c4cde9a4b59f33d4): ``ingressClassName: alb``, internal unless asked,
target type ``ip`` (pods are targets; the NetworkPolicy admits the VPC's range on the app's
port), TLS 1.3 and 1.2 only (``ELBSecurityPolicy-TLS13-1-2-2021-06``; the controller's default
policy still offers TLS 1.0). Content is served on HTTPS 443 only; by default an HTTP 80
listener exists only to redirect (``ssl-redirect: '443'``: "every HTTP listener will be
configured with a default action which redirects to HTTPS, other rules will be ignored"), and
``redirect_http=False`` leaves port 80 closed. The certificate is the ARN given or, without
one, the ACM certificate the controller discovers from the ``tls`` host (no Secret: the ALB
terminates TLS), so no ARN has to be written into git (SECURITY.md E10). external-dns publishes
the host from ``spec.rules[].host`` and ``spec.tls[].hosts`` (external-dns ``docs/sources/
ingress.md``). The Ingress needs the Load Balancer Controller running first (L4): that is the
Application's ordering, not this module's.

The pod follows the workload rules of SECURITY.md and the ``restricted`` Pod Security
Standard, which the app's Namespace enforces: its own service account with no API token unless
asked, ``runAsNonRoot``, no privilege escalation, every capability dropped, seccomp
``RuntimeDefault``, a read-only root filesystem with an ``emptyDir`` at ``/tmp``, no host
namespaces or host ports, CPU and memory requests and limits, startup, liveness and readiness
probes on the health path, spread over zones.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, TypeAlias

from argosy import patterns
from argosy.apps.cloud import PATH_ANNOTATION, PORT_ANNOTATION, SCRAPE_ANNOTATION
from argosy.apps.strategy import (
    ALB_ANNOTATION_PREFIX,
    DEFAULT_SCALE_DOWN_DELAY_SECONDS,
    AlbRouting,
    Analysis,
    BackgroundAnalysis,
    BlueGreen,
    Canary,
    CanaryStep,
    IstioRouting,
    Strategy,
)
from argosy.apps.strategy import rollout as strategy_rollout
from argosy.manifests.argo_schemas import check_manifest
from argosy.render.baseline import MANAGED_BY, NAMESPACE_NAME_LABEL, PSA_PREFIX, STAGE_LABEL

#: The label every object and pod carries with the app's name; the selector's only label.
NAME_LABEL: Final = "app.kubernetes.io/name"
#: The team that owns the app (from the app catalog).
TEAM_LABEL: Final = "argosy.dev/team"
#: The Pod Security Standard the app's Namespace enforces: its pods comply.
PSA_LEVEL: Final = "restricted"
#: The label Argo Rollouts puts on each ReplicaSet's pods (``DefaultRolloutUniqueLabelKey``).
ROLLOUT_HASH_LABEL: Final = "rollouts-pod-template-hash"
#: The well-known node label of a node's zone.
ZONE_LABEL: Final = "topology.kubernetes.io/zone"

#: The app's single container.
CONTAINER_NAME: Final = "app"
#: The container port's name, which the Services and probes refer to.
PORT_NAME: Final = "http"
#: The port every Service of the app listens on (and the ALB routing's ``servicePort``).
SERVICE_PORT: Final = 80
#: The writable scratch directory on a read-only root filesystem.
TMP_PATH: Final = "/tmp"
TMP_VOLUME: Final = "tmp"
#: The default size limit of ``/tmp`` (counted against the node's ephemeral storage).
DEFAULT_TMP_SIZE_LIMIT: Final = "64Mi"
#: The HPA's default CPU target, in percent of the CPU request.
DEFAULT_TARGET_CPU_UTILIZATION: Final = 70

#: Suffixes of the derived names.
CANARY_SUFFIX: Final = "-canary"
PREVIEW_SUFFIX: Final = "-preview"

#: The ALB's TLS policy: TLS 1.3 and 1.2 only, as for argo-server's Ingress.
SSL_POLICY: Final = "ELBSecurityPolicy-TLS13-1-2-2021-06"
#: The Ingress backend port name that makes the controller read the action annotation.
USE_ANNOTATION: Final = "use-annotation"

# Probe timings. Startup allows 5 s x 30 = 150 s before liveness takes over; liveness
# restarts after 3 failures 10 s apart; readiness takes a pod out of the Services after 3
# failures 5 s apart, before liveness would restart it.
_STARTUP = {"periodSeconds": 5, "timeoutSeconds": 2, "failureThreshold": 30}
_LIVENESS = {"periodSeconds": 10, "timeoutSeconds": 2, "failureThreshold": 3}
_READINESS = {"periodSeconds": 5, "timeoutSeconds": 2, "failureThreshold": 3}

_PORT_MIN: Final = 1024
_PORT_MAX: Final = 65535
_INT32_MAX: Final = 2**31 - 1

# --------------------------------------------------------------------------------------
# Rules, as quoted in messages

APP_NAME_RULE: Final = (
    "a DNS-1123 label starting with a letter (it names the app's Services, which are DNS-1035 "
    "labels): at most 63 lowercase letters, digits or '-', starting with a letter and ending "
    "with a letter or digit"
)
LABEL_RULE: Final = (
    "a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a "
    "letter or digit"
)
DERIVED_NAME_RULE: Final = (
    "every name derived from the app's (<app>, <app>-canary, <app>-preview) is a DNS-1123 "
    "label of at most 63 characters"
)
RESERVED_NAMESPACE_RULE: Final = (
    "an app runs in a namespace of its own, never default or a kube- namespace (SECURITY.md, "
    "Workloads)"
)
REPOSITORY_RULE: Final = (
    "an image repository without tag or digest: an optional registry host (and port) and '/', "
    "then lowercase path components of letters and digits joined by '.', '_', '__' or '-', "
    "separated by '/'"
)
TAG_RULE: Final = (
    "a tag that is set and not latest (SECURITY.md, Workloads; kustomize images owns it from "
    "here on): at most 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"
)
PORT_RULE: Final = (
    "a container port from 1024 to 65535 (the container runs as non-root with every "
    "capability dropped, so it cannot bind a lower port)"
)
HEALTH_PATH_RULE: Final = (
    "an absolute HTTP path for the probes: starting with '/', printable ASCII without spaces"
)
CPU_RULE: Final = (
    "a CPU quantity above zero: whole or decimal cores (at most 3 decimals) or whole millicores "
    "with m"
)
MEMORY_RULE: Final = (
    "a memory quantity above zero: whole bytes with an optional suffix Ki, Mi, Gi, Ti, Pi, Ei, "
    "k, M, G, T, P or E (m would mean thousandths of a byte)"
)
ENV_NAME_RULE: Final = "an environment variable name: a letter or '_', then letters, digits or '_'"
SECRET_NAME_RULE: Final = (
    "a Secret name, a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' or '.', "
    "starting and ending with a letter or digit"
)
SECRET_KEY_RULE: Final = "a Secret key: at most 253 letters, digits, '-', '_' or '.'"
HOST_RULE: Final = (
    "a fully qualified host name: two or more labels of lowercase letters, digits or '-' "
    "separated by '.', each at most 63 characters and 253 in all, without wildcard, IP "
    "address, port or trailing dot"
)
CERTIFICATE_ARN_RULE: Final = "an ACM certificate ARN, or None to find it by the host"
VPC_CIDR_RULE: Final = "the VPC's private IPv4 range (the ALB's nodes), in CIDR notation"

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
# The distribution reference grammar (distribution/reference), without tag or digest.
_REPOSITORY = re.compile(
    rf"^(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?/)?"
    rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*$"
)
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_HEALTH_PATH = re.compile(r"^/[!-~]*$")
_CPU = re.compile(r"^(?:(?P<milli>[0-9]+)m|(?P<cores>[0-9]+(?:\.[0-9]{1,3})?))$")
_MEMORY = re.compile(r"^(?P<number>[0-9]+)(?P<unit>Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
_MEMORY_FACTORS: Final[dict[str, int]] = {
    "": 1,
    **{unit: 1024 ** (i + 1) for i, unit in enumerate(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))},
    **{unit: 1000 ** (i + 1) for i, unit in enumerate(("k", "M", "G", "T", "P", "E"))},
}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]{1,253}$")
_HOST_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_CERTIFICATE_ARN = re.compile(
    r"^arn:aws(?:-[a-z]+)*:acm:[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}:[0-9]{12}:certificate/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


def _invalid(what: str, value: object, rule: str, example: str) -> ValueError:
    return ValueError(f"{what} {value!r} is not valid: {rule}, such as {example}")


def _require_bool(what: str, value: object) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{what} {value!r} is not valid: True or False")


def check_app_name(name: object) -> str:
    """``name`` if it can name an app (and its Namespace and Services); ValueError otherwise."""
    if not isinstance(name, str) or not patterns.is_dns_1035_label(name):
        raise _invalid("app name", name, APP_NAME_RULE, "go-todo")
    if name == "default" or name.startswith("kube-"):
        raise _invalid("app name", name, RESERVED_NAMESPACE_RULE, "go-todo")
    return name


def derived_name(name: str, suffix: str, what: str) -> str:
    """``<name><suffix>``, refused with the exact rule if it is longer than a label allows.

    Args:
        name: The app's name, already checked.
        suffix: Such as ``-canary``.
        what: What the derived name names, for the message (``canary Service``).
    """
    derived = f"{name}{suffix}"
    if len(derived) > patterns.LABEL_MAX:
        raise ValueError(
            f"app name {name!r} makes the {what} name {derived!r}, {len(derived)} characters: "
            f"{DERIVED_NAME_RULE}; use an app name of at most {patterns.LABEL_MAX - len(suffix)} "
            "characters, such as go-todo"
        )
    return derived


# --------------------------------------------------------------------------------------
# Quantities


def cpu_millicores(value: object) -> int:
    """A CPU quantity (``250m``, ``0.5``, ``2``) in millicores; ValueError if not one."""
    match = _CPU.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(CPU_RULE)
    if match["milli"] is not None:
        millicores = int(match["milli"])
    else:
        millicores = int(Decimal(match["cores"]) * 1000)
    if millicores <= 0:
        raise ValueError(CPU_RULE)
    return millicores


def memory_bytes(value: object) -> int:
    """A memory quantity (``128Mi``, ``1G``) in bytes; ValueError if not one."""
    match = _MEMORY.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(MEMORY_RULE)
    count = int(match["number"]) * _MEMORY_FACTORS[match["unit"] or ""]
    if count <= 0:
        raise ValueError(MEMORY_RULE)
    return count


def _require_cpu(what: str, value: object) -> int:
    try:
        return cpu_millicores(value)
    except ValueError:
        raise _invalid(what, value, CPU_RULE, "250m, 0.5 or 1") from None


def _require_memory(what: str, value: object) -> int:
    try:
        return memory_bytes(value)
    except ValueError:
        raise _invalid(what, value, MEMORY_RULE, "128Mi or 1Gi") from None


# --------------------------------------------------------------------------------------
# Typed inputs


@dataclass(frozen=True)
class Image:
    """The app's container image: the repository, and the tag of the first render.

    Promotion changes the tag in the overlay's kustomization (``images``), which owns it from
    then on: :func:`kustomize_image` is that entry, and the container names the repository
    with this initial tag.

    Attributes:
        repository: Such as ``111111111111.dkr.ecr.eu-west-1.amazonaws.com/go-todo``; no tag or
            digest.
        tag: Such as ``1.4.2``; never ``latest``, never empty.
    """

    repository: str
    tag: str

    def __post_init__(self) -> None:
        repository: object = self.repository
        if not (
            isinstance(repository, str)
            and len(repository) <= 255
            and _REPOSITORY.fullmatch(repository)
        ):
            raise _invalid(
                "image repository",
                repository,
                REPOSITORY_RULE,
                "111111111111.dkr.ecr.eu-west-1.amazonaws.com/go-todo",
            )
        tag: object = self.tag
        # Tags are case-sensitive, but LATEST is as mutable a promise as latest.
        if not (isinstance(tag, str) and _TAG.fullmatch(tag)) or tag.lower() == "latest":
            raise _invalid("image tag", tag, TAG_RULE, "1.4.2")

    @property
    def reference(self) -> str:
        """``<repository>:<tag>``, as the container names it."""
        return f"{self.repository}:{self.tag}"


@dataclass(frozen=True, kw_only=True)
class Resources:
    """The container's CPU and memory requests and limits.

    The memory limit is the request: memory cannot be throttled, only killed, so a pod that
    uses more than it asked for is killed by its own limit rather than starving its node's
    neighbours. The CPU limit defaults to the request too (with both equal the pod is in the
    Guaranteed QoS class, the last to be evicted); a higher one lets the app burst.

    Attributes:
        cpu: The CPU request, such as ``250m``.
        memory: The memory request and limit, such as ``256Mi``.
        cpu_limit: The CPU limit, at least the request; ``None``: the request.
    """

    cpu: str
    memory: str
    cpu_limit: str | None = None

    def __post_init__(self) -> None:
        request = _require_cpu("resources cpu", self.cpu)
        _require_memory("resources memory", self.memory)
        if self.cpu_limit is not None:
            limit = _require_cpu("resources cpu_limit", self.cpu_limit)
            if limit < request:
                raise ValueError(
                    f"resources cpu_limit {self.cpu_limit!r} is below the cpu request "
                    f"{self.cpu!r}: a limit is at least its request (the API server refuses "
                    f"a lower one), such as {self.cpu!r} or more"
                )

    def to_manifest(self) -> dict[str, Any]:
        """The container's ``resources``."""
        return {
            "requests": {"cpu": self.cpu, "memory": self.memory},
            "limits": {"cpu": self.cpu_limit or self.cpu, "memory": self.memory},
        }


@dataclass(frozen=True)
class EnvVar:
    """A plain environment variable (never a secret: it is written in git).

    Attributes:
        name: Such as ``LOG_LEVEL``.
        value: Such as ``info``.
    """

    name: str
    value: str

    def __post_init__(self) -> None:
        _require_env_name(self.name)
        if not isinstance(self.value, str):
            raise _invalid(f"env {self.name} value", self.value, "text", "'info'")

    def to_manifest(self) -> dict[str, Any]:
        """The container's ``env`` item."""
        return {"name": self.name, "value": self.value}


@dataclass(frozen=True)
class SecretEnvVar:
    """An environment variable read from a key of a Secret of the app's namespace.

    The Secret is made by external-secrets from Secrets Manager (an ExternalSecret built
    elsewhere), so no secret value is ever written in git. The reference is not optional: the
    pod does not start until the Secret holds the key.

    Attributes:
        name: Such as ``DATABASE_PASSWORD``.
        secret: The Secret's name, such as ``go-todo-db``.
        key: The key in it, such as ``password``.
    """

    name: str
    secret: str
    key: str

    def __post_init__(self) -> None:
        _require_env_name(self.name)
        if not patterns.is_dns_subdomain(self.secret):
            raise _invalid(f"env {self.name} secret", self.secret, SECRET_NAME_RULE, "go-todo-db")
        if not (isinstance(self.key, str) and _SECRET_KEY.fullmatch(self.key)):
            raise _invalid(f"env {self.name} key", self.key, SECRET_KEY_RULE, "password")

    def to_manifest(self) -> dict[str, Any]:
        """The container's ``env`` item, with ``valueFrom.secretKeyRef``."""
        return {
            "name": self.name,
            "valueFrom": {"secretKeyRef": {"name": self.secret, "key": self.key}},
        }


#: One environment variable of the container.
Env: TypeAlias = EnvVar | SecretEnvVar


def _require_env_name(name: object) -> None:
    if not (isinstance(name, str) and _ENV_NAME.fullmatch(name)):
        raise _invalid("env name", name, ENV_NAME_RULE, "LOG_LEVEL")


@dataclass(frozen=True, kw_only=True)
class Autoscaling:
    """A HorizontalPodAutoscaler on CPU, scaling the Rollout between two bounds.

    Attributes:
        min_replicas: At least 1.
        max_replicas: At least ``min_replicas``.
        target_cpu_utilization: The average CPU use aimed at, in percent of the CPU request,
            from 1 to 100. Default 70.
    """

    min_replicas: int
    max_replicas: int
    target_cpu_utilization: int = DEFAULT_TARGET_CPU_UTILIZATION

    def __post_init__(self) -> None:
        if not (
            patterns.is_whole_number(self.min_replicas) and 1 <= self.min_replicas <= _INT32_MAX
        ):
            raise _invalid(
                "autoscaling min_replicas",
                self.min_replicas,
                "1 or more (an HPA never scales to zero)",
                "2",
            )
        if not (
            patterns.is_whole_number(self.max_replicas) and self.min_replicas <= self.max_replicas
        ):
            raise _invalid(
                "autoscaling max_replicas",
                self.max_replicas,
                f"at least min_replicas ({self.min_replicas})",
                str(max(self.min_replicas, 1) * 5),
            )
        utilization = self.target_cpu_utilization
        if not (patterns.is_whole_number(utilization) and 1 <= utilization <= 100):
            raise _invalid(
                "autoscaling target_cpu_utilization",
                utilization,
                "a percentage of the CPU request, from 1 to 100",
                str(DEFAULT_TARGET_CPU_UTILIZATION),
            )


@dataclass(frozen=True, kw_only=True)
class AlbIngress:
    """The app's ALB Ingress: a host, served over HTTPS.

    Attributes:
        host: The app's host name on this stage, such as ``go-todo.dev.example.com``;
            external-dns publishes it, and the certificate is found by it.
        vpc_cidr: The VPC's range: the ALB's nodes reach the pods from it (target type ip).
        internet_facing: An internet-facing ALB; default internal.
        certificate_arn: An ACM certificate for the host; ``None`` (the default) lets the
            Load Balancer Controller discover it by the host.
        redirect_http: An HTTP listener on 80 that only redirects to HTTPS; ``False``: port
            80 is not opened. Default True.
    """

    host: str
    vpc_cidr: str
    internet_facing: bool = False
    certificate_arn: str | None = None
    redirect_http: bool = True

    def __post_init__(self) -> None:
        if not is_host(self.host):
            raise _invalid("ingress host", self.host, HOST_RULE, "go-todo.dev.example.com")
        try:
            network = ipaddress.IPv4Network(self.vpc_cidr, strict=True)
        except (ValueError, TypeError):
            network = None
        if network is None or not network.is_private:
            raise _invalid("ingress vpc_cidr", self.vpc_cidr, VPC_CIDR_RULE, "10.0.0.0/16")
        _require_bool("ingress internet_facing", self.internet_facing)
        _require_bool("ingress redirect_http", self.redirect_http)
        if self.certificate_arn is not None and not (
            isinstance(self.certificate_arn, str)
            and _CERTIFICATE_ARN.fullmatch(self.certificate_arn)
        ):
            raise _invalid(
                "ingress certificate_arn",
                self.certificate_arn,
                CERTIFICATE_ARN_RULE,
                "arn:aws:acm:eu-west-1:111111111111:certificate/"
                "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
            )


def is_host(host: object) -> bool:
    """Whether ``host`` is a fully qualified host name (:data:`HOST_RULE`)."""
    if not isinstance(host, str) or len(host) > 253:
        return False
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        # One label is not fully qualified; an all-digit last label is an IP address.
        return False
    return all(
        len(label) <= patterns.LABEL_MAX and _HOST_LABEL.fullmatch(label) for label in labels
    )


@dataclass(frozen=True, kw_only=True)
class Workload:
    """One app on one stage: what its overlay holds.

    Exactly one of ``replicas`` and ``autoscaling`` is set.

    Attributes:
        name: The app's name; also its namespace's.
        team: The team that owns it (a label).
        stage: The stage, such as ``dev`` (a label).
        image: Repository and initial tag.
        port: The container's HTTP port, 1024 to 65535.
        health_path: The HTTP path of the startup, liveness and readiness probes.
        resources: CPU and memory.
        strategy: From :func:`canary_strategy` or :func:`blue_green_strategy` for this name.
        replicas: A fixed number of pods, 1 or more.
        autoscaling: HPA bounds instead of a fixed number.
        env: Environment variables, in order (a later one may refer to an earlier one).
        ingress: The ALB Ingress; required by a canary with ALB routing. Default none.
        allowed_namespaces: Namespaces whose pods may call the app's port (its own pods always
            can, through the baseline). Default none.
        automount_service_account_token: Mount an API token into the pod, for an app that
            calls the Kubernetes API. Default False.
        run_as_user: The UID to run as, for an image whose user is not numeric (the kubelet
            can then not verify ``runAsNonRoot``); ``None`` keeps the image's. Never 0.
        tmp_size_limit: The size limit of ``/tmp``. Default 64Mi.
        metrics_path: The HTTP path of the app's Prometheus metrics on its port: the pods
            carry the ``prometheus.io/scrape``, ``/port`` and ``/path`` annotations the stage's
            managed scraper selects pods by. Default none (not scraped).
        scraper_cidr: The range the stage's managed scraper reaches the pods from (the
            VPC's); the NetworkPolicy admits it on the app's port. Default none.
    """

    name: str
    team: str
    stage: str
    image: Image
    port: int
    health_path: str
    resources: Resources
    strategy: Strategy
    replicas: int | None = None
    autoscaling: Autoscaling | None = None
    env: Sequence[Env] = ()
    ingress: AlbIngress | None = None
    allowed_namespaces: Sequence[str] = ()
    automount_service_account_token: bool = False
    run_as_user: int | None = None
    tmp_size_limit: str = DEFAULT_TMP_SIZE_LIMIT
    metrics_path: str | None = None
    scraper_cidr: str | None = None

    def __post_init__(self) -> None:
        check_app_name(self.name)
        for what, label, example in (("team", self.team, "todo"), ("stage", self.stage, "dev")):
            if not patterns.is_dns_label(label):
                raise _invalid(what, label, LABEL_RULE, example)
        checked: tuple[tuple[str, object, type], ...] = (
            ("image", self.image, Image),
            ("resources", self.resources, Resources),
        )
        for what, value, kind in checked:
            if not isinstance(value, kind):
                raise ValueError(f"{what} {value!r} is not valid: a {kind.__name__}")
        if not (patterns.is_whole_number(self.port) and _PORT_MIN <= self.port <= _PORT_MAX):
            raise _invalid("port", self.port, PORT_RULE, "8080")
        if not (isinstance(self.health_path, str) and _HEALTH_PATH.fullmatch(self.health_path)):
            raise _invalid("health_path", self.health_path, HEALTH_PATH_RULE, "/healthz")
        self._check_scale()
        self._check_env()
        if self.ingress is not None and not isinstance(self.ingress, AlbIngress):
            raise ValueError(f"ingress {self.ingress!r} is not valid: an AlbIngress or None")
        self._check_namespaces()
        _require_bool("automount_service_account_token", self.automount_service_account_token)
        if self.run_as_user is not None and not (
            patterns.is_whole_number(self.run_as_user) and 1 <= self.run_as_user <= _INT32_MAX
        ):
            raise _invalid(
                "run_as_user", self.run_as_user, "a UID above 0 (never root), or None", "65532"
            )
        _require_memory("tmp_size_limit", self.tmp_size_limit)
        if self.metrics_path is not None and not (
            isinstance(self.metrics_path, str) and _HEALTH_PATH.fullmatch(self.metrics_path)
        ):
            raise _invalid("metrics_path", self.metrics_path, HEALTH_PATH_RULE, "/metrics")
        if self.scraper_cidr is not None:
            try:
                scraper = ipaddress.IPv4Network(self.scraper_cidr, strict=True)
            except (ValueError, TypeError):
                scraper = None
            if scraper is None or not scraper.is_private:
                raise _invalid("scraper_cidr", self.scraper_cidr, VPC_CIDR_RULE, "10.0.0.0/16")
        _check_strategy(self.name, self.strategy)
        if alb_routing(self.strategy) and self.ingress is None:
            raise ValueError(
                f"app {self.name!r} has a canary with ALB traffic routing, which splits traffic "
                "on its Ingress: set ingress, such as AlbIngress(host='go-todo.dev.example.com', "
                "vpc_cidr='10.0.0.0/16')"
            )

    def _check_scale(self) -> None:
        if (self.replicas is None) == (self.autoscaling is None):
            raise ValueError(
                f"app {self.name!r} sets replicas {self.replicas!r} and autoscaling "
                f"{self.autoscaling!r}: exactly one of them, such as replicas=2 or "
                "autoscaling=Autoscaling(min_replicas=2, max_replicas=10)"
            )
        if self.replicas is not None and not (
            patterns.is_whole_number(self.replicas) and 1 <= self.replicas <= _INT32_MAX
        ):
            raise _invalid("replicas", self.replicas, "1 or more", "2")
        if self.autoscaling is not None and not isinstance(self.autoscaling, Autoscaling):
            raise ValueError(f"autoscaling {self.autoscaling!r} is not valid: an Autoscaling")

    def _check_env(self) -> None:
        env: object = self.env
        if (
            isinstance(env, str | bytes)
            or not isinstance(env, Sequence)
            or not all(isinstance(e, EnvVar | SecretEnvVar) for e in env)
        ):
            raise ValueError(
                f"env {env!r} is not valid: EnvVar or SecretEnvVar items, such as "
                "(EnvVar('LOG_LEVEL', 'info'),)"
            )
        names = [variable.name for variable in self.env]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"env names {', '.join(duplicates)} appear more than once: each variable is "
                "set once, such as LOG_LEVEL"
            )
        object.__setattr__(self, "env", tuple(env))

    def _check_namespaces(self) -> None:
        namespaces: object = self.allowed_namespaces
        if isinstance(namespaces, str | bytes) or not isinstance(namespaces, Sequence):
            raise _invalid(
                "allowed_namespaces", namespaces, "a list of namespaces", "('go-todo-web',)"
            )
        for namespace in namespaces:
            if not patterns.is_dns_label(namespace):
                raise _invalid("allowed namespace", namespace, LABEL_RULE, "go-todo-web")
            if namespace == self.name:
                raise ValueError(
                    f"allowed namespace {namespace!r} is the app's own: its pods reach each "
                    "other through the baseline's allow-same-namespace; list other namespaces, "
                    "such as go-todo-web"
                )
        if len(set(namespaces)) != len(namespaces):
            raise ValueError(
                f"allowed_namespaces {list(namespaces)!r} name a namespace twice: each once"
            )
        object.__setattr__(self, "allowed_namespaces", tuple(sorted(namespaces)))

    @property
    def namespace(self) -> str:
        """The app's namespace: its name."""
        return self.name

    @property
    def min_replicas(self) -> int:
        """The fewest pods the app runs with: ``replicas``, or the autoscaler's minimum."""
        if self.autoscaling is not None:
            return self.autoscaling.min_replicas
        assert self.replicas is not None  # exactly one is set (checked)
        return self.replicas


# --------------------------------------------------------------------------------------
# Strategies with this module's names


def canary_strategy(
    name: str,
    steps: Sequence[CanaryStep],
    *,
    alb: bool,
    analysis: BackgroundAnalysis | None = None,
) -> Canary:
    """App ``name``'s canary: with ALB routing over ``<name>`` and ``<name>-canary``, or not.

    With ``alb``, the Rollout splits traffic on the Ingress ``<name>`` (port
    :data:`SERVICE_PORT`) between the stable Service ``<name>`` and ``<name>-canary``; without,
    the canary is replica-based, behind the one Service ``<name>``.
    """
    check_app_name(name)
    _require_bool("canary alb", alb)
    if not alb:
        return Canary(steps=steps, analysis=analysis)
    canary = derived_name(name, CANARY_SUFFIX, "canary Service")
    return Canary(
        steps=steps,
        stable_service=name,
        canary_service=canary,
        traffic_routing=AlbRouting(ingress=name, service_port=SERVICE_PORT),
        analysis=analysis,
    )


def blue_green_strategy(
    name: str,
    *,
    auto_promotion_enabled: bool,
    scale_down_delay_seconds: int = DEFAULT_SCALE_DOWN_DELAY_SECONDS,
    pre_promotion_analysis: Analysis | None = None,
    post_promotion_analysis: Analysis | None = None,
) -> BlueGreen:
    """App ``name``'s blue-green: active Service ``<name>``, preview ``<name>-preview``."""
    check_app_name(name)
    preview = derived_name(name, PREVIEW_SUFFIX, "preview Service")
    return BlueGreen(
        active_service=name,
        preview_service=preview,
        auto_promotion_enabled=auto_promotion_enabled,
        scale_down_delay_seconds=scale_down_delay_seconds,
        pre_promotion_analysis=pre_promotion_analysis,
        post_promotion_analysis=post_promotion_analysis,
    )


def alb_routing(strategy: Strategy) -> bool:
    """Whether ``strategy`` is a canary splitting traffic on an ALB Ingress."""
    return isinstance(strategy, Canary) and isinstance(strategy.traffic_routing, AlbRouting)


def _strategy_problem(name: str, strategy: object) -> str | None:
    """What keeps ``strategy`` from using the Services and Ingress this module builds."""
    if isinstance(strategy, BlueGreen):
        if (strategy.active_service, strategy.preview_service) == (name, name + PREVIEW_SUFFIX):
            return None
        return (
            f"a blue-green strategy of app {name!r} uses the Services {name!r} (active) and "
            f"{name + PREVIEW_SUFFIX!r} (preview)"
        )
    if not isinstance(strategy, Canary):
        return f"strategy {strategy!r} of app {name!r} is not a Canary or a BlueGreen"
    routing = strategy.traffic_routing
    if isinstance(routing, IstioRouting):
        return (
            f"app {name!r} has Istio traffic routing, whose VirtualService this module does not "
            "build; use ALB routing or none"
        )
    if routing is None:
        if strategy.stable_service is None and strategy.canary_service is None:
            return None
        return (
            f"a replica-based canary of app {name!r} names no Services (its one Service "
            f"{name!r} reaches stable and canary pods alike)"
        )
    if (
        strategy.stable_service == name
        and strategy.canary_service == name + CANARY_SUFFIX
        and routing.ingress == name
        and routing.service_port == SERVICE_PORT
        and routing.root_service in (None, name)
        and routing.annotation_prefix == ALB_ANNOTATION_PREFIX
    ):
        return None
    return (
        f"an ALB canary of app {name!r} uses the Services {name!r} (stable) and "
        f"{name + CANARY_SUFFIX!r} (canary), the Ingress {name!r}, service port {SERVICE_PORT} "
        f"and the annotation prefix {ALB_ANNOTATION_PREFIX}"
    )


def _check_strategy(name: str, strategy: object) -> None:
    """Refuse a strategy whose Services or Ingress are not the ones this module builds."""
    problem = _strategy_problem(name, strategy)
    if problem is not None:
        raise ValueError(
            f"{problem}: build it with canary_strategy({name!r}, steps, alb=...) or "
            f"blue_green_strategy({name!r}, auto_promotion_enabled=...)"
        )


# --------------------------------------------------------------------------------------
# Builders


def _minor(kubernetes_version: str) -> str:
    parts = kubernetes_version.split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise _invalid(
            "kubernetes_version", kubernetes_version, "a Kubernetes minor version", "1.36"
        )
    return kubernetes_version


def selector_labels(app: Workload) -> dict[str, str]:
    """The labels the Rollout, Services, budget and policy select the app's pods by."""
    return {NAME_LABEL: app.name}


def pod_labels(app: Workload) -> dict[str, str]:
    """The labels of the app's pods: the selector's, the team's and the stage's."""
    return {**selector_labels(app), TEAM_LABEL: app.team, STAGE_LABEL: app.stage}


def labels(app: Workload) -> dict[str, str]:
    """The labels of every object of the app: the pods' and who manages it (Argo CD)."""
    return {**pod_labels(app), MANAGED_BY: "argocd"}


def _metadata(app: Workload, name: str | None = None) -> dict[str, Any]:
    return {"name": name or app.name, "namespace": app.namespace, "labels": labels(app)}


def _checked(manifest: dict[str, Any], kubernetes_version: str) -> dict[str, Any]:
    check_manifest(manifest, _minor(kubernetes_version))
    return manifest


def kustomize_image(app: Workload) -> dict[str, str]:
    """The overlay kustomization's ``images`` entry: the repository and its current tag.

    Written on the first render only; promotion edits ``newTag`` and the render keeps it.
    """
    return {"name": app.image.repository, "newTag": app.image.tag}


def namespace(app: Workload, *, kubernetes_version: str) -> dict[str, Any]:
    """The app's Namespace, enforcing the ``restricted`` Pod Security Standard.

    Its pods comply (:func:`pod_template`). The enforced version is pinned to the cluster's,
    so a control-plane upgrade changes admission only once the overlay is rendered for it;
    warnings and audit follow the newest standard the API server knows. The namespace's
    default deny and DNS policies are the baseline's (:mod:`argosy.render.baseline`).
    """
    version = _minor(kubernetes_version)
    namespace_labels = {
        **labels(app),
        f"{PSA_PREFIX}enforce": PSA_LEVEL,
        f"{PSA_PREFIX}enforce-version": f"v{version}",
        f"{PSA_PREFIX}warn": PSA_LEVEL,
        f"{PSA_PREFIX}warn-version": "latest",
        f"{PSA_PREFIX}audit": PSA_LEVEL,
        f"{PSA_PREFIX}audit-version": "latest",
    }
    manifest = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": app.namespace, "labels": namespace_labels},
    }
    return _checked(manifest, version)


def service_account(app: Workload, *, kubernetes_version: str) -> dict[str, Any]:
    """The app's own service account, mounting no API token unless the app asked for one.

    Its own, so that an AWS identity (Pod Identity or IRSA, SECURITY.md E6) can be scoped to
    exactly this app, and so that it is never the namespace's ``default``.
    """
    manifest = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _metadata(app),
        "automountServiceAccountToken": app.automount_service_account_token,
    }
    return _checked(manifest, kubernetes_version)


def _probe(app: Workload, timings: Mapping[str, int]) -> dict[str, Any]:
    return {"httpGet": {"path": app.health_path, "port": PORT_NAME}, **timings}


def container(app: Workload) -> dict[str, Any]:
    """The app's container (checked as part of :func:`pod_template`)."""
    manifest: dict[str, Any] = {
        "name": CONTAINER_NAME,
        "image": app.image.reference,
        # Tags are immutable in ECR (SECURITY.md E11): a cached image is the right one.
        "imagePullPolicy": "IfNotPresent",
        # No hostPort: the pod is reached through its Services only.
        "ports": [{"name": PORT_NAME, "containerPort": app.port, "protocol": "TCP"}],
        "resources": app.resources.to_manifest(),
        # Startup first: liveness and readiness wait for it, so a slow start is not a restart.
        "startupProbe": _probe(app, _STARTUP),
        "livenessProbe": _probe(app, _LIVENESS),
        "readinessProbe": _probe(app, _READINESS),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "privileged": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": TMP_VOLUME, "mountPath": TMP_PATH}],
    }
    if app.env:
        manifest["env"] = [variable.to_manifest() for variable in app.env]
    return manifest


def pod_template(app: Workload, *, kubernetes_version: str) -> dict[str, Any]:
    """The Rollout's pod template: one container under the workload rules of SECURITY.md.

    Checked strictly as the template of a core ``PodTemplate`` object; returned as the
    template itself (``metadata`` and ``spec``).
    """
    security_context: dict[str, Any] = {
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    if app.run_as_user is not None:
        security_context["runAsUser"] = app.run_as_user
    pod_metadata: dict[str, Any] = {"labels": pod_labels(app)}
    if app.metrics_path is not None:
        pod_metadata["annotations"] = scrape_annotations(app.port, app.metrics_path)
    template: dict[str, Any] = {
        "metadata": pod_metadata,
        "spec": {
            "serviceAccountName": app.name,
            "automountServiceAccountToken": app.automount_service_account_token,
            # No variables for every Service of the namespace: the app finds its peers by DNS.
            "enableServiceLinks": False,
            # hostNetwork, hostPID and hostIPC stay unset (false): no host namespaces.
            "securityContext": security_context,
            "containers": [container(app)],
            "volumes": [{"name": TMP_VOLUME, "emptyDir": {"sizeLimit": app.tmp_size_limit}}],
            # Each ReplicaSet's pods (stable, canary) are spread apart: the hash label Argo
            # Rollouts adds keeps one version's skew from pushing the other's pods together.
            # ScheduleAnyway: in a zone outage, pods still start in the other zones.
            "topologySpreadConstraints": [
                {
                    "maxSkew": 1,
                    "topologyKey": ZONE_LABEL,
                    "whenUnsatisfiable": "ScheduleAnyway",
                    "labelSelector": {"matchLabels": selector_labels(app)},
                    "matchLabelKeys": [ROLLOUT_HASH_LABEL],
                }
            ],
        },
    }
    wrapper = {
        "apiVersion": "v1",
        "kind": "PodTemplate",
        "metadata": _metadata(app),
        "template": template,
    }
    _checked(wrapper, kubernetes_version)
    return template


def scrape_annotations(port: int, path: str) -> dict[str, str]:
    """The pod annotations the stage's managed scraper selects and reads targets by."""
    return {
        SCRAPE_ANNOTATION: "true",
        PORT_ANNOTATION: str(port),
        PATH_ANNOTATION: path,
    }


def rollout(app: Workload, *, kubernetes_version: str) -> dict[str, Any]:
    """The app's Rollout: its pod template, delivered by its strategy.

    Without a fixed number of replicas when an HPA owns them. The first deployment goes
    straight to 100% (R3): see :func:`argosy.apps.strategy.rollout`.
    """
    manifest = strategy_rollout(
        name=app.name,
        namespace=app.namespace,
        labels=labels(app),
        pod_template=pod_template(app, kubernetes_version=kubernetes_version),
        selector_labels=selector_labels(app),
        strategy=app.strategy,
        replicas=None if app.autoscaling is not None else app.replicas,
    )
    # strategy_rollout checked it against the Rollout schema already (which does not depend on
    # the Kubernetes version): a second check was an eighth of the catalog's resolve time.
    return manifest


def service_names(app: Workload) -> tuple[str, ...]:
    """The app's Services: ``<app>``, and ``<app>-canary`` or ``<app>-preview`` if any."""
    strategy = app.strategy
    if isinstance(strategy, BlueGreen):
        return (strategy.active_service, strategy.preview_service)
    if strategy.canary_service is not None:
        return (app.name, strategy.canary_service)
    return (app.name,)


def services(app: Workload, *, kubernetes_version: str) -> list[dict[str, Any]]:
    """The app's ClusterIP Services, on :data:`SERVICE_PORT` to the container's port.

    Each selects every pod of the app; Argo Rollouts narrows the selectors of the stable,
    canary, active and preview Services to one ReplicaSet at run time.
    """
    return [
        _checked(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": _metadata(app, name),
                "spec": {
                    "type": "ClusterIP",
                    "selector": selector_labels(app),
                    "ports": [
                        {
                            "name": PORT_NAME,
                            "port": SERVICE_PORT,
                            "targetPort": PORT_NAME,
                            "protocol": "TCP",
                        }
                    ],
                },
            },
            kubernetes_version,
        )
        for name in service_names(app)
    ]


def ingress_annotations(app: Workload, settings: AlbIngress) -> dict[str, str]:
    """The Load Balancer Controller's annotations of the app's Ingress, sorted."""
    prefix = f"{ALB_ANNOTATION_PREFIX}/"
    listeners: list[dict[str, int]] = [{"HTTPS": 443}]
    if settings.redirect_http:
        listeners.insert(0, {"HTTP": 80})
    annotations = {
        f"{prefix}scheme": "internet-facing" if settings.internet_facing else "internal",
        f"{prefix}target-type": "ip",
        f"{prefix}listen-ports": json.dumps(listeners),
        f"{prefix}ssl-policy": SSL_POLICY,
        # The target groups' health check asks what the readiness probe asks.
        f"{prefix}healthcheck-path": app.health_path,
    }
    if settings.redirect_http:
        annotations[f"{prefix}ssl-redirect"] = "443"
    if settings.certificate_arn is not None:
        annotations[f"{prefix}certificate-arn"] = settings.certificate_arn
    return dict(sorted(annotations.items()))


def ingress(app: Workload, *, kubernetes_version: str) -> dict[str, Any] | None:
    """The app's ALB Ingress for its host, or ``None`` without one.

    The backend is the Service ``<app>``: for a canary with ALB routing with the port name
    ``use-annotation``, so that the weights Argo Rollouts writes on the Ingress apply; else
    the Service's port.
    """
    settings = app.ingress
    if settings is None:
        return None
    port: dict[str, Any] = (
        {"name": USE_ANNOTATION} if alb_routing(app.strategy) else {"number": SERVICE_PORT}
    )
    metadata = _metadata(app)
    metadata["annotations"] = ingress_annotations(app, settings)
    manifest = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata,
        "spec": {
            "ingressClassName": "alb",
            # No secretName: the ALB terminates TLS with the ACM certificate.
            "tls": [{"hosts": [settings.host]}],
            "rules": [
                {
                    "host": settings.host,
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": app.name, "port": port}},
                            }
                        ]
                    },
                }
            ],
        },
    }
    return _checked(manifest, kubernetes_version)


def pod_disruption_budget(app: Workload, *, kubernetes_version: str) -> dict[str, Any] | None:
    """Keep one pod up through voluntary disruptions, if the app runs more than one.

    With a single pod a budget of one would block every node drain, so there is none.
    Unhealthy pods may always be evicted: a crashing pod never holds a drain up.
    """
    if app.min_replicas <= 1:
        return None
    manifest = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(app),
        "spec": {
            "minAvailable": 1,
            "selector": {"matchLabels": selector_labels(app)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }
    return _checked(manifest, kubernetes_version)


def horizontal_pod_autoscaler(app: Workload, *, kubernetes_version: str) -> dict[str, Any] | None:
    """The app's HPA (autoscaling/v2) scaling its Rollout on CPU, or ``None`` without one.

    It targets the Rollout through its ``/scale`` subresource (Argo Rollouts
    ``docs/features/hpa-support.md`` at v1.9.0); the Rollout then has no ``replicas``.
    """
    scaling = app.autoscaling
    if scaling is None:
        return None
    manifest = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _metadata(app),
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Rollout",
                "name": app.name,
            },
            "minReplicas": scaling.min_replicas,
            "maxReplicas": scaling.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {
                            "type": "Utilization",
                            "averageUtilization": scaling.target_cpu_utilization,
                        },
                    },
                }
            ],
        },
    }
    return _checked(manifest, kubernetes_version)


def network_policy(app: Workload, *, kubernetes_version: str) -> dict[str, Any] | None:
    """Admit the app's port from the VPC (the ALB) and from the allowed namespaces.

    The namespace's default deny is the baseline's (SECURITY.md E8); this adds what reaches
    the app's pods from outside their namespace. The VPC's range only with an Ingress (the
    ALB's nodes have addresses in it, target type ip). ``None`` when nothing is admitted.
    """
    port = [{"protocol": "TCP", "port": app.port}]
    rules: list[dict[str, Any]] = []
    if app.ingress is not None:
        rules.append({"from": [{"ipBlock": {"cidr": app.ingress.vpc_cidr}}], "ports": port})
    if app.scraper_cidr is not None and (
        app.ingress is None or app.ingress.vpc_cidr != app.scraper_cidr
    ):
        rules.append({"from": [{"ipBlock": {"cidr": app.scraper_cidr}}], "ports": list(port)})
    if app.allowed_namespaces:
        peers = [
            {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: name}}}
            for name in app.allowed_namespaces
        ]
        rules.append({"from": peers, "ports": [dict(p) for p in port]})
    if not rules:
        return None
    manifest = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(app),
        "spec": {
            "podSelector": {"matchLabels": selector_labels(app)},
            "policyTypes": ["Ingress"],
            "ingress": rules,
        },
    }
    return _checked(manifest, kubernetes_version)


def workload_objects(app: Workload, *, kubernetes_version: str) -> list[dict[str, Any]]:
    """Every object of the app's overlay, in order.

    Namespace, ServiceAccount, Services, Rollout, then, where the app has them, Ingress,
    PodDisruptionBudget, HorizontalPodAutoscaler and NetworkPolicy.
    """
    found: list[dict[str, Any] | None] = [
        namespace(app, kubernetes_version=kubernetes_version),
        service_account(app, kubernetes_version=kubernetes_version),
        *services(app, kubernetes_version=kubernetes_version),
        rollout(app, kubernetes_version=kubernetes_version),
        ingress(app, kubernetes_version=kubernetes_version),
        pod_disruption_budget(app, kubernetes_version=kubernetes_version),
        horizontal_pod_autoscaler(app, kubernetes_version=kubernetes_version),
        network_policy(app, kubernetes_version=kubernetes_version),
    ]
    return [manifest for manifest in found if manifest is not None]
