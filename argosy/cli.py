"""The ``argosy`` command line: ``python -m argosy plan …``.

Exit status: 0 on success; 2 on invalid config or usage (every problem listed, nothing
planned); 1 when the program itself fails (one clear line; the traceback with ``--debug``).
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Annotated

import pulumi
import typer
from rich.console import Console

from argosy.config import reference
from argosy.config.errors import ConfigInvalidError, format_issues
from argosy.plan import render
from argosy.plan.engine import ProgramFailedError, ProgramRun
from argosy.plan.planner import (
    UsageError,
    check_run,
    find_project,
    plan_stack,
    requested_stacks,
    validate_requests,
)
from argosy.policy.rules import CheckReport

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


def _consoles() -> tuple[Console, Console]:
    return Console(highlight=False), Console(stderr=True, highlight=False, soft_wrap=True)


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
        Path | None,
        typer.Option(
            "--config-file",
            help="Read the stack's config from this file, as `pulumi preview --config-file`.",
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
    try:
        project = find_project(cwd)
        requests = requested_stacks(
            project,
            stacks=stack or [],
            all_stacks=all_stacks,
            config_file=config_file,
            cwd=cwd,
        )
        valid = validate_requests(requests)
    except UsageError as exc:
        stderr.print(f"error: {exc}", markup=False)
        raise typer.Exit(EXIT_INVALID) from None
    except ConfigInvalidError as exc:
        stderr.print(format_issues(exc.issues), markup=False)
        raise typer.Exit(EXIT_INVALID) from None

    runs: list[ProgramRun] = []
    reports: dict[str, CheckReport] = {}
    for item in valid:
        try:
            if stderr.is_terminal:
                with stderr.status(f"planning {item.request.stack}…"):
                    run = plan_stack(project, item)
            else:
                run = plan_stack(project, item)
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


@app.command("config-reference")
def config_reference() -> None:
    """Print the stage config reference (Markdown), as the README carries it."""
    typer.echo(reference.config_reference(), nl=False)


def main() -> None:
    """Entry point of ``python -m argosy``."""
    app()
