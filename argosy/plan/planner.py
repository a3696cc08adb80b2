"""Plan stacks offline: validate every requested stack first, then run the real program.

Nothing is run until every stack file is valid on its own and across stacks (distinct
accounts, non-overlapping VPCs): a config mistake never leaves a half-made plan behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from argosy import naming
from argosy.config.across import StageFootprint, check_across_stages, stage_footprint
from argosy.config.errors import ConfigInvalidError, ConfigIssue
from argosy.config.source import StackFile, encode_for_program, read_stack_file
from argosy.config.stage import AwsStageConfig, StageConfig
from argosy.config.topology import resolve_topology
from argosy.config.validate import validate_stage
from argosy.plan.engine import ProgramRun, project_program, run_program
from argosy.plan.mocks import AwsContext, PlanMocks
from argosy.policy.graph import PlanGraph
from argosy.policy.rules import CheckReport, StageFacts, evaluate

PROJECT_FILE = "Pulumi.yaml"


class UsageError(Exception):
    """The command line asks for something impossible (an unknown stack, say)."""


@dataclass(frozen=True, kw_only=True)
class Project:
    """The Pulumi project: its name, root and stack config directory."""

    name: str
    root: Path
    stack_config_dir: Path
    declared_config: dict[str, Any]

    def stack_file(self, stack: str) -> Path:
        """The default stack file of ``stack``."""
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """Every stack with a stack file, sorted."""
        prefix, suffix = "Pulumi.", ".yaml"
        return sorted(
            p.name[len(prefix) : -len(suffix)]
            for p in self.stack_config_dir.glob(f"{prefix}*{suffix}")
        )


def find_project(start: Path) -> Project:
    """The project whose ``Pulumi.yaml`` is in ``start`` or the nearest parent."""
    for directory in (start, *start.parents):
        project_file = directory / PROJECT_FILE
        if project_file.is_file():
            document = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
            return Project(
                name=str(document["name"]),
                root=directory,
                stack_config_dir=directory / str(document.get("stackConfigDir", ".")),
                declared_config=dict(document.get("config") or {}),
            )
    raise UsageError(f"no {PROJECT_FILE} in {start} or its parents: run from the argosy checkout")


@dataclass(frozen=True, kw_only=True)
class StackRequest:
    """A stack to plan and the stack file to read its config from."""

    stack: str
    config_file: Path
    display: str


def requested_stacks(
    project: Project,
    *,
    stacks: Sequence[str],
    all_stacks: bool,
    config_file: Path | None = None,
    cwd: Path,
    config_files: Sequence[Path] = (),
) -> list[StackRequest]:
    """Resolve the command line's stacks to stack files.

    ``--config-file`` may be given several times: each file is planned as the stack its name
    gives (``Pulumi.<stack>.yaml``). ``--stack`` may name the stack of a single file only.
    """
    files = list(dict.fromkeys([*config_files, *([config_file] if config_file else [])]))
    if files:
        return _config_file_requests(files, stacks=stacks, all_stacks=all_stacks)
    names = project.stacks() if all_stacks else list(dict.fromkeys(stacks))
    if not names:
        raise UsageError("name a stack with --stack NAME, or plan every stack with --all")
    requests = []
    for name in names:
        path = project.stack_file(name)
        if not path.is_file():
            known = ", ".join(project.stacks()) or "none"
            raise UsageError(
                f"no stack file for stack {name!r} at {_shown(path, cwd)}; "
                f"stacks with files: {known}"
            )
        requests.append(StackRequest(stack=name, config_file=path, display=_shown(path, cwd)))
    return requests


def _config_file_requests(
    files: Sequence[Path], *, stacks: Sequence[str], all_stacks: bool
) -> list[StackRequest]:
    if all_stacks:
        raise UsageError(
            "--all plans the stacks in the stack config directory; --config-file plans the "
            "files given: use one or the other"
        )
    if len(files) == 1:
        if len(stacks) > 1:
            raise UsageError("--config-file plans one stack: give at most one --stack with it")
        name = stacks[0] if stacks else _stack_from_file_name(files[0])
        return [StackRequest(stack=name, config_file=files[0], display=str(files[0]))]
    shown = ", ".join(map(str, files))
    if stacks:
        raise UsageError(
            f"--stack names the stack of a single --config-file; {len(files)} files are given "
            f"({shown}): drop --stack, each file's name gives its stack (Pulumi.<stack>.yaml)"
        )
    requests: list[StackRequest] = []
    for path in files:
        name = _stack_from_file_name(path, several=True)
        twin = next((r for r in requests if r.stack == name), None)
        if twin is not None:
            raise UsageError(
                f"--config-file {twin.display} and {path} are both stack {name}; plan them "
                "in separate runs"
            )
        requests.append(StackRequest(stack=name, config_file=path, display=str(path)))
    return requests


def _stack_from_file_name(path: Path, *, several: bool = False) -> str:
    name = path.name
    if name.startswith("Pulumi.") and name.endswith((".yaml", ".yml")):
        return name.split(".")[1]
    if several:
        raise UsageError(
            f"cannot tell the stack from {path.name}: with several --config-file, name each "
            "file Pulumi.<stack>.yaml"
        )
    raise UsageError(f"cannot tell the stack from {path.name}; add --stack NAME")


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True, kw_only=True)
class ValidStack:
    """A stack whose config passed validation."""

    request: StackRequest
    file: StackFile
    config: StageConfig


def validate_requests(
    requests: Sequence[StackRequest], stacks_dir: Path | None = None
) -> list[ValidStack]:
    """Read and validate every stack, then check across them; raise with every issue.

    The checks across stacks (own accounts, non-overlapping VPCs) take in the stacks with
    mistakes of their own too, as far as their account and VPC range are usable.
    """
    issues: list[ConfigIssue] = []
    valid: list[ValidStack] = []
    planned: list[StageConfig | StageFootprint] = []
    for request in requests:
        try:
            stack_file = read_stack_file(
                request.config_file, stack=request.stack, display=request.display
            )
        except ConfigInvalidError as exc:
            issues.extend(exc.issues)
            continue
        try:
            config = validate_stage(request.stack, stack_file.config, source=stack_file.source)
        except ConfigInvalidError as exc:
            issues.extend(exc.issues)
            planned.append(stage_footprint(request.stack, stack_file.config, stack_file.source))
            continue
        valid.append(ValidStack(request=request, file=stack_file, config=config))
        planned.append(config)
    issues.extend(check_across_stages(planned))
    if stacks_dir is not None:
        # Who hosts Argo CD for whom, from the repository's stack files (as the program does).
        for item in valid:
            try:
                resolve_topology(item.config, stacks_dir)
            except ConfigInvalidError as exc:
                issues.extend(exc.issues)
    if any(i.severity == "error" for i in issues):
        raise ConfigInvalidError(issues)
    return valid


def stack_references(config: StageConfig) -> dict[str, str]:
    """The stacks whose outputs the program reads: fully qualified name to stack name.

    Only a self-hosted hub reads any: each registered spoke's endpoint and CA, which only AWS
    knows (ARCHITECTURE.md, "Stacks and topology"). A spoke reads none, so planning the
    referenced stacks never recurses.
    """
    if not isinstance(config, AwsStageConfig) or config.argocd is None:
        return {}
    self_hosted = config.argocd.self_hosted
    if config.argocd.install != "self-hosted" or self_hosted is None:
        return {}
    return {
        f"{self_hosted.stack_reference_prefix}/{spoke}": spoke
        for spoke in config.argocd.spokes
        if spoke not in self_hosted.pending_spokes
    }


def mocks_for(
    config: StageConfig, stack_outputs: Mapping[str, Mapping[str, Any]] | None = None
) -> PlanMocks:
    """Mocks answering as the stage's account would (and as the referenced stacks do)."""
    aws = (
        AwsContext(
            account_id=config.aws.account_id,
            region=config.aws.region,
            deploy_role_arn=config.aws.deploy_role_arn,
        )
        if isinstance(config, AwsStageConfig)
        else None
    )
    return PlanMocks(stack=config.stage, aws=aws, stack_outputs=stack_outputs)


def plan_stack(
    project: Project, stack: ValidStack, planned: Mapping[str, ProgramRun] | None = None
) -> ProgramRun:
    """Run the project's program for one validated stack under mocks.

    A stack that reads other stacks' outputs gets them by planning those stacks first (or
    from ``planned``, runs of this invocation by stack name), without recursion: a
    referenced stack reads none.
    """
    outputs: dict[str, Mapping[str, Any]] = {}
    for reference, other in stack_references(stack.config).items():
        run = (planned or {}).get(other)
        if run is None:
            [referenced] = validate_requests(
                [
                    StackRequest(
                        stack=other,
                        config_file=stack.request.config_file.parent / f"Pulumi.{other}.yaml",
                        display=f"Pulumi.{other}.yaml",
                    )
                ]
            )
            if stack_references(referenced.config):
                raise UsageError(f"{other} reads other stacks' outputs too; it cannot be a spoke")
            run = plan_stack(project, referenced)
        outputs[reference] = run.outputs
    encoded, secret_keys = encode_for_program(stack.file.config)
    return run_program(
        project_program(project.root),
        project=project.name,
        stack=stack.request.stack,
        mocks=mocks_for(stack.config, outputs),
        config=encoded,
        secret_keys=secret_keys,
        root_directory=project.root,
    )


def stage_facts(config: StageConfig) -> StageFacts:
    """The facts about a stage the security rules need."""
    return StageFacts(
        production=config.production,
        account_id=config.aws.account_id if isinstance(config, AwsStageConfig) else None,
        # A stage reaches a Kubernetes API only to host Argo CD (its own cluster), or locally.
        kubernetes_allowed=not isinstance(config, AwsStageConfig) or config.argocd is not None,
        own_cluster=naming.cluster_name(config.stage)
        if isinstance(config, AwsStageConfig)
        else None,
    )


def check_run(run: ProgramRun, config: StageConfig) -> CheckReport:
    """Run every security and ordering rule over a planned stack."""
    return evaluate(PlanGraph.of(run), stage_facts(config))
