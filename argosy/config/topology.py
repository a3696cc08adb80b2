"""Who hosts Argo CD for whom, derived from the repository's stack files.

Each stage keeps its Pulumi state in its own account's backend, so one stage's stack cannot
read another's outputs (a StackReference does not cross backends). Everything a hub needs
about a spoke, and a spoke about its hub, is therefore derived from their stack files, which
the repository holds side by side: account, region, partition and the deterministic names of
clusters and roles. The hub lists its spokes (``argosy:argocd.spokes``); a spoke finds its hub
as the one stack file that lists it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argosy import naming
from argosy.config.errors import ConfigInvalidError, ConfigIssue
from argosy.config.keys import NAMESPACE
from argosy.config.source import ConfigSource, read_stack_file
from argosy.config.stage import AwsStageConfig, StageConfig
from argosy.config.validate import validate_stage
from argosy.config.values import format_path, show

ARGOCD_KEY = f"{NAMESPACE}:argocd"
_PREFIX, _SUFFIX = "Pulumi.", ".yaml"


@dataclass(frozen=True, kw_only=True)
class ArgoCdHost:
    """The stage whose Argo CD manages a spoke: what the spoke's own stack needs of it.

    Attributes:
        stage: The hosting stage.
        account_id: Its account, where Argo CD's IAM role lives.
        partition: Its partition.
        region: Its region (a self-hosted hub's Transit Gateway is in it).
        vpc_cidr: Its VPC's range, from which a self-hosted Argo CD reaches the spoke's API.
        install: How Argo CD is installed there: ``managed`` (the EKS capability) or
            ``self-hosted`` (the argo-cd chart).
    """

    stage: str
    account_id: str
    partition: str
    region: str
    vpc_cidr: str
    install: str

    @property
    def self_hosted(self) -> bool:
        """Whether the host runs the argo-cd chart.

        Then the spoke declares its side of the network path and an access role.
        """
        return self.install == "self-hosted"

    @property
    def principal_arn(self) -> str:
        """The IAM role the EKS capability acts as.

        The one principal a spoke gives cluster access when the host's Argo CD is managed.
        """
        return naming.argocd_role_arn(self.partition, self.account_id, self.stage)

    @property
    def component_role_arns(self) -> tuple[str, ...]:
        """The roles a self-hosted host's Argo CD components run as.

        Who may assume the spoke's access role.
        """
        return tuple(
            naming.argocd_component_role_arn(self.partition, self.account_id, self.stage, sa)
            for sa in naming.ARGOCD_MANAGEMENT_SERVICE_ACCOUNTS
        )


@dataclass(frozen=True, kw_only=True)
class Topology:
    """A stage's place in the Argo CD topology.

    Attributes:
        host: Whose Argo CD manages this stage; ``None`` when it hosts its own or none does.
        spokes: The stages this stage's Argo CD manages besides itself, validated.
    """

    host: ArgoCdHost | None = None
    spokes: tuple[AwsStageConfig, ...] = ()


def stack_files(stacks_dir: Path) -> dict[str, Path]:
    """Every stack file of the repository, by stack name."""
    return {
        p.name[len(_PREFIX) : -len(_SUFFIX)]: p
        for p in sorted(stacks_dir.glob(f"{_PREFIX}*{_SUFFIX}"))
    }


def _spokes_listed(values: Any) -> list[str]:
    argocd = values.get(ARGOCD_KEY) if isinstance(values, dict) else None
    spokes = argocd.get("spokes") if isinstance(argocd, dict) else None
    return [s for s in spokes if isinstance(s, str)] if isinstance(spokes, list) else []


def _issue(
    source: ConfigSource, path: tuple[str | int, ...], value: Any, rule: str, example: str
) -> ConfigIssue:
    return ConfigIssue(
        file=source.file,
        line=source.line_of(path),
        path=format_path(path),
        value=show(value),
        rule=rule,
        example=example,
    )


def _load(stage: str, path: Path) -> StageConfig | None:
    try:
        stack_file = read_stack_file(path, stack=stage, display=f"stacks/{path.name}")
        return validate_stage(stage, stack_file.config, source=stack_file.source)
    except ConfigInvalidError:
        return None


@dataclass(frozen=True, kw_only=True)
class _Repository:
    """What the other stack files say, as far as the topology needs: roles and spoke lists."""

    files: dict[str, Path]
    roles: dict[str, Any]
    listed_by: dict[str, list[str]]
    issues: list[ConfigIssue]


def _scan(config: AwsStageConfig, files: dict[str, Path]) -> _Repository:
    roles: dict[str, Any] = {}
    listed_by: dict[str, list[str]] = {}
    issues: list[ConfigIssue] = []
    for other, path in files.items():
        if other == config.stage:
            continue
        try:
            raw = read_stack_file(path, stack=other).config
        except ConfigInvalidError:
            # Whether its Argo CD manages this stage cannot be told: refuse, rather than plan
            # this stage without an access entry it may need.
            issues.append(
                _issue(
                    config.source,
                    ("(stack name)",),
                    config.stage,
                    f"stacks/{path.name} cannot be read, so argosy cannot tell whether its "
                    f"Argo CD manages {config.stage}; fix it first",
                    f"python -m argosy plan --stack {other}",
                )
            )
            continue
        roles[other] = raw.get(f"{NAMESPACE}:role")
        argocd = raw.get(ARGOCD_KEY)
        spokes = argocd.get("spokes") if isinstance(argocd, dict) else None
        if argocd is not None and not isinstance(spokes, list | None):
            issues.append(
                _issue(
                    config.source,
                    ("(stack name)",),
                    config.stage,
                    f"stacks/{path.name} has an argosy:argocd.spokes that is not a list, so "
                    f"argosy cannot tell whether its Argo CD manages {config.stage}",
                    f"python -m argosy plan --stack {other}",
                )
            )
        for spoke in _spokes_listed(raw):
            listed_by.setdefault(spoke, []).append(other)
    return _Repository(files=files, roles=roles, listed_by=listed_by, issues=issues)


def _spokes(
    config: AwsStageConfig, repo: _Repository
) -> tuple[list[AwsStageConfig], list[ConfigIssue]]:
    """The hub's spokes, validated; an issue at ``spokes[i]`` for each that cannot be one."""
    assert config.argocd is not None
    issues: list[ConfigIssue] = []
    spokes: list[AwsStageConfig] = []
    # What a hub may list: workload stages that no other hub lists.
    candidates = sorted(
        s
        for s, role in repo.roles.items()
        if role == "workload" and not [h for h in repo.listed_by.get(s, []) if h != config.stage]
    )
    example = "spokes: [" + ", ".join(candidates) + "]"
    for i, spoke in enumerate(config.argocd.spokes):
        where = (ARGOCD_KEY, "spokes", i)

        def refuse(rule: str, spoke: str = spoke, where: tuple[str | int, ...] = where) -> None:
            issues.append(_issue(config.source, where, spoke, rule, example))

        if spoke == config.stage:
            refuse("a hub manages its own cluster already; list only the other stages")
            continue
        if spoke not in repo.files:
            refuse(f"a stage with a stack file in stacks/ (there is no stacks/Pulumi.{spoke}.yaml)")
            continue
        others = [h for h in repo.listed_by.get(spoke, []) if h != config.stage]
        if others:
            refuse(f"one Argo CD manages a stage; {spoke} is listed by {', '.join(others)} too")
        loaded = _load(spoke, repo.files[spoke])
        if loaded is None:
            refuse(
                f"stacks/Pulumi.{spoke}.yaml has mistakes of its own (`python -m argosy plan "
                f"--stack {spoke}` lists them); the hub derives what it needs about {spoke} "
                "from it"
            )
        elif not isinstance(loaded, AwsStageConfig) or loaded.role != "workload":
            refuse(f"a spoke is a workload stage; {spoke} has role {loaded.role}")
        elif config.argocd.install == "self-hosted" and loaded.aws.region != config.aws.region:
            # The network path is a Transit Gateway, which is regional.
            refuse(
                f"a self-hosted Argo CD reaches its spokes through the hub's Transit Gateway, "
                f"in {config.aws.region}; {spoke} is in {loaded.aws.region}"
            )
        elif loaded.argocd is None and not others:
            spokes.append(loaded)
    return spokes, issues


def _host(config: AwsStageConfig, repo: _Repository) -> tuple[ArgoCdHost | None, list[ConfigIssue]]:
    """Whose Argo CD manages this stage, from the one stack file that lists it."""
    hosts = repo.listed_by.get(config.stage, [])
    if not hosts:
        return None, []
    if config.argocd is not None or config.role != "workload":
        listing = f"{', '.join(hosts)} list{'s' if len(hosts) == 1 else ''}"
        return None, [
            _issue(
                config.source,
                ("(stack name)",),
                config.stage,
                f"{listing} {config.stage} in argosy:argocd.spokes, but only a workload stage "
                f"without an Argo CD of its own can be a spoke; remove {config.stage} there",
                f"python -m argosy plan --stack {hosts[0]}",
            )
        ]
    if len(hosts) > 1:
        return None, [
            _issue(
                config.source,
                ("(stack name)",),
                config.stage,
                f"one Argo CD manages a stage; {' and '.join(hosts)} both list {config.stage} "
                "in argosy:argocd.spokes: remove it from all but one",
                f"python -m argosy plan --stack {hosts[0]}",
            )
        ]
    loaded = _load(hosts[0], repo.files[hosts[0]])
    if isinstance(loaded, AwsStageConfig) and loaded.argocd is not None:
        host = ArgoCdHost(
            stage=loaded.stage,
            account_id=loaded.aws.account_id,
            partition=loaded.aws.partition,
            region=loaded.aws.region,
            vpc_cidr=loaded.network.vpc_cidr,
            install=loaded.argocd.install,
        )
        return host, []
    return None, [
        _issue(
            config.source,
            ("(stack name)",),
            config.stage,
            f"stacks/Pulumi.{hosts[0]}.yaml, whose Argo CD manages {config.stage}, has "
            "mistakes of its own; fix them first",
            f"python -m argosy plan --stack {hosts[0]}",
        )
    ]


def resolve_topology(config: StageConfig, stacks_dir: Path) -> Topology:
    """Find who hosts Argo CD for ``config``'s stage and whom it hosts for.

    Raises:
        ConfigInvalidError: a spoke without a stack file or with an invalid one, a spoke that
            is not a workload stage, a stage listed by two hosts, another stack file that
            cannot be read (whether it lists this stage cannot be told).
    """
    if not isinstance(config, AwsStageConfig):
        return Topology()
    repo = _scan(config, stack_files(stacks_dir))
    issues = list(repo.issues)
    spokes: list[AwsStageConfig] = []
    if config.argocd is not None:
        spokes, found = _spokes(config, repo)
        issues.extend(found)
    host, found = _host(config, repo)
    issues.extend(found)
    if issues:
        raise ConfigInvalidError(issues)
    return Topology(host=host, spokes=tuple(spokes))
