"""The Pulumi program: read the stack's config, declare its stage, export its outputs.

``__main__.py`` calls :func:`main`; ``pulumi up`` and the offline ``argosy plan`` both run it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from argosy.config.errors import ConfigInvalidError, format_issues
from argosy.config.keys import OBJECT_KEYS
from argosy.config.source import ConfigSource, decode_from_program
from argosy.config.stage import StageConfig
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


def main() -> None:
    """Declare the current stack's stage and export its outputs."""
    config = load_stage_config()
    for warning in config.warnings:
        pulumi.log.warn(warning.format())
    stage = build_stage(config, load_topology(config))
    for name, value in stage.exports().items():
        pulumi.export(name, value)
