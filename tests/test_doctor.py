"""`argosy doctor` against moto, and its pure checks."""

from __future__ import annotations

import shutil
from pathlib import Path

from argosy.aws.bootstrap import bootstrap, targets_for
from argosy.aws.client import AwsApi
from argosy.aws.doctor import (
    ELASTIC_IPS,
    VPCS,
    DoctorCheck,
    quota_check,
    run_doctor,
    stage_needs,
    version_check,
)
from argosy.config.source import read_stack_file
from argosy.config.validate import AwsStageConfig, validate_stage
from argosy.config.write import record_bootstrap
from tests.aws import BOOTSTRAP_LABELS, REGION, example_stage, session_in
from tests.conftest import REPO

DEV = "222222222222"


def stack_copy(tmp_path: Path) -> Path:
    path = tmp_path / "Pulumi.dev.yaml"
    shutil.copy(REPO / "stacks" / "Pulumi.dev.yaml", path)
    return path


def doctor(path: Path, **kwargs: object) -> list[DoctorCheck]:
    stack_file = read_stack_file(path, stack="dev")
    config = validate_stage("dev", stack_file.config, source=stack_file.source)
    assert isinstance(config, AwsStageConfig)
    return run_doctor(config, stack_file, **kwargs)  # type: ignore[arg-type]


def by_name(checks: list[DoctorCheck]) -> dict[str, DoctorCheck]:
    return {c.name: c for c in checks}


def test_passes_after_bootstrap(aws: None, tmp_path: Path) -> None:
    path = stack_copy(tmp_path)
    targets = targets_for(example_stage())
    bootstrap(AwsApi(session_in(DEV), REGION), targets)
    record_bootstrap(path, secrets_provider=targets.secrets_provider, backend=targets.backend_url)
    checks = doctor(path)
    assert [c for c in checks if c.status == "fail"] == []
    statuses = {c.name: c.status for c in checks}
    assert statuses["credentials"] == "pass"
    assert statuses["region"] == "pass"
    assert all(statuses[name] == "pass" for name in BOOTSTRAP_LABELS)
    assert statuses["stack secrets provider"] == statuses["state backend"] == "pass"
    assert statuses["quota: VPCs per Region"] == "pass"
    # moto answers only the VPC quota and has no live EKS version list: those warn, honestly.
    assert by_name(checks)["quota: EC2-VPC Elastic IPs"] == DoctorCheck(
        name="quota: EC2-VPC Elastic IPs",
        status="pass",
        detail="1 needed, 5 free (0 used of AWS's default 5; the applied value could not be read)",
    )
    assert statuses["kubernetes version"] == "warn"
    assert by_name(checks)["credentials"].detail == (
        f"arn:aws:sts::{DEV}:assumed-role/argosy-deploy/argosy-dev in stage dev's account {DEV}"
    )


def test_a_clean_account_fails_with_the_fix(aws: None, tmp_path: Path) -> None:
    checks = by_name(doctor(stack_copy(tmp_path)))
    for name in ("stack secrets key", "state bucket", "GitHub OIDC provider", "deploy role"):
        assert checks[name].status == "fail", name
        assert checks[name].fix == "python -m argosy bootstrap --stack dev"
    assert checks["stack secrets provider"].status == "fail"
    assert checks["stack secrets provider"].fix == "python -m argosy bootstrap --stack dev --write"
    assert checks["state backend"].detail == (
        f"argosy:backend is (not set), not s3://argosy-state-{DEV}-{REGION}?region={REGION}"
        "&awssdk=v2"
    )


def test_wrong_account(aws: None, tmp_path: Path) -> None:
    checks = doctor(stack_copy(tmp_path), role_arn="arn:aws:iam::999999999999:role/admin")
    assert checks == [
        DoctorCheck(
            name="credentials",
            status="fail",
            detail="role arn:aws:iam::999999999999:role/admin is in account 999999999999, not "
            f"in stage dev's account {DEV}",
            fix=f"pass --role-arn with a role of account {DEV}, e.g. "
            f"arn:aws:iam::{DEV}:role/OrganizationAccountAccessRole",
        ),
        DoctorCheck(
            name="everything else",
            status="skip",
            detail="needs access to the stage's account",
        ),
    ]


def test_vpc_quota_exhausted(aws: None, tmp_path: Path) -> None:
    ec2 = session_in(DEV).client("ec2")
    existing = len(ec2.describe_vpcs()["Vpcs"])
    for i in range(5 - existing):
        ec2.create_vpc(CidrBlock=f"10.{100 + i}.0.0/16")
    check = by_name(doctor(stack_copy(tmp_path)))["quota: VPCs per Region"]
    assert check == DoctorCheck(
        name="quota: VPCs per Region",
        status="fail",
        detail="1 needed, 0 free (5 used of 5)",
        fix="request an increase of 'VPCs per Region' (vpc L-F678F1CE) in Service Quotas, or "
        "free some",
    )


def test_region_not_enabled(aws: None, tmp_path: Path) -> None:
    path = stack_copy(tmp_path)
    path.write_text(path.read_text().replace("region: eu-west-1", "region: ap-east-1"))
    check = by_name(doctor(path))["region"]
    assert check.status == "fail"
    assert check.detail == "ap-east-1 is not-opted-in"
    assert check.fix == "enable the region: aws account enable-region --region-name ap-east-1"


def test_reads_nothing_but_reads(aws: None, tmp_path: Path, calls: list[str]) -> None:
    doctor(stack_copy(tmp_path))
    verbs = ("Get", "List", "Describe", "Head", "AssumeRole")
    assert [c for c in calls if not c.split(":", 1)[1].startswith(verbs)] == []


def test_stage_needs() -> None:
    config = example_stage("dev")
    vcpus = {"t4g.large": 2, "m7g.large": 2, "m6g.large": 2, "c7g.xlarge": 4}
    needs = stage_needs(config, vcpus)
    assert (needs.vpcs, needs.elastic_ips, needs.clusters, needs.node_groups) == (1, 1, 1, 2)
    assert needs.on_demand_vcpus == 3 * 2  # system: max 3 × t4g.large
    assert needs.spot_vcpus == 6 * 4  # spot: max 6 × its largest type, c7g.xlarge
    prod = stage_needs(example_stage("prod"), {"m7g.large": 2, "m7g.xlarge": 4})
    assert prod.elastic_ips == 3  # a NAT gateway per zone
    assert prod.on_demand_vcpus == 6 * 2 + 12 * 4


def test_quota_check() -> None:
    assert quota_check(ELASTIC_IPS, value=5, used=2, needed=3).status == "pass"
    assert quota_check(ELASTIC_IPS, value=5, used=3, needed=3) == DoctorCheck(
        name="quota: EC2-VPC Elastic IPs",
        status="fail",
        detail="3 needed, 2 free (3 used of 5)",
        fix="request an increase of 'EC2-VPC Elastic IPs' (ec2 L-0263D0A3) in Service Quotas, "
        "or free some",
    )
    assert quota_check(ELASTIC_IPS, value=5, used=1, needed=3, assumed=True) == DoctorCheck(
        name="quota: EC2-VPC Elastic IPs",
        status="pass",
        detail="3 needed, 4 free (1 used of AWS's default 5; the applied value could not be read)",
    )
    assert quota_check(ELASTIC_IPS, value=5, used=4, needed=3, assumed=True) == DoctorCheck(
        name="quota: EC2-VPC Elastic IPs",
        status="warn",
        detail="3 needed, 1 free (4 used of AWS's default 5; the applied value could not be read)",
        fix="check 'EC2-VPC Elastic IPs' (ec2 L-0263D0A3) in Service Quotas",
    )
    assert quota_check(VPCS, value=None, used=1, needed=1) == DoctorCheck(
        name="quota: VPCs per Region",
        status="warn",
        detail="could not read the quota; 1 used, 1 needed",
        fix="check 'VPCs per Region' (vpc L-F678F1CE) in Service Quotas",
    )


def test_version_check() -> None:
    live = [
        {"clusterVersion": "1.35", "versionStatus": "STANDARD_SUPPORT"},
        {"clusterVersion": "1.33", "versionStatus": "EXTENDED_SUPPORT"},
        {"clusterVersion": "1.28", "versionStatus": "UNSUPPORTED"},
    ]
    assert version_check("1.35", live) == DoctorCheck(
        name="kubernetes version", status="pass", detail="EKS offers 1.35 (STANDARD_SUPPORT)"
    )
    assert version_check("1.28", live).status == "fail"
    assert version_check("1.34", live) == DoctorCheck(
        name="kubernetes version",
        status="fail",
        detail="EKS does not offer 1.34 (offered: 1.28, 1.33, 1.35)",
        fix="set argosy:cluster.version to an offered version",
    )
    assert version_check("1.35", None, "NotImplemented") == DoctorCheck(
        name="kubernetes version",
        status="warn",
        detail="1.35 is in standard support per argosy's table of 2026-11-21; EKS's live list "
        "was unavailable (NotImplemented)",
        fix="check with: aws eks describe-cluster-versions",
    )


def test_live_version_list_through_the_api(aws: None, tmp_path: Path) -> None:
    """The live path: EKS's answer, stubbed where moto has none (DescribeClusterVersions)."""
    from botocore.stub import Stubber

    from argosy.aws import doctor as doctor_module

    api = AwsApi(session_in(DEV), REGION)
    eks = api.client("eks")
    with Stubber(eks) as stub:
        stub.add_response(
            "describe_cluster_versions",
            {"clusterVersions": [{"clusterVersion": "1.35", "versionStatus": "STANDARD_SUPPORT"}]},
        )
        [check] = doctor_module._kubernetes_version(api, example_stage(), None)  # type: ignore[arg-type]
    assert check == DoctorCheck(
        name="kubernetes version", status="pass", detail="EKS offers 1.35 (STANDARD_SUPPORT)"
    )
