"""Shared fixtures: plan a stack (example or ad hoc) and query its recorded graph."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from argosy.config.source import read_stack_file
from argosy.config.validate import StageConfig, validate_stage
from argosy.plan.engine import ProgramRun
from argosy.plan.monitor import Registration
from argosy.plan.planner import (
    Project,
    StackRequest,
    ValidStack,
    check_run,
    find_project,
    plan_stack,
)
from argosy.policy.graph import PlanGraph
from argosy.policy.rules import CheckReport

# The moto fixtures (aws, calls) live beside the scenarios that use them.
pytest_plugins = ["tests.aws"]

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_STACKS = ("dev", "hub", "local", "prod", "staging")
AWS_EXAMPLE_STACKS = ("dev", "hub", "prod", "staging")
GOLDEN = REPO / "tests" / "golden"


@dataclass(frozen=True)
class Planned:
    """A planned stack: its config, the program run, the graph and the rule results."""

    config: StageConfig
    run: ProgramRun
    graph: PlanGraph
    checks: CheckReport

    def one(self, type_: str, name: str | None = None) -> Registration:
        """The single resource of ``type_`` (named ``name`` if given)."""
        found = [r for r in self.graph.of_type(type_) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {type_} {name or ''}, found {len(found)}"
        return found[0]

    def named(self, name: str) -> Registration:
        """The single resource with logical name ``name`` (any type)."""
        found = [r for r in self.run.resources if r.name == name and r.custom]
        assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
        return found[0]


@pytest.fixture(scope="session")
def project() -> Project:
    return find_project(REPO)


def plan_valid(project: Project, path: Path, stack: str) -> Planned:
    """Validate and plan the stack file at ``path`` (raises ConfigInvalidError)."""
    stack_file = read_stack_file(path, stack=stack, display=path.name)
    config = validate_stage(stack, stack_file.config, source=stack_file.source)
    item = ValidStack(
        request=StackRequest(stack=stack, config_file=path, display=path.name),
        file=stack_file,
        config=config,
    )
    run = plan_stack(project, item)
    return Planned(config=config, run=run, graph=PlanGraph.of(run), checks=check_run(run, config))


@pytest.fixture(scope="session")
def planned(project: Project) -> Callable[[str], Planned]:
    """Plan an example stack once per test session."""
    cache: dict[str, Planned] = {}

    def get(stack: str) -> Planned:
        if stack not in cache:
            cache[stack] = plan_valid(project, project.stack_file(stack), stack)
        return cache[stack]

    return get


def load_example(stack: str) -> dict[str, Any]:
    """An example stack file as data, to derive test configs from."""
    document = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    assert isinstance(document, dict)
    return document


@pytest.fixture
def write_stack(tmp_path: Path) -> Callable[..., Path]:
    """Write a stack file (from data or text) and return its path."""

    def write(content: dict[str, Any] | str, stack: str = "dev") -> Path:
        path = tmp_path / f"Pulumi.{stack}.yaml"
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text)
        return path

    return write


@pytest.fixture
def plan_config(project: Project, write_stack: Callable[..., Path]) -> Callable[..., Planned]:
    """Plan a stack from config data: ``plan_config({"argosy:role": ...}, stack="dev")``."""

    def plan(config: dict[str, Any], stack: str = "dev") -> Planned:
        return plan_valid(project, write_stack({"config": config}, stack), stack)

    return plan


def assert_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/golden/<name>``; rewrite it with ARGOSY_REGENERATE=1.

    Regenerating is for a developer who changed the output on purpose and reviews the diff;
    CI never sets the variable, so there a difference always fails.
    """
    path = GOLDEN / name
    if os.environ.get("ARGOSY_REGENERATE") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return
    assert path.exists(), f"no golden file {path}; create it with ARGOSY_REGENERATE=1"
    expected = path.read_text()
    assert text == expected, (
        f"{name} differs from its golden file; if the change is intended, regenerate with "
        "ARGOSY_REGENERATE=1 and review the diff"
    )


@pytest.fixture
def chdir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    def go(path: Path) -> None:
        monkeypatch.chdir(path)

    yield go
