"""doctor's A7 check of the Argo CD version the EKS capability reports, with stubbed EKS."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from argosy.aws.checks import DoctorCheck
from argosy.aws.checks.argocd import capability_version_check, check_argocd_version
from argosy.aws.client import AwsApi
from argosy.config.source import read_stack_file
from argosy.config.validate import AwsStageConfig, validate_stage
from tests.conftest import REPO

FIX = "aws eks describe-capability --cluster-name argosy-hub --capability-name argocd"


def stage(name: str) -> AwsStageConfig:
    path = REPO / "stacks" / f"Pulumi.{name}.yaml"
    stack_file = read_stack_file(path, stack=name)
    config = validate_stage(name, stack_file.config, source=stack_file.source)
    assert isinstance(config, AwsStageConfig)
    return config


@pytest.fixture
def eks() -> Iterator[tuple[AwsApi, Stubber]]:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1"
    )
    api = AwsApi(session, "eu-west-1")
    stubber = Stubber(api.client("eks"))
    with stubber:
        yield api, stubber


def describe(stubber: Stubber, version: str) -> None:
    stubber.add_response(
        "describe_capability",
        {"capability": {"capabilityName": "argocd", "version": version, "status": "ACTIVE"}},
        {"clusterName": "argosy-hub", "capabilityName": "argocd"},
    )


def test_a_fixed_version_passes(eks: tuple[AwsApi, Stubber]) -> None:
    api, stubber = eks
    describe(stubber, "3.5.1-eks-1")
    assert check_argocd_version(api, stage("hub")) == [
        DoctorCheck(
            name="argo cd version",
            status="pass",
            detail="the capability runs Argo CD 3.5.1-eks-1, at or above 3.3.14, 3.4.7 or 3.5.1 "
            "on its minor line, or any release after 3.5.1 (SECURITY.md A7)",
        )
    ]
    assert api.calls == ["eks:DescribeCapability"]


def test_a_version_below_the_floor_fails() -> None:
    check = capability_version_check("3.4.4-eks-2")
    assert (check.status, check.detail) == (
        "fail",
        "the capability runs Argo CD 3.4.4-eks-2; A7 needs at or above 3.3.14, 3.4.7 or 3.5.1 "
        "on its minor line, or any release after 3.5.1 (SECURITY.md A7)",
    )
    assert "privateEndpoint: true" in check.fix
    assert capability_version_check("3.3.14-eks-1").status == "pass"
    assert capability_version_check("3.5.0-eks-1").status == "fail"


def test_an_unreadable_version_fails() -> None:
    check = capability_version_check("latest")
    assert (check.status, check.detail) == (
        "fail",
        "the capability reports version 'latest', which argosy cannot read",
    )


def test_no_capability_yet_is_a_skip(eks: tuple[AwsApi, Stubber]) -> None:
    api, stubber = eks
    stubber.add_client_error(
        "describe_capability", service_error_code="ResourceNotFoundException", http_status_code=404
    )
    [check] = check_argocd_version(api, stage("hub"))
    assert (check.status, check.detail) == (
        "skip",
        "the Argo CD capability does not exist yet; `pulumi up` creates it",
    )


def test_another_error_fails_with_the_command(eks: tuple[AwsApi, Stubber]) -> None:
    api, stubber = eks
    stubber.add_client_error(
        "describe_capability", service_error_code="ServerException", http_status_code=500
    )
    assert check_argocd_version(api, stage("hub")) == [
        DoctorCheck(
            name="argo cd version",
            status="fail",
            detail="DescribeCapability answered ServerException",
            fix=FIX,
        )
    ]


def test_stages_without_a_managed_argo_cd_are_not_asked(eks: tuple[AwsApi, Stubber]) -> None:
    api, _ = eks
    assert check_argocd_version(api, stage("dev")) == []
    assert api.calls == []
