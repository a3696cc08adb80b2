"""An app file (``apps/<app>.yaml``): what a team writes about its app, as typed models.

A few lines in the spirit of a small Helm values file. Every field says its default and what
it becomes; every rule is the one the builders (:mod:`argosy.apps.workload`,
:mod:`argosy.apps.strategy`) enforce, checked here first so that a mistake is reported with
the file, line, field path, value, rule and a valid example (:mod:`argosy.apps.load`).
Rules that need the stages (is the stage known, is the host under its domain, is the name
short enough once the stage is added) are the loader's.

Example::

    name: go-todo
    team: todo
    image: {repository: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/go-todo, tag: 1.4.2}
    port: 8080
    resources: {cpu: 250m, memory: 256Mi}
    stages:
      dev: {replicas: 1, host: todo.dev.acme.example}
      prod: {autoscaling: {minReplicas: 3, maxReplicas: 10}, host: todo.acme.example}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from argosy import patterns
from argosy.apps import workload
from argosy.apps.cloud import DATABASE_KEYS, DatabaseEngine
from argosy.config.issues import rule_for
from argosy.config.models.apps import (
    AnalysisProvider,
    SyncMode,
    TrafficRouting,
    steps_violations,
)
from argosy.config.models.base import (
    Model,
    StrictBool,
    StrictInt,
    StrictStr,
    Violation,
    collect,
    matching,
    violation,
)

#: The example app's image, quoted in examples.
IMAGE_EXAMPLE = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/go-todo"
#: A Secrets Manager secret name (after the stage's prefix), as IAM and ESO take it.
_SECRET_NAME = re.compile(r"^(?=.{1,200}$)[A-Za-z0-9_+=.@-]+(/[A-Za-z0-9_+=.@-]+)*$")
_JSON_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_SLACK_CHANNEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_DB_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_PG_VERSION = re.compile(r"^1[4-8](\.[0-9]+)?$")
_RDS_CLASS = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$")
#: Variables argosy sets itself (with a bucket, with a database); an app file may not set them.
RESERVED_ENV = frozenset({"AWS_REGION", "BUCKET_NAME", *DATABASE_KEYS})


def _check(rule: str, example: str, test: Callable[[str], object], value: str) -> str:
    try:
        test(value)
    except ValueError:
        violation(rule, example)
    return value


def _repository(value: str) -> str:
    return _check(
        workload.REPOSITORY_RULE,
        f"repository: {IMAGE_EXAMPLE}",
        lambda v: workload.Image(v, "1.0.0"),
        value,
    )


def _tag(value: str) -> str:
    return _check(
        workload.TAG_RULE, "tag: 1.4.2", lambda v: workload.Image(IMAGE_EXAMPLE, v), value
    )


def _cpu(value: str) -> str:
    return _check(workload.CPU_RULE, "cpu: 250m", workload.cpu_millicores, value)


def _memory(value: str) -> str:
    return _check(workload.MEMORY_RULE, "memory: 256Mi", workload.memory_bytes, value)


def _host(value: str) -> str:
    if not workload.is_host(value):
        violation(workload.HOST_RULE, "host: todo.dev.acme.example")
    return value


def _path(value: str) -> str:
    if not re.fullmatch(r"/[!-~]*", value):
        violation(workload.HEALTH_PATH_RULE, "healthPath: /healthz")
    return value


def _name(value: str) -> str:
    # default and kube-* are DNS labels: the rule they break is the namespace's.
    rule = (
        workload.RESERVED_NAMESPACE_RULE
        if patterns.is_dns_1035_label(value)
        else workload.APP_NAME_RULE
    )
    return _check(rule, "name: go-todo", workload.check_app_name, value)


def _label(value: str) -> str:
    if not patterns.is_dns_label(value):
        violation(workload.LABEL_RULE, "team: todo")
    return value


Cpu = Annotated[StrictStr, AfterValidator(_cpu)]
Memory = Annotated[StrictStr, AfterValidator(_memory)]
Host = Annotated[StrictStr, AfterValidator(_host)]
HttpPath = Annotated[StrictStr, AfterValidator(_path)]


class ImageSpec(Model):
    """The app's container image."""

    repository: Annotated[StrictStr, AfterValidator(_repository)] = Field(
        description="The image repository, without tag or digest (the container's image).",
        examples=[IMAGE_EXAMPLE],
    )
    tag: Annotated[StrictStr, AfterValidator(_tag)] = Field(
        description="The tag of the first render, never `latest`. From then on the stage "
        "overlay's kustomization `images` owns it: promotion edits it there, render keeps it.",
        examples=["1.4.2"],
    )


class ResourcesSpec(Model):
    """CPU and memory of the container (resources.requests and .limits)."""

    cpu: Cpu = Field(description="The CPU request, such as `250m`.", examples=["250m"])
    memory: Memory = Field(
        description="The memory request and limit, such as `256Mi`.", examples=["256Mi"]
    )
    cpu_limit: Cpu | None = Field(
        default=None,
        description="The CPU limit, at least the request. Default: the request.",
        examples=["500m"],
    )

    @model_validator(mode="after")
    def _limit(self) -> ResourcesSpec:
        if self.cpu_limit is not None and workload.cpu_millicores(
            self.cpu_limit
        ) < workload.cpu_millicores(self.cpu):
            violation(
                "a CPU limit is at least the request (the API server refuses a lower one)",
                f"cpuLimit: {self.cpu}",
                field="cpuLimit",
            )
        return self


class AutoscalingSpec(Model):
    """A HorizontalPodAutoscaler on CPU (autoscaling/v2)."""

    min_replicas: StrictInt = Field(
        ge=1, le=1000, description="The fewest pods (spec.minReplicas).", examples=[2]
    )
    max_replicas: StrictInt = Field(
        ge=1, le=1000, description="The most pods (spec.maxReplicas).", examples=[10]
    )
    target_cpu_utilization: StrictInt = Field(
        default=workload.DEFAULT_TARGET_CPU_UTILIZATION,
        ge=1,
        le=100,
        description="The average CPU use aimed at, in percent of the request "
        "(metrics[].resource.target.averageUtilization). Default: 70.",
        examples=[70],
    )

    @model_validator(mode="after")
    def _bounds(self) -> AutoscalingSpec:
        if self.max_replicas < self.min_replicas:
            violation(
                f"at least minReplicas ({self.min_replicas})",
                f"maxReplicas: {self.min_replicas * 5}",
                field="maxReplicas",
            )
        return self


class SecretEnvSpec(Model):
    """An environment variable read from a key of a Secrets Manager secret (external-secrets)."""

    secret: Annotated[
        StrictStr,
        matching(
            _SECRET_NAME,
            "a Secrets Manager secret name: letters, digits and _+=.@- in parts separated by '/'",
            "secret: go-todo/api",
        ),
    ] = Field(
        description="The secret's name under the stage's external-secrets prefix "
        "(remoteRef.key is the prefix and this).",
        examples=["go-todo/api"],
    )
    key: Annotated[
        StrictStr,
        matching(_JSON_KEY, "a JSON key of letters, digits, '_', '.' or '-'", "key: token"),
    ] = Field(
        description="The key of the secret's JSON value (remoteRef.property).",
        examples=["token"],
    )


class StageSpec(Model):
    """The app on one stage: its size, its host, and what it changes of the stage's defaults."""

    replicas: StrictInt | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="A fixed number of pods (Rollout spec.replicas). Exactly one of replicas "
        "and autoscaling.",
        examples=[2],
    )
    autoscaling: AutoscalingSpec | None = Field(
        default=None,
        description="Autoscaling bounds instead of a fixed number (an HPA; the Application "
        "ignores spec.replicas).",
        examples=[{"minReplicas": 2, "maxReplicas": 10}],
    )
    host: Host | None = Field(
        default=None,
        description="The app's host on the stage, the stage's domain or under it: an ALB "
        "Ingress with TLS, the certificate found by host, the name published by external-dns. "
        "Default: none (reached inside the cluster only).",
        examples=["todo.dev.acme.example"],
    )
    sync: SyncMode | None = Field(
        default=None,
        description="`automated` or `manual` sync of the app's Application on the stage. "
        "Default: the stage's (argosy:apps.sync).",
        examples=["manual"],
    )
    auto_promotion: StrictBool | None = Field(
        default=None,
        description="Blue-green: promote on its own (blueGreen.autoPromotionEnabled). "
        "Default: the stage's (argosy:apps.autoPromotion).",
        examples=[False],
    )

    @model_validator(mode="after")
    def _scale(self) -> StageSpec:
        if (self.replicas is None) == (self.autoscaling is None):
            violation(
                "exactly one of replicas and autoscaling",
                "replicas: 2",
                field="replicas",
            )
        return self


class CanarySpec(Model):
    """The canary strategy (Rollout spec.strategy.canary)."""

    steps: tuple[Any, ...] | None = Field(
        default=None,
        description="The steps as a team writes them: a weight (20), `pause`, `pause 60s` or "
        "`60s` (spec.strategy.canary.steps). Default: the stage's (argosy:apps.canarySteps).",
        examples=[[20, "pause", 40, "60s", 60, "60s", 80, "60s"]],
    )
    traffic_routing: TrafficRouting | None = Field(
        default=None,
        description="`alb` (weights on the ALB Ingress, where the app has a host) or `none` "
        "(replica-based). Default: the stage's.",
        examples=["alb"],
    )

    @field_validator("steps", mode="wrap")
    @classmethod
    def _steps(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if value is None:
            return None
        return collect(value, handler, _steps_here)


def _steps_here(value: Any, validated: Any) -> list[Violation]:
    return [
        Violation(v.loc, v.value, v.rule, v.example.replace("canarySteps:", "steps:"))
        for v in steps_violations(value, validated)
    ]


class BlueGreenSpec(Model):
    """The blue-green strategy (Rollout spec.strategy.blueGreen)."""


class StrategySpec(Model):
    """The delivery strategy: one of canary and blueGreen."""

    canary: CanarySpec | None = Field(
        default=None, description="A canary.", examples=[{"steps": [20, "60s", 50, "60s"]}]
    )
    blue_green: BlueGreenSpec | None = Field(
        default=None, description="Blue-green: active and preview Services.", examples=[{}]
    )
    analysis: AnalysisProvider | None = Field(
        default=None,
        description="What gates the rollout. Default: the stage's (argosy:apps.analysis).",
        examples=["prometheus"],
    )

    @model_validator(mode="after")
    def _one(self) -> StrategySpec:
        if (self.canary is None) == (self.blue_green is None):
            violation("exactly one of canary and blueGreen", "canary: {}", field="canary")
        return self


class DatabaseSpec(Model):
    """A PostgreSQL database made in each stage's own stack, credentials via external-secrets."""

    engine: DatabaseEngine = Field(
        default="aurora-postgresql",
        description="`aurora-postgresql` (Aurora Serverless v2) or `postgres` (RDS). "
        "Default: aurora-postgresql.",
        examples=["aurora-postgresql"],
    )
    version: Annotated[
        StrictStr,
        matching(
            _PG_VERSION,
            "a PostgreSQL major version from 14 to 18, with its minor",
            "version: 16.6",
        ),
    ] = Field(
        default="16.6",
        description="The PostgreSQL engine version (engine_version). Default: 16.6.",
        examples=["16.6"],
    )
    name: StrictStr | None = Field(
        default=None,
        description="The database's name (PGDATABASE). Default: the app's name with '_' for '-'.",
        examples=["go_todo"],
    )
    instance_class: Annotated[
        StrictStr, matching(_RDS_CLASS, "an RDS instance class", "instanceClass: db.t4g.medium")
    ] = Field(
        default="db.t4g.medium",
        description="RDS only: the instance class. Default: db.t4g.medium.",
        examples=["db.t4g.medium"],
    )
    storage_gib: StrictInt = Field(
        default=20,
        ge=20,
        le=65536,
        description="RDS only: allocated storage in GiB. Default: 20.",
        examples=[20],
    )
    min_capacity: float = Field(
        default=0.5,
        ge=0,
        le=256,
        description="Aurora only: the fewest ACUs (serverlessv2_scaling_configuration). "
        "Default: 0.5.",
        examples=[0.5],
    )
    max_capacity: float = Field(
        default=4.0,
        ge=1,
        le=256,
        description="Aurora only: the most ACUs. Default: 4.",
        examples=[4],
    )

    @field_validator("name")
    @classmethod
    def _db_name(cls, value: str | None) -> str | None:
        if value is not None and not _DB_NAME.fullmatch(value):
            violation(
                "a PostgreSQL database name: a lowercase letter, then lowercase letters, digits "
                "or '_', at most 63",
                "name: go_todo",
            )
        return value

    @model_validator(mode="after")
    def _capacity(self) -> DatabaseSpec:
        if self.max_capacity < self.min_capacity:
            violation(
                f"at least minCapacity ({self.min_capacity:g})",
                f"maxCapacity: {max(self.min_capacity, 1) * 2:g}",
                field="maxCapacity",
            )
        return self


class BucketSpec(Model):
    """An S3 bucket of the app's own, reached through its service account's identity."""

    versioning: StrictBool = Field(
        default=True, description="Keep old versions of objects. Default: true.", examples=[True]
    )
    noncurrent_days: StrictInt = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days old versions are kept (lifecycle). Default: 30.",
        examples=[30],
    )


class PreSyncSpec(Model):
    """A Job run on each sync before the Rollout (a Sync hook at wave -1), such as a migration."""

    command: tuple[StrictStr, ...] = Field(
        min_length=1,
        description="The command, in the app's image (the Job takes the overlay's tag too).",
        examples=[["/app/migrate", "up"]],
    )
    timeout_seconds: StrictInt = Field(
        default=600,
        ge=30,
        le=86400,
        description="How long the Job may run (activeDeadlineSeconds). Default: 600.",
        examples=[600],
    )


class NotificationsSpec(Model):
    """Where Argo CD notifications about the app go."""

    slack: Annotated[
        StrictStr,
        matching(
            _SLACK_CHANNEL,
            "a Slack channel name without '#': lowercase letters, digits, '-' or '_'",
            "slack: todo-deploys",
        ),
    ] = Field(
        description="The Slack channel (notifications.argoproj.io/subscribe.<trigger>.slack) "
        "told when a sync fails, the app degrades or a version is deployed.",
        examples=["todo-deploys"],
    )


class AppFile(Model):
    """One app, as its team writes it."""

    name: Annotated[StrictStr, AfterValidator(_name)] = Field(
        description="The app's name: its namespace, Rollout, Services and, with the stage, "
        "its Application (`<name>-<stage>`).",
        examples=["go-todo"],
    )
    team: Annotated[StrictStr, AfterValidator(_label)] = Field(
        description="The team that owns it: its AppProject is `<team>-<stage>`.",
        examples=["todo"],
    )
    image: ImageSpec = Field(
        description="Repository and first tag.",
        examples=[{"repository": IMAGE_EXAMPLE, "tag": "1.4.2"}],
    )
    port: StrictInt = Field(
        ge=1024,
        le=65535,
        description="The container's HTTP port (non-root: 1024 or above).",
        examples=[8080],
    )
    health_path: HttpPath = Field(
        default="/healthz",
        description="The path of the startup, liveness and readiness probes. Default: /healthz.",
        examples=["/healthz"],
    )
    metrics_path: HttpPath | None = Field(
        default="/metrics",
        description="The path of the app's Prometheus metrics on its port, scraped on stages "
        "with Prometheus; null: not scraped. Default: /metrics.",
        examples=["/metrics"],
    )
    resources: ResourcesSpec = Field(
        description="CPU and memory.", examples=[{"cpu": "250m", "memory": "256Mi"}]
    )
    stages: dict[str, StageSpec] = Field(
        min_length=1,
        description="The stages the app runs in, each with its replicas or autoscaling, host "
        "and overrides.",
        examples=[{"dev": {"replicas": 1}}],
    )
    env: dict[str, Any] = Field(
        default_factory=dict,
        description="Environment variables: a value, or {secret, key} read from Secrets "
        "Manager through external-secrets. Default: none.",
        examples=[{"LOG_LEVEL": "info"}],
    )
    strategy: StrategySpec | None = Field(
        default=None,
        description="The delivery strategy. Default: the stage's (argosy:apps.strategy).",
        examples=[{"canary": {"steps": [20, "pause", 40, "60s", 60, "60s", 80, "60s"]}}],
    )
    notifications: NotificationsSpec | None = Field(
        default=None,
        description="Where notifications go. Default: none.",
        examples=[{"slack": "todo-deploys"}],
    )
    database: DatabaseSpec | None = Field(
        default=None,
        description="A PostgreSQL database per stage; the PG* variables come from its secret. "
        "Default: none.",
        examples=[{"engine": "aurora-postgresql"}],
    )
    bucket: BucketSpec | None = Field(
        default=None,
        description="An S3 bucket per stage (BUCKET_NAME), read and written by the app's "
        "service account. Default: none.",
        examples=[{}],
    )
    pre_sync: PreSyncSpec | None = Field(
        default=None,
        description="A Job run before each sync, such as a migration. Default: none.",
        examples=[{"command": ["/app/migrate", "up"]}],
    )
    allowed_namespaces: tuple[StrictStr, ...] = Field(
        default=(),
        description="Namespaces whose pods may call the app's port. Default: none.",
        examples=[["go-todo-web"]],
    )
    run_as_user: StrictInt | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The UID to run as, for an image whose user is not numeric. Default: the "
        "image's.",
        examples=[65532],
    )

    @field_validator("env", mode="wrap")
    @classmethod
    def _env(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        # The app's name, when valid, makes the secret examples its own (<app>/...).
        app = info.data.get("name", "go-todo")
        return collect(value, handler, lambda v, _: _env_violations(v, app))

    @field_validator("allowed_namespaces")
    @classmethod
    def _namespaces(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for namespace in value:
            if not patterns.is_dns_label(namespace):
                violation(workload.LABEL_RULE, "allowedNamespaces: [go-todo-web]")
        if len(set(value)) != len(value):
            violation("each namespace once", "allowedNamespaces: [go-todo-web]")
        return value

    @model_validator(mode="after")
    def _own_namespace(self) -> AppFile:
        if self.name in self.allowed_namespaces:
            violation(
                "the app's own pods reach it already (the baseline's allow-same-namespace): "
                "list other namespaces",
                "allowedNamespaces: [go-todo-web]",
                field="allowedNamespaces",
            )
        return self

    @property
    def database_name(self) -> str:
        """The database's name: as given, or the app's with '_' for '-'."""
        if self.database is None or self.database.name is None:
            return self.name.replace("-", "_")
        return self.database.name


def _env_violations(value: Any, app: str) -> list[Violation]:
    if not isinstance(value, dict):
        return []
    found: list[Violation] = []
    for name, item in value.items():
        if not (isinstance(name, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)):
            found.append(Violation((name,), name, workload.ENV_NAME_RULE, "LOG_LEVEL: info"))
            continue
        if name in RESERVED_ENV:
            found.append(
                Violation(
                    (name,),
                    item,
                    "set by argosy (AWS_REGION, BUCKET_NAME with a bucket, PG* with a "
                    "database): choose another name",
                    "LOG_LEVEL: info",
                )
            )
            continue
        if isinstance(item, str):
            continue
        if isinstance(item, dict):
            try:
                SecretEnvSpec.model_validate(item)
            except ValidationError as exc:
                reference = f"{name}: {{secret: {app}/api, key: token}}"
                for error in exc.errors(include_url=False):
                    ctx = error.get("ctx") or {}
                    found.append(
                        Violation(
                            (name, *error["loc"]),
                            error["input"],
                            rule_for(error, SecretEnvSpec, error["loc"]),
                            str(ctx.get("example", reference)),
                        )
                    )
            continue
        found.append(
            Violation(
                (name,),
                item,
                "a value in quotes, or {secret, key} to read it from Secrets Manager",
                f'{name}: "{item}"' if isinstance(item, int | float | bool) else "LOG_LEVEL: info",
            )
        )
    return found


def secret_env(value: Any) -> SecretEnvSpec | None:
    """``value`` (an env entry of a valid file) as a secret reference, or None if plain."""
    return SecretEnvSpec.model_validate(value) if isinstance(value, dict) else None
