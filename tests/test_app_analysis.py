"""AnalysisTemplates gating a rollout: Prometheus on AMP with SigV4, CloudWatch on the ALB."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from argosy.apps.analysis import (
    ALB_STATUS_FIELD_PATHS,
    AMP_ADDRESS_EXAMPLE,
    DEFAULT_SAMPLING,
    LOAD_BALANCER_ARG,
    NAMESPACE_ARG,
    SERVICE_ARG,
    TARGET_GROUP_ARG,
    AnalysisTemplate,
    Arg,
    CloudWatchExpression,
    CloudWatchQuery,
    CloudWatchStat,
    HttpSeries,
    Metric,
    PrometheusQuery,
    Sampling,
    SigV4,
    amp_address,
    analysis_of,
    cloudwatch_template,
    duration_seconds,
    placeholders,
    prometheus_success_rate,
    prometheus_template,
)
from argosy.apps.strategy import Analysis, BackgroundAnalysis, Canary, SetWeight, TemplateRef
from argosy.manifests.argo_schemas import argo_schema_problems
from tests.conftest import assert_golden

WORKSPACE = "ws-0123abcd-4567-89ef-0123-456789abcdef"
AMP = f"https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/{WORKSPACE}"
ROLE = "arn:aws:iam::111111111111:role/argosy-prod-analysis"
SIGV4 = SigV4(region="eu-west-1", role_arn=ROLE)
QUERY = 'sum(rate(http_requests_total{service="{{args.service-name}}"}[5m]))'
CONDITION = "len(result) > 0 && result[0] >= 0.99"

DURATION = (
    "is not valid: a duration is a whole number with unit s, m or h, or several in that order, "
    "above zero, such as 30s, 5m, 1h or 1h30m"
)
NOT_HTTPS = (
    "is not valid: an https URL without credentials (the query, its answer and any signature "
    f"never cross the network in clear), such as {AMP_ADDRESS_EXAMPLE}"
)


def dump(manifest: Any) -> str:
    return yaml.safe_dump(manifest, sort_keys=True)


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


def prometheus_gate() -> dict[str, Any]:
    return prometheus_template(
        name="go-todo-prometheus",
        address=amp_address("eu-west-1", WORKSPACE),
        sigv4=SIGV4,
        namespace="go-todo",
        labels={"app.kubernetes.io/name": "go-todo", "app.kubernetes.io/part-of": "todo"},
    ).to_manifest()


def cloudwatch_gate() -> dict[str, Any]:
    return cloudwatch_template(
        name="go-todo-cloudwatch",
        namespace="go-todo",
        labels={"app.kubernetes.io/name": "go-todo"},
    ).to_manifest()


def custom() -> dict[str, Any]:
    # Written by hand: an argument with a default, an initial delay, a background metric
    # measured until the rollout ends, a timeout and a profile.
    return AnalysisTemplate(
        name="go-todo-errors",
        args=(Arg(SERVICE_ARG), Arg("window", default="10m")),
        metrics=(
            Metric(
                name="server-errors",
                provider=PrometheusQuery(
                    address=AMP,
                    query=(
                        'sum(increase(http_requests_total{service="{{args.service-name}}",'
                        'code=~"5.."}[{{ args.window }}]))'
                    ),
                    sigv4=SigV4(region="eu-west-1", profile="analysis"),
                    timeout_seconds=20,
                ),
                failure_condition="len(result) > 0 && result[0] >= 10",
                sampling=Sampling(interval="5m", failure_limit=0, initial_delay="2m"),
            ),
        ),
    ).to_manifest()


TEMPLATES: dict[str, Callable[[], dict[str, Any]]] = {
    "prometheus-amp": prometheus_gate,
    "cloudwatch-alb": cloudwatch_gate,
    "custom": custom,
}


# --------------------------------------------------------------------------------------
# Rendered templates


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_golden_and_strict_valid(name: str) -> None:
    manifest = TEMPLATES[name]()
    assert argo_schema_problems(manifest) == []
    assert_golden(f"apps/analysis/{name}.yaml", dump(manifest))


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_templates_are_deterministic(name: str) -> None:
    assert dump(TEMPLATES[name]()) == dump(TEMPLATES[name]())


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_the_args_a_query_uses_are_declared_and_used(name: str) -> None:
    manifest = TEMPLATES[name]()
    declared = {a["name"] for a in manifest["spec"]["args"]}
    used = set()
    for text in strings(manifest["spec"]["metrics"]):
        for tag in placeholders(text):
            kind, _, arg = tag.partition(".")
            assert kind == "args", tag
            used.add(arg)
    assert used
    assert used == declared


def test_the_prometheus_gate_queries_the_workspace_signed_and_its_args() -> None:
    metrics = prometheus_gate()["spec"]["metrics"]
    assert [m["name"] for m in metrics] == ["success-rate", "latency"]
    for metric in metrics:
        prometheus = metric["provider"]["prometheus"]
        assert prometheus["address"] == AMP
        assert prometheus["authentication"] == {"sigv4": {"region": "eu-west-1", "roleArn": ROLE}}
        assert "insecure" not in prometheus
        assert f"{{{{args.{SERVICE_ARG}}}}}" in prometheus["query"]
        assert f"{{{{args.{NAMESPACE_ARG}}}}}" in prometheus["query"]
    success, latency = (m["provider"]["prometheus"]["query"] for m in metrics)
    assert 'code!~"5.."' in success
    assert latency.startswith("histogram_quantile(0.95, ")


def test_the_cloudwatch_gate_reads_the_target_group() -> None:
    metrics = cloudwatch_gate()["spec"]["metrics"]
    error_rate, latency = (m["provider"]["cloudWatch"]["metricDataQueries"] for m in metrics)
    assert error_rate[0] == {
        "id": "error_rate",
        "expression": "errors / requests",
        "label": "5xx ratio",
        "returnData": True,
    }
    names = [q["metricStat"]["metric"]["metricName"] for q in error_rate[1:] + latency]
    assert names == ["HTTPCode_Target_5XX_Count", "RequestCount", "TargetResponseTime"]
    for query in error_rate[1:] + latency:
        metric = query["metricStat"]["metric"]
        assert metric["namespace"] == "AWS/ApplicationELB"
        assert metric["dimensions"] == [
            {"name": "LoadBalancer", "value": f"app/{{{{args.{LOAD_BALANCER_ARG}}}}}"},
            {"name": "TargetGroup", "value": f"targetgroup/{{{{args.{TARGET_GROUP_ARG}}}}}"},
        ]
    assert latency[0]["metricStat"]["stat"] == "p95"
    assert set(ALB_STATUS_FIELD_PATHS) == {LOAD_BALANCER_ARG, TARGET_GROUP_ARG}


@pytest.mark.parametrize("name", ["prometheus-amp", "cloudwatch-alb"])
def test_no_data_is_inconclusive_never_a_success(name: str) -> None:
    # Both conditions start from "there is an answer": with none, neither holds.
    for metric in TEMPLATES[name]()["spec"]["metrics"]:
        assert metric["successCondition"].startswith("len(result) > 0 && ")
        assert metric["failureCondition"].startswith("len(result) > 0 && ")
        assert metric["count"] > metric["failureLimit"] + metric["inconclusiveLimit"]


def test_thresholds_are_rendered_as_plain_decimals() -> None:
    template = cloudwatch_template(
        name="go-todo-cloudwatch",
        max_error_rate=0.00001,
        latency_percentile=99.9,
        max_latency_seconds=2,
    ).to_manifest()
    error_rate, latency = template["spec"]["metrics"]
    assert error_rate["failureCondition"].endswith("{# > 0.00001})")
    assert latency["failureCondition"].endswith("{# > 2})")
    stat = latency["provider"]["cloudWatch"]["metricDataQueries"][0]["metricStat"]["stat"]
    assert stat == "p99.9"


def test_a_rollout_passes_the_declared_args() -> None:
    template = prometheus_template(name="go-todo-prometheus", address=AMP, sigv4=SIGV4)
    analysis = analysis_of(template, args={SERVICE_ARG: "go-todo-canary", NAMESPACE_ARG: "go-todo"})
    assert analysis == Analysis(
        templates=(TemplateRef("go-todo-prometheus"),),
        args={"namespace": "go-todo", "service-name": "go-todo-canary"},
    )
    canary = Canary(steps=[SetWeight(20)], analysis=BackgroundAnalysis(analysis=analysis))
    assert canary.to_manifest()["canary"]["analysis"] == {
        "templates": [{"templateName": "go-todo-prometheus"}],
        "args": [
            {"name": "namespace", "value": "go-todo"},
            {"name": "service-name", "value": "go-todo-canary"},
        ],
    }


def test_a_rollout_must_pass_required_args_and_only_declared_ones() -> None:
    prometheus = prometheus_template(name="go-todo-prometheus", address=AMP, sigv4=SIGV4)
    with pytest.raises(ValueError) as raised:
        analysis_of(prometheus, args={SERVICE_ARG: "go-todo-canary"})
    assert str(raised.value) == (
        "analysis args {'service-name': 'go-todo-canary'} miss ['namespace']: pass every "
        "argument the templates declare without a default, such as {'namespace': '...', "
        "'service-name': '...'}"
    )
    with pytest.raises(ValueError) as raised:
        analysis_of(
            prometheus,
            args={SERVICE_ARG: "go-todo-canary", NAMESPACE_ARG: "go-todo", "service": "x"},
        )
    assert str(raised.value) == (
        "analysis args ['service'] are declared by none of the templates: pass only declared "
        "arguments, such as ['namespace', 'service-name']"
    )


def test_the_workspace_address_is_built_and_a_trailing_slash_dropped() -> None:
    assert amp_address("eu-west-1", WORKSPACE) == AMP
    query = PrometheusQuery(address=AMP + "/", query=QUERY, sigv4=SIGV4)
    assert query.address == AMP
    with pytest.raises(ValueError) as raised:
        amp_address("europe", WORKSPACE)
    assert str(raised.value) == (
        "AMP region 'europe' and workspace_id 'ws-0123abcd-4567-89ef-0123-456789abcdef' are not "
        "valid: an AWS region code and a workspace ID, such as eu-west-1 and "
        "ws-0123abcd-4567-89ef-0123-456789abcdef"
    )


def test_a_plain_https_prometheus_needs_no_signature() -> None:
    query = PrometheusQuery(address="https://prometheus.example.com", query=QUERY)
    assert query.to_manifest() == {
        "prometheus": {"address": "https://prometheus.example.com", "query": QUERY}
    }


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("30s", 30), ("5m", 300), ("1h", 3600), ("1h30m", 5400), ("2m30s", 150)],
)
def test_durations_as_argo_reads_them(written: str, seconds: int) -> None:
    assert duration_seconds(written) == seconds


# --------------------------------------------------------------------------------------
# Bad input: exact messages


def prometheus(**changes: Any) -> PrometheusQuery:
    return PrometheusQuery(**{"address": AMP, "query": QUERY, "sigv4": SIGV4, **changes})


def metric(**changes: Any) -> Metric:
    arguments: dict[str, Any] = {
        "name": "success-rate",
        "provider": prometheus(),
        "success_condition": CONDITION,
    }
    return Metric(**{**arguments, **changes})


def template(**changes: Any) -> AnalysisTemplate:
    arguments: dict[str, Any] = {
        "name": "go-todo-prometheus",
        "metrics": (metric(),),
        "args": (Arg(SERVICE_ARG),),
    }
    return AnalysisTemplate(**{**arguments, **changes})


def cloudwatch(*queries: Any) -> CloudWatchQuery:
    return CloudWatchQuery(queries=queries)


def stat(**changes: Any) -> CloudWatchStat:
    arguments: dict[str, Any] = {
        "id": "requests",
        "namespace": "AWS/ApplicationELB",
        "metric_name": "RequestCount",
        "stat": "Sum",
    }
    return CloudWatchStat(**{**arguments, **changes})


BAD_INPUT: list[tuple[Callable[[], object], str]] = [
    # Durations
    (lambda: Sampling(interval="5 min"), f"analysis interval '5 min' {DURATION}"),
    (lambda: Sampling(interval="0s"), f"analysis interval '0s' {DURATION}"),
    (lambda: Sampling(interval="1d"), f"analysis interval '1d' {DURATION}"),
    (lambda: Sampling(interval="1.5h"), f"analysis interval '1.5h' {DURATION}"),
    (lambda: Sampling(initial_delay="-1m"), f"analysis initial_delay '-1m' {DURATION}"),
    (
        lambda: CloudWatchQuery(queries=(stat(return_data=True),), lookback="5"),
        f"CloudWatch lookback '5' {DURATION}",
    ),
    (
        lambda: prometheus_success_rate(address=AMP, sigv4=SIGV4, window="5"),
        f"Prometheus window '5' {DURATION}",
    ),
    # Counts and limits
    (
        lambda: Sampling(interval="1m", count=0),
        "analysis count 0 is not valid: the number of measurements, 1 or more (a count of 0 "
        "never measures in a step), such as 5",
    ),
    (
        lambda: Sampling(interval="1m", count=True),
        "analysis count True is not valid: the number of measurements, 1 or more (a count of 0 "
        "never measures in a step), such as 5",
    ),
    (
        lambda: Sampling(failure_limit=-1),
        "analysis failure_limit -1 is not valid: the failure measurements tolerated, 0 or more, "
        "such as 1",
    ),
    (
        lambda: Sampling(inconclusive_limit=-1),
        "analysis inconclusive_limit -1 is not valid: the inconclusive measurements tolerated, 0 "
        "or more, such as 1",
    ),
    (
        lambda: Sampling(count=5),
        "analysis count 5 needs an interval: Argo Rollouts measures more than once only at an "
        "interval, such as interval='1m'",
    ),
    (
        lambda: Sampling(interval="1m", count=5, failure_limit=3, inconclusive_limit=2),
        "analysis failure_limit 3 and inconclusive_limit 2 tolerate every one of 5 "
        "measurement(s): at least one measurement must succeed, so their sum stays below the "
        "count, such as count=5, failure_limit=1, inconclusive_limit=1",
    ),
    (
        lambda: Sampling(failure_limit=1),
        "analysis failure_limit 1 and inconclusive_limit 0 tolerate every one of 1 "
        "measurement(s): at least one measurement must succeed, so their sum stays below the "
        "count, such as count=5, failure_limit=1, inconclusive_limit=1",
    ),
    # Prometheus
    (
        lambda: prometheus(query=""),
        "Prometheus query '' is not valid: a PromQL expression, such as "
        'sum(rate(http_requests_total{service="{{args.service-name}}"}[5m]))',
    ),
    (
        lambda: prometheus(query="  \n"),
        "Prometheus query '  \\n' is not valid: a PromQL expression, such as "
        'sum(rate(http_requests_total{service="{{args.service-name}}"}[5m]))',
    ),
    (
        lambda: prometheus(address="http://prometheus.monitoring:9090", sigv4=None),
        f"Prometheus address 'http://prometheus.monitoring:9090' {NOT_HTTPS}",
    ),
    (
        lambda: prometheus(address=AMP.replace("https", "http")),
        f"Prometheus address '{AMP.replace('https', 'http')}' {NOT_HTTPS}",
    ),
    (
        lambda: prometheus(address="https://user:secret@prometheus.example.com", sigv4=None),
        f"Prometheus address 'https://user:secret@prometheus.example.com' {NOT_HTTPS}",
    ),
    (
        lambda: prometheus(address="https://[::1", sigv4=None),
        f"Prometheus address 'https://[::1' {NOT_HTTPS}",
    ),
    (
        lambda: prometheus(address="https://prometheus.example.com"),
        "Prometheus address 'https://prometheus.example.com' is not an Amazon Managed "
        "Prometheus workspace, but SigV4 is asked: Argo Rollouts signs only a workspace's "
        "address and sends any other unsigned; give the workspace's query endpoint, such as "
        f"{AMP_ADDRESS_EXAMPLE}",
    ),
    (
        lambda: prometheus(sigv4=None),
        f"Prometheus address '{AMP}' is an Amazon Managed Prometheus workspace without SigV4: a "
        "workspace answers only signed queries; add sigv4=SigV4(region='eu-west-1')",
    ),
    (
        lambda: prometheus(sigv4=SigV4(region="eu-west-2")),
        f"SigV4 region 'eu-west-2' is not the region of the workspace '{AMP}': a signature is "
        "valid only for the workspace's region, such as SigV4(region='eu-west-1')",
    ),
    (
        lambda: prometheus(address=AMP + "/api/v1/query"),
        f"Prometheus address '{AMP}/api/v1/query' is not valid: an Amazon Managed Prometheus "
        "workspace's query endpoint is https://aps-workspaces.<region>.amazonaws.com/"
        "workspaces/<id>, without /api/v1/query (the client adds it), such as "
        f"{AMP_ADDRESS_EXAMPLE}",
    ),
    (
        lambda: prometheus(timeout_seconds=0),
        "Prometheus timeout_seconds 0 is not valid: whole seconds, 1 or more, such as 30",
    ),
    (
        lambda: SigV4(region="eu-west-1", role_arn="argosy-prod-analysis"),
        "SigV4 role_arn 'argosy-prod-analysis' is not valid: an IAM role ARN, such as "
        "arn:aws:iam::111111111111:role/argosy-prod-analysis",
    ),
    (
        lambda: SigV4(region="Ireland"),
        "SigV4 region 'Ireland' is not valid: an AWS region code, such as eu-west-1",
    ),
    (
        lambda: HttpSeries(status_label="status-code"),
        "HTTP series status_label 'status-code' is not valid: a Prometheus label name, such as "
        "code",
    ),
    (
        lambda: prometheus_success_rate(address=AMP, sigv4=SIGV4, min_success_rate=99),
        "min_success_rate 99 is not valid: the share of requests without a 5xx, above 0 and at "
        "most 1, such as 0.99",
    ),
    (
        lambda: prometheus_template(
            name="go-todo-prometheus", address=AMP, sigv4=SIGV4, max_latency_seconds=0
        ),
        "latency max_seconds 0 is not valid: a response time in seconds above 0, such as 0.5",
    ),
    (
        lambda: prometheus_template(
            name="go-todo-prometheus", address=AMP, sigv4=SIGV4, latency_percentile=100
        ),
        "latency percentile 100 is not valid: a percentile above 0 and below 100 with at most "
        "two decimals (CloudWatch's pNN.NN), such as 95 or 99.9",
    ),
    # CloudWatch
    (
        lambda: stat(id="Requests"),
        "CloudWatch query id 'Requests' is not valid: a lowercase letter, then letters, digits "
        "or '_' (CloudWatch's rule for metric math), such as errors",
    ),
    (
        lambda: stat(period=90),
        "CloudWatch period 90 is not valid: seconds per data point, 1, 5, 10, 20, 30 or a "
        "multiple of 60 (CloudWatch's MetricStat rule), such as 60",
    ),
    (
        lambda: stat(stat="P95"),
        "CloudWatch stat 'P95' is not valid: Sum, Average, Minimum, Maximum, SampleCount or a "
        "percentile pNN or pNN.NN, such as p95",
    ),
    (
        lambda: cloudwatch(stat(), stat()),
        "CloudWatch query ids ['requests'] are not distinct: each query has its own id, such as "
        "errors, requests and ratio",
    ),
    (
        lambda: cloudwatch(
            CloudWatchExpression(id="ratio", expression="errors / requests"), stat()
        ),
        "CloudWatch expression 'errors / requests' names ['errors'], which no other query of "
        "the metric defines: refer to other queries by their ids, such as one of ['requests']",
    ),
    (
        lambda: cloudwatch(stat()),
        "CloudWatch queries return no data: the conditions see only the queries with "
        "return_data, so at least one returns, such as the ratio expression",
    ),
    (
        lambda: cloudwatch_template(name="go-todo-cloudwatch", period=30),
        "ALB period 30 is not valid: a multiple of 60 seconds (the load balancer publishes its "
        "metrics every 60 seconds), such as 60",
    ),
    (
        lambda: cloudwatch_template(name="go-todo-cloudwatch", max_error_rate=1),
        "max_error_rate 1 is not valid: the share of requests answered with a 5xx, 0 or more "
        "and below 1, such as 0.01",
    ),
    # Metrics
    (
        lambda: metric(name="Success Rate"),
        "metric name 'Success Rate' is not valid: a DNS-1123 label, at most 63 lowercase "
        "letters, digits or '-', starting and ending with a letter or digit, such as "
        "success-rate",
    ),
    (
        lambda: metric(success_condition=None),
        "metric success-rate has neither success_condition nor failure_condition: without one "
        "Argo Rollouts counts every measurement as successful; state one, such as len(result) > "
        "0 && result[0] >= 0.99",
    ),
    (
        lambda: metric(failure_condition=""),
        "metric success-rate failure_condition '' is not valid: an expression over result, or "
        "None, such as len(result) > 0 && result[0] >= 0.99",
    ),
    # Templates and their arguments
    (
        lambda: template(name="go-todo-" + "x" * 56),
        f"analysis template name 'go-todo-{'x' * 56}' is not valid: a DNS-1123 label, at most "
        "63 lowercase letters, digits or '-', starting and ending with a letter or digit, such "
        "as go-todo-prometheus",
    ),
    (
        lambda: template(metrics=()),
        "analysis template go-todo-prometheus metrics () are not valid: one or more Metric, "
        "such as (prometheus_success_rate(...),)",
    ),
    (
        lambda: template(metrics=(metric(), metric())),
        "analysis template go-todo-prometheus metric names ['success-rate'] are not distinct: "
        "Argo Rollouts keys results by metric name, such as success-rate and latency",
    ),
    (
        lambda: template(args=()),
        "analysis template go-todo-prometheus metric success-rate uses "
        "{{args.service-name}} but declares no argument 'service-name': declare every argument "
        "a metric uses, such as Arg('service-name')",
    ),
    (
        lambda: template(args=(Arg(SERVICE_ARG), Arg(NAMESPACE_ARG))),
        "analysis template go-todo-prometheus declares arguments ['namespace'] that no metric "
        "uses: declare only what a metric uses as {{args.<name>}}, or remove it",
    ),
    (
        lambda: template(args=(Arg(SERVICE_ARG), Arg(SERVICE_ARG))),
        "analysis template go-todo-prometheus declares arguments ['service-name'] more than "
        "once: each argument once, such as (Arg('service-name'), Arg('namespace'))",
    ),
    (
        lambda: template(
            metrics=(metric(provider=prometheus(query='up{job="{{workflow.name}}"}')),), args=()
        ),
        "analysis template go-todo-prometheus metric success-rate has {{workflow.name}}, which "
        "Argo Rollouts cannot resolve: a placeholder is an argument, such as "
        "{{args.service-name}}",
    ),
    (
        lambda: template(metrics=(metric(provider=prometheus(query='up{job="{{args.job"}')),)),
        "'up{job=\"{{args.job\"}' opens a placeholder that it never closes: write an argument as "
        "{{args.<name>}}, such as {{args.service-name}}",
    ),
    (
        lambda: Arg("service_name"),
        "argument name 'service_name' is not valid: at most 63 lowercase letters, digits or "
        "'-', starting with a letter and ending with a letter or digit, such as service-name",
    ),
    (
        lambda: template(namespace="Go-Todo"),
        "analysis template namespace 'Go-Todo' is not valid: a DNS-1123 label, at most 63 "
        "lowercase letters, digits or '-', starting and ending with a letter or digit, such as "
        "go-todo",
    ),
]


@pytest.mark.parametrize(("build", "message"), BAD_INPUT)
def test_bad_input_exact_messages(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        build()
    assert str(raised.value) == message


def test_the_default_sampling_can_fail() -> None:
    assert DEFAULT_SAMPLING.effective_count == 5
    assert Sampling(interval="1m").effective_count is None
    assert Sampling().effective_count == 1


def test_the_series_selects_the_version_by_the_argument_named() -> None:
    series = HttpSeries(
        service_label="rollouts_pod_template_hash", selector_arg="pod-template-hash"
    )
    assert series.selector == (
        'namespace="{{args.namespace}}",rollouts_pod_template_hash="{{args.pod-template-hash}}"'
    )
    with pytest.raises(ValueError) as error:
        HttpSeries(selector_arg="Pod_Hash")
    assert str(error.value) == (
        "HTTP series selector_arg 'Pod_Hash' is not valid: an argument name, lowercase letters, "
        "digits and '-', such as service-name"
    )
