"""The repository keeps its promises: README commands, CI, Pulumi.yaml and the config models."""

from __future__ import annotations

import re

import yaml

from argosy.config.keys import KEYS, ROLES
from argosy.config.reference import config_reference
from argosy.naming import PROJECT
from tests.conftest import REPO

README = (REPO / "README.md").read_text()
CI = (REPO / ".ci" / "run").read_text()


def test_readme_has_the_two_commands() -> None:
    assert "```sh\n./scripts/plan-examples\n```" in README
    assert "```sh\n./scripts/test\n```" in README


def test_ci_runs_the_readme_test_command() -> None:
    assert re.search(r"^\./scripts/test$", CI, flags=re.MULTILINE)
    for tool in ('ruff" check', 'ruff" format --check', 'mypy"'):
        assert tool in CI


def test_pulumi_yaml_declares_the_scalar_keys() -> None:
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    assert project["name"] == PROJECT
    assert project["stackConfigDir"] == "stacks"
    assert project["runtime"]["options"]["virtualenv"] == ".venv"
    declared = project["config"]
    # The scalar keys every stage must state; optional scalars (backend) have no default to
    # declare, and a declaration without one would make the CLI require them.
    required_everywhere = {
        spec.name for spec in KEYS if not spec.is_object and spec.required == set(ROLES)
    }
    assert set(declared) == required_everywhere
    assert declared["role"]["type"] == "string"
    assert declared["production"]["type"] == "boolean"
    # No default: the CLI then requires every stack to state them, as validation does.
    assert all("default" not in declaration for declaration in declared.values())


def test_readme_documents_every_config_key() -> None:
    for spec in KEYS:
        assert f"`{spec.key}`" in README, spec.key


def test_readme_config_reference_is_current() -> None:
    """The README carries the generated reference verbatim (regenerate: see README)."""
    assert config_reference() in README


def test_requirements_are_pinned() -> None:
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (REPO / name).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-")):
                assert "==" in line, f"{name}: {line} is not pinned"
