"""doctor's bootstrap checks: what bootstrap owns is in place, and the stack file records it.

``argosy bootstrap`` creates the state bucket, the secrets key, GitHub's OIDC provider and the
deploy and preview roles, and writes the bucket and key into the stack file
(``secretsprovider``, ``argosy:backend``). Doctor reports bootstrap's own observation of the
account (:class:`~argosy.aws.bootstrap.Observation`), so the two never disagree about what is
missing or drifted, and every failure's fix is the bootstrap command that makes it right.
"""

from __future__ import annotations

from argosy.aws.bootstrap import Observation, Targets, targets_for
from argosy.aws.checks import DoctorCheck
from argosy.aws.client import AwsApi
from argosy.aws.errors import AwsProblemError
from argosy.config.errors import ConfigInvalidError
from argosy.config.source import StackFile
from argosy.config.stage import AwsStageConfig


def bootstrap_fix(stage: str) -> str:
    """The command that creates or repairs what bootstrap owns for ``stage``."""
    return f"python -m argosy bootstrap --stack {stage}"


def check_bootstrapped(
    api: AwsApi, config: AwsStageConfig, stack_file: StackFile
) -> list[DoctorCheck]:
    """Bootstrap's resources, one row each, then the stack file's records of them."""
    try:
        targets = targets_for(config)
    except ConfigInvalidError as exc:
        issue = exc.errors[0]
        return [
            DoctorCheck(
                name="argosy:bootstrap",
                status="fail",
                detail="not configured: the state bucket and roles cannot be checked",
                fix=f"add to {issue.file}: {issue.example}",
            )
        ]
    checks = []
    try:
        items = Observation(api=api, targets=targets).items()
    except AwsProblemError as exc:
        checks.append(
            DoctorCheck(name="bootstrap resources", status="fail", detail=exc.message, fix=exc.fix)
        )
        items = []
    for item in items:
        if item.state == "ok":
            checks.append(DoctorCheck(name=item.label, status="pass", detail=item.detail))
        else:
            checks.append(
                DoctorCheck(
                    name=item.label,
                    status="fail",
                    detail=f"{item.state}: {item.detail}",
                    fix=bootstrap_fix(config.stage),
                )
            )
    checks.extend(_stack_file(config, stack_file, targets))
    return checks


def _stack_file(
    config: AwsStageConfig, stack_file: StackFile, targets: Targets
) -> list[DoctorCheck]:
    fix = f"{bootstrap_fix(config.stage)} --write"
    checks = []
    if stack_file.secrets_provider == targets.secrets_provider:
        checks.append(
            DoctorCheck(
                name="stack secrets provider", status="pass", detail=targets.secrets_provider
            )
        )
    else:
        checks.append(
            DoctorCheck(
                name="stack secrets provider",
                status="fail",
                detail=f"{stack_file.source.file} has secretsprovider "
                f"{stack_file.secrets_provider or '(none)'}, not {targets.secrets_provider}",
                fix=fix,
            )
        )
    if config.backend == targets.backend_url:
        checks.append(DoctorCheck(name="state backend", status="pass", detail=targets.backend_url))
    else:
        checks.append(
            DoctorCheck(
                name="state backend",
                status="fail",
                detail=f"argosy:backend is {config.backend or '(not set)'}, not "
                f"{targets.backend_url}",
                fix=fix,
            )
        )
    return checks
