"""An app's workload on one stage: the objects of its overlay, the workload rules, bad input."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from argosy.apps.strategy import (
    AlbRouting,
    Analysis,
    BackgroundAnalysis,
    Canary,
    IstioRouting,
    SetWeight,
    parse_steps,
)
from argosy.apps.workload import (
    CPU_RULE,
    HOST_RULE,
    MEMORY_RULE,
    PORT_RULE,
    TAG_RULE,
    AlbIngress,
    Autoscaling,
    EnvVar,
    Image,
    Resources,
    SecretEnvVar,
    Workload,
    blue_green_strategy,
    canary_strategy,
    horizontal_pod_autoscaler,
    ingress,
    kustomize_image,
    network_policy,
    pod_disruption_budget,
    pod_template,
    rollout,
    services,
    workload_objects,
)
from argosy.manifests.argo_schemas import argo_schema_problems, is_argo_kind
from argosy.manifests.validation import kubernetes_schema_problems
from tests.conftest import assert_golden

K8S = "1.36"
REPOSITORY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/go-todo"
LADDER = "[20, pause, 40, 60s, 60, 60s, 80, 60s]"
CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"


def canary_app(**changes: Any) -> Workload:
    """The issue's canary example: behind an internet-facing ALB, autoscaled, in prod."""
    base: dict[str, Any] = {
        "name": "go-todo",
        "team": "todo",
        "stage": "prod",
        "image": Image(REPOSITORY, "1.4.2"),
        "port": 8080,
        "health_path": "/healthz",
        "resources": Resources(cpu="250m", memory="256Mi", cpu_limit="1"),
        "strategy": canary_strategy(
            "go-todo",
            parse_steps(yaml.safe_load(LADDER)),
            alb=True,
            analysis=BackgroundAnalysis(
                analysis=Analysis.of("alb-5xx-ratio", args={"service": "go-todo-canary"}),
                starting_step=2,
            ),
        ),
        "autoscaling": Autoscaling(min_replicas=2, max_replicas=10),
        "env": (
            EnvVar("LOG_LEVEL", "info"),
            SecretEnvVar("DATABASE_PASSWORD", "go-todo-db", "password"),
        ),
        "ingress": AlbIngress(
            host="todo.prod.example.com", vpc_cidr="10.30.0.0/16", internet_facing=True
        ),
        "allowed_namespaces": ("go-web",),
    }
    return Workload(**{**base, **changes})


def blue_green_app(**changes: Any) -> Workload:
    """A blue-green app without Ingress: an internal API called from two namespaces."""
    base: dict[str, Any] = {
        "name": "ledger",
        "team": "payments",
        "stage": "staging",
        "image": Image("111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments/ledger", "2.0.1"),
        "port": 9000,
        "health_path": "/health/ready",
        "resources": Resources(cpu="500m", memory="512Mi"),
        "strategy": blue_green_strategy(
            "ledger",
            auto_promotion_enabled=False,
            pre_promotion_analysis=Analysis.of("smoke-test", args={"host": "ledger-preview"}),
        ),
        "replicas": 3,
        "env": (EnvVar("LOG_FORMAT", "json"),),
        "allowed_namespaces": ("go-todo", "billing"),
        "run_as_user": 65532,
    }
    return Workload(**{**base, **changes})


def replica_canary_app(**changes: Any) -> Workload:
    """A replica-based canary, one pod, nothing reaching it from outside its namespace."""
    base: dict[str, Any] = {
        "name": "worker",
        "team": "todo",
        "stage": "dev",
        "image": Image("ghcr.io/example/worker", "v3"),
        "port": 8081,
        "health_path": "/livez",
        "resources": Resources(cpu="0.1", memory="64Mi"),
        "strategy": canary_strategy("worker", [SetWeight(50)], alb=False),
        "replicas": 1,
        "automount_service_account_token": True,
    }
    return Workload(**{**base, **changes})


APPS: dict[str, Callable[[], Workload]] = {
    "canary-alb-hpa": canary_app,
    "blue-green": blue_green_app,
    "canary-replicas": replica_canary_app,
}


def dump_all(manifests: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(manifests, sort_keys=True, explicit_start=True)


def schema_problems(manifest: dict[str, Any]) -> list[str]:
    if is_argo_kind(manifest):
        return argo_schema_problems(manifest)
    return kubernetes_schema_problems(manifest, K8S)


def kinds(manifests: list[dict[str, Any]]) -> list[str]:
    return [f"{m['kind']}/{m['metadata']['name']}" for m in manifests]


# --------------------------------------------------------------------------------------
# The full object set


@pytest.mark.parametrize("name", ["canary-alb-hpa", "blue-green"])
def test_full_object_set_golden(name: str) -> None:
    assert_golden(
        f"apps/workload/{name}.yaml",
        dump_all(workload_objects(APPS[name](), kubernetes_version=K8S)),
    )


@pytest.mark.parametrize("name", sorted(APPS))
def test_every_object_is_strict_valid(name: str) -> None:
    for manifest in workload_objects(APPS[name](), kubernetes_version=K8S):
        assert schema_problems(manifest) == [], manifest["kind"]


def test_the_object_sets() -> None:
    assert kinds(workload_objects(canary_app(), kubernetes_version=K8S)) == [
        "Namespace/go-todo",
        "ServiceAccount/go-todo",
        "Service/go-todo",
        "Service/go-todo-canary",
        "Rollout/go-todo",
        "Ingress/go-todo",
        "PodDisruptionBudget/go-todo",
        "HorizontalPodAutoscaler/go-todo",
        "NetworkPolicy/go-todo",
    ]
    assert kinds(workload_objects(blue_green_app(), kubernetes_version=K8S)) == [
        "Namespace/ledger",
        "ServiceAccount/ledger",
        "Service/ledger",
        "Service/ledger-preview",
        "Rollout/ledger",
        "PodDisruptionBudget/ledger",
        "NetworkPolicy/ledger",
    ]
    # One pod: no budget (it would block every drain); nothing admitted from outside: no policy.
    assert kinds(workload_objects(replica_canary_app(), kubernetes_version=K8S)) == [
        "Namespace/worker",
        "ServiceAccount/worker",
        "Service/worker",
        "Rollout/worker",
    ]


def test_building_twice_gives_the_same_objects() -> None:
    assert dump_all(workload_objects(canary_app(), kubernetes_version=K8S)) == dump_all(
        workload_objects(canary_app(), kubernetes_version=K8S)
    )


def test_every_namespaced_object_is_in_the_apps_namespace_never_default() -> None:
    for factory in APPS.values():
        app = factory()
        for manifest in workload_objects(app, kubernetes_version=K8S):
            metadata = manifest["metadata"]
            if manifest["kind"] == "Namespace":
                assert metadata["name"] == app.name
            else:
                assert metadata["namespace"] == app.name != "default"


# --------------------------------------------------------------------------------------
# Workload rules on the pod spec (SECURITY.md, Workloads; Pod Security restricted)


def assert_workload_rules(app: Workload, template: dict[str, Any]) -> None:
    spec = template["spec"]
    pod_security = spec["securityContext"]
    # Non-root and seccomp RuntimeDefault for the whole pod; no root UID anywhere.
    assert pod_security["runAsNonRoot"] is True
    assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod_security.get("runAsUser", 1) != 0
    # No host namespaces.
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        assert spec.get(field, False) is False
    # Its own service account, a token only when asked.
    assert spec["serviceAccountName"] == app.name != "default"
    assert spec["automountServiceAccountToken"] is app.automount_service_account_token
    # Only volume types the restricted standard allows, and no hostPath.
    for volume in spec["volumes"]:
        assert set(volume) - {"name"} <= {"emptyDir", "configMap", "secret", "projected"}
    # Spread over zones.
    (spread,) = spec["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone"
    assert spread["labelSelector"]["matchLabels"] == {"app.kubernetes.io/name": app.name}
    assert len(spec["containers"]) == 1
    assert "initContainers" not in spec
    assert "ephemeralContainers" not in spec
    (container,) = spec["containers"]
    # The image: the repository with a set tag that is not latest.
    repository, _, tag = container["image"].rpartition(":")
    assert repository == app.image.repository
    assert tag and tag.lower() != "latest"
    # Requests and limits for CPU and memory; memory limit = request.
    resources = container["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
    assert resources["limits"]["memory"] == resources["requests"]["memory"]
    # Probes on HTTP at the health path.
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": app.health_path, "port": "http"}
    # No host ports.
    assert all("hostPort" not in port and "hostIP" not in port for port in container["ports"])
    # The container's own rules.
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security.get("privileged", False) is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security.get("runAsNonRoot", True) is True
    assert "seccompProfile" not in security or security["seccompProfile"]["type"] != "Unconfined"
    # A writable /tmp on the read-only root filesystem.
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]


@pytest.mark.parametrize("name", sorted(APPS))
def test_the_pod_follows_the_workload_rules(name: str) -> None:
    app = APPS[name]()
    template = pod_template(app, kubernetes_version=K8S)
    assert_workload_rules(app, template)
    # The Rollout carries exactly that template.
    assert rollout(app, kubernetes_version=K8S)["spec"]["template"] == template


def test_env_vars_plain_and_from_a_secret_key() -> None:
    (container,) = pod_template(canary_app(), kubernetes_version=K8S)["spec"]["containers"]
    assert container["env"] == [
        {"name": "LOG_LEVEL", "value": "info"},
        {
            "name": "DATABASE_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "go-todo-db", "key": "password"}},
        },
    ]


def test_the_app_namespace_enforces_restricted() -> None:
    (namespace,) = [
        m
        for m in workload_objects(canary_app(), kubernetes_version=K8S)
        if m["kind"] == "Namespace"
    ]
    namespace_labels = namespace["metadata"]["labels"]
    assert namespace_labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert namespace_labels["pod-security.kubernetes.io/enforce-version"] == "v1.36"


def test_memory_limit_is_the_request_and_cpu_limit_defaults_to_it() -> None:
    assert Resources(cpu="500m", memory="512Mi").to_manifest() == {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }
    assert Resources(cpu="500m", memory="512Mi", cpu_limit="2").to_manifest()["limits"] == {
        "cpu": "2",
        "memory": "512Mi",
    }


def test_the_image_tag_is_the_kustomize_images_entry() -> None:
    app = canary_app()
    assert kustomize_image(app) == {"name": REPOSITORY, "newTag": "1.4.2"}
    (container,) = pod_template(app, kubernetes_version=K8S)["spec"]["containers"]
    assert container["image"] == f"{REPOSITORY}:1.4.2"


# --------------------------------------------------------------------------------------
# Services, Ingress, budget, autoscaler, policy


def test_canary_ingress_backend_is_the_stable_service_with_use_annotation() -> None:
    app = canary_app()
    manifest = rollout(app, kubernetes_version=K8S)
    canary = manifest["spec"]["strategy"]["canary"]
    alb = canary["trafficRouting"]["alb"]
    # Argo Rollouts names the action after rootService, else stableService, and refuses a
    # Rollout whose Ingress has no rule with that Service (validation_references.go).
    action_service = alb.get("rootService", canary["stableService"])
    built = ingress(app, kubernetes_version=K8S)
    assert built is not None
    assert built["metadata"]["name"] == alb["ingress"]
    backends = [
        path["backend"]["service"]
        for rule in built["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]
    assert backends == [{"name": action_service, "port": {"name": "use-annotation"}}]
    assert {s["metadata"]["name"] for s in services(app, kubernetes_version=K8S)} == {
        canary["stableService"],
        canary["canaryService"],
    }
    assert all(
        s["spec"]["ports"][0]["port"] == alb["servicePort"]
        for s in services(app, kubernetes_version=K8S)
    )
    # The action annotation is Argo Rollouts' to write, never in git.
    assert not any(
        ".ingress.kubernetes.io/actions." in key for key in built["metadata"]["annotations"]
    )


def test_ingress_annotations_tls_and_host() -> None:
    built = ingress(canary_app(), kubernetes_version=K8S)
    assert built is not None
    assert built["spec"]["ingressClassName"] == "alb"
    assert built["metadata"]["annotations"] == {
        "alb.ingress.kubernetes.io/healthcheck-path": "/healthz",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/target-type": "ip",
    }
    # The certificate is discovered by the TLS host: no Secret, no ARN in git (E10).
    assert built["spec"]["tls"] == [{"hosts": ["todo.prod.example.com"]}]
    assert [rule["host"] for rule in built["spec"]["rules"]] == ["todo.prod.example.com"]


def test_ingress_with_a_certificate_arn_internal_and_https_only() -> None:
    settings = AlbIngress(
        host="todo.dev.example.com",
        vpc_cidr="10.10.0.0/16",
        certificate_arn=CERTIFICATE,
        redirect_http=False,
    )
    built = ingress(canary_app(ingress=settings), kubernetes_version=K8S)
    assert built is not None
    annotations = built["metadata"]["annotations"]
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internal"
    assert annotations["alb.ingress.kubernetes.io/certificate-arn"] == CERTIFICATE
    assert json.loads(annotations["alb.ingress.kubernetes.io/listen-ports"]) == [{"HTTPS": 443}]
    assert "alb.ingress.kubernetes.io/ssl-redirect" not in annotations
    assert schema_problems(built) == []


def test_blue_green_ingress_targets_the_active_service_port() -> None:
    settings = AlbIngress(host="ledger.staging.example.com", vpc_cidr="10.20.0.0/16")
    app = blue_green_app(ingress=settings)
    built = ingress(app, kubernetes_version=K8S)
    assert built is not None
    (rule,) = built["spec"]["rules"]
    assert rule["http"]["paths"][0]["backend"]["service"] == {
        "name": "ledger",
        "port": {"number": 80},
    }
    strategy = rollout(app, kubernetes_version=K8S)["spec"]["strategy"]["blueGreen"]
    assert strategy["activeService"] == "ledger"
    assert strategy["previewService"] == "ledger-preview"
    assert ingress(blue_green_app(), kubernetes_version=K8S) is None


def test_hpa_targets_the_rollout_which_then_has_no_replicas() -> None:
    app = canary_app()
    hpa = horizontal_pod_autoscaler(app, kubernetes_version=K8S)
    assert hpa is not None
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "name": "go-todo",
    }
    assert "replicas" not in rollout(app, kubernetes_version=K8S)["spec"]
    assert horizontal_pod_autoscaler(blue_green_app(), kubernetes_version=K8S) is None
    assert rollout(blue_green_app(), kubernetes_version=K8S)["spec"]["replicas"] == 3


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        (lambda: blue_green_app(replicas=2), 1),
        (lambda: blue_green_app(replicas=1), None),
        (lambda: canary_app(autoscaling=Autoscaling(min_replicas=1, max_replicas=4)), None),
        (canary_app, 1),
    ],
)
def test_disruption_budget_only_above_one_replica(
    app: Callable[[], Workload], expected: int | None
) -> None:
    budget = pod_disruption_budget(app(), kubernetes_version=K8S)
    assert (budget and budget["spec"]["minAvailable"]) == expected


def test_network_policy_admits_the_port_from_the_vpc_and_listed_namespaces() -> None:
    policy = network_policy(canary_app(), kubernetes_version=K8S)
    assert policy is not None
    assert policy["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "go-todo"}}
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    assert policy["spec"]["ingress"] == [
        {
            "from": [{"ipBlock": {"cidr": "10.30.0.0/16"}}],
            "ports": [{"protocol": "TCP", "port": 8080}],
        },
        {
            "from": [
                {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "go-web"}}}
            ],
            "ports": [{"protocol": "TCP", "port": 8080}],
        },
    ]
    # Without an Ingress, no VPC range: only the namespaces, sorted.
    policy = network_policy(blue_green_app(), kubernetes_version=K8S)
    assert policy is not None
    assert policy["spec"]["ingress"] == [
        {
            "from": [
                {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "billing"}}},
                {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "go-todo"}}},
            ],
            "ports": [{"protocol": "TCP", "port": 9000}],
        }
    ]
    assert network_policy(replica_canary_app(), kubernetes_version=K8S) is None


# --------------------------------------------------------------------------------------
# Bad input: exact messages


LONG_CANARY = "order-history-reconciliation-service-for-emea-customers-v2"  # 58
LONG_PREVIEW = "customer-order-history-reconciliation-for-emea-region-v2"  # 56


def test_a_name_too_long_once_suffixed() -> None:
    with pytest.raises(ValueError) as raised:
        canary_strategy(LONG_CANARY, [SetWeight(50)], alb=True)
    assert str(raised.value) == (
        f"app name {LONG_CANARY!r} makes the canary Service name '{LONG_CANARY}-canary', 65 "
        "characters: every name derived from the app's (<app>, <app>-canary, <app>-preview) "
        "is a DNS-1123 label of at most 63 characters; use an app name of at most 56 "
        "characters, such as go-todo"
    )
    with pytest.raises(ValueError) as raised:
        blue_green_strategy(LONG_PREVIEW, auto_promotion_enabled=True)
    assert str(raised.value) == (
        f"app name {LONG_PREVIEW!r} makes the preview Service name '{LONG_PREVIEW}-preview', 64 "
        "characters: every name derived from the app's (<app>, <app>-canary, <app>-preview) "
        "is a DNS-1123 label of at most 63 characters; use an app name of at most 55 "
        "characters, such as go-todo"
    )
    # The same 56 characters fit a canary (63), and a replica-based canary derives nothing.
    assert canary_strategy(LONG_PREVIEW, [SetWeight(50)], alb=True).canary_service == (
        f"{LONG_PREVIEW}-canary"
    )
    assert canary_strategy(LONG_CANARY, [SetWeight(50)], alb=False).canary_service is None


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Image(REPOSITORY, "latest"),
            f"image tag 'latest' is not valid: {TAG_RULE}, such as 1.4.2",
        ),
        (
            lambda: Image(REPOSITORY, "Latest"),
            f"image tag 'Latest' is not valid: {TAG_RULE}, such as 1.4.2",
        ),
        (lambda: Image(REPOSITORY, ""), f"image tag '' is not valid: {TAG_RULE}, such as 1.4.2"),
        (
            lambda: Image(f"{REPOSITORY}:1.4.2", "1.4.2"),
            f"image repository '{REPOSITORY}:1.4.2' is not valid: an image repository without tag "
            "or digest: an optional registry host (and port) and '/', then lowercase path "
            "components of letters and digits joined by '.', '_', '__' or '-', separated by "
            f"'/', such as {REPOSITORY}",
        ),
        (
            lambda: canary_app(port=80),
            f"port 80 is not valid: {PORT_RULE}, such as 8080",
        ),
        (lambda: canary_app(port=70000), f"port 70000 is not valid: {PORT_RULE}, such as 8080"),
        (lambda: canary_app(port="8080"), f"port '8080' is not valid: {PORT_RULE}, such as 8080"),
        (lambda: canary_app(port=True), f"port True is not valid: {PORT_RULE}, such as 8080"),
        (
            lambda: Resources(cpu="100 m", memory="128Mi"),
            f"resources cpu '100 m' is not valid: {CPU_RULE}, such as 250m, 0.5 or 1",
        ),
        (
            lambda: Resources(cpu="0m", memory="128Mi"),
            f"resources cpu '0m' is not valid: {CPU_RULE}, such as 250m, 0.5 or 1",
        ),
        (
            lambda: Resources(cpu="1Gi", memory="128Mi"),
            f"resources cpu '1Gi' is not valid: {CPU_RULE}, such as 250m, 0.5 or 1",
        ),
        (
            lambda: Resources(cpu="250m", memory="128m"),
            f"resources memory '128m' is not valid: {MEMORY_RULE}, such as 128Mi or 1Gi",
        ),
        (
            lambda: Resources(cpu="250m", memory="1.5Gi"),
            f"resources memory '1.5Gi' is not valid: {MEMORY_RULE}, such as 128Mi or 1Gi",
        ),
        (
            lambda: Resources(cpu="250m", memory="lots"),
            f"resources memory 'lots' is not valid: {MEMORY_RULE}, such as 128Mi or 1Gi",
        ),
        (
            lambda: Resources(cpu="250m", memory="128Mi", cpu_limit="200m"),
            "resources cpu_limit '200m' is below the cpu request '250m': a limit is at least its "
            "request (the API server refuses a lower one), such as '250m' or more",
        ),
    ],
)
def test_bad_input_exact_messages(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        build()
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "host",
    [
        "go-todo",
        "*.example.com",
        "Todo.example.com",
        "todo.example.com.",
        "todo.example.com:443",
        "10.0.0.1",
        "https://todo.example.com",
        "todo_app.example.com",
        "-todo.example.com",
        f"{'a' * 64}.example.com",
        "",
    ],
)
def test_a_host_that_is_not_a_hostname(host: str) -> None:
    with pytest.raises(ValueError) as raised:
        AlbIngress(host=host, vpc_cidr="10.0.0.0/16")
    assert str(raised.value) == (
        f"ingress host {host!r} is not valid: {HOST_RULE}, such as go-todo.dev.example.com"
    )
    assert str(raised.value).endswith(
        "a fully qualified host name: two or more labels of lowercase letters, digits or '-' "
        "separated by '.', each at most 63 characters and 253 in all, without wildcard, IP "
        "address, port or trailing dot, such as go-todo.dev.example.com"
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: canary_app(name="Go_Todo"),
            "app name 'Go_Todo' is not valid: a DNS-1123 label starting with a letter (it names "
            "the app's Services, which are DNS-1035 labels): at most 63 lowercase letters, "
            "digits or '-', starting with a letter and ending with a letter or digit, such as "
            "go-todo",
        ),
        (
            lambda: canary_strategy("default", [SetWeight(50)], alb=False),
            "app name 'default' is not valid: an app runs in a namespace of its own, never "
            "default or a kube- namespace (SECURITY.md, Workloads), such as go-todo",
        ),
        (
            lambda: canary_app(health_path="healthz"),
            "health_path 'healthz' is not valid: an absolute HTTP path for the probes: starting "
            "with '/', printable ASCII without spaces, such as /healthz",
        ),
        (
            lambda: canary_app(replicas=2),
            "app 'go-todo' sets replicas 2 and autoscaling Autoscaling(min_replicas=2, "
            "max_replicas=10, target_cpu_utilization=70): exactly one of them, such as "
            "replicas=2 or autoscaling=Autoscaling(min_replicas=2, max_replicas=10)",
        ),
        (
            lambda: canary_app(ingress=None),
            "app 'go-todo' has a canary with ALB traffic routing, which splits traffic on its "
            "Ingress: set ingress, such as AlbIngress(host='go-todo.dev.example.com', "
            "vpc_cidr='10.0.0.0/16')",
        ),
        (
            lambda: canary_app(
                strategy=Canary(
                    steps=[SetWeight(50)],
                    stable_service="go-todo-stable",
                    canary_service="go-todo-canary",
                    traffic_routing=AlbRouting(ingress="go-todo", service_port=80),
                )
            ),
            "an ALB canary of app 'go-todo' uses the Services 'go-todo' (stable) and "
            "'go-todo-canary' (canary), the Ingress 'go-todo', service port 80 and the "
            "annotation prefix alb.ingress.kubernetes.io: build it with "
            "canary_strategy('go-todo', steps, alb=...) or "
            "blue_green_strategy('go-todo', auto_promotion_enabled=...)",
        ),
        (
            lambda: canary_app(
                strategy=Canary(
                    steps=[SetWeight(50)],
                    stable_service="go-todo",
                    canary_service="go-todo-canary",
                    traffic_routing=IstioRouting(virtual_service="go-todo"),
                )
            ),
            "app 'go-todo' has Istio traffic routing, whose VirtualService this module does not "
            "build; use ALB routing or none: build it with canary_strategy('go-todo', steps, "
            "alb=...) or blue_green_strategy('go-todo', auto_promotion_enabled=...)",
        ),
        (
            lambda: blue_green_app(
                strategy=blue_green_strategy("other", auto_promotion_enabled=True)
            ),
            "a blue-green strategy of app 'ledger' uses the Services 'ledger' (active) and "
            "'ledger-preview' (preview): build it with canary_strategy('ledger', steps, "
            "alb=...) or blue_green_strategy('ledger', auto_promotion_enabled=...)",
        ),
        (
            lambda: canary_app(env=(EnvVar("LOG_LEVEL", "info"), EnvVar("LOG_LEVEL", "debug"))),
            "env names LOG_LEVEL appear more than once: each variable is set once, such as "
            "LOG_LEVEL",
        ),
        (
            lambda: EnvVar("LOG-LEVEL", "info"),
            "env name 'LOG-LEVEL' is not valid: an environment variable name: a letter or '_', "
            "then letters, digits or '_', such as LOG_LEVEL",
        ),
        (
            lambda: SecretEnvVar("DATABASE_PASSWORD", "Go_Todo", "password"),
            "env DATABASE_PASSWORD secret 'Go_Todo' is not valid: a Secret name, a DNS-1123 "
            "subdomain: at most 253 lowercase letters, digits, '-' or '.', starting and ending "
            "with a letter or digit, such as go-todo-db",
        ),
        (
            lambda: canary_app(allowed_namespaces=("go-todo",)),
            "allowed namespace 'go-todo' is the app's own: its pods reach each other through the "
            "baseline's allow-same-namespace; list other namespaces, such as go-todo-web",
        ),
        (
            lambda: blue_green_app(run_as_user=0),
            "run_as_user 0 is not valid: a UID above 0 (never root), or None, such as 65532",
        ),
        (
            lambda: AlbIngress(host="todo.example.com", vpc_cidr="8.8.0.0/16"),
            "ingress vpc_cidr '8.8.0.0/16' is not valid: the VPC's private IPv4 range (the ALB's "
            "nodes), in CIDR notation, such as 10.0.0.0/16",
        ),
        (
            lambda: AlbIngress(
                host="todo.example.com", vpc_cidr="10.0.0.0/16", certificate_arn="arn:aws:acm:x"
            ),
            "ingress certificate_arn 'arn:aws:acm:x' is not valid: an ACM certificate ARN, or "
            f"None to find it by the host, such as {CERTIFICATE}",
        ),
        (
            lambda: Autoscaling(min_replicas=3, max_replicas=2),
            "autoscaling max_replicas 2 is not valid: at least min_replicas (3), such as 15",
        ),
    ],
)
def test_more_bad_input_exact_messages(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        build()
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("cpu", "memory"),
    [("250m", "128Mi"), ("0.5", "1Gi"), ("2", "512M"), ("1.25", "1073741824")],
)
def test_quantities_accepted(cpu: str, memory: str) -> None:
    app = canary_app(resources=Resources(cpu=cpu, memory=memory))
    assert pod_template(app, kubernetes_version=K8S)["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": cpu, "memory": memory},
        "limits": {"cpu": cpu, "memory": memory},
    }


def test_workloads_are_frozen() -> None:
    app = canary_app()
    with pytest.raises(dataclasses.FrozenInstanceError):
        app.name = "other"  # type: ignore[misc]
