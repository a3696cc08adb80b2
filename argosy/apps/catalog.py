"""The app catalog read with every stage: what ``render``, ``plan`` and the program share.

:func:`stage_configs` validates every stack file of the repository (the catalog is checked
against all of them: a stage named in an app file must exist, hosts sit under its domain);
:func:`load_apps` reads ``apps/*.yaml`` against them; :func:`resolve_catalog` resolves each
app on each of its stages (:func:`argosy.apps.resolve.resolve`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from argosy.apps.load import APPS_DIR, Catalog, load_catalog
from argosy.apps.resolve import AppOnStage, StageFacts, resolve
from argosy.config.errors import ConfigInvalidError, ConfigIssue
from argosy.config.source import read_stack_file
from argosy.config.stage import StageConfig
from argosy.config.topology import stack_files
from argosy.config.validate import validate_stage


def stage_configs(stacks_dir: Path, *, known: Sequence[StageConfig] = ()) -> dict[str, StageConfig]:
    """Every stage with a stack file in ``stacks_dir``, validated, by name.

    ``known`` are stages validated already (the program's own, from the CLI's config): they
    are used as given.

    Raises:
        ConfigInvalidError: listing the mistakes of every stack file that has some.
    """
    configs = {config.stage: config for config in known}
    issues: list[ConfigIssue] = []
    for stage, path in stack_files(stacks_dir).items():
        if stage in configs:
            continue
        try:
            stack_file = read_stack_file(path, stack=stage, display=f"stacks/{path.name}")
            configs[stage] = validate_stage(stage, stack_file.config, source=stack_file.source)
        except ConfigInvalidError as exc:
            issues.extend(exc.issues)
    if issues:
        raise ConfigInvalidError(issues)
    return dict(sorted(configs.items()))


def load_apps(root: Path, configs: Mapping[str, StageConfig]) -> Catalog:
    """The catalog of the repository at ``root`` (``apps/*.yaml``), checked against ``configs``.

    Raises:
        ConfigInvalidError: listing every mistake of every app file.
    """
    return load_catalog(root / APPS_DIR, configs)


def resolve_catalog(
    catalog: Catalog, configs: Mapping[str, StageConfig], stages: Sequence[str] | None = None
) -> dict[str, list[AppOnStage]]:
    """Each app on each of its stages (those of ``stages`` only, if given), by app name."""
    facts = {stage: StageFacts.of(config) for stage, config in configs.items()}
    resolved: dict[str, list[AppOnStage]] = {}
    for entry in catalog.apps:
        app = entry.spec
        for stage in sorted(app.stages):
            if stages is not None and stage not in stages:
                continue
            resolved.setdefault(app.name, []).append(resolve(app, facts[stage]))
    return resolved


def on_stage(resolved: Mapping[str, Sequence[AppOnStage]], stage: str) -> list[AppOnStage]:
    """The apps of ``resolved`` that run on ``stage``, by name."""
    return [a for apps in resolved.values() for a in apps if a.facts.stage == stage]


def secret_readers(apps: Sequence[AppOnStage]) -> tuple[str, ...]:
    """The namespaces of ``apps`` that read Secrets Manager through external-secrets."""
    return tuple(
        sorted({a.name for a in apps if any(o["kind"] == "ExternalSecret" for o in a.objects)})
    )
