"""The ``argosy`` command line: ``python -m argosy plan|bootstrap|doctor …``.

Exit status: 0 on success; 2 on invalid config or usage (every problem listed, nothing
planned or changed); 1 when the program fails, a security rule finds something, AWS refuses
(the problem and its fix), or a doctor check fails.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pulumi
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from argosy.aws.bootstrap import bootstrap as run_bootstrap
from argosy.aws.bootstrap import targets_for as bootstrap_targets
from argosy.aws.client import connect
from argosy.aws.doctor import run_doctor
from argosy.aws.errors import AwsProblemError
from argosy.config import reference
from argosy.config.errors import ConfigInvalidError, format_issues
from argosy.config.stage import AwsStageConfig
from argosy.config.write import record_bootstrap
from argosy.plan import render
from argosy.plan.engine import ProgramFailedError, ProgramRun
from argosy.plan.planner import (
    UsageError,
    ValidStack,
    check_run,
    find_project,
    plan_stack,
    requested_stacks,
    validate_requests,
)
from argosy.policy.rules import CheckReport
from argosy.render import render_project
from argosy.render.tree import TreeInputError
from argosy.render.tree import compare as compare_tree
from argosy.render.tree import write as write_tree

EXIT_OK = 0
EXIT_PROGRAM_FAILED = 1
EXIT_INVALID = 2

app = typer.Typer(
    name="argosy",
    help="The Argo stack on AWS as Pulumi code: offline plans and account tooling.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Keep ``plan`` a subcommand even while it is the only one."""


@contextlib.contextmanager
def _exit_on_bad_input(stderr: Console) -> Iterator[None]:
    """Report usage and config mistakes (every one of them) and exit with status 2."""
    try:
        yield
    except UsageError as exc:
        stderr.print(f"error: {exc}", markup=False)
        raise typer.Exit(EXIT_INVALID) from None
    except ConfigInvalidError as exc:
        stderr.print(format_issues(exc.issues), markup=False)
        raise typer.Exit(EXIT_INVALID) from None


def _consoles() -> tuple[Console, Console]:
    """Consoles for standard output and error; non-terminal output gets 160 columns."""
    width = None if sys.stdout.isatty() else 160
    return Console(highlight=False, width=width), Console(
        stderr=True, highlight=False, soft_wrap=True
    )


@app.command()
def plan(
    stack: Annotated[
        list[str] | None,
        typer.Option("--stack", "-s", help="Stack to plan; repeat for several."),
    ] = None,
    all_stacks: Annotated[
        bool, typer.Option("--all", help="Plan every stack with a file in stacks/.")
    ] = False,
    config_file: Annotated[
        list[Path] | None,
        typer.Option(
            "--config-file",
            help="Read the stack's config from this file, as `pulumi preview --config-file`; "
            "repeat for several, each named Pulumi.<stack>.yaml.",
            dir_okay=False,
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the plan as JSON: an object, or an array for several."),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write DIR/<stack>/: plan.json, Kubernetes manifests and Helm releases.",
            file_okay=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback when the program fails.")
    ] = False,
) -> None:
    """Show what `pulumi up` would declare, offline: no cloud credentials, no Pulumi CLI.

    Runs the real program under the Pulumi SDK's mocks, with answers derived from each
    stack's config.
    """
    stdout, stderr = _consoles()
    cwd = Path.cwd()
    with _exit_on_bad_input(stderr):
        project = find_project(cwd)
        requests = requested_stacks(
            project,
            stacks=stack or [],
            all_stacks=all_stacks,
            config_files=config_file or [],
            cwd=cwd,
        )
        valid = validate_requests(requests, project.stack_config_dir)

    runs: list[ProgramRun] = []
    reports: dict[str, CheckReport] = {}
    for item in valid:
        try:
            if stderr.is_terminal:
                with stderr.status(f"planning {item.request.stack}…"):
                    run = plan_stack(project, item, {r.stack: r for r in runs})
            else:
                run = plan_stack(project, item, {r.stack: r for r in runs})
        except ProgramFailedError as exc:
            if isinstance(exc.cause, pulumi.RunError):
                # The program's own config check: report it like the plan's.
                stderr.print(str(exc.cause), markup=False)
                raise typer.Exit(EXIT_INVALID) from None
            stderr.print(f"error: {exc}", markup=False)
            if debug:
                stderr.print("".join(traceback.format_exception(exc.cause)).rstrip(), markup=False)
            else:
                stderr.print("(run again with --debug for the traceback)", markup=False)
            raise typer.Exit(EXIT_PROGRAM_FAILED) from None
        runs.append(run)
        reports[run.stack] = check_run(run, item.config)
        if out is not None:
            render.write_files(run, out, checks=reports[run.stack], warnings=item.config.warnings)

    warnings_by_stack = {item.request.stack: item.config.warnings for item in valid}
    if as_json:
        documents = [
            render.plan_document(
                run, checks=reports[run.stack], warnings=warnings_by_stack[run.stack]
            )
            for run in runs
        ]
        stdout.out(render.to_json(documents[0] if len(documents) == 1 else documents), end="")
    else:
        for run in runs:
            stdout.print(render.plan_tree(run))
            for warning in warnings_by_stack[run.stack]:
                stdout.print(warning.format(), markup=False, soft_wrap=True)
        for run in runs:
            stdout.print(render.summary_line(run, reports[run.stack]), markup=False, soft_wrap=True)
        if out is not None:
            stacks_written = ", ".join(r.stack for r in runs)
            stdout.print(f"wrote {out}/<stack>/ for {stacks_written}", markup=False)
    findings = [f for report in reports.values() for f in report.findings]
    if findings:
        stderr.print(
            "error: the program declares what the security rules forbid:\n  "
            + "\n  ".join(f.format() for f in findings),
            markup=False,
        )
        raise typer.Exit(EXIT_PROGRAM_FAILED)


def _aws_stage(
    command: str, stack: str, config_files: list[Path] | None, stderr: Console
) -> tuple[ValidStack, AwsStageConfig]:
    """The one stack a bootstrap or doctor run is about, validated; exits 2 if it is not."""
    with _exit_on_bad_input(stderr):
        files = list(dict.fromkeys(config_files or []))
        if len(files) > 1:
            raise UsageError(
                f"{command} acts on one stack: give --config-file once, not {len(files)} "
                f"times ({', '.join(map(str, files))})"
            )
        project = find_project(Path.cwd())
        [item] = validate_requests(
            requested_stacks(
                project, stacks=[stack], all_stacks=False, config_files=files, cwd=Path.cwd()
            )
        )
    if not isinstance(item.config, AwsStageConfig):
        stderr.print(
            f"error: stack {stack} has role {item.config.role}: it has no AWS account to "
            "bootstrap or check",
            markup=False,
        )
        raise typer.Exit(EXIT_INVALID)
    return item, item.config


StackOption = Annotated[str, typer.Option("--stack", "-s", help="The stack (stage) to act on.")]
ConfigFileOption = Annotated[
    list[Path] | None,
    typer.Option("--config-file", help="Read the stack's config from this file.", dir_okay=False),
]
RoleOption = Annotated[
    str | None,
    typer.Option(
        "--role-arn",
        help="Role in the stage's account to assume when the credentials are not already "
        "there (default: the stage's deploy role).",
    ),
]


@app.command("bootstrap")
def bootstrap_command(
    stack: StackOption,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would change; change nothing.")
    ] = False,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Record the secrets provider and state backend in the stack file.",
        ),
    ] = False,
    role_arn: RoleOption = None,
    config_file: ConfigFileOption = None,
) -> None:
    """Create what a stage's account needs before its first `pulumi up`.

    The state bucket, the stack secrets key, GitHub's OIDC provider, the deploy and preview
    roles. Safe to run again: it repairs drift in what it created, never deletes anything,
    and refuses anything of the same name it did not create.
    """
    stdout, stderr = _consoles()
    item, config = _aws_stage("bootstrap", stack, config_file, stderr)
    with _exit_on_bad_input(stderr):
        targets = bootstrap_targets(config)
    try:
        api = connect(config, role_arn=role_arn)
        report = run_bootstrap(api, targets, dry_run=dry_run)
    except AwsProblemError as exc:
        stderr.print(f"error: {exc.message}\n  fix: {exc.fix}", markup=False)
        raise typer.Exit(EXIT_PROGRAM_FAILED) from None
    verb = "would" if dry_run else "did"
    stdout.print(
        f"bootstrap {stack}: account {targets.account}, {targets.region}, as {report.identity}",
        markup=False,
        soft_wrap=True,
    )
    for change in report.changes:
        stdout.print(f"  + {change}", markup=False, soft_wrap=True)
    in_place = [i for i in report.items if i.state == "ok"]
    if report.changes:
        stdout.print(
            f"{verb} {len(report.changes)} changes; {len(in_place)} already in place",
            markup=False,
        )
    else:
        stdout.print(f"no changes: all {len(in_place)} already in place", markup=False)
    stdout.print(
        f"backend:         pulumi login '{targets.backend_url}'", markup=False, soft_wrap=True
    )
    stdout.print(f"secretsprovider: {targets.secrets_provider}", markup=False, soft_wrap=True)
    if write and dry_run:
        stdout.print(f"would write both to {item.request.display}", markup=False)
    elif write:
        changed = record_bootstrap(
            item.request.config_file,
            secrets_provider=targets.secrets_provider,
            backend=targets.backend_url,
        )
        stdout.print(
            f"wrote both to {item.request.display}"
            if changed
            else f"{item.request.display} already records both",
            markup=False,
        )


@app.command("doctor")
def doctor_command(
    stack: StackOption,
    role_arn: RoleOption = None,
    config_file: ConfigFileOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Check a stage's account before `pulumi up`: credentials, region, bootstrap, quotas.

    Exits 1 when any check fails; each failure comes with its fix.
    """
    stdout, stderr = _consoles()
    item, config = _aws_stage("doctor", stack, config_file, stderr)
    checks = run_doctor(config, item.file, role_arn=role_arn)
    if as_json:
        rows = [
            {"name": c.name, "status": c.status, "detail": c.detail, "fix": c.fix} for c in checks
        ]
        stdout.out(render.to_json(rows), end="")
    else:
        table = Table(title=f"doctor {stack}", title_justify="left", show_lines=False)
        for column in ("check", "status", "detail", "fix"):
            table.add_column(column, overflow="fold")
        colours = {"pass": "green", "warn": "yellow", "fail": "red", "skip": "dim"}
        for check in checks:
            table.add_row(
                check.name,
                f"[{colours[check.status]}]{check.status}[/]",
                Text(check.detail),
                Text(check.fix),
            )
        stdout.print(table)
        counts = {s: sum(1 for c in checks if c.status == s) for s in colours}
        stdout.print(
            ", ".join(f"{n} {s}" for s, n in counts.items() if n), markup=False, soft_wrap=True
        )
    if any(c.status == "fail" for c in checks):
        raise typer.Exit(EXIT_PROGRAM_FAILED)


@app.command("config-reference")
def config_reference() -> None:
    """Print the stage config reference (Markdown), as the README carries it."""
    typer.echo(reference.config_reference(), nl=False)


@app.command("render")
def render_command(
    stack: Annotated[
        list[str] | None,
        typer.Option("--stack", "-s", help="Stage whose cluster to render; repeat for several."),
    ] = None,
    all_stacks: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Render every stage with a file in stacks/, and remove the baselines of "
            "clusters no Argo CD manages any more.",
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 listing every file that is missing, stale or extra.",
        ),
    ] = False,
) -> None:
    """Write the GitOps tree Argo CD syncs: the platform baseline of every managed cluster.

    Under the hosting stage's argosy:argocd.gitops.path (default gitops/) in this checkout:
    clusters/<stage>/baseline/, a namespace and its NetworkPolicies per platform namespace.
    """
    stdout, stderr = _consoles()
    cwd = Path.cwd()
    with _exit_on_bad_input(stderr):
        if stack and all_stacks:
            raise UsageError(
                "--all renders every stack; --stack renders the ones named: use one or the other"
            )
        # Without --stack, every stack: `render` then `render --check` is the whole tree.
        all_stacks = all_stacks or not stack
        project = find_project(cwd)
        requests = requested_stacks(
            project, stacks=stack or [], all_stacks=all_stacks, config_files=[], cwd=cwd
        )
        valid = validate_requests(requests, project.stack_config_dir)
        try:
            rendered = render_project(
                [item.config for item in valid],
                project.stack_config_dir,
                project.root,
                every_stage=all_stacks,
            )
        except TreeInputError as exc:
            stderr.print(f"error: {exc}", markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_INVALID) from None
    tree, clusters, skipped = rendered.tree, rendered.clusters, rendered.skipped
    for item in skipped:
        stdout.print(f"skipped {item.stage}: {item.reason}", markup=False, soft_wrap=True)
    if not clusters:
        stdout.print("nothing to render", markup=False)
        return
    again = "python -m argosy render " + (
        "--all" if all_stacks else " ".join(f"--stack {s}" for s in dict.fromkeys(stack or []))
    )
    if check:
        difference = compare_tree(tree, project.root)
        if difference.clean:
            stdout.print("the GitOps tree is up to date", markup=False)
            return
        lines = difference.lines()
        stderr.print(
            f"error: the GitOps tree is out of date: {len(lines)} "
            f"file{'s' if len(lines) != 1 else ''} differ from what `{again}` writes\n  "
            + "\n  ".join(lines)
            + f"\nrun `{again}` and commit the result",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_PROGRAM_FAILED)

    try:
        difference = write_tree(tree, project.root)
    except OSError as exc:
        stderr.print(f"error: cannot write the GitOps tree: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_PROGRAM_FAILED) from None
    for path in sorted((*difference.missing, *difference.stale)):
        stdout.print(f"wrote {path}", markup=False, soft_wrap=True)
    for path in difference.extra:
        stdout.print(f"removed {path}", markup=False, soft_wrap=True)
    stages = ", ".join(c.stage for c in clusters)
    if difference.clean:
        stdout.print(
            f"the GitOps tree is up to date: {len(tree.files)} files for {stages}, nothing written",
            markup=False,
            soft_wrap=True,
        )
    else:
        written = len(difference.missing) + len(difference.stale)
        stdout.print(
            f"rendered {stages}: {len(tree.files)} files, {written} written, "
            f"{len(difference.extra)} removed",
            markup=False,
            soft_wrap=True,
        )
    # The tree is written in this checkout; the host's Argo CD reads it from its repository.
    synced = {
        (c.host, c.gitops.path, c.gitops.repo_url, c.gitops.target_revision) for c in clusters
    }
    for host, gitops_path, repo_url, revision in sorted(synced):
        stdout.print(
            f"Argo CD on {host} syncs {gitops_path}/ from {repo_url} at {revision}: "
            "commit it there",
            markup=False,
            soft_wrap=True,
        )


def main() -> None:
    """Entry point of ``python -m argosy``."""
    app()
