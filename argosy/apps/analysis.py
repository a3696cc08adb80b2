"""AnalysisTemplates that gate an app's rollout: Prometheus (Amazon Managed Prometheus), CloudWatch.

An AnalysisTemplate (``argoproj.io/v1alpha1``) lists metrics; Argo Rollouts measures each one
``count`` times, every ``interval``, and fails the analysis when more than ``failureLimit``
measurements fail, or pauses the rollout for a person when more than ``inconclusiveLimit`` are
inconclusive (Argo Rollouts v1.9.1, ``analysis/analysis.go``: ``failed (n) > failureLimit``;
docs ``features/analysis.md``, "Inconclusive Runs"). A Rollout runs the template in the
background or as a step (:class:`argosy.apps.strategy.BackgroundAnalysis`,
:class:`argosy.apps.strategy.Analysis`) and passes its ``args``.

Typed pieces, each a frozen dataclass checked in ``__post_init__`` (ValueError naming the value,
the rule and a valid example):

* :class:`Sampling`: ``interval``, ``count``, ``failureLimit``, ``inconclusiveLimit``,
  ``initialDelay``, with Argo's own rules (``utils/analysis/factory.go::ValidateMetric``: count
  above 1 needs an interval; durations parse) and stricter ones argosy adds so that a gate can
  actually fail (see :class:`Sampling`).
* :class:`PrometheusQuery` with :class:`SigV4`, against an Amazon Managed Service for Prometheus
  (AMP) workspace. Fields as in the Rollouts CRD and ``docs/analysis/prometheus.md``
  ("Utilizing Amazon Managed Prometheus"): ``provider.prometheus.address`` is the workspace's
  query endpoint ``https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>`` and
  ``authentication.sigv4`` carries ``region``, ``profile`` and ``roleArn``.
* :class:`CloudWatchQuery` of :class:`CloudWatchStat` and :class:`CloudWatchExpression`: the
  ``provider.cloudWatch.metricDataQueries`` of ``docs/analysis/cloudwatch.md`` (GetMetricData
  queries; ``cloudWatch.interval`` is how far back each measurement looks, default 5m).
* :class:`Metric` and :class:`AnalysisTemplate`, which declares its :class:`Arg` list and checks
  that every ``{{args.<name>}}`` a metric uses is declared and every declared argument is used.

Builders for the two gates the platform offers: :func:`prometheus_template` (success rate,
non-5xx over all requests of the app's Service, and a latency percentile, from the app's HTTP
histogram) and :func:`cloudwatch_template` (the ALB target group's 5xx ratio and target response
time). Every condition treats "no data" as inconclusive rather than as success: an empty answer
or NaN satisfies neither the success nor the failure condition, so a canary that got no traffic
pauses for a person instead of being promoted on no evidence.

Pure: no Pulumi, no I/O; the same inputs always give the same manifest.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias
from urllib.parse import SplitResult, urlsplit

from argosy import patterns
from argosy.apps.strategy import API_VERSION, DURATION_EXAMPLE, Analysis, ArgValue, TemplateRef
from argosy.manifests.argo_schemas import check_argo_manifest

#: The example of a workspace query endpoint quoted in messages.
AMP_ADDRESS_EXAMPLE: Final = (
    "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/"
    "ws-0123abcd-4567-89ef-0123-456789abcdef"
)
#: Arguments of :func:`prometheus_template`: the Service whose requests are measured, and its
#: namespace.
SERVICE_ARG: Final = "service-name"
NAMESPACE_ARG: Final = "namespace"
#: Arguments of :func:`cloudwatch_template`: the load balancer's and the target group's names as
#: Argo Rollouts reports them in a Rollout's status (``<name>/<id>``, see
#: :data:`ALB_STATUS_FIELD_PATHS`).
LOAD_BALANCER_ARG: Final = "load-balancer"
TARGET_GROUP_ARG: Final = "target-group"
#: Where a Rollout with ALB traffic routing finds the CloudWatch arguments in its own status, for
#: ``args[].valueFrom.fieldRef.fieldPath`` (docs ``features/analysis.md``: "references Rollout
#: status field like aws canaryTargetGroup"). Argo Rollouts fills ``status.alb`` only while it
#: verifies target group weights (``rollout/trafficrouting/alb/alb.go``, v1.9.1:
#: ``VerifyWeightPerIngress``), so the controller needs ``--alb-verify-weight`` and
#: ``--aws-region``. ``fullName`` is the ARN after ``loadbalancer/app/`` or ``targetgroup/``
#: (``updateLoadBalancerStatus``, ``updateTargetGroupStatus``), hence the ``app/`` and
#: ``targetgroup/`` prefixes the template adds to make CloudWatch's dimension values.
ALB_STATUS_FIELD_PATHS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        LOAD_BALANCER_ARG: "status.alb.loadBalancer.fullName",
        TARGET_GROUP_ARG: "status.alb.canaryTargetGroup.fullName",
    }
)

DURATION_RULE: Final = (
    "a duration is a whole number with unit s, m or h, or several in that order, above zero"
)
_DNS_LABEL_RULE: Final = (
    "a DNS-1123 label, at most 63 lowercase letters, digits or '-', starting and ending with a "
    "letter or digit"
)
# Go's time.Duration counts nanoseconds in an int64: anything longer does not parse.
_MAX_DURATION_SECONDS: Final = (2**63 - 1) // 10**9
_INT32_MAX: Final = 2**31 - 1
_ARG_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
# fasttemplate, which Argo Rollouts resolves arguments with, takes everything between "{{" and
# the next "}}" as a tag (utils/template/template.go).
_TAG_OPEN: Final = "{{"
_TAG_CLOSE: Final = "}}"
_AMP_HOST = re.compile(r"^aps-workspaces\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$")
# The workspace ID: AMP API reference (DescribeWorkspace): 1 to 64 characters,
# [0-9A-Za-z][-.0-9A-Z_a-z]*.
# The workspace ID may be an argument (``{{args.workspace-id}}``) whose value Argo Rollouts
# reads from a Secret at run time: only AWS knows the ID, and git never holds it.
_AMP_PATH = re.compile(
    r"^/workspaces/(?P<id>[0-9A-Za-z][-.0-9A-Za-z_]{0,63}|\{\{args\.[a-z][-a-z0-9]*\}\})/?$"
)
_ROLE_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$"
)
_PROFILE = re.compile(r"^[A-Za-z0-9_.+-]{1,64}$")
_PROMQL_METRIC = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_PROMQL_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
# CloudWatch: a query's Id starts with a lowercase letter, then letters, digits or '_'
# (GetMetricData MetricDataQuery.Id; "Using metric math"); functions are upper case.
_CW_ID = re.compile(r"^[a-z][a-zA-Z0-9_]{0,254}$")
_CW_ID_TOKEN = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-zA-Z0-9_]*")
_CW_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_CW_STAT = re.compile(r"^(SampleCount|Average|Sum|Minimum|Maximum|p[0-9]{1,2}(\.[0-9]{1,2})?)$")
# MetricStat.Period: 1, 5, 10, 20, 30 (high resolution) or a multiple of 60.
_CW_HIGH_RESOLUTION_PERIODS: Final = (1, 5, 10, 20, 30)
_CW_MAX_DIMENSIONS: Final = 30


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def duration_seconds(value: object) -> int | None:
    """The seconds of the duration ``value`` (``30s``, ``5m``, ``1h30m``), or None if not one.

    Argo Rollouts reads ``interval`` and ``initialDelay`` with Go's ``time.ParseDuration``
    (``DurationString.Duration``); argosy accepts the part of that language teams write, the
    same as for canary pauses, and refuses zero, which means "no wait" in neither field.
    """
    seconds = patterns.hms_seconds(value) if isinstance(value, str) else None
    return seconds if seconds is not None and 0 < seconds <= _MAX_DURATION_SECONDS else None


def _check_duration(what: str, value: object) -> None:
    if duration_seconds(value) is None:
        raise ValueError(
            f"{what} {value!r} is not valid: {DURATION_RULE}, such as {DURATION_EXAMPLE}"
        )


def _number(value: float) -> str:
    """``value`` written for PromQL and Argo's expressions: plain decimals, never ``1e-05``."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text or "0"


def _as_float(value: object) -> float | None:
    """``value`` as a float if it is a number (not a bool), else None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _check_percentile(what: str, value: object) -> float:
    number = _as_float(value)
    if number is None or not 0 < number < 100 or round(number, 2) != number:
        raise ValueError(
            f"{what} {value!r} is not valid: a percentile above 0 and below 100 with at most two "
            "decimals (CloudWatch's pNN.NN), such as 95 or 99.9"
        )
    return number


def _check_seconds_threshold(what: str, value: object) -> float:
    number = _as_float(value)
    if number is None or not number > 0:
        raise ValueError(
            f"{what} {value!r} is not valid: a response time in seconds above 0, such as 0.5"
        )
    return number


# --------------------------------------------------------------------------------------
# Sampling: when and how often a metric is measured, and what it tolerates


@dataclass(frozen=True, kw_only=True)
class Sampling:
    """How often a metric is measured and how many bad measurements it tolerates.

    Argo Rollouts' meaning (``Metric`` in ``pkg/apis/rollouts/v1alpha1/analysis_types.go``):
    without ``interval`` and ``count`` the metric is measured once; with an interval and no
    count it is measured until the rollout ends (for a background analysis; a step would never
    finish); with both, ``count`` times. The analysis fails when more than ``failure_limit``
    measurements fail, and is inconclusive (the rollout pauses for a person) when more than
    ``inconclusive_limit`` are neither successful nor failed.

    Argo's own checks (``ValidateMetric``): a count above 1 needs an interval; durations parse.
    argosy adds: a count is at least 1 (a count of 0 in a step never measures, docs
    ``features/analysis.md``); the limits are 0 or more (Argo's ``failureLimit: -1`` only makes
    sense with ``consecutiveSuccessLimit``, which argosy does not offer); and at least one
    measurement must succeed: ``failure_limit + inconclusive_limit`` stays below the count (one
    measurement when neither interval nor count is set), since a metric that may fail or be
    inconclusive on every measurement passes without evidence.

    Attributes:
        interval: Time between measurements, such as ``1m``. Default none.
        count: Number of measurements, 1 or more. Default none.
        failure_limit: Failed measurements tolerated, 0 or more. Default none (Argo: 0).
        inconclusive_limit: Inconclusive measurements tolerated, 0 or more. Default none
            (Argo: 0).
        initial_delay: Wait before the first measurement, such as ``2m``. Default none.
    """

    interval: str | None = None
    count: int | None = None
    failure_limit: int | None = None
    inconclusive_limit: int | None = None
    initial_delay: str | None = None

    def __post_init__(self) -> None:
        if self.interval is not None:
            _check_duration("analysis interval", self.interval)
        if self.initial_delay is not None:
            _check_duration("analysis initial_delay", self.initial_delay)
        if self.count is not None and not (
            patterns.is_whole_number(self.count) and 1 <= self.count <= _INT32_MAX
        ):
            raise ValueError(
                f"analysis count {self.count!r} is not valid: the number of measurements, 1 or "
                "more (a count of 0 never measures in a step), such as 5"
            )
        for name, limit in (
            ("failure_limit", self.failure_limit),
            ("inconclusive_limit", self.inconclusive_limit),
        ):
            if limit is not None and not (
                patterns.is_whole_number(limit) and 0 <= limit <= _INT32_MAX
            ):
                kind = name.partition("_")[0]
                raise ValueError(
                    f"analysis {name} {limit!r} is not valid: the {kind} measurements "
                    "tolerated, 0 or more, such as 1"
                )
        if self.count is not None and self.count > 1 and self.interval is None:
            raise ValueError(
                f"analysis count {self.count} needs an interval: Argo Rollouts measures more "
                "than once only at an interval, such as interval='1m'"
            )
        count = self.effective_count
        tolerated = (self.failure_limit or 0) + (self.inconclusive_limit or 0)
        if count is not None and tolerated >= count:
            raise ValueError(
                f"analysis failure_limit {self.failure_limit or 0} and inconclusive_limit "
                f"{self.inconclusive_limit or 0} tolerate every one of {count} measurement(s): "
                "at least one measurement must succeed, so their sum stays below the count, "
                "such as count=5, failure_limit=1, inconclusive_limit=1"
            )

    @property
    def effective_count(self) -> int | None:
        """The number of measurements: ``count``, 1 without interval, None when indefinite."""
        if self.count is not None:
            return self.count
        return 1 if self.interval is None else None

    def to_manifest(self) -> dict[str, Any]:
        """The fields of a metric this sets, only those given."""
        fields: dict[str, Any] = {}
        if self.interval is not None:
            fields["interval"] = self.interval
        if self.initial_delay is not None:
            fields["initialDelay"] = self.initial_delay
        if self.count is not None:
            fields["count"] = self.count
        if self.failure_limit is not None:
            fields["failureLimit"] = self.failure_limit
        if self.inconclusive_limit is not None:
            fields["inconclusiveLimit"] = self.inconclusive_limit
        return fields


#: What the builders use unless told otherwise: five measurements a minute apart, one failure
#: and one inconclusive measurement (such as a minute without traffic) tolerated.
DEFAULT_SAMPLING: Final = Sampling(interval="1m", count=5, failure_limit=1, inconclusive_limit=1)


# --------------------------------------------------------------------------------------
# Prometheus


@dataclass(frozen=True, kw_only=True)
class SigV4:
    """Sign Prometheus queries with AWS SigV4, for an Amazon Managed Prometheus workspace.

    Argo Rollouts passes these to Prometheus' SigV4 round tripper
    (``metricproviders/prometheus/prometheus.go``, v1.9.1), which signs with the controller's
    own AWS credentials (its pod identity), after assuming ``role_arn`` if given: the identity
    of the stage's analysis, allowed to query its workspace.

    Attributes:
        region: The workspace's region; the address's region must be the same.
        role_arn: An IAM role to assume before signing. Default none.
        profile: A named profile of the controller's AWS config files. Default none.
    """

    region: str
    role_arn: str | None = None
    profile: str | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.region, str) and patterns.REGION.fullmatch(self.region)):
            raise ValueError(
                f"SigV4 region {self.region!r} is not valid: an AWS region code, such as eu-west-1"
            )
        if self.role_arn is not None and not (
            isinstance(self.role_arn, str) and _ROLE_ARN.fullmatch(self.role_arn)
        ):
            raise ValueError(
                f"SigV4 role_arn {self.role_arn!r} is not valid: an IAM role ARN, such as "
                "arn:aws:iam::111111111111:role/argosy-prod-analysis"
            )
        if self.profile is not None and not (
            isinstance(self.profile, str) and _PROFILE.fullmatch(self.profile)
        ):
            raise ValueError(
                f"SigV4 profile {self.profile!r} is not valid: a profile name of letters, "
                "digits, '_', '.', '+' or '-', such as analysis"
            )

    def to_manifest(self) -> dict[str, Any]:
        """The ``authentication.sigv4`` object."""
        sigv4: dict[str, Any] = {"region": self.region}
        if self.profile is not None:
            sigv4["profile"] = self.profile
        if self.role_arn is not None:
            sigv4["roleArn"] = self.role_arn
        return sigv4


def amp_address(region: str, workspace_id: str) -> str:
    """The query endpoint of the AMP workspace ``workspace_id`` in ``region``.

    ``workspace_id`` may be ``{{args.<name>}}``: an argument the template reads from a Secret.

    The Prometheus client Argo Rollouts uses appends ``/api/v1/query`` itself, so the address
    stops at the workspace (docs ``analysis/prometheus.md``).
    """
    address = f"https://aps-workspaces.{region}.amazonaws.com/workspaces/{workspace_id}"
    if _amp_workspace(address) is None:
        raise ValueError(
            f"AMP region {region!r} and workspace_id {workspace_id!r} are not valid: an AWS "
            "region code and a workspace ID, such as eu-west-1 and "
            "ws-0123abcd-4567-89ef-0123-456789abcdef"
        )
    return address


def _split_url(address: object) -> SplitResult | None:
    """``address`` split as a URL, or None if it is not text or not a URL at all."""
    if not isinstance(address, str):
        return None
    try:
        return urlsplit(address)
    except ValueError:  # such as an unclosed IPv6 bracket
        return None


def _amp_workspace(address: str) -> tuple[str, str] | None:
    """The region and workspace ID of an AMP query endpoint, or None if it is not one."""
    parts = _split_url(address)
    if parts is None:
        return None
    host = _AMP_HOST.fullmatch(parts.netloc)
    path = _AMP_PATH.fullmatch(parts.path)
    if (
        parts.scheme != "https"
        or host is None
        or path is None
        or not patterns.REGION.fullmatch(host["region"])
        or parts.query
        or parts.fragment
    ):
        return None
    return host["region"], path["id"]


@dataclass(frozen=True, kw_only=True)
class PrometheusQuery:
    """A PromQL query, the provider of a metric.

    The address is https: the query, its answer and the SigV4 signature never cross the network
    in clear, and ``insecure`` (skip TLS verification) is never rendered. An Amazon Managed
    Prometheus workspace answers only signed queries, so its address needs :class:`SigV4`; and
    SigV4 needs a workspace's address, because Argo Rollouts signs only an address containing
    ``aps-workspaces`` and otherwise drops the setting without a word (``prometheus.go``:
    ``strings.Contains(address, "aps-workspaces") && sigv4 != {}``). A trailing ``/`` on a
    workspace address (as AMP reports ``prometheusEndpoint``) is dropped.

    Attributes:
        address: The server's https URL; for AMP
            ``https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>``.
        query: The PromQL expression; ``{{args.<name>}}`` takes an argument of the template.
        sigv4: SigV4 signing, required for (and only for) an AMP workspace.
        timeout_seconds: How long a query may take, 1 or more. Default none (Argo: 30).
    """

    address: str
    query: str
    sigv4: SigV4 | None = None
    timeout_seconds: int | None = None

    def __post_init__(self) -> None:
        address: object = self.address
        parts = _split_url(address)
        if parts is None or parts.scheme != "https" or not parts.hostname or parts.username:
            raise ValueError(
                f"Prometheus address {address!r} is not valid: an https URL without credentials "
                "(the query, its answer and any signature never cross the network in clear), "
                f"such as {AMP_ADDRESS_EXAMPLE}"
            )
        assert isinstance(address, str)
        workspace = _amp_workspace(address)
        if workspace is None and "aps-workspaces" in address:
            raise ValueError(
                f"Prometheus address {address!r} is not valid: an Amazon Managed Prometheus "
                "workspace's query endpoint is https://aps-workspaces.<region>.amazonaws.com/"
                "workspaces/<id>, without /api/v1/query (the client adds it), such as "
                f"{AMP_ADDRESS_EXAMPLE}"
            )
        if self.sigv4 is not None and not isinstance(self.sigv4, SigV4):
            raise ValueError(
                f"Prometheus sigv4 {self.sigv4!r} is not valid: a SigV4 or None, such as "
                "SigV4(region='eu-west-1')"
            )
        if workspace is None and self.sigv4 is not None:
            raise ValueError(
                f"Prometheus address {address!r} is not an Amazon Managed Prometheus workspace, "
                "but SigV4 is asked: Argo Rollouts signs only a workspace's address and sends "
                "any other unsigned; give the workspace's query endpoint, such as "
                f"{AMP_ADDRESS_EXAMPLE}"
            )
        if workspace is not None:
            if self.sigv4 is None:
                raise ValueError(
                    f"Prometheus address {address!r} is an Amazon Managed Prometheus workspace "
                    "without SigV4: a workspace answers only signed queries; add "
                    f"sigv4=SigV4(region={workspace[0]!r})"
                )
            if self.sigv4.region != workspace[0]:
                raise ValueError(
                    f"SigV4 region {self.sigv4.region!r} is not the region of the workspace "
                    f"{address!r}: a signature is valid only for the workspace's region, such "
                    f"as SigV4(region={workspace[0]!r})"
                )
            object.__setattr__(self, "address", address.rstrip("/"))
        if not _is_text(self.query):
            raise ValueError(
                f"Prometheus query {self.query!r} is not valid: a PromQL expression, such as "
                'sum(rate(http_requests_total{service="{{args.service-name}}"}[5m]))'
            )
        if self.timeout_seconds is not None and not (
            patterns.is_whole_number(self.timeout_seconds)
            and 1 <= self.timeout_seconds <= _INT32_MAX
        ):
            raise ValueError(
                f"Prometheus timeout_seconds {self.timeout_seconds!r} is not valid: whole "
                "seconds, 1 or more, such as 30"
            )

    def to_manifest(self) -> dict[str, Any]:
        """The metric's ``provider`` object."""
        prometheus: dict[str, Any] = {"address": self.address, "query": self.query}
        if self.sigv4 is not None:
            prometheus["authentication"] = {"sigv4": self.sigv4.to_manifest()}
        if self.timeout_seconds is not None:
            prometheus["timeout"] = self.timeout_seconds
        return {"prometheus": prometheus}


# --------------------------------------------------------------------------------------
# CloudWatch


def _check_cloudwatch_id(value: object) -> None:
    if not (isinstance(value, str) and _CW_ID.fullmatch(value)):
        raise ValueError(
            f"CloudWatch query id {value!r} is not valid: a lowercase letter, then letters, "
            "digits or '_' (CloudWatch's rule for metric math), such as errors"
        )


@dataclass(frozen=True, kw_only=True)
class CloudWatchStat:
    """One CloudWatch metric's statistic over each period: a ``metricStat`` query.

    Attributes:
        id: The query's name in expressions (a lowercase letter, then letters, digits, '_').
        namespace: The metric's namespace, such as ``AWS/ApplicationELB``.
        metric_name: The metric, such as ``RequestCount``.
        stat: ``Sum``, ``Average``, ``Minimum``, ``Maximum``, ``SampleCount`` or a percentile
            ``pNN`` / ``pNN.NN``.
        period: Seconds per data point: 1, 5, 10, 20, 30 or a multiple of 60. Default 60.
        dimensions: Dimension name to value, in order; values may use ``{{args.<name>}}``.
        unit: The unit, such as ``Count`` or ``Seconds``. Default none.
        return_data: Whether the result is returned to the conditions (``result[i]``), or
            only used by expressions. Default False.
    """

    id: str
    namespace: str
    metric_name: str
    stat: str
    period: int = 60
    dimensions: Mapping[str, str] = field(default_factory=lambda: types.MappingProxyType({}))
    unit: str | None = None
    return_data: bool = False

    def __post_init__(self) -> None:
        _check_cloudwatch_id(self.id)
        for name, value, example in (
            ("namespace", self.namespace, "AWS/ApplicationELB"),
            ("metric_name", self.metric_name, "RequestCount"),
        ):
            if not _is_text(value):
                raise ValueError(
                    f"CloudWatch {name} {value!r} is not valid: non-empty text, such as {example}"
                )
        if not (isinstance(self.stat, str) and _CW_STAT.fullmatch(self.stat)):
            raise ValueError(
                f"CloudWatch stat {self.stat!r} is not valid: Sum, Average, Minimum, Maximum, "
                "SampleCount or a percentile pNN or pNN.NN, such as p95"
            )
        period = self.period
        if not (
            patterns.is_whole_number(period)
            and (period in _CW_HIGH_RESOLUTION_PERIODS or (period > 0 and period % 60 == 0))
        ):
            raise ValueError(
                f"CloudWatch period {period!r} is not valid: seconds per data point, 1, 5, 10, "
                "20, 30 or a multiple of 60 (CloudWatch's MetricStat rule), such as 60"
            )
        dimensions: object = self.dimensions
        if (
            not isinstance(dimensions, Mapping)
            or len(dimensions) > _CW_MAX_DIMENSIONS
            or not all(_is_text(k) and _is_text(v) for k, v in dimensions.items())
        ):
            raise ValueError(
                f"CloudWatch dimensions {dimensions!r} are not valid: at most "
                f"{_CW_MAX_DIMENSIONS} non-empty names with non-empty values, such as "
                "{'LoadBalancer': 'app/{{args.load-balancer}}'}"
            )
        object.__setattr__(self, "dimensions", types.MappingProxyType(dict(dimensions)))
        if self.unit is not None and not _is_text(self.unit):
            raise ValueError(
                f"CloudWatch unit {self.unit!r} is not valid: a CloudWatch unit or None, such "
                "as Count"
            )
        if not isinstance(self.return_data, bool):
            raise ValueError(
                f"CloudWatch return_data {self.return_data!r} is not valid: True or False"
            )

    def to_manifest(self) -> dict[str, Any]:
        """The ``metricDataQueries`` item."""
        metric: dict[str, Any] = {"namespace": self.namespace, "metricName": self.metric_name}
        if self.dimensions:
            metric["dimensions"] = [{"name": k, "value": v} for k, v in self.dimensions.items()]
        stat: dict[str, Any] = {"metric": metric, "period": self.period, "stat": self.stat}
        if self.unit is not None:
            stat["unit"] = self.unit
        return {"id": self.id, "metricStat": stat, "returnData": self.return_data}


@dataclass(frozen=True, kw_only=True)
class CloudWatchExpression:
    """A metric math expression over the other queries of the metric, by their ids.

    Attributes:
        id: The expression's own id.
        expression: The expression, such as ``errors / requests``. In metric math a missing
            value counts as 0 and a division by zero drops the data point (CloudWatch User
            Guide, "Using metric math", basic arithmetic).
        label: A label for the result. Default none.
        return_data: Whether the result is returned to the conditions. Default True.
    """

    id: str
    expression: str
    label: str | None = None
    return_data: bool = True

    def __post_init__(self) -> None:
        _check_cloudwatch_id(self.id)
        if not _is_text(self.expression):
            raise ValueError(
                f"CloudWatch expression {self.expression!r} is not valid: metric math over the "
                "ids of the other queries, such as errors / requests"
            )
        if self.label is not None and not _is_text(self.label):
            raise ValueError(
                f"CloudWatch label {self.label!r} is not valid: non-empty text or None, such as "
                "5xx ratio"
            )
        if not isinstance(self.return_data, bool):
            raise ValueError(
                f"CloudWatch return_data {self.return_data!r} is not valid: True or False"
            )

    @property
    def references(self) -> tuple[str, ...]:
        """The query ids the expression names (lowercase words outside quotes), in order."""
        unquoted = _CW_QUOTED.sub(" ", self.expression)
        return tuple(dict.fromkeys(_CW_ID_TOKEN.findall(unquoted)))

    def to_manifest(self) -> dict[str, Any]:
        """The ``metricDataQueries`` item."""
        query: dict[str, Any] = {"id": self.id, "expression": self.expression}
        if self.label is not None:
            query["label"] = self.label
        query["returnData"] = self.return_data
        return query


#: One query of a CloudWatch metric.
CloudWatchDataQuery: TypeAlias = CloudWatchStat | CloudWatchExpression


@dataclass(frozen=True, kw_only=True)
class CloudWatchQuery:
    """CloudWatch GetMetricData queries, the provider of a metric.

    The conditions see the returned series in order (``result[0].Values``, ...). Argo Rollouts
    needs ``cloudwatch:GetMetricData`` and ``AWS_REGION`` on its controller (docs
    ``analysis/cloudwatch.md``, "Setup").

    Attributes:
        queries: The queries (a sequence, kept as a tuple); ids distinct, at least one
            returned, every id an expression names defined.
        lookback: How far back each measurement reads, rendered as ``cloudWatch.interval``.
            Default none (Argo: 5m).
    """

    queries: Sequence[CloudWatchDataQuery]
    lookback: str | None = None

    def __post_init__(self) -> None:
        queries: object = self.queries
        if (
            isinstance(queries, str | bytes)
            or not isinstance(queries, Sequence)
            or not queries
            or not all(isinstance(q, CloudWatchStat | CloudWatchExpression) for q in queries)
        ):
            raise ValueError(
                f"CloudWatch queries {queries!r} are not valid: one or more CloudWatchStat or "
                "CloudWatchExpression, such as (CloudWatchExpression(id='ratio', "
                "expression='errors / requests'), CloudWatchStat(...), CloudWatchStat(...))"
            )
        object.__setattr__(self, "queries", tuple(queries))
        ids = [q.id for q in self.queries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(
                f"CloudWatch query ids {duplicates!r} are not distinct: each query has its own "
                "id, such as errors, requests and ratio"
            )
        for query in self.queries:
            if isinstance(query, CloudWatchExpression):
                unknown = [r for r in query.references if r not in ids or r == query.id]
                if unknown:
                    raise ValueError(
                        f"CloudWatch expression {query.expression!r} names {unknown!r}, which no "
                        "other query of the metric defines: refer to other queries by their "
                        f"ids, such as one of {sorted(set(ids) - {query.id})!r}"
                    )
        if not any(q.return_data for q in self.queries):
            raise ValueError(
                "CloudWatch queries return no data: the conditions see only the queries with "
                "return_data, so at least one returns, such as the ratio expression"
            )
        if self.lookback is not None:
            _check_duration("CloudWatch lookback", self.lookback)

    def to_manifest(self) -> dict[str, Any]:
        """The metric's ``provider`` object."""
        cloudwatch: dict[str, Any] = {"metricDataQueries": [q.to_manifest() for q in self.queries]}
        if self.lookback is not None:
            cloudwatch["interval"] = self.lookback
        return {"cloudWatch": cloudwatch}


#: Where a metric's measurements come from.
Provider: TypeAlias = PrometheusQuery | CloudWatchQuery


# --------------------------------------------------------------------------------------
# Metrics and the template


@dataclass(frozen=True, kw_only=True)
class Metric:
    """One metric of an AnalysisTemplate: a query, its conditions and its sampling.

    The conditions are Argo Rollouts expressions over ``result`` (expr language; for Prometheus
    the list of sample values, for CloudWatch the returned series with ``.Values``). At least
    one is stated: with neither, Argo counts every measurement as successful
    (``utils/evaluate/evaluate.go``). With both, a measurement meeting neither is inconclusive.

    Attributes:
        name: The metric's name, a DNS-1123 label.
        provider: A :class:`PrometheusQuery` or :class:`CloudWatchQuery`.
        success_condition: When a measurement succeeds. Default none.
        failure_condition: When a measurement fails. Default none.
        sampling: Interval, count and limits. Default: measured once.
    """

    name: str
    provider: Provider
    success_condition: str | None = None
    failure_condition: str | None = None
    sampling: Sampling = field(default_factory=Sampling)

    def __post_init__(self) -> None:
        if not patterns.is_dns_label(self.name):
            raise ValueError(
                f"metric name {self.name!r} is not valid: {_DNS_LABEL_RULE}, such as success-rate"
            )
        if not isinstance(self.provider, PrometheusQuery | CloudWatchQuery):
            raise ValueError(
                f"metric {self.name} provider {self.provider!r} is not valid: a PrometheusQuery "
                "or a CloudWatchQuery"
            )
        for key, condition in (
            ("success_condition", self.success_condition),
            ("failure_condition", self.failure_condition),
        ):
            if condition is not None and not _is_text(condition):
                raise ValueError(
                    f"metric {self.name} {key} {condition!r} is not valid: an expression over "
                    "result, or None, such as len(result) > 0 && result[0] >= 0.99"
                )
        if self.success_condition is None and self.failure_condition is None:
            raise ValueError(
                f"metric {self.name} has neither success_condition nor failure_condition: "
                "without one Argo Rollouts counts every measurement as successful; state one, "
                "such as len(result) > 0 && result[0] >= 0.99"
            )
        if not isinstance(self.sampling, Sampling):
            raise ValueError(
                f"metric {self.name} sampling {self.sampling!r} is not valid: a Sampling, such "
                "as Sampling(interval='1m', count=5, failure_limit=1)"
            )

    def to_manifest(self) -> dict[str, Any]:
        """The ``spec.metrics`` item."""
        metric: dict[str, Any] = {"name": self.name, **self.sampling.to_manifest()}
        if self.success_condition is not None:
            metric["successCondition"] = self.success_condition
        if self.failure_condition is not None:
            metric["failureCondition"] = self.failure_condition
        metric["provider"] = self.provider.to_manifest()
        return metric


@dataclass(frozen=True)
class Arg:
    """An argument a template declares: a Rollout passes its value, or the default is used.

    Attributes:
        name: The name metrics use as ``{{args.<name>}}``: lowercase letters, digits and '-',
            starting with a letter.
        default: The value when the Rollout passes none; None makes the argument required.
        secret: ``(Secret, key)``: the value is read at run time from that key of a Secret of
            the Rollout's namespace (``valueFrom.secretKeyRef``), for what git must not or
            cannot hold. Default none.
    """

    name: str
    default: str | None = None
    secret: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.secret is not None and not (
            isinstance(self.secret, tuple)
            and len(self.secret) == 2
            and patterns.is_dns_subdomain(self.secret[0])
            and isinstance(self.secret[1], str)
            and re.fullmatch(r"[-._a-zA-Z0-9]{1,253}", self.secret[1])
            and self.default is None
        ):
            raise ValueError(
                f"argument {self.name} secret {self.secret!r} is not valid: (Secret name, key) "
                "of a Secret in the Rollout's namespace, without a default, such as "
                "('go-todo-prometheus', 'workspaceId')"
            )
        if not (
            isinstance(self.name, str) and len(self.name) <= 63 and _ARG_NAME.fullmatch(self.name)
        ):
            raise ValueError(
                f"argument name {self.name!r} is not valid: at most 63 lowercase letters, digits "
                "or '-', starting with a letter and ending with a letter or digit, such as "
                f"{SERVICE_ARG}"
            )
        if self.default is not None and not isinstance(self.default, str):
            raise ValueError(
                f"argument {self.name} default {self.default!r} is not valid: text or None "
                "(required), such as '5m'"
            )

    def to_manifest(self) -> dict[str, Any]:
        """The ``spec.args`` item."""
        arg: dict[str, Any] = {"name": self.name}
        if self.default is not None:
            arg["value"] = self.default
        if self.secret is not None:
            arg["valueFrom"] = {"secretKeyRef": {"name": self.secret[0], "key": self.secret[1]}}
        return arg


def _strings(value: Any) -> Iterator[str]:
    """Every string in a manifest fragment, depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def placeholders(text: str) -> tuple[str, ...]:
    """The tags of ``text`` as Argo Rollouts resolves them: ``{{ args.x }}`` gives ``args.x``.

    Raises ValueError for a ``{{`` without its ``}}``, which Argo cannot resolve either.
    """
    tags: list[str] = []
    start = text.find(_TAG_OPEN)
    while start >= 0:
        end = text.find(_TAG_CLOSE, start + len(_TAG_OPEN))
        if end < 0:
            raise ValueError(
                f"{text!r} opens a placeholder that it never closes: write an argument as "
                "{{args.<name>}}, such as {{args.service-name}}"
            )
        tags.append(text[start + len(_TAG_OPEN) : end].strip())
        start = text.find(_TAG_OPEN, end + len(_TAG_CLOSE))
    return tuple(tags)


@dataclass(frozen=True, kw_only=True)
class AnalysisTemplate:
    """An AnalysisTemplate: metrics measured together, with the arguments they use.

    Every ``{{...}}`` in a metric must be ``{{args.<name>}}`` of a declared argument, and every
    declared argument must be used: Argo Rollouts resolves the tags over the whole metric and
    fails the measurement on one it cannot resolve (``ResolveArgs`` in
    ``utils/template/template.go``), which would show only during a rollout.

    Attributes:
        name: The template's name, a DNS-1123 label (at most 63 characters).
        metrics: One or more metrics with distinct names (kept as a tuple).
        args: The arguments, distinct names (kept as a tuple). Default none.
        namespace: The namespace, or None to leave it to the kustomization.
        labels: Labels of the template. Default none.
    """

    name: str
    metrics: Sequence[Metric]
    args: Sequence[Arg] = ()
    namespace: str | None = None
    labels: Mapping[str, str] = field(default_factory=lambda: types.MappingProxyType({}))

    def __post_init__(self) -> None:
        if not patterns.is_dns_label(self.name):
            raise ValueError(
                f"analysis template name {self.name!r} is not valid: {_DNS_LABEL_RULE}, such as "
                "go-todo-prometheus"
            )
        metrics: object = self.metrics
        if (
            isinstance(metrics, str | bytes)
            or not isinstance(metrics, Sequence)
            or not metrics
            or not all(isinstance(m, Metric) for m in metrics)
        ):
            raise ValueError(
                f"analysis template {self.name} metrics {metrics!r} are not valid: one or more "
                "Metric, such as (prometheus_success_rate(...),)"
            )
        object.__setattr__(self, "metrics", tuple(metrics))
        names = [m.name for m in self.metrics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"analysis template {self.name} metric names {duplicates!r} are not distinct: "
                "Argo Rollouts keys results by metric name, such as success-rate and latency"
            )
        args: object = self.args
        if (
            isinstance(args, str | bytes)
            or not isinstance(args, Sequence)
            or not all(isinstance(a, Arg) for a in args)
        ):
            raise ValueError(
                f"analysis template {self.name} args {args!r} are not valid: Arg declarations, "
                f"such as (Arg({SERVICE_ARG!r}),)"
            )
        object.__setattr__(self, "args", tuple(args))
        arg_names = [a.name for a in self.args]
        duplicates = sorted({n for n in arg_names if arg_names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"analysis template {self.name} declares arguments {duplicates!r} more than "
                "once: each argument once, such as (Arg('service-name'), Arg('namespace'))"
            )
        if self.namespace is not None and not patterns.is_dns_label(self.namespace):
            raise ValueError(
                f"analysis template namespace {self.namespace!r} is not valid: "
                f"{_DNS_LABEL_RULE}, such as go-todo"
            )
        labels: object = self.labels
        if not isinstance(labels, Mapping) or not all(
            patterns.is_label_key(k) and patterns.is_label_value(v) for k, v in labels.items()
        ):
            raise ValueError(
                f"analysis template labels {labels!r} are not valid: label names (an optional "
                "DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.') "
                "with non-empty label values, such as {'app.kubernetes.io/name': 'go-todo'}"
            )
        object.__setattr__(self, "labels", types.MappingProxyType(dict(sorted(labels.items()))))
        self._check_placeholders()

    def _check_placeholders(self) -> None:
        declared = {a.name for a in self.args}
        used: set[str] = set()
        for metric in self.metrics:
            for text in _strings(metric.to_manifest()):
                for tag in placeholders(text):
                    kind, dot, arg = tag.partition(".")
                    if kind != "args" or not dot or not arg:
                        raise ValueError(
                            f"analysis template {self.name} metric {metric.name} has "
                            f"{{{{{tag}}}}}, which Argo Rollouts cannot resolve: a placeholder "
                            "is an argument, such as {{args.service-name}}"
                        )
                    if arg not in declared:
                        raise ValueError(
                            f"analysis template {self.name} metric {metric.name} uses "
                            f"{{{{args.{arg}}}}} but declares no argument {arg!r}: declare "
                            f"every argument a metric uses, such as Arg({arg!r})"
                        )
                    used.add(arg)
        unused = sorted(declared - used)
        if unused:
            raise ValueError(
                f"analysis template {self.name} declares arguments {unused!r} that no metric "
                "uses: declare only what a metric uses as {{args.<name>}}, or remove it"
            )

    @property
    def required_args(self) -> tuple[str, ...]:
        """The arguments a Rollout must pass: without a default or a Secret, in order."""
        return tuple(a.name for a in self.args if a.default is None and a.secret is None)

    def ref(self) -> TemplateRef:
        """A reference to this template, for a Rollout's analysis."""
        return TemplateRef(self.name)

    def to_manifest(self) -> dict[str, Any]:
        """The AnalysisTemplate, checked against its strict schema (ManifestInvalidError)."""
        metadata: dict[str, Any] = {"name": self.name}
        if self.namespace is not None:
            metadata["namespace"] = self.namespace
        if self.labels:
            metadata["labels"] = dict(self.labels)
        spec: dict[str, Any] = {"metrics": [m.to_manifest() for m in self.metrics]}
        if self.args:
            spec["args"] = [a.to_manifest() for a in self.args]
        manifest: dict[str, Any] = {
            "apiVersion": API_VERSION,
            "kind": "AnalysisTemplate",
            "metadata": metadata,
            "spec": spec,
        }
        check_argo_manifest(manifest)
        return manifest


def analysis_of(*templates: AnalysisTemplate, args: Mapping[str, ArgValue]) -> Analysis:
    """A Rollout's analysis of ``templates`` with ``args``: every required one, no unknown one.

    Argo Rollouts passes the same arguments to every template of an analysis.
    """
    if not templates or not all(isinstance(t, AnalysisTemplate) for t in templates):
        raise ValueError(
            f"analysis templates {templates!r} are not valid: one or more AnalysisTemplate"
        )
    declared = {a.name for t in templates for a in t.args}
    required = sorted({name for t in templates for name in t.required_args})
    missing = [name for name in required if name not in args]
    if missing:
        example = {name: "..." for name in required}
        raise ValueError(
            f"analysis args {dict(args)!r} miss {missing!r}: pass every argument the templates "
            f"declare without a default, such as {example!r}"
        )
    unknown = sorted(set(args) - declared)
    if unknown:
        raise ValueError(
            f"analysis args {unknown!r} are declared by none of the templates: pass only "
            f"declared arguments, such as {sorted(declared)!r}"
        )
    return Analysis(templates=tuple(t.ref() for t in templates), args=args)


# --------------------------------------------------------------------------------------
# The platform's gates


@dataclass(frozen=True, kw_only=True)
class HttpSeries:
    """Where an app's HTTP metrics are in Prometheus: the series and the labels.

    The defaults are the conventional names (a request counter with the status code in
    ``code``, as Prometheus' Go client's promhttp writes it, and a latency histogram in
    seconds); ``namespace`` and ``service`` are the labels the scrape configuration puts the
    Kubernetes namespace and Service name in.

    Attributes:
        requests: The request counter. Default ``http_requests_total``.
        status_label: Its label holding the HTTP status code. Default ``code``.
        duration_buckets: The latency histogram's buckets. Default
            ``http_request_duration_seconds_bucket``.
        service_label: The label selecting the version measured: the Service name by default,
            or, as argosy's apps do, the pod template hash the scraper copies from each pod.
            Default ``service``.
        namespace_label: The label holding the namespace. Default ``namespace``.
        selector_arg: The template argument whose value ``service_label`` must have. Default
            ``service-name`` (:data:`SERVICE_ARG`).
    """

    requests: str = "http_requests_total"
    status_label: str = "code"
    duration_buckets: str = "http_request_duration_seconds_bucket"
    service_label: str = "service"
    namespace_label: str = "namespace"
    selector_arg: str = SERVICE_ARG

    def __post_init__(self) -> None:
        for name, value, pattern, example in (
            ("requests", self.requests, _PROMQL_METRIC, "http_requests_total"),
            (
                "duration_buckets",
                self.duration_buckets,
                _PROMQL_METRIC,
                "http_request_duration_seconds_bucket",
            ),
            ("status_label", self.status_label, _PROMQL_LABEL, "code"),
            ("service_label", self.service_label, _PROMQL_LABEL, "service"),
            ("namespace_label", self.namespace_label, _PROMQL_LABEL, "namespace"),
        ):
            if not (isinstance(value, str) and pattern.fullmatch(value)):
                kind = "metric" if pattern is _PROMQL_METRIC else "label"
                raise ValueError(
                    f"HTTP series {name} {value!r} is not valid: a Prometheus {kind} name, such "
                    f"as {example}"
                )
        if not (isinstance(self.selector_arg, str) and _ARG_NAME.fullmatch(self.selector_arg)):
            raise ValueError(
                f"HTTP series selector_arg {self.selector_arg!r} is not valid: an argument name, "
                f"lowercase letters, digits and '-', such as {SERVICE_ARG}"
            )

    @property
    def selector(self) -> str:
        """The label matchers of the app's Service, by the template's arguments."""
        return (
            f'{self.namespace_label}="{{{{args.{NAMESPACE_ARG}}}}}",'
            f'{self.service_label}="{{{{args.{self.selector_arg}}}}}"'
        )


def _scalar_bounds(threshold: str, *, at_least: bool) -> dict[str, str]:
    """The conditions of a query answering one value: ``threshold`` its lower or upper bound.

    No answer is inconclusive, and so is NaN (a 0/0 ratio), which compares false both ways.
    """
    good, bad = (">=", "<") if at_least else ("<=", ">")
    return {
        "success_condition": f"len(result) > 0 && result[0] {good} {threshold}",
        "failure_condition": f"len(result) > 0 && result[0] {bad} {threshold}",
    }


def _every_point_at_most(threshold: str) -> dict[str, str]:
    """The conditions of a CloudWatch query: every data point at most ``threshold``.

    One point above fails; no data point is inconclusive.
    """
    values = "result[0].Values"
    return {
        "success_condition": (
            f"len(result) > 0 && len({values}) > 0 && all({values}, {{# <= {threshold}}})"
        ),
        "failure_condition": f"len(result) > 0 && any({values}, {{# > {threshold}}})",
    }


def _sampling(sampling: Sampling) -> Sampling:
    if not isinstance(sampling, Sampling):
        raise ValueError(
            f"sampling {sampling!r} is not valid: a Sampling, such as DEFAULT_SAMPLING"
        )
    return sampling


def prometheus_success_rate(
    *,
    address: str,
    sigv4: SigV4 | None,
    series: HttpSeries = HttpSeries(),
    window: str = "5m",
    min_success_rate: float = 0.99,
    sampling: Sampling = DEFAULT_SAMPLING,
    name: str = "success-rate",
    timeout_seconds: int | None = None,
) -> Metric:
    """The share of the Service's requests answered without a 5xx, over ``window``.

    Succeeds at ``min_success_rate`` or above, fails below; no requests (no answer, or NaN from
    0/0) is inconclusive.
    """
    _check_duration("Prometheus window", window)
    rate = _as_float(min_success_rate)
    if rate is None or not 0 < rate <= 1:
        raise ValueError(
            f"min_success_rate {min_success_rate!r} is not valid: the share of requests without "
            "a 5xx, above 0 and at most 1, such as 0.99"
        )
    threshold = _number(rate)
    matchers = series.selector
    query = (
        f'sum(rate({series.requests}{{{matchers},{series.status_label}!~"5.."}}[{window}])) / '
        f"sum(rate({series.requests}{{{matchers}}}[{window}]))"
    )
    return Metric(
        name=name,
        provider=PrometheusQuery(
            address=address, query=query, sigv4=sigv4, timeout_seconds=timeout_seconds
        ),
        **_scalar_bounds(threshold, at_least=True),
        sampling=_sampling(sampling),
    )


def prometheus_latency(
    *,
    address: str,
    sigv4: SigV4 | None,
    series: HttpSeries = HttpSeries(),
    window: str = "5m",
    percentile: float = 95,
    max_seconds: float = 0.5,
    sampling: Sampling = DEFAULT_SAMPLING,
    name: str = "latency",
    timeout_seconds: int | None = None,
) -> Metric:
    """The ``percentile`` of the Service's response time over ``window``, from its histogram.

    Succeeds at ``max_seconds`` or below, fails above (``+Inf`` too); no requests is
    inconclusive.
    """
    _check_duration("Prometheus window", window)
    quantile = _number(_check_percentile("latency percentile", percentile) / 100)
    threshold = _number(_check_seconds_threshold("latency max_seconds", max_seconds))
    query = (
        f"histogram_quantile({quantile}, sum by (le) "
        f"(rate({series.duration_buckets}{{{series.selector}}}[{window}])))"
    )
    return Metric(
        name=name,
        provider=PrometheusQuery(
            address=address, query=query, sigv4=sigv4, timeout_seconds=timeout_seconds
        ),
        **_scalar_bounds(threshold, at_least=False),
        sampling=_sampling(sampling),
    )


def prometheus_template(
    *,
    name: str,
    address: str,
    sigv4: SigV4 | None,
    series: HttpSeries = HttpSeries(),
    window: str = "5m",
    min_success_rate: float = 0.99,
    latency_percentile: float = 95,
    max_latency_seconds: float = 0.5,
    sampling: Sampling = DEFAULT_SAMPLING,
    timeout_seconds: int | None = None,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
    extra_args: Sequence[Arg] = (),
) -> AnalysisTemplate:
    """The Prometheus gate: success rate and latency of one Service, by its arguments.

    A Rollout passes ``service-name`` (for a canary, its canary Service) and ``namespace``
    (:data:`SERVICE_ARG`, :data:`NAMESPACE_ARG`), for example with :func:`analysis_of`.
    ``extra_args`` declares arguments the address uses (a workspace ID read from a Secret).
    """
    common: dict[str, Any] = {
        "address": address,
        "sigv4": sigv4,
        "series": series,
        "window": window,
        "sampling": sampling,
        "timeout_seconds": timeout_seconds,
    }
    return AnalysisTemplate(
        name=name,
        namespace=namespace,
        labels=labels or {},
        args=(Arg(series.selector_arg), Arg(NAMESPACE_ARG), *extra_args),
        metrics=(
            prometheus_success_rate(min_success_rate=min_success_rate, **common),
            prometheus_latency(
                percentile=latency_percentile, max_seconds=max_latency_seconds, **common
            ),
        ),
    )


#: The dimensions of the ALB target group, from the template's arguments (CloudWatch: the
#: LoadBalancer is ``app/<name>/<id>`` and the TargetGroup ``targetgroup/<name>/<id>``,
#: "Metric dimensions for Application Load Balancers").
ALB_DIMENSIONS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "LoadBalancer": f"app/{{{{args.{LOAD_BALANCER_ARG}}}}}",
        "TargetGroup": f"targetgroup/{{{{args.{TARGET_GROUP_ARG}}}}}",
    }
)
_ALB_NAMESPACE: Final = "AWS/ApplicationELB"


def _check_period(period: object) -> int:
    # The load balancer publishes every 60 seconds, so a shorter period would only return gaps.
    if not (isinstance(period, int) and not isinstance(period, bool)) or period <= 0 or period % 60:
        raise ValueError(
            f"ALB period {period!r} is not valid: a multiple of 60 seconds (the load balancer "
            "publishes its metrics every 60 seconds), such as 60"
        )
    return period


def cloudwatch_error_rate(
    *,
    max_error_rate: float = 0.01,
    period: int = 60,
    lookback: str = "5m",
    sampling: Sampling = DEFAULT_SAMPLING,
    name: str = "error-rate",
) -> Metric:
    """The ALB target group's 5xx ratio: ``HTTPCode_Target_5XX_Count`` over ``RequestCount``.

    Every data point of the lookback at ``max_error_rate`` or below succeeds, one above fails;
    no data point is inconclusive. The 5xx count is published only when not zero (ALB metrics,
    "Reporting criteria: There is a nonzero value"); metric math counts the missing value as 0,
    and drops a minute without requests (division by zero). No ``unit`` is asked: CloudWatch
    would return only data published with that unit, and a mismatch would look like no traffic.
    """
    rate = _as_float(max_error_rate)
    if rate is None or not 0 <= rate < 1:
        raise ValueError(
            f"max_error_rate {max_error_rate!r} is not valid: the share of requests answered "
            "with a 5xx, 0 or more and below 1, such as 0.01"
        )
    seconds = _check_period(period)
    threshold = _number(rate)
    return Metric(
        name=name,
        provider=CloudWatchQuery(
            lookback=lookback,
            queries=(
                CloudWatchExpression(
                    id="error_rate", expression="errors / requests", label="5xx ratio"
                ),
                CloudWatchStat(
                    id="errors",
                    namespace=_ALB_NAMESPACE,
                    metric_name="HTTPCode_Target_5XX_Count",
                    dimensions=ALB_DIMENSIONS,
                    stat="Sum",
                    period=seconds,
                ),
                CloudWatchStat(
                    id="requests",
                    namespace=_ALB_NAMESPACE,
                    metric_name="RequestCount",
                    dimensions=ALB_DIMENSIONS,
                    stat="Sum",
                    period=seconds,
                ),
            ),
        ),
        **_every_point_at_most(threshold),
        sampling=_sampling(sampling),
    )


def cloudwatch_latency(
    *,
    percentile: float = 95,
    max_seconds: float = 0.5,
    period: int = 60,
    lookback: str = "5m",
    sampling: Sampling = DEFAULT_SAMPLING,
    name: str = "latency",
) -> Metric:
    """The ALB target group's ``TargetResponseTime`` at ``percentile``, in seconds.

    Every data point at ``max_seconds`` or below succeeds, one above fails; no data point is
    inconclusive.
    """
    stat = f"p{_number(_check_percentile('latency percentile', percentile))}"
    threshold = _number(_check_seconds_threshold("latency max_seconds", max_seconds))
    return Metric(
        name=name,
        provider=CloudWatchQuery(
            lookback=lookback,
            queries=(
                CloudWatchStat(
                    id="latency",
                    namespace=_ALB_NAMESPACE,
                    metric_name="TargetResponseTime",
                    dimensions=ALB_DIMENSIONS,
                    stat=stat,
                    period=_check_period(period),
                    return_data=True,
                ),
            ),
        ),
        **_every_point_at_most(threshold),
        sampling=_sampling(sampling),
    )


def cloudwatch_template(
    *,
    name: str,
    max_error_rate: float = 0.01,
    latency_percentile: float = 95,
    max_latency_seconds: float = 0.5,
    period: int = 60,
    lookback: str = "5m",
    sampling: Sampling = DEFAULT_SAMPLING,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> AnalysisTemplate:
    """The CloudWatch gate: the ALB target group's 5xx ratio and response time.

    A Rollout passes ``load-balancer`` and ``target-group`` (:data:`LOAD_BALANCER_ARG`,
    :data:`TARGET_GROUP_ARG`) as ``<name>/<id>``; with ALB traffic routing, from its own status
    (:data:`ALB_STATUS_FIELD_PATHS`).
    """
    common: dict[str, Any] = {"period": period, "lookback": lookback, "sampling": sampling}
    return AnalysisTemplate(
        name=name,
        namespace=namespace,
        labels=labels or {},
        args=(Arg(LOAD_BALANCER_ARG), Arg(TARGET_GROUP_ARG)),
        metrics=(
            cloudwatch_error_rate(max_error_rate=max_error_rate, **common),
            cloudwatch_latency(
                percentile=latency_percentile, max_seconds=max_latency_seconds, **common
            ),
        ),
    )
