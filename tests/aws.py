"""Helpers for the moto scenarios: a mocked AWS, accounts to act as, and a call recorder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.client
import pytest
from moto import mock_aws

from argosy.config.source import read_stack_file
from argosy.config.validate import AwsStageConfig, validate_stage
from tests.conftest import REPO

#: Every concern bootstrap manages, in the order it observes them.
BOOTSTRAP_LABELS = (
    "stack secrets key",
    "stack secrets key rotation",
    "state bucket",
    "state bucket object ownership",
    "state bucket public access block",
    "state bucket versioning",
    "state bucket encryption",
    "state bucket TLS-only policy",
    "state bucket lifecycle",
    "GitHub OIDC provider",
    "deploy role",
    "deploy role trust",
    "deploy role policies",
    "preview role",
    "preview role trust",
    "preview role policies",
)
#: Operations that remove or weaken something; bootstrap must never call any of them.
DESTRUCTIVE = ("Delete", "Remove", "Detach", "Disable", "Deregister", "Terminate", "Revoke")
REGION = "eu-west-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A mocked AWS (moto, in-process) with fake credentials; nothing leaves the process."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "MOTO_ACCOUNT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    # Real accounts have AWS's managed policies (AdministratorAccess, ReadOnlyAccess).
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        yield


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every AWS API call made in the process, as ``service:Operation``, in order."""
    made: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def record(self: Any, operation: str, params: Any) -> Any:
        made.append(f"{self.meta.service_model.service_name}:{operation}")
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", record)
    return made


def destructive(made: list[str]) -> list[str]:
    """The calls in ``made`` that remove or weaken something."""
    return [c for c in made if c.split(":", 1)[1].startswith(DESTRUCTIVE)]


def session_in(account: str) -> boto3.Session:
    """A session whose credentials are an assumed role in ``account`` (moto honours it)."""
    sts = boto3.client("sts", region_name=REGION)
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="tests",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )


def example_stage(stack: str = "dev", /, **overrides: Any) -> AwsStageConfig:
    """An example stack's validated config, with top-level keys overridden."""
    stack_file = read_stack_file(REPO / "stacks" / f"Pulumi.{stack}.yaml", stack=stack)
    values = {**stack_file.config, **overrides}
    config = validate_stage(stack, values, source=stack_file.source)
    assert isinstance(config, AwsStageConfig)
    return config


def policy_document(value: Any) -> Any:
    """A policy as IAM returns it (a dict, or URL-decoded JSON text)."""
    return json.loads(value) if isinstance(value, str) else value


def create_roles(account: str, *names: str) -> None:
    """Roles that exist in ``account`` before argosy runs (people's, break-glass roles)."""
    iam = session_in(account).client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    for name in names:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
