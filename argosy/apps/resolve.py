"""One app on one stage: the app file and the platform's defaults, resolved into objects.

:func:`resolve` takes an app file (:class:`~argosy.apps.files.AppFile`) and the stage it runs
on (:class:`StageFacts`, from the stage's stack file) and returns everything the stage's
overlay holds and how its Application syncs (:class:`AppOnStage`):

- the workload (:mod:`argosy.apps.workload`): Namespace (``restricted``), ServiceAccount,
  Services, Rollout, Ingress with the stage's host, PodDisruptionBudget, HPA, NetworkPolicy;
- the namespace's own policies: default deny, DNS, same namespace (as the platform baseline
  gives its namespaces), and egress to HTTPS (AWS APIs) and, with a database, to PostgreSQL in
  the VPC;
- the strategy the app asks for, else the stage's: canary with the stage's (or the app's)
  steps, ALB traffic routing where the app has a host, or blue-green with the stage's
  promotion; gated by the chosen analysis (an AnalysisTemplate of the app's own);
- ExternalSecrets filling the app's Secrets from Secrets Manager: its secret variables, its
  database's connection facts, and the stage's Prometheus workspace ID for the analysis;
- the `preSync` Job, if asked: a Sync hook at wave -1, after its service account and Secrets
  (wave -2), before the Rollout (wave 0).

Everything derives from the two files: same input, same objects. No Pulumi, no I/O.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Final

from argosy.addons.common import external_secret
from argosy.addons.spec import AddonContext, secrets_prefix
from argosy.apps import workload as w
from argosy.apps.analysis import (
    ALB_STATUS_FIELD_PATHS,
    NAMESPACE_ARG,
    AnalysisTemplate,
    Arg,
    HttpSeries,
    SigV4,
    amp_address,
    analysis_of,
    cloudwatch_template,
    prometheus_template,
)
from argosy.apps.cloud import (
    DATABASE_KEYS,
    POD_HASH_SERIES_LABEL,
    PROMETHEUS_SECRET,
    PROMETHEUS_WORKSPACE_KEY,
    AppCloud,
)
from argosy.apps.cloud import analysis_role_arn as _analysis_role_arn
from argosy.apps.files import AppFile, secret_env
from argosy.apps.load import cloud_of
from argosy.apps.strategy import (
    Analysis,
    BackgroundAnalysis,
    FieldRef,
    PodTemplateHash,
    SetWeight,
    Strategy,
    parse_steps,
)
from argosy.argocd.delivery import SyncPolicy
from argosy.config.models.apps import AppsSettings
from argosy.config.regions import partition_of
from argosy.config.stage import AwsStageConfig, StageConfig
from argosy.manifests.argo_schemas import check_manifest
from argosy.render.baseline import (
    MANAGED_BY,
    STAGE_LABEL,
    allow_dns,
    allow_same_namespace,
    default_deny,
)

#: Argo CD's annotations on an object of a sync.
HOOK_ANNOTATION: Final = "argocd.argoproj.io/hook"
HOOK_DELETE_POLICY_ANNOTATION: Final = "argocd.argoproj.io/hook-delete-policy"
SYNC_WAVE_ANNOTATION: Final = "argocd.argoproj.io/sync-wave"
#: The analysis argument carrying the new version's pod template hash.
POD_HASH_ARG: Final = "pod-template-hash"
#: The Secret keys' wave: before the workload that reads them.
SECRETS_WAVE: Final = -2


@dataclass(frozen=True, kw_only=True)
class StageFacts:
    """What an app's objects on a stage depend on, from the stage's stack file.

    Attributes:
        stage: The stage.
        production: Whether production rules apply.
        kubernetes_version: The cluster's minor version, whose schemas the objects match.
        settings: ``argosy:apps``.
        region: The AWS region; none on local.
        account_id: The AWS account; none on local.
        partition: The AWS partition; none on local.
        vpc_cidr: The VPC's range (the ALB and the scraper reach pods from it); none on local.
        secrets_prefix: The external-secrets prefix; none on local.
    """

    stage: str
    production: bool
    kubernetes_version: str
    settings: AppsSettings
    region: str | None = None
    account_id: str | None = None
    partition: str | None = None
    vpc_cidr: str | None = None
    secrets_prefix: str | None = None

    @classmethod
    def of(cls, config: StageConfig) -> StageFacts:
        """The facts of ``config``'s stage."""
        if not isinstance(config, AwsStageConfig):
            return cls(
                stage=config.stage,
                production=config.production,
                kubernetes_version=config.kubernetes.version,
                settings=config.apps,
            )
        return cls(
            stage=config.stage,
            production=config.production,
            kubernetes_version=config.cluster.version,
            settings=config.apps,
            region=config.aws.region,
            account_id=config.aws.account_id,
            partition=partition_of(config.aws.region),
            vpc_cidr=config.network.vpc_cidr,
            secrets_prefix=secrets_prefix(AddonContext.of(config)),
        )


@dataclass(frozen=True, kw_only=True)
class AppOnStage:
    """One app on one stage, resolved.

    Attributes:
        app: The app file.
        facts: The stage.
        workload: The workload's typed description.
        objects: Every object of the stage's overlay, in a fixed order.
        sync: How the Application syncs.
        finalizer: Whether deleting the Application deletes the objects.
        cloud: What the app needs from AWS on the stage.
    """

    app: AppFile
    facts: StageFacts
    workload: w.Workload
    objects: tuple[dict[str, Any], ...]
    sync: SyncPolicy
    finalizer: bool
    cloud: AppCloud

    @property
    def name(self) -> str:
        """The app's name."""
        return self.app.name

    @property
    def application_name(self) -> str:
        """Its Application's name: ``<app>-<stage>``."""
        return f"{self.app.name}-{self.facts.stage}"

    @property
    def project(self) -> str:
        """Its AppProject: ``<team>-<stage>``."""
        return project_name(self.app.team, self.facts.stage)

    @property
    def autoscaled(self) -> bool:
        """Whether an HPA owns the Rollout's replicas (the Application ignores them)."""
        return self.workload.autoscaling is not None


def _labels(app: AppFile, facts: StageFacts) -> dict[str, str]:
    """The labels of an app's objects besides the workload's (which carry the same)."""
    return {
        w.NAME_LABEL: app.name,
        w.TEAM_LABEL: app.team,
        STAGE_LABEL: facts.stage,
        MANAGED_BY: "argocd",
    }


def project_name(team: str, stage: str) -> str:
    """The AppProject of ``team``'s apps on ``stage``."""
    return f"{team}-{stage}"


def analysis_role_arn(facts: StageFacts) -> str:
    """The role Argo Rollouts assumes to query the stage's workspace."""
    assert facts.partition is not None and facts.account_id is not None
    return _analysis_role_arn(facts.partition, facts.account_id, facts.stage)


def resolve(app: AppFile, facts: StageFacts) -> AppOnStage:
    """``app`` on ``facts``' stage (see the module docstring).

    Raises:
        ValueError: the app and the stage do not fit together (the catalog loader reports
            these with their lines first; this is the builders' own check).
    """
    entry = app.stages[facts.stage]
    settings = facts.settings
    version = facts.kubernetes_version
    host = entry.host
    kind = _strategy_kind(app, settings)
    canary = app.strategy.canary if app.strategy is not None else None
    routing = (canary.traffic_routing if canary is not None else None) or settings.traffic_routing
    alb = kind == "canary" and routing == "alb" and host is not None
    provider = (app.strategy.analysis if app.strategy else None) or settings.analysis
    templates, analysis, extra = _analysis(app, facts, provider, alb=alb)
    strategy = _strategy(app, facts, kind, alb=alb, analysis=analysis, auto=entry.auto_promotion)
    cloud = cloud_of(app, facts.stage)
    env, secrets = _env(app, facts, cloud)
    scraped = facts.settings.prometheus and app.metrics_path is not None
    workload = w.Workload(
        name=app.name,
        team=app.team,
        stage=facts.stage,
        image=w.Image(app.image.repository, app.image.tag),
        port=app.port,
        health_path=app.health_path,
        resources=w.Resources(
            cpu=app.resources.cpu, memory=app.resources.memory, cpu_limit=app.resources.cpu_limit
        ),
        strategy=strategy,
        replicas=entry.replicas,
        autoscaling=None
        if entry.autoscaling is None
        else w.Autoscaling(
            min_replicas=entry.autoscaling.min_replicas,
            max_replicas=entry.autoscaling.max_replicas,
            target_cpu_utilization=entry.autoscaling.target_cpu_utilization,
        ),
        env=env,
        ingress=None
        if host is None or facts.vpc_cidr is None
        else w.AlbIngress(
            host=host, vpc_cidr=facts.vpc_cidr, internet_facing=settings.internet_facing
        ),
        allowed_namespaces=app.allowed_namespaces,
        run_as_user=app.run_as_user,
        metrics_path=app.metrics_path if scraped else None,
        scraper_cidr=facts.vpc_cidr if scraped else None,
    )
    objects = [
        *w.workload_objects(workload, kubernetes_version=version),
        *_namespace_policies(app, facts),
        *(t.to_manifest() for t in templates),
        *secrets,
        *extra,
    ]
    if app.pre_sync is not None:
        # The Job's service account, like its Secrets, exists before the Job's wave.
        for manifest in objects:
            if manifest["kind"] == "ServiceAccount":
                manifest["metadata"]["annotations"] = {SYNC_WAVE_ANNOTATION: str(SECRETS_WAVE)}
        objects.append(_pre_sync_job(workload, app, version))
    sync_mode = entry.sync or settings.sync
    sync = (
        SyncPolicy.automated(prune=settings.prune, self_heal=settings.self_heal)
        if sync_mode == "automated"
        else SyncPolicy.manual_stating(prune=settings.prune, self_heal=settings.self_heal)
    )
    return AppOnStage(
        app=app,
        facts=facts,
        workload=workload,
        objects=tuple(objects),
        sync=sync,
        finalizer=settings.finalizer,
        cloud=cloud,
    )


def _strategy_kind(app: AppFile, settings: AppsSettings) -> str:
    if app.strategy is None:
        return settings.strategy
    return "canary" if app.strategy.canary is not None else "blueGreen"


def _strategy(
    app: AppFile,
    facts: StageFacts,
    kind: str,
    *,
    alb: bool,
    analysis: Analysis | None,
    auto: bool | None,
) -> Strategy:
    settings = facts.settings
    if kind == "blueGreen":
        return w.blue_green_strategy(
            app.name,
            auto_promotion_enabled=settings.auto_promotion if auto is None else auto,
            scale_down_delay_seconds=settings.scale_down_delay_seconds,
            pre_promotion_analysis=analysis,
        )
    written = None
    if app.strategy is not None and app.strategy.canary is not None:
        written = app.strategy.canary.steps
    steps = parse_steps(list(written if written is not None else settings.canary_steps))
    background = None
    if analysis is not None:
        # From the first weight on: before it, no request has reached the new version.
        first = next((i for i, s in enumerate(steps) if isinstance(s, SetWeight)), 0)
        background = BackgroundAnalysis(analysis=analysis, starting_step=first + 1)
    return w.canary_strategy(app.name, steps, alb=alb, analysis=background)


def _analysis(
    app: AppFile, facts: StageFacts, provider: str, *, alb: bool
) -> tuple[list[AnalysisTemplate], Analysis | None, list[dict[str, Any]]]:
    """The templates, the Rollout's analysis and the ExternalSecret the templates need."""
    labels = _labels(app, facts)
    if provider == "prometheus":
        if facts.region is None or not facts.settings.prometheus:
            raise ValueError(
                f"app {app.name}: analysis prometheus on stage {facts.stage}, which has no "
                "Prometheus workspace (argosy:apps.prometheus)"
            )
        secret_name = f"{app.name}-prometheus"
        template = prometheus_template(
            name=f"{app.name}-prometheus",
            address=amp_address(facts.region, "{{args.workspace-id}}"),
            sigv4=SigV4(region=facts.region, role_arn=analysis_role_arn(facts)),
            series=HttpSeries(service_label=POD_HASH_SERIES_LABEL, selector_arg=POD_HASH_ARG),
            namespace=app.name,
            labels=labels,
            extra_args=(Arg("workspace-id", secret=(secret_name, PROMETHEUS_WORKSPACE_KEY)),),
        )
        # The new version's pods, by the hash Argo Rollouts gives each version.
        analysis = analysis_of(
            template, args={POD_HASH_ARG: PodTemplateHash("Latest"), NAMESPACE_ARG: app.name}
        )
        secret = _external_secret(
            app,
            facts,
            name=secret_name,
            data=[(PROMETHEUS_WORKSPACE_KEY, PROMETHEUS_SECRET, PROMETHEUS_WORKSPACE_KEY)],
        )
        return [template], analysis, [secret]
    if provider == "cloudwatch":
        if not alb:
            raise ValueError(
                f"app {app.name}: analysis cloudwatch on stage {facts.stage} reads the ALB "
                "target group of a canary with ALB traffic routing, which needs a host"
            )
        template = cloudwatch_template(
            name=f"{app.name}-cloudwatch", namespace=app.name, labels=labels
        )
        analysis = analysis_of(
            template, args={k: FieldRef(v) for k, v in ALB_STATUS_FIELD_PATHS.items()}
        )
        return [template], analysis, []
    return [], None, []


def _external_secret(
    app: AppFile,
    facts: StageFacts,
    *,
    name: str,
    data: list[tuple[str, str, str]],
) -> dict[str, Any]:
    """An ExternalSecret ``name`` in the app's namespace: (key, remote secret, property)."""
    if facts.secrets_prefix is None:
        raise ValueError(
            f"app {app.name}: stage {facts.stage} has no external-secrets (local): no secret "
            "from Secrets Manager"
        )
    manifest = external_secret(
        name=name,
        namespace=app.name,
        labels=_labels(app, facts),
        annotations={SYNC_WAVE_ANNOTATION: str(SECRETS_WAVE)},
        data=[(key, f"{facts.secrets_prefix}{remote}", prop) for key, remote, prop in data],
    )
    check_manifest(manifest, facts.kubernetes_version)
    return manifest


def _env(
    app: AppFile, facts: StageFacts, cloud: AppCloud
) -> tuple[list[w.Env], list[dict[str, Any]]]:
    """The container's variables, and the ExternalSecrets behind the secret ones."""
    env: list[w.Env] = []
    secret_data: list[tuple[str, str, str]] = []
    secret_name = f"{app.name}-env"
    for name, value in sorted(app.env.items()):
        reference = secret_env(value)
        if reference is None:
            env.append(w.EnvVar(name, str(value)))
        else:
            env.append(w.SecretEnvVar(name, secret_name, name))
            secret_data.append((name, reference.secret, reference.key))
    secrets: list[dict[str, Any]] = []
    if secret_data:
        secrets.append(_external_secret(app, facts, name=secret_name, data=secret_data))
    if facts.region is not None and (cloud.bucket is not None or cloud.database is not None):
        env.append(w.EnvVar("AWS_REGION", facts.region))
    if cloud.bucket is not None and facts.account_id is not None:
        env.append(w.EnvVar("BUCKET_NAME", cloud.bucket_name(facts.account_id)))
    if cloud.database is not None:
        database = cloud.database_secret()
        remote = cloud.database_secret_name("")
        env.extend(w.SecretEnvVar(key, database, key) for key in DATABASE_KEYS)
        secrets.append(
            _external_secret(
                app, facts, name=database, data=[(key, remote, key) for key in DATABASE_KEYS]
            )
        )
    return env, secrets


def _namespace_policies(app: AppFile, facts: StageFacts) -> list[dict[str, Any]]:
    """The app namespace's own default deny, DNS and same-namespace policies, and its egress."""
    version = facts.kubernetes_version
    found: list[dict[str, Any]] = [
        dict(build(app.name, stage=facts.stage, kubernetes_version=version).manifest)
        for build in (default_deny, allow_dns, allow_same_namespace)
    ]
    egress: list[dict[str, Any]] = [
        # AWS APIs (S3, Secrets Manager through the SDK) and whatever the app calls, over TLS.
        {"ports": [{"protocol": "TCP", "port": 443}]}
    ]
    if app.database is not None and facts.vpc_cidr is not None:
        egress.append(
            {
                "to": [{"ipBlock": {"cidr": facts.vpc_cidr}}],
                "ports": [{"protocol": "TCP", "port": 5432}],
            }
        )
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": "allow-egress",
            "namespace": app.name,
            "labels": _labels(app, facts),
        },
        "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": egress},
    }
    check_manifest(policy, version)
    return [*found, policy]


def _pre_sync_job(workload: w.Workload, app: AppFile, version: str) -> dict[str, Any]:
    """The `preSync` Job: the app's pod, running the command once per sync before the Rollout."""
    assert app.pre_sync is not None
    template = copy.deepcopy(w.pod_template(workload, kubernetes_version=version))
    spec = template["spec"]
    spec["restartPolicy"] = "Never"
    spec.pop("topologySpreadConstraints", None)
    container = spec["containers"][0]
    container["command"] = list(app.pre_sync.command)
    for key in ("ports", "startupProbe", "livenessProbe", "readinessProbe"):
        container.pop(key, None)
    template["metadata"].pop("annotations", None)
    manifest = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": f"{app.name}-presync",
            "namespace": app.name,
            "labels": w.labels(workload),
            "annotations": {
                HOOK_ANNOTATION: "Sync",
                # A new Job each sync; the last one stays for its logs until the next.
                HOOK_DELETE_POLICY_ANNOTATION: "BeforeHookCreation",
                SYNC_WAVE_ANNOTATION: "-1",
            },
        },
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": app.pre_sync.timeout_seconds,
            "template": template,
        },
    }
    check_manifest(manifest, version)
    return manifest
