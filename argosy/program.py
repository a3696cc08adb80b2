"""The Pulumi program: read the stack's config, declare its stage, export its outputs.

``__main__.py`` calls :func:`main`; ``pulumi up`` and the offline ``argosy plan`` both run it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from argosy.apps.catalog import load_apps, resolve_catalog, stage_configs
from argosy.apps.load import Catalog
from argosy.apps.resolve import AppOnStage
from argosy.config.errors import ConfigInvalidError, format_issues
from argosy.config.keys import OBJECT_KEYS
from argosy.config.source import ConfigSource, decode_from_program
from argosy.config.stage import AwsStageConfig, StageConfig
from argosy.config.topology import Topology, resolve_topology
from argosy.config.validate import validate_stage
from components.stage import build_stage

#: Where stack files live (``stackConfigDir`` in Pulumi.yaml).
STACK_CONFIG_DIR = "stacks"


def program_config() -> dict[str, Any]:
    """Every config value the CLI handed to this run, decoded as the program reads them.

    The SDK offers no public listing of config keys; this reads the same map that
    ``pulumi.Config`` reads, so that unknown ``argosy:`` keys (typos) are reported too.
    """
    encoded = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return decode_from_program({str(k): str(v) for k, v in encoded.items()}, OBJECT_KEYS)


def load_stage_config() -> StageConfig:
    """Validate this stack's config; raise ``pulumi.RunError`` listing every problem.

    ``RunError`` makes the CLI print the message without a traceback, and it is raised
    before any resource is registered.
    """
    stack = pulumi.get_stack()
    source = ConfigSource(file=f"{STACK_CONFIG_DIR}/Pulumi.{stack}.yaml")
    try:
        return validate_stage(stack, program_config(), source=source)
    except ConfigInvalidError as exc:
        raise pulumi.RunError(format_issues(exc.issues)) from None


def load_topology(config: StageConfig) -> Topology:
    """The stage's place among the repository's stack files: its Argo CD host and spokes."""
    stacks_dir = Path(pulumi.get_root_directory()) / STACK_CONFIG_DIR
    try:
        return resolve_topology(config, stacks_dir)
    except ConfigInvalidError as exc:
        raise pulumi.RunError(format_issues(exc.issues)) from None


def load_catalog_for(config: StageConfig, topology: Topology) -> tuple[list[AppOnStage], Catalog]:
    """The app catalog, and its apps on the clusters this stage's Argo CD manages.

    The apps are none when the stage hosts no Argo CD; the whole catalog says what the apps on
    this stage need from AWS, which the stage's own stack creates.

    The catalog (``apps/*.yaml``) is checked against every stack file of the repository, as
    ``argosy render`` checks it; a mistake stops the program before anything is registered.
    """
    root = Path(pulumi.get_root_directory())
    managed = [config.stage, *(spoke.stage for spoke in topology.spokes)]
    try:
        configs = stage_configs(root / STACK_CONFIG_DIR, known=[config, *topology.spokes])
        catalog = load_apps(root, configs)
        resolved = (
            resolve_catalog(catalog, configs, stages=managed) if config.argocd is not None else {}
        )
    except ConfigInvalidError as exc:
        raise pulumi.RunError(format_issues(exc.issues)) from None
    return [app for apps in resolved.values() for app in apps], catalog


def main() -> None:
    """Declare the current stack's stage and export its outputs."""
    config = load_stage_config()
    for warning in config.warnings:
        pulumi.log.warn(warning.format())
    topology = load_topology(config)
    delivered, catalog = load_catalog_for(config, topology)
    stage = build_stage(
        config,
        topology,
        catalog=delivered,
        apps=catalog.cloud_for(config.stage) if isinstance(config, AwsStageConfig) else (),
    )
    for name, value in stage.exports().items():
        pulumi.export(name, value)
