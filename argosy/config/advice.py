"""Advice on a valid stage: warnings that do not stop the plan.

Once a stage's config is valid, some choices still deserve a word: a Kubernetes version in
extended support (it costs more), one NAT gateway in production (one zone's failure cuts
egress), a spot node group with one instance type (EC2 may find no capacity). They are
reported with the warnings found while validating, and the plan goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from argosy.config import eks_versions
from argosy.config.errors import ConfigIssue
from argosy.config.source import ConfigSource, ValuePath
from argosy.config.stage import AwsStageConfig, LocalStageConfig, StageConfig
from argosy.config.values import format_path, show


def with_warnings(config: StageConfig, found: Sequence[ConfigIssue]) -> StageConfig:
    """``config`` with its warnings: those found while validating and the advice below."""
    if not isinstance(config, AwsStageConfig):
        return LocalStageConfig(**{**config.__dict__, "warnings": tuple(found)})
    source = config.source
    warnings: list[ConfigIssue] = list(found)
    cluster = config.cluster
    version = eks_versions.BY_VERSION[cluster.version]
    if version.support_on(eks_versions.REVIEWED_ON) == "EXTENDED":
        warnings.append(
            _warning(
                source,
                ("argosy:cluster", "version"),
                cluster.version,
                f"Kubernetes {cluster.version} is in extended support: the control plane costs "
                "$0.60 instead of $0.10 per hour until "
                f"{version.end_of_extended_support.isoformat()}; plan the upgrade",
                f'version: "{eks_versions.newest_version()}"',
            )
        )
    if config.production and config.network.nat_gateways == "single":
        warnings.append(
            _warning(
                source,
                ("argosy:network", "natGateways"),
                "single",
                "production with one NAT gateway loses egress from every private subnet when "
                "its zone fails",
                "natGateways: per-az",
            )
        )
    for i, group in enumerate(cluster.node_groups):
        if group.capacity_type == "SPOT" and len(group.instance_types) < 2:
            warnings.append(
                _warning(
                    source,
                    ("argosy:cluster", "nodeGroups", i, "instanceTypes"),
                    list(group.instance_types),
                    "spot node groups should list several instance types so EC2 can find capacity",
                    "instanceTypes: [m7g.large, m6g.large, c7g.xlarge]",
                )
            )
    return AwsStageConfig(**{**config.__dict__, "warnings": tuple(warnings)})


def _warning(
    source: ConfigSource, path: ValuePath, value: Any, rule: str, example: str
) -> ConfigIssue:
    """A warning about the value at ``path``."""
    return ConfigIssue(
        file=source.file,
        line=source.line_of(path),
        path=format_path(path),
        value=show(value),
        rule=rule,
        example=example,
        severity="warning",
    )
