"""Recording bootstrap's results in a stack file, comments and all."""

from __future__ import annotations

import shutil
from pathlib import Path

from argosy.config.source import read_stack_file
from argosy.config.write import record_bootstrap
from tests.conftest import REPO

BACKEND = "s3://argosy-state-222222222222-eu-west-1?region=eu-west-1&awssdk=v2"
PROVIDER = "awskms://alias/argosy-dev-pulumi?region=eu-west-1"


def test_records_and_keeps_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    shutil.copy(REPO / "stacks" / "Pulumi.dev.yaml", path)
    before = path.read_text()
    assert record_bootstrap(path, secrets_provider=PROVIDER, backend=BACKEND) is True
    after = path.read_text()
    # The header comments stay on top; secretsprovider comes right after them.
    assert after.splitlines()[:4] == [*before.splitlines()[:3], f"secretsprovider: {PROVIDER}"]
    # Every line that was there is still there, in order, comments included.
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == [f"secretsprovider: {PROVIDER}", f"  argosy:backend: {BACKEND}"]
    lines = after.splitlines()
    assert (
        lines.index(f"  argosy:backend: {BACKEND}") == lines.index("  argosy:production: false") + 1
    )
    stack_file = read_stack_file(path, stack="dev")
    assert stack_file.secrets_provider == PROVIDER
    assert stack_file.config["argosy:backend"] == BACKEND
    # A second run finds both recorded and leaves the file alone.
    assert record_bootstrap(path, secrets_provider=PROVIDER, backend=BACKEND) is False
    assert path.read_text() == after


def test_replaces_an_old_value(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("secretsprovider: passphrase\nconfig:\n  argosy:backend: s3://old\n")
    assert record_bootstrap(path, secrets_provider=PROVIDER, backend=BACKEND)
    assert path.read_text() == (
        f"secretsprovider: {PROVIDER}\nconfig:\n  argosy:backend: {BACKEND}\n"
    )
