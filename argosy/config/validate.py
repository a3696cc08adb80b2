"""Validate a stage's configuration into a typed, frozen :data:`StageConfig`.

One entry point, :func:`validate_stage`, serves both callers: the offline plan (values from the
stack file, with lines) and the Pulumi program (values as the CLI hands them over). It reports
every problem at once and raises before anything is registered.

Every mistake is reported whatever else is wrong: rules that compare values (a repeated name,
derived name lengths, stages against each other) read the values as written rather than
waiting for everything else to be valid, and every issue's example is valid where the issue
points, in the context of the same file (the stage's account, partition and zones).

This module runs the checks, in the order their issues are reported; each lives with its
concept:

- :mod:`argosy.config.names`: the stack name, and the names derived from it and the node
  groups' names;
- :mod:`argosy.config.findings`: keys argosy does not read or written out of place, and what
  reading the stack file found;
- :mod:`argosy.config.issues`: each key's value against its model, pydantic's errors turned
  into issues;
- :mod:`argosy.config.advice`: warnings about a valid stage.

They share one :class:`~argosy.config.run.ValidationRun`. The key table is
:mod:`argosy.config.keys`, the result types :mod:`argosy.config.stage` (re-exported here), and
the rules between stages :mod:`argosy.config.across`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from argosy.config.advice import with_warnings
from argosy.config.errors import ConfigInvalidError
from argosy.config.findings import check_keys, report_findings
from argosy.config.issues import check_key
from argosy.config.keys import KEYS
from argosy.config.models import AccessSettings, AddonsSettings, AppsSettings
from argosy.config.names import check_derived_names, check_stage_name
from argosy.config.run import ValidationRun
from argosy.config.source import ConfigSource
from argosy.config.stage import AwsStageConfig, LocalStageConfig, StageConfig

__all__ = ["AwsStageConfig", "LocalStageConfig", "StageConfig", "validate_stage"]


def validate_stage(stage: str, values: Mapping[str, Any], *, source: ConfigSource) -> StageConfig:
    """Validate one stage's config; raise ConfigInvalidError listing every problem.

    ``values`` maps namespaced keys (``argosy:network``) to their values; keys of other
    namespaces are ignored (they configure Pulumi or providers, not argosy). What reading the
    stack file found (``source.issues`` and ``source.findings``) is reported too.
    """
    run = ValidationRun(stage, values, source)
    check_stage_name(run)
    check_keys(run)
    for spec in KEYS:
        check_key(run, spec)
    check_derived_names(run)
    report_findings(run)
    issues = [f.issue for f in run.found]
    if any(i.severity == "error" for i in issues):
        raise ConfigInvalidError(issues)
    warnings = tuple(i for i in issues if i.severity == "warning")
    return with_warnings(_build(run), warnings)


def _build(run: ValidationRun) -> StageConfig:
    """The stage's config from the values parsed by a run that found no error."""
    parsed = run.parsed
    if parsed["role"] == "local":
        return LocalStageConfig(
            stage=run.stage,
            role="local",
            production=parsed["production"],
            kubernetes=parsed["kubernetes"],
            argocd=parsed["argocd"],
            addons=parsed.get("addons", AddonsSettings()),
            apps=parsed.get("apps", AppsSettings()),
            source=run.source,
        )
    return AwsStageConfig(
        stage=run.stage,
        role=parsed["role"],
        production=parsed["production"],
        aws=parsed["aws"],
        network=parsed["network"],
        cluster=parsed["cluster"],
        access=parsed.get("access", AccessSettings()),
        tags=dict(parsed.get("tags", {})),
        argocd=parsed.get("argocd"),
        addons=parsed.get("addons", AddonsSettings()),
        apps=parsed.get("apps", AppsSettings()),
        bootstrap=parsed.get("bootstrap"),
        backend=parsed.get("backend"),
        source=run.source,
    )
