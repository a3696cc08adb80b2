"""`python -m argosy bootstrap` and `doctor` end to end, against moto."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from argosy import cli
from tests.aws import create_roles, destructive
from tests.conftest import REPO

DEV = "222222222222"
PROD = "444444444444"
BACKEND = f"s3://argosy-state-{DEV}-eu-west-1?region=eu-west-1&awssdk=v2"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's stack files, so --write edits the copy."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def argosy(project: Path) -> Callable[..., Result]:
    runner = CliRunner()
    return lambda *args: runner.invoke(cli.app, list(args))


def test_bootstrap_then_doctor(
    aws: None, argosy: Callable[..., Result], project: Path, calls: list[str]
) -> None:
    dry = argosy("bootstrap", "--stack", "dev", "--dry-run", "--write")
    assert dry.exit_code == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert lines[0] == (
        f"bootstrap dev: account {DEV}, eu-west-1, as "
        f"arn:aws:sts::{DEV}:assumed-role/argosy-deploy/argosy-dev"
    )
    assert "would 14 changes; 0 already in place" in lines
    assert "would write both to stacks/Pulumi.dev.yaml" in lines
    assert "\nsecretsprovider:" not in (project / "stacks" / "Pulumi.dev.yaml").read_text()

    first = argosy("bootstrap", "--stack", "dev", "--write")
    assert first.exit_code == 0, first.stderr
    assert "did 14 changes; 0 already in place" in first.stdout
    assert f"backend:         pulumi login '{BACKEND}'" in first.stdout
    assert "wrote both to stacks/Pulumi.dev.yaml" in first.stdout
    assert f"  argosy:backend: {BACKEND}" in (project / "stacks" / "Pulumi.dev.yaml").read_text()

    second = argosy("bootstrap", "--stack", "dev", "--write")
    assert second.exit_code == 0, second.stderr
    assert "no changes: all 16 already in place" in second.stdout
    assert "stacks/Pulumi.dev.yaml already records both" in second.stdout

    # The people argosy:access names exist before the cluster grants them access.
    create_roles(DEV, "platform-admins", "developers")
    doctor = argosy("doctor", "--stack", "dev", "--json")
    assert doctor.exit_code == 0, doctor.stdout
    rows = json.loads(doctor.stdout)
    assert [r for r in rows if r["status"] == "fail"] == []
    statuses = {r["name"]: r["status"] for r in rows}
    assert statuses["deploy role self-assume"] == statuses["access principals"] == "pass"
    assert destructive(calls) == []


def test_doctor_fails_on_a_clean_account(aws: None, argosy: Callable[..., Result]) -> None:
    result = argosy("doctor", "--stack", "dev")
    assert result.exit_code == 1
    assert "python -m argosy bootstrap --stack dev" in result.stdout
    assert result.stdout.splitlines()[-1] == "6 pass, 3 warn, 14 fail, 1 skip"
    rows = json.loads(argosy("doctor", "--stack", "dev", "--json").stdout)
    [access] = [r for r in rows if r["name"] == "access principals"]
    assert access["fix"] == (
        "create them, or remove them from argosy:access.admins in stacks/Pulumi.dev.yaml"
    )


def test_bootstrap_refuses_a_missing_trusted_principal(
    aws: None, argosy: Callable[..., Result], calls: list[str]
) -> None:
    result = argosy("bootstrap", "--stack", "prod", "--dry-run")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: argosy:bootstrap.trustedPrincipals names arn:aws:iam::{PROD}:role/"
        f"platform-admins, which does not exist in account {PROD}; IAM refuses a trust policy "
        "naming a missing principal\n"
        "  fix: create the role, or remove it from argosy:bootstrap.trustedPrincipals in "
        "stacks/Pulumi.prod.yaml\n"
    )
    assert result.stdout == ""
    create_roles(PROD, "platform-admins")
    assert argosy("bootstrap", "--stack", "prod").exit_code == 0
    assert destructive(calls) == []


def test_wrong_account_is_an_error_with_its_fix(aws: None, argosy: Callable[..., Result]) -> None:
    result = argosy(
        "bootstrap", "--stack", "dev", "--role-arn", "arn:aws:iam::999999999999:role/admin"
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "error: role arn:aws:iam::999999999999:role/admin is in account 999999999999, not in "
        f"stage dev's account {DEV}\n"
        f"  fix: pass --role-arn with a role of account {DEV}, e.g. "
        f"arn:aws:iam::{DEV}:role/OrganizationAccountAccessRole\n"
    )


def test_local_stacks_have_no_account(argosy: Callable[..., Result]) -> None:
    result = argosy("doctor", "--stack", "local")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: stack local has role local: it has no AWS account to bootstrap or check"
    )


def test_bootstrap_needs_its_config(argosy: Callable[..., Result], project: Path) -> None:
    path = project / "stacks" / "Pulumi.staging.yaml"
    text = path.read_text()
    start = text.index("  # Read by `python -m argosy bootstrap`")
    end = text.index("  argosy:network:")
    path.write_text(text[:start] + text[end:])
    result = argosy("bootstrap", "--stack", "staging")
    assert result.exit_code == 2
    assert result.stderr == (
        "1 configuration error:\n"
        "stacks/Pulumi.staging.yaml: argosy:bootstrap = (not set)\n"
        "    rule: bootstrap and doctor need the repository whose GitHub Actions deploy the "
        "stage\n"
        "    example: argosy:bootstrap: {githubRepository: acme/platform}\n"
    )
