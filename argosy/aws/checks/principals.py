"""doctor's IAM checks: the principals the config names exist; the deploy role trusts itself.

Each catches, before ``pulumi up`` or ``bootstrap``, a refusal that AWS would only give
halfway through: EKS refuses an access entry for a missing principal after the cluster
exists, IAM refuses a trust policy naming one, and CI's provider cannot assume the deploy
role unless the role's trust lets it assume itself (see :mod:`argosy.aws.trust`).
"""

from __future__ import annotations

import botocore.exceptions

from argosy.aws.checks import DoctorCheck
from argosy.aws.checks.bootstrapped import bootstrap_fix
from argosy.aws.client import AwsApi, error_code
from argosy.aws.principals import missing_principals, short_name, what_to_create
from argosy.aws.trust import self_assume
from argosy.config.stage import AwsStageConfig


def check_deploy_role_self_assume(api: AwsApi, config: AwsStageConfig) -> list[DoctorCheck]:
    """Whether the deploy role's trust lets it assume itself, as CI's provider does."""
    arn = config.aws.deploy_role_arn
    name = arn.rsplit("/", 1)[-1]
    check = "deploy role self-assume"
    try:
        role = api.call("iam", "GetRole", resource=arn, RoleName=name)["Role"]
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) != "NoSuchEntity":
            raise
        # The "deploy role" row already fails with the fix; a second failure would repeat it.
        return [DoctorCheck(name=check, status="skip", detail=f"no role {name} to read")]
    verdict = self_assume(role.get("AssumeRolePolicyDocument") or {}, arn)
    if verdict.allowed:
        return [
            DoctorCheck(
                name=check, status="pass", detail=f"{name} may assume itself: {verdict.reason}"
            )
        ]
    return [
        DoctorCheck(
            name=check,
            status="fail",
            detail=f"{name} may not assume itself ({verdict.reason}); CI runs as the role and "
            "the Pulumi AWS provider assumes it again, so even `pulumi preview` would fail",
            fix=bootstrap_fix(config.stage),
        )
    ]


def check_principals(api: AwsApi, config: AwsStageConfig) -> list[DoctorCheck]:
    """Every IAM principal the config names exists: access entries, trusted principals."""
    # The deploy role is checked with bootstrap's items; validation keeps it out of admins.
    admins = [
        g.principal_arn
        for g in config.access.admins
        if g.principal_arn != config.aws.deploy_role_arn
    ]
    trusted = list(config.bootstrap.trusted_principals) if config.bootstrap else []
    named = (
        (
            "access principals",
            admins,
            "argosy:access.admins",
            "EKS refuses an access entry for a missing principal, after the cluster "
            "exists, leaving `pulumi up` half-applied",
        ),
        (
            "trusted principals",
            trusted,
            "argosy:bootstrap.trustedPrincipals",
            "IAM refuses a trust policy naming a missing principal, so bootstrap refuses to run",
        ),
    )
    return [
        _principals_check(api, config, name, arns, setting=setting, why=why)
        for name, arns, setting, why in named
        if arns
    ]


def _principals_check(
    api: AwsApi, config: AwsStageConfig, name: str, arns: list[str], *, setting: str, why: str
) -> DoctorCheck:
    """One row for the principals ``setting`` names: all exist, or which do not and ``why``."""
    missing = missing_principals(api, arns)
    if not missing:
        listed = ", ".join(short_name(a) for a in arns)
        return DoctorCheck(
            name=name,
            status="pass",
            detail=f"{len(arns)} exist: {listed}" if len(arns) > 1 else f"{listed} exists",
        )
    verb = "does" if len(missing) == 1 else "do"
    return DoctorCheck(
        name=name,
        status="fail",
        detail=f"{', '.join(missing)} {verb} not exist in account {config.aws.account_id}; {why}",
        fix=f"create {what_to_create(missing)}, or remove "
        f"{'it' if len(missing) == 1 else 'them'} from {setting} in {config.source.file}",
    )
