"""`argosy doctor` against moto, and its pure checks."""

from __future__ import annotations

import json
import shutil
from datetime import date
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
)
from argosy.config.source import read_stack_file
from argosy.config.validate import AwsStageConfig, validate_stage
from argosy.config.write import record_bootstrap
from tests.aws import (
    BOOTSTRAP_LABELS,
    REGION,
    create_roles,
    example_stage,
    policy_document,
    session_in,
)
from tests.conftest import REPO

DEV = "222222222222"
PROD = "444444444444"
TODAY = date(2026, 11, 21)


def stack_copy(tmp_path: Path, stack: str = "dev") -> Path:
    path = tmp_path / f"Pulumi.{stack}.yaml"
    shutil.copy(REPO / "stacks" / f"Pulumi.{stack}.yaml", path)
    return path


def doctor(path: Path, **kwargs: object) -> list[DoctorCheck]:
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    stack_file = read_stack_file(path, stack=stack)
    config = validate_stage(stack, stack_file.config, source=stack_file.source)
    assert isinstance(config, AwsStageConfig)
    return run_doctor(config, stack_file, today=lambda: TODAY, **kwargs)  # type: ignore[arg-type]


def bootstrapped(path: Path, account: str) -> None:
    """Bootstrap the stage of the stack file at ``path`` and record it there."""
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    targets = targets_for(example_stage(stack))
    bootstrap(AwsApi(session_in(account), REGION), targets)
    record_bootstrap(path, secrets_provider=targets.secrets_provider, backend=targets.backend_url)


def by_name(checks: list[DoctorCheck]) -> dict[str, DoctorCheck]:
    return {c.name: c for c in checks}


def test_passes_after_bootstrap(aws: None, tmp_path: Path) -> None:
    path = stack_copy(tmp_path)
    create_roles(DEV, "platform-admins", "developers")
    bootstrapped(path, DEV)
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
    assert by_name(checks)["deploy role self-assume"] == DoctorCheck(
        name="deploy role self-assume",
        status="pass",
        detail="argosy-deploy may assume itself: statement DeployRoleChainsToItself trusts the "
        "account, narrowed to this role by aws:PrincipalArn",
    )
    assert by_name(checks)["access principals"] == DoctorCheck(
        name="access principals",
        status="pass",
        detail="2 exist: role/platform-admins, role/developers",
    )
    assert "trusted principals" not in statuses  # dev trusts its account, not a list
    assert by_name(checks)["credentials"].detail == (
        f"arn:aws:sts::{DEV}:assumed-role/argosy-deploy/argosy-dev in stage dev's account {DEV}"
    )


def test_a_clean_account_fails_with_the_fix(aws: None, tmp_path: Path) -> None:
    checks = by_name(doctor(stack_copy(tmp_path)))
    for name in ("stack secrets key", "state bucket", "GitHub OIDC provider", "deploy role"):
        assert checks[name].status == "fail", name
        assert checks[name].fix == "python -m argosy bootstrap --stack dev"
    assert checks["stack secrets provider"].status == "fail"
    assert checks["deploy role self-assume"] == DoctorCheck(
        name="deploy role self-assume", status="skip", detail="no role argosy-deploy to read"
    )
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


def test_a_missing_access_principal_fails(aws: None, tmp_path: Path) -> None:
    path = stack_copy(tmp_path)
    create_roles(DEV, "platform-admins")
    check = by_name(doctor(path))["access principals"]
    assert check == DoctorCheck(
        name="access principals",
        status="fail",
        detail=f"arn:aws:iam::{DEV}:role/developers does not exist in account {DEV}; EKS refuses "
        "an access entry for a missing principal, after the cluster exists, leaving `pulumi up` "
        "half-applied",
        fix=f"create the role, or remove it from argosy:access.admins in {path}",
    )


def test_access_principals_may_be_users(aws: None, tmp_path: Path) -> None:
    path = stack_copy(tmp_path)
    path.write_text(
        path.read_text().replace(
            f"arn:aws:iam::{DEV}:role/developers", f"arn:aws:iam::{DEV}:user/alice"
        )
    )
    create_roles(DEV, "platform-admins")
    assert by_name(doctor(path))["access principals"].detail == (
        f"arn:aws:iam::{DEV}:user/alice does not exist in account {DEV}; EKS refuses an access "
        "entry for a missing principal, after the cluster exists, leaving `pulumi up` "
        "half-applied"
    )
    session_in(DEV).client("iam").create_user(UserName="alice")
    check = by_name(doctor(path))["access principals"]
    assert (check.status, check.detail) == ("pass", "2 exist: role/platform-admins, user/alice")


def test_prod_self_assume_missing_then_repaired(aws: None, tmp_path: Path) -> None:
    """Prod trusts a list of principals: an old trust leaves CI unable to chain into itself."""
    path = stack_copy(tmp_path, "prod")
    create_roles(PROD, "platform-admins", "developers")
    bootstrapped(path, PROD)
    checks = by_name(doctor(path))
    assert checks["deploy role self-assume"].status == "pass"
    assert checks["trusted principals"] == DoctorCheck(
        name="trusted principals", status="pass", detail="role/platform-admins exists"
    )

    # The trust bootstrap wrote before: GitHub and the trusted principals, not the role itself.
    iam = session_in(PROD).client("iam")
    role = iam.get_role(RoleName="argosy-deploy")["Role"]
    trust = policy_document(role["AssumeRolePolicyDocument"])
    old = [st for st in trust["Statement"] if st["Sid"] != "DeployRoleChainsToItself"]
    iam.update_assume_role_policy(
        RoleName="argosy-deploy", PolicyDocument=json.dumps({**trust, "Statement": old})
    )
    checks = by_name(doctor(path))
    assert checks["deploy role self-assume"] == DoctorCheck(
        name="deploy role self-assume",
        status="fail",
        detail="argosy-deploy may not assume itself (no statement allows it); CI runs as the "
        "role and the Pulumi AWS provider assumes it again, so even `pulumi preview` would fail",
        fix="python -m argosy bootstrap --stack prod",
    )
    assert checks["deploy role trust"].status == "fail"

    targets = targets_for(example_stage("prod"))
    repaired = bootstrap(AwsApi(session_in(PROD), REGION), targets)
    assert repaired.changes == ["reset the trust policy of argosy-deploy"]
    assert bootstrap(AwsApi(session_in(PROD), REGION), targets).changes == []
    checks = by_name(doctor(path))
    assert checks["deploy role self-assume"].status == "pass"
    assert [c for c in checks.values() if c.status == "fail"] == []


def test_a_missing_trusted_principal_fails(aws: None, tmp_path: Path) -> None:
    path = stack_copy(tmp_path, "prod")
    create_roles(PROD, "developers")
    checks = by_name(doctor(path))
    assert checks["trusted principals"] == DoctorCheck(
        name="trusted principals",
        status="fail",
        detail=f"arn:aws:iam::{PROD}:role/platform-admins does not exist in account {PROD}; IAM "
        "refuses a trust policy naming a missing principal, so bootstrap refuses to run",
        fix=f"create the role, or remove it from argosy:bootstrap.trustedPrincipals in {path}",
    )
    # The same principal is an access entry too: both settings name it.
    assert checks["access principals"].fix == (
        f"create the role, or remove it from argosy:access.admins in {path}"
    )
