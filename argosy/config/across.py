"""Rules between stages planned together: each its own AWS account, VPC ranges apart.

A stage is checked against the others from its values as written (a :class:`StageFootprint`)
when it has mistakes of its own, so that one run reports those and the clashes between
stages alike. The examples offered are free: an account and a VPC range no planned stage uses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from argosy.config.context import ACCOUNT_ID
from argosy.config.errors import ConfigIssue
from argosy.config.keys import NAMESPACE
from argosy.config.source import ConfigSource, ValuePath
from argosy.config.stage import AwsStageConfig, StageConfig
from argosy.config.values import format_path, show


@dataclass(frozen=True, kw_only=True)
class StageFootprint:
    """What the rules between stages read of a stage: its account and VPC range, if usable.

    Taken from the values as written, so that a stage with mistakes of its own is still
    checked against the others.
    """

    stage: str
    source: ConfigSource
    account_id: str | None
    account_value: Any
    vpc: ipaddress.IPv4Network | None
    vpc_value: Any


def stage_footprint(stage: str, values: Mapping[str, Any], source: ConfigSource) -> StageFootprint:
    """The account and VPC range of a stage's config as written, when they are usable."""
    aws = values.get(f"{NAMESPACE}:aws")
    network = values.get(f"{NAMESPACE}:network")
    account = aws.get("accountId") if isinstance(aws, Mapping) else None
    cidr = network.get("vpcCidr") if isinstance(network, Mapping) else None
    account_id = str(account) if isinstance(account, str | int) else None
    vpc = None
    if isinstance(cidr, str):
        try:
            vpc = ipaddress.IPv4Network(cidr, strict=False)
        except ValueError:
            vpc = None
    return StageFootprint(
        stage=stage,
        source=source,
        account_id=account_id if account_id and ACCOUNT_ID.fullmatch(account_id) else None,
        account_value=account,
        vpc=vpc,
        vpc_value=cidr,
    )


def _footprint(config: StageConfig | StageFootprint) -> StageFootprint | None:
    if isinstance(config, StageFootprint):
        return config
    if not isinstance(config, AwsStageConfig):
        return None
    return StageFootprint(
        stage=config.stage,
        source=config.source,
        account_id=config.aws.account_id,
        account_value=config.aws.account_id,
        vpc=ipaddress.IPv4Network(config.network.vpc_cidr),
        vpc_value=config.network.vpc_cidr,
    )


def _free_account(used: set[str]) -> str:
    """A documentation-style account ID (one digit repeated) that no stage uses."""
    return next(d * 12 for d in "123456789" if d * 12 not in used)


def _free_vpc_range(used: Sequence[ipaddress.IPv4Network]) -> str:
    """The first 10.N.0.0/16 that overlaps no stage's VPC."""
    for octet in range(10, 256):
        candidate = ipaddress.IPv4Network(f"10.{octet}.0.0/16")
        if not any(candidate.overlaps(u) for u in used):
            return str(candidate)
    return "172.16.0.0/16"


def _stage_issue(
    stage: StageFootprint, path: ValuePath, value: Any, rule: str, example: str
) -> ConfigIssue:
    return ConfigIssue(
        file=stage.source.file,
        line=stage.source.line_of(path),
        path=format_path(path),
        value=show(value),
        rule=rule,
        example=example,
    )


def check_across_stages(configs: Sequence[StageConfig | StageFootprint]) -> list[ConfigIssue]:
    """Rules between stages planned together: own accounts, non-overlapping VPCs.

    Stages may be given as validated configs or, for those with mistakes of their own, as
    footprints of their values as written. The examples offered are free: an account and a
    range no planned stage uses.
    """
    issues: list[ConfigIssue] = []
    stages = [f for f in map(_footprint, configs) if f is not None]
    free_account = _free_account({s.account_id for s in stages if s.account_id})
    free_range = _free_vpc_range([s.vpc for s in stages if s.vpc is not None])
    seen_accounts: dict[str, StageFootprint] = {}
    for stage in stages:
        if stage.account_id is None:
            continue
        other = seen_accounts.get(stage.account_id)
        if other is None:
            seen_accounts[stage.account_id] = stage
            continue
        issues.append(
            _stage_issue(
                stage,
                (f"{NAMESPACE}:aws", "accountId"),
                stage.account_value,
                f"each stage has its own AWS account; stage {other.stage} "
                f"({other.source.file}) uses {stage.account_id} too",
                f'accountId: "{free_account}"',
            )
        )
    for i, stage in enumerate(stages):
        if stage.vpc is None:
            continue
        for other in stages[:i]:
            if other.vpc is not None and stage.vpc.overlaps(other.vpc):
                issues.append(
                    _stage_issue(
                        stage,
                        (f"{NAMESPACE}:network", "vpcCidr"),
                        stage.vpc_value,
                        f"stage VPCs must not overlap, so they can be peered or routed later; "
                        f"stage {other.stage} ({other.source.file}) uses {other.vpc}",
                        f"vpcCidr: {free_range}",
                    )
                )
    return issues
