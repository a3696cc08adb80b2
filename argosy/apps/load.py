"""The app catalog: every ``apps/*.yaml``, read, checked against the stages, every mistake at once.

:func:`load_catalog` reads each app file with the lines of its values, validates it against
:class:`~argosy.apps.files.AppFile`, then checks what needs the stages' stack files: the stages
named exist; each host is the stage's domain or under it; each name stays a DNS label once the
stage is added (the Application ``<app>-<stage>``) and AWS accepts the names derived from it;
the team may deploy to each stage (``argosy:apps.teams``); app names are unique and each file
is named after its app. Each problem is a :class:`~argosy.config.errors.ConfigIssue` (file,
line, field path, value, rule, valid example); if there is any, :class:`ConfigInvalidError`
carries them all and nothing is built.

The rules between files and stages read the values as written, so that they are reported even
when the same file has other mistakes.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from argosy import patterns
from argosy.addons.catalog import namespaces_for
from argosy.addons.spec import AddonContext
from argosy.apps.cloud import AppCloud, Bucket, Database, derived_name_problems
from argosy.apps.files import AppFile
from argosy.apps.workload import CANARY_SUFFIX, PREVIEW_SUFFIX
from argosy.config.errors import MISSING, ConfigInvalidError, ConfigIssue
from argosy.config.fields import allowed_fields, field_at
from argosy.config.issues import rule_for
from argosy.config.source import ConfigSource, PathPart, ValuePath, read_yaml_file
from argosy.config.stage import AwsStageConfig, StageConfig
from argosy.config.values import format_path, lookup, show

#: The catalog's directory, at the repository's root.
APPS_DIR: Final = "apps"
#: The beginning of a valid app file, for a file that is not one at all.
FILE_EXAMPLE: Final = (
    "name: go-todo\n    team: todo\n    image: {repository: "
    "111111111111.dkr.ecr.eu-west-1.amazonaws.com/go-todo, tag: 1.4.2}\n    port: 8080\n"
    "    resources: {cpu: 250m, memory: 256Mi}\n    stages: {dev: {replicas: 1}}"
)


@dataclass(frozen=True, kw_only=True)
class CatalogApp:
    """One valid app file.

    Attributes:
        spec: The app as its team wrote it.
        file: The file, as issues name it (``apps/go-todo.yaml``).
    """

    spec: AppFile
    file: str


@dataclass(frozen=True, kw_only=True)
class Catalog:
    """Every app, by name."""

    apps: tuple[CatalogApp, ...] = ()

    def on(self, stage: str) -> tuple[AppFile, ...]:
        """The apps that run on ``stage``, by name."""
        return tuple(a.spec for a in self.apps if stage in a.spec.stages)

    def cloud_for(self, stage: str) -> tuple[AppCloud, ...]:
        """What each app on ``stage`` needs from AWS there (for the stage's own stack)."""
        return tuple(cloud_of(app, stage) for app in self.on(stage))


def cloud_of(app: AppFile, stage: str) -> AppCloud:
    """What ``app`` needs from AWS on ``stage``."""
    database = None
    if app.database is not None:
        spec = app.database
        database = Database(
            engine=spec.engine,
            version=spec.version,
            name=app.database_name,
            instance_class=spec.instance_class,
            storage_gib=spec.storage_gib,
            min_capacity=spec.min_capacity,
            max_capacity=spec.max_capacity,
        )
    bucket = None
    if app.bucket is not None:
        bucket = Bucket(
            versioning=app.bucket.versioning, noncurrent_days=app.bucket.noncurrent_days
        )
    return AppCloud(app=app.name, stage=stage, database=database, bucket=bucket)


class _Report:
    """The issues of one catalog load, in the order found."""

    def __init__(self) -> None:
        self.issues: list[ConfigIssue] = []

    def add(
        self,
        source: ConfigSource,
        path: ValuePath,
        value: Any,
        rule: str,
        example: str,
        *,
        key_line: bool = False,
    ) -> None:
        line = source.key_line_of(path) if key_line else source.line_of(path)
        self.issues.append(
            ConfigIssue(
                file=source.file,
                line=line,
                path=format_path(path) if path else "(file)",
                value=show(value),
                rule=rule,
                example=example,
            )
        )


def load_catalog(
    directory: Path, stages: Mapping[str, StageConfig], *, display: str = APPS_DIR
) -> Catalog:
    """Every app file of ``directory`` (``*.yaml``), checked against ``stages``.

    Args:
        directory: The catalog's directory; absent or empty means no apps.
        stages: Every stage with a stack file, by name, validated.
        display: How issues name the directory.

    Raises:
        ConfigInvalidError: listing every mistake of every file.
    """
    report = _Report()
    read: list[tuple[Path, ConfigSource, Any]] = []
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    for path in files:
        shown = f"{display}/{path.name}"
        try:
            document = read_yaml_file(path, display=shown, example=FILE_EXAMPLE)
        except ConfigInvalidError as exc:
            report.issues.extend(exc.issues)
            continue
        _report_findings(report, document.source)
        read.append((path, document.source, document.value))
    apps: list[CatalogApp] = []
    for path, source, raw in read:
        spec = _validate(report, source, raw)
        if spec is not None:
            apps.append(CatalogApp(spec=spec, file=source.file))
        if isinstance(raw, dict):
            _check_file_name(report, source, raw, path)
            _check_stages(report, source, raw, stages)
    _check_unique(report, read)
    if report.issues:
        raise ConfigInvalidError(report.issues)
    return Catalog(apps=tuple(sorted(apps, key=lambda a: a.spec.name)))


def _report_findings(report: _Report, source: ConfigSource) -> None:
    for found in source.findings:
        if found.kind == "repeated-key":
            rule = "each key once in a mapping (YAML keeps only the last)"
            example = f"{found.path[-1]}: {show(found.value)}" if found.path else FILE_EXAMPLE
        elif found.kind == "tag":
            rule = f"a plain YAML value: argosy does not read the tag {found.detail}"
            example = f"{found.path[-1]}: {show(found.value)}" if found.path else FILE_EXAMPLE
        else:
            rule = "an alias outside the value it names"
            example = FILE_EXAMPLE
        report.issues.append(
            ConfigIssue(
                file=source.file,
                line=found.line,
                path=format_path(found.path) if found.path else "(file)",
                value=show(found.value),
                rule=rule,
                example=example,
            )
        )


def _validate(report: _Report, source: ConfigSource, raw: Any) -> AppFile | None:
    if not isinstance(raw, dict):
        report.add(source, (), raw, "an app file is a YAML mapping of fields", FILE_EXAMPLE)
        return None
    try:
        return AppFile.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            _report_error(report, source, raw, error)
        return None


def _report_error(report: _Report, source: ConfigSource, raw: Any, error: Any) -> None:
    loc: list[PathPart] = [p for p in error["loc"] if p != "[key]"]
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "argosy" and "field" in ctx:
        loc.append(ctx["field"])
    path = tuple(loc)
    value = MISSING if kind == "missing" else lookup(raw, path)
    rule = rule_for(error, AppFile, path)
    if kind == "argosy":
        example = str(ctx["example"])
    elif kind == "extra_forbidden":
        allowed = allowed_fields(AppFile, path[:-1])
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.0)
        example = _field_example((*path[:-1], close[0])) if close else FILE_EXAMPLE
    else:
        example = _field_example(path)
    report.add(source, path, value, rule, example, key_line=kind == "extra_forbidden")


def _field_example(path: Sequence[PathPart]) -> str:
    located = field_at(AppFile, path)
    if located is None or not located.info.examples:
        return FILE_EXAMPLE
    return f"{located.key}: {show(located.info.examples[0])}"


def _check_file_name(
    report: _Report, source: ConfigSource, raw: dict[str, Any], path: Path
) -> None:
    name = raw.get("name")
    if isinstance(name, str) and patterns.is_dns_label(name) and path.stem != name:
        report.add(
            source,
            ("name",),
            name,
            f"an app file is named after its app, so that its name is found by its file: "
            f"rename the file to {name}.yaml, or name the app {path.stem}",
            f"name: {path.stem}" if patterns.is_dns_1035_label(path.stem) else "name: go-todo",
        )


def _check_unique(report: _Report, read: Sequence[tuple[Path, ConfigSource, Any]]) -> None:
    first: dict[str, str] = {}
    for _path, source, raw in read:
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(name, str):
            continue
        if name in first:
            taken = set(first)
            candidate = next(f"{name}-{n}" for n in range(2, 1000) if f"{name}-{n}" not in taken)
            report.add(
                source,
                ("name",),
                name,
                f"app names are unique: {first[name]} names an app {name} already",
                f"name: {candidate}",
            )
        else:
            first[name] = source.file


def _stage_file(config: StageConfig) -> str:
    return config.source.file


def _check_stages(
    report: _Report, source: ConfigSource, raw: dict[str, Any], stages: Mapping[str, StageConfig]
) -> None:
    written = raw.get("stages")
    if not isinstance(written, dict):
        return
    name = raw.get("name")
    name = name if isinstance(name, str) and patterns.is_dns_label(name) else None
    team = raw.get("team")
    known = sorted(stages)
    shorter = _shorter_name(raw, name, [s for s in written if s in stages], stages)
    if name is not None:
        _check_services(report, source, name, shorter)
        _check_platform_namespace(report, source, name, written, stages)
    _check_secrets(report, source, raw, name)
    for stage, entry in written.items():
        where: ValuePath = ("stages", stage)
        config = stages.get(stage) if isinstance(stage, str) else None
        if config is None:
            close = difflib.get_close_matches(str(stage), known, n=1, cutoff=0.0)
            report.add(
                source,
                where,
                stage,
                "a stage with a stack file (stacks/Pulumi.<stage>.yaml): one of "
                + ", ".join(known),
                f"{close[0] if close else 'dev'}: {{replicas: 1}}",
                key_line=True,
            )
            continue
        entry = entry if isinstance(entry, dict) else {}
        if name is not None:
            _check_names(report, source, raw, name, stage, config, shorter)
        if isinstance(team, str) and team not in config.apps.teams:
            report.add(
                source,
                ("team",),
                team,
                f"a team deploys to stage {stage} only if argosy:apps.teams of "
                f"{_stage_file(config)} lists it (its AppProject and SSO groups)",
                f"in {_stage_file(config)}: argosy:apps: {{teams: {{{team}: {{groups: "
                f"[{team}-developers]}}}}}}"
                if patterns.is_dns_label(team)
                else "team: " + (sorted(config.apps.teams) or ["todo"])[0],
            )
        _check_host(report, source, (*where, "host"), entry.get("host", MISSING), name, config)
        _check_aws_needs(report, source, raw, stage, config)
        _check_delivery(report, source, raw, stage, entry, config)


def _aws_name_problems(
    raw: dict[str, Any], name: str, stage: str, config: StageConfig
) -> list[tuple[str, str, int]]:
    if not isinstance(config, AwsStageConfig):
        return []
    written = raw.get("database")
    # The engine as written (Aurora's instance identifier is longer): names are what count.
    engine = written.get("engine") if isinstance(written, dict) else None
    cloud = AppCloud(
        app=name,
        stage=stage,
        database=Database(
            engine="postgres" if engine == "postgres" else "aurora-postgresql",
            version="16",
            name="x",
        )
        if written is not None
        else None,
        bucket=Bucket() if raw.get("bucket") is not None else None,
    )
    return derived_name_problems(cloud, config.aws.account_id)


def _shorter_name(
    raw: dict[str, Any], name: str | None, known: Sequence[str], stages: Mapping[str, StageConfig]
) -> str:
    """A name short enough for every name derived from it: one example for every such rule."""
    if name is None:
        return "go-todo"
    room = [patterns.LABEL_MAX - len(PREVIEW_SUFFIX)]
    room += [patterns.LABEL_MAX - len(stage) - 1 for stage in known]
    for stage in known:
        room += [
            len(name) - (len(derived) - limit)
            for _what, derived, limit in _aws_name_problems(raw, name, stage, stages[stage])
        ]
    return name[: max(1, min(room))].rstrip("-")


def _check_services(report: _Report, source: ConfigSource, name: str, shorter: str) -> None:
    for suffix in (CANARY_SUFFIX, PREVIEW_SUFFIX):
        if len(name) + len(suffix) > patterns.LABEL_MAX:
            report.add(
                source,
                ("name",),
                name,
                f"the Service {name}{suffix} is longer than 63 characters: use a name of at "
                f"most {patterns.LABEL_MAX - len(suffix)} characters",
                f"name: {shorter}",
            )
            return


#: Argo CD's namespace, besides the add-ons' of each stage (default and kube-* are refused
#: as app names already).
_PLATFORM_NAMESPACES: Final = frozenset({"argocd"})


def _check_platform_namespace(
    report: _Report,
    source: ConfigSource,
    name: str,
    written: Mapping[Any, Any],
    stages: Mapping[str, StageConfig],
) -> None:
    taken = set(_PLATFORM_NAMESPACES)
    for stage in written:
        if isinstance(stage, str) and stage in stages:
            taken.update(namespaces_for(AddonContext.of(stages[stage])))
    if name in taken:
        report.add(
            source,
            ("name",),
            name,
            f"{name} is a namespace of the platform: an app runs in a namespace (and as a "
            "service account) of its own name, so it would run as the platform's",
            f"name: {name}-app",
        )


def _check_secrets(
    report: _Report, source: ConfigSource, raw: dict[str, Any], name: str | None
) -> None:
    env = raw.get("env")
    if name is None or not isinstance(env, dict):
        return
    for key, value in env.items():
        secret = value.get("secret") if isinstance(value, dict) else None
        if isinstance(secret, str) and not secret.startswith(f"{name}/"):
            report.add(
                source,
                ("env", key),
                value,
                f"an app reads its own secrets only, named {name}/...: every app and the "
                "platform share the stage's prefix and its secret store",
                f"{key}: {{secret: {name}/{secret.rsplit('/', 1)[-1]}, key: "
                f"{value.get('key', 'token')}}}",
            )


def _check_names(
    report: _Report,
    source: ConfigSource,
    raw: dict[str, Any],
    name: str,
    stage: str,
    config: StageConfig,
    shorter: str,
) -> None:
    application = f"{name}-{stage}"
    if len(application) > patterns.LABEL_MAX:
        report.add(
            source,
            ("name",),
            name,
            f"the app's Application on stage {stage} is {application!r}, "
            f"{len(application)} characters: a DNS-1123 label of at most 63 once the stage is "
            f"added; use a name of at most {patterns.LABEL_MAX - len(stage) - 1} characters",
            f"name: {shorter}",
        )
    for what, derived, limit in _aws_name_problems(raw, name, stage, config):
        field = "database" if what.startswith("database") else "bucket"
        report.add(
            source,
            (field,),
            raw.get(field),
            f"on stage {stage} the {what} is {derived!r}, {len(derived)} characters: AWS "
            f"takes at most {limit}; shorten the app's name by {len(derived) - limit}",
            f"name: {shorter}",
        )


def _check_host(
    report: _Report,
    source: ConfigSource,
    where: ValuePath,
    host: Any,
    name: str | None,
    config: StageConfig,
) -> None:
    if not isinstance(host, str):
        return
    domain = config.apps.domain
    if domain is None:
        report.add(
            source,
            where,
            host,
            f"stage {config.stage} has no app domain (argosy:apps.domain of "
            f"{_stage_file(config)}), so no hosted zone or certificate: an app there has no host",
            f"{config.stage}: {{replicas: 1}}",
        )
    elif host != domain and not host.endswith(f".{domain}"):
        report.add(
            source,
            where,
            host,
            f"a host on stage {config.stage} is its domain {domain} or under it: the stage's "
            "certificate and zone cover nothing else",
            f"host: {name or 'go-todo'}.{domain}",
        )


def _check_delivery(
    report: _Report,
    source: ConfigSource,
    raw: dict[str, Any],
    stage: str,
    entry: dict[str, Any],
    config: StageConfig,
) -> None:
    """The strategy, routing and analysis the app gets on ``stage`` fit the app there."""
    settings = config.apps
    written = raw.get("strategy")
    strategy: dict[str, Any] = written if isinstance(written, dict) else {}
    written_canary = strategy.get("canary")
    canary = written_canary if isinstance(written_canary, dict) else None
    kind = (
        "canary"
        if canary is not None
        else "blueGreen"
        if "blueGreen" in strategy
        else settings.strategy
    )
    written_routing = canary.get("trafficRouting") if canary is not None else None
    routing = written_routing if isinstance(written_routing, str) else settings.traffic_routing
    has_host = isinstance(entry.get("host"), str)
    written_analysis = strategy.get("analysis")
    analysis = written_analysis if isinstance(written_analysis, str) else settings.analysis
    where = ("strategy", "analysis") if isinstance(written_analysis, str) else ("stages", stage)
    if written_routing == "alb" and not has_host:
        report.add(
            source,
            ("strategy", "canary", "trafficRouting"),
            written_routing,
            f"ALB traffic routing splits traffic on the app's Ingress, and the app has no host "
            f"on stage {stage}",
            "trafficRouting: none",
        )
    if analysis == "prometheus":
        if not settings.prometheus:
            report.add(
                source,
                where,
                written_analysis if isinstance(written_analysis, str) else entry,
                f"the Prometheus analysis queries the stage's workspace, and stage {stage} has "
                f"none (argosy:apps.prometheus of {_stage_file(config)})",
                "analysis: none",
            )
        elif "metricsPath" in raw and raw["metricsPath"] is None:
            report.add(
                source,
                ("metricsPath",),
                None,
                f"the Prometheus analysis on stage {stage} reads the app's metrics: give their "
                "path",
                "metricsPath: /metrics",
            )
    if config.production and kind == "canary" and analysis == "none":
        report.add(
            source,
            where,
            written_analysis if isinstance(written_analysis, str) else entry,
            f"a canary on production stage {stage} is gated by analysis: with none, a bad "
            "version reaches every user after the last pause",
            "analysis: prometheus" if settings.prometheus else "analysis: cloudwatch",
        )
    if analysis == "cloudwatch" and not (kind == "canary" and routing == "alb" and has_host):
        report.add(
            source,
            where,
            written_analysis if isinstance(written_analysis, str) else entry,
            f"the CloudWatch analysis reads the ALB target group of a canary with ALB traffic "
            f"routing, which on stage {stage} this app has not (it needs a host)",
            "analysis: prometheus" if settings.prometheus else "analysis: none",
        )


def _check_aws_needs(
    report: _Report, source: ConfigSource, raw: dict[str, Any], stage: str, config: StageConfig
) -> None:
    if isinstance(config, AwsStageConfig):
        return
    env = raw.get("env")
    for key, value in env.items() if isinstance(env, dict) else ():
        if isinstance(value, dict):
            report.add(
                source,
                ("env", key),
                value,
                f"stage {stage} is local: it has no external-secrets to read Secrets Manager; an "
                "app reading secrets runs on AWS stages only",
                f"{key}: value",
            )
    for field in ("database", "bucket"):
        if raw.get(field) is not None:
            report.add(
                source,
                (field,),
                raw[field],
                f"stage {stage} is local (no AWS): an app with a {field} runs on AWS stages only",
                "stages: {dev: {replicas: 1}}",
            )
