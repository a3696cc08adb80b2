"""Real `pulumi preview`: needs the Pulumi CLI, a logged-in backend and AWS credentials.

Marked `aws` and excluded by default (see pyproject.toml); run with `./scripts/test -m aws`.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.aws


def test_pulumi_preview_of_the_dev_stack() -> None:
    if shutil.which("pulumi") is None:
        pytest.skip("the Pulumi CLI is not installed")
    stack = os.environ.get("ARGOSY_PREVIEW_STACK", "dev")
    done = subprocess.run(
        ["pulumi", "preview", "--stack", stack, "--non-interactive", "--diff"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
