"""Preflight checks before ``pulumi up``: the right account, bootstrapped, with room to grow.

Every check is a row with a status and, when it does not pass, the fix. The checks read;
they never change anything.

This module is the entry point: it connects (the credentials row), then runs the sections
in order, each from its module in :mod:`argosy.aws.checks`, turning a section's
:class:`~argosy.aws.errors.AwsProblemError` into one failed row so that the others still run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import boto3

from argosy.aws.checks import DoctorCheck
from argosy.aws.checks.argocd import check_argocd_version
from argosy.aws.checks.bootstrapped import check_bootstrapped
from argosy.aws.checks.kubernetes import check_kubernetes_version, utc_today, version_check
from argosy.aws.checks.principals import check_deploy_role_self_assume, check_principals
from argosy.aws.checks.quotas import ELASTIC_IPS, VPCS, check_quotas, quota_check, stage_needs
from argosy.aws.checks.region import check_region
from argosy.aws.client import connect
from argosy.aws.errors import AwsProblemError
from argosy.config.source import StackFile
from argosy.config.stage import AwsStageConfig

__all__ = [
    # Imported from here by the tests, from before the checks moved to argosy.aws.checks.
    "ELASTIC_IPS",
    "VPCS",
    "DoctorCheck",
    "quota_check",
    "run_doctor",
    "stage_needs",
    "utc_today",
    "version_check",
]


def run_doctor(
    config: AwsStageConfig,
    stack_file: StackFile,
    *,
    role_arn: str | None = None,
    session: boto3.Session | None = None,
    today: Callable[[], date] | None = None,
) -> list[DoctorCheck]:
    """Every preflight check of a stage, in order; read-only.

    ``today`` is the clock the Kubernetes version's support dates are compared with
    (default: today's date in UTC); tests pass a fixed one.
    """
    clock = today or utc_today
    try:
        api = connect(config, role_arn=role_arn, session=session)
    except AwsProblemError as exc:
        return [
            DoctorCheck(name="credentials", status="fail", detail=exc.message, fix=exc.fix),
            DoctorCheck(
                name="everything else",
                status="skip",
                detail="needs access to the stage's account",
            ),
        ]
    me = api.identity()
    checks = [
        DoctorCheck(
            name="credentials",
            status="pass",
            detail=f"{me.arn} in stage {config.stage}'s account {me.account}",
        )
    ]
    sections: list[tuple[str, Callable[[], list[DoctorCheck]]]] = [
        ("region", lambda: check_region(api, config)),
        ("bootstrapped", lambda: check_bootstrapped(api, config, stack_file)),
        ("deploy role self-assume", lambda: check_deploy_role_self_assume(api, config)),
        ("principals", lambda: check_principals(api, config)),
        ("quotas", lambda: check_quotas(api, config)),
        ("kubernetes version", lambda: check_kubernetes_version(api, config, clock())),
        ("argo cd version", lambda: check_argocd_version(api, config)),
    ]
    for name, section in sections:
        try:
            checks.extend(section())
        except AwsProblemError as exc:
            checks.append(DoctorCheck(name=name, status="fail", detail=exc.message, fix=exc.fix))
    return checks
