"""doctor's Kubernetes version check: EKS still supports the stage's version, long enough.

EKS upgrades a control plane itself when its version's support ends (standard support under
``upgradePolicy: STANDARD``, extended support otherwise), after which the stack declares a
version older than the cluster's and ``pulumi up`` fails. The check reads EKS's live
lifecycle list (``DescribeClusterVersions``), falls back to argosy's dated table
(:mod:`argosy.config.eks_versions`) when the list is unavailable, and judges both by the
same rules against an injectable today.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import botocore.exceptions

from argosy.aws.checks import DoctorCheck, Status
from argosy.aws.client import AwsApi, error_code
from argosy.config import eks_versions
from argosy.config.stage import AwsStageConfig

#: How many days ahead doctor warns that a version's support ends.
SUPPORT_WARNING_DAYS = 90
_LIST_FIX = "check with: aws eks describe-cluster-versions --include-all"


def utc_today() -> date:
    """Today's date in UTC: the day EKS's support dates are compared with."""
    return datetime.now(UTC).date()


def _day(value: Any) -> date | None:
    """A date from EKS's timestamps (botocore gives aware datetimes) or their ISO text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return _day(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def _minor(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()


def _minor_steps(version: str, newer: str) -> int:
    """How many minor versions lie between ``version`` and ``newer`` (1 when unclear)."""
    old, new = _minor(version), _minor(newer)
    if len(old) == len(new) == 2 and old[0] == new[0]:
        return new[1] - old[1]
    return 1


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@dataclass(frozen=True, kw_only=True)
class _Verdict:
    """A version's support on a day, under the cluster's upgrade policy."""

    status: Status
    #: What is wrong (warn, fail), or the support it has (pass): "standard support until ...".
    sentence: str
    fix: str = ""
    #: On a pass: the support the version has (EKS's spelling) and when it ends.
    support: str = ""
    until: date | None = None


def _verdict(
    version: str,
    *,
    upgrade_policy: str,
    today: date,
    standard_end: date | None,
    extended_end: date | None,
    reported: str,
    newer: str | None,
) -> _Verdict:
    """Judge a version from its support dates (and, from the live list, its reported status)."""

    def raise_to(by: date | None = None) -> str:
        text = f"raise argosy:cluster.version to {newer or 'a newer version'}"
        if by is not None:
            text += f" before {by}"
        if newer and _minor_steps(version, newer) > 1:
            # An existing cluster moves one minor version per update; EKS refuses bigger steps.
            text += ", one minor version per `pulumi up`"
        return text

    # EKS never downgrades: the stack would then declare a version older than the cluster's.
    downgrade = (
        f"after which the next `pulumi up` would ask EKS for a downgrade to {version}, "
        "which it refuses"
    )
    if reported == "UNSUPPORTED":
        ended = f" (extended support ended on {extended_end})" if extended_end else ""
        return _Verdict(
            status="fail", sentence=f"EKS reports {version} as UNSUPPORTED{ended}", fix=raise_to()
        )
    if extended_end is not None and today >= extended_end:
        return _Verdict(
            status="fail",
            sentence=f"{version}'s extended support ended on {extended_end}",
            fix=raise_to(),
        )
    past_standard = (standard_end is not None and today >= standard_end) or (
        reported == "EXTENDED_SUPPORT"
    )
    if past_standard and upgrade_policy == "STANDARD":
        when = (
            f"ended on {standard_end}"
            if standard_end is not None and today >= standard_end
            else "is over (EKS reports EXTENDED_SUPPORT)"
        )
        return _Verdict(
            status="fail",
            sentence=f"{version}'s standard support {when} and argosy:cluster.upgradePolicy is "
            f"STANDARD: EKS upgrades such a control plane itself, {downgrade}",
            fix=f"{raise_to()}, or set argosy:cluster.upgradePolicy: EXTENDED (billed at the "
            "extended-support rate)",
        )
    # Close to the end of the support the policy gives: EKS upgrades the cluster on that date.
    gives, end, policy = {
        "STANDARD": ("standard", standard_end, "with upgradePolicy STANDARD, "),
        "EXTENDED": ("extended", extended_end, ""),
    }.get(upgrade_policy, ("", None, ""))
    if end is not None and (left := (end - today).days) <= SUPPORT_WARNING_DAYS:
        return _Verdict(
            status="warn",
            sentence=f"{version}'s {gives} support ends on {end}, in {_days(left)}: "
            f"{policy}EKS upgrades the control plane itself on that date, {downgrade}",
            fix=raise_to(end),
        )
    kind, until = ("extended", extended_end) if past_standard else ("standard", standard_end)
    return _Verdict(
        status="pass",
        sentence=f"{kind} support" + (f" until {until}" if until else ""),
        support=f"{kind.upper()}_SUPPORT",
        until=until,
    )


def _reported_status(entry: Mapping[str, Any]) -> str:
    # versionStatus (UPPER_CASE) replaced the deprecated status (lower-case) in 2025.
    raw = str(entry.get("versionStatus") or entry.get("status") or "")
    return raw.upper().replace("-", "_")


def version_check(
    version: str,
    live: Sequence[Mapping[str, Any]] | None,
    why: str = "",
    *,
    upgrade_policy: str = "STANDARD",
    today: date,
) -> DoctorCheck:
    """Whether EKS supports ``version`` on ``today`` for a cluster under ``upgrade_policy``.

    From EKS's live list (``DescribeClusterVersions`` entries) when there is one: a failure
    when EKS does not offer the version, reports it unsupported, its extended support has
    ended, or its standard support has ended under upgradePolicy STANDARD; a warning within
    :data:`SUPPORT_WARNING_DAYS` of the end of the support the policy gives. When the live
    list is unavailable (``live`` is ``None``, ``why`` says why), argosy's dated table is
    judged the same way, and the result is at most a warning: the table may be stale.
    """
    if live is not None:
        return _live_version_check(version, live, upgrade_policy=upgrade_policy, today=today)
    entry = eks_versions.BY_VERSION.get(version)
    table = f"argosy's table of {eks_versions.REVIEWED_ON.isoformat()}"
    unavailable = f"EKS's live list was unavailable ({why})"
    if entry is None:
        return DoctorCheck(
            name="kubernetes version",
            status="warn",
            detail=f"{version} is not in {table}, and {unavailable}",
            fix=_LIST_FIX,
        )
    newer = [
        v.version
        for v in eks_versions.BY_VERSION.values()
        if _minor(v.version) > _minor(version) and v.support_on(today) == "STANDARD"
    ]
    verdict = _verdict(
        version,
        upgrade_policy=upgrade_policy,
        today=today,
        standard_end=entry.end_of_standard_support,
        extended_end=entry.end_of_extended_support,
        reported="",
        newer=min(newer, key=_minor) if newer else None,
    )
    said = f"{version} has {verdict.sentence}" if verdict.status == "pass" else verdict.sentence
    return DoctorCheck(
        name="kubernetes version",
        status="warn",
        detail=f"per {table}, {said}; {unavailable}",
        fix=verdict.fix or _LIST_FIX,
    )


def _live_version_check(
    version: str, live: Sequence[Mapping[str, Any]], *, upgrade_policy: str, today: date
) -> DoctorCheck:
    by_version: dict[str, Mapping[str, Any]] = {}
    for item in live:
        name = str(item.get("clusterVersion") or "")
        # One entry per version; should EKS list other cluster types too, prefer plain EKS.
        if name and (name not in by_version or str(item.get("clusterType", "")).lower() == "eks"):
            by_version[name] = item
    entry = by_version.get(version)
    if entry is None:
        offered = sorted(
            (v for v, e in by_version.items() if _reported_status(e) != "UNSUPPORTED"), key=_minor
        )
        return DoctorCheck(
            name="kubernetes version",
            status="fail",
            detail=f"EKS does not offer {version} (offered: {', '.join(offered) or 'none'})",
            fix="set argosy:cluster.version to an offered version",
        )
    standard_end = _day(entry.get("endOfStandardSupportDate"))
    extended_end = _day(entry.get("endOfExtendedSupportDate"))
    reported = _reported_status(entry)
    newer = [
        v
        for v, e in by_version.items()
        if _minor(v) > _minor(version) and _reported_status(e) == "STANDARD_SUPPORT"
    ]
    verdict = _verdict(
        version,
        upgrade_policy=upgrade_policy,
        today=today,
        standard_end=standard_end,
        extended_end=extended_end,
        reported=reported,
        newer=min(newer, key=_minor) if newer else None,
    )
    if verdict.status != "pass":
        return DoctorCheck(
            name="kubernetes version",
            status=verdict.status,
            detail=verdict.sentence,
            fix=verdict.fix,
        )
    until = f" until {verdict.until}" if verdict.until else ""
    return DoctorCheck(
        name="kubernetes version",
        status="pass",
        detail=f"EKS offers {version} ({reported or verdict.support}{until})",
    )


def _cluster_versions(api: AwsApi) -> list[dict[str, Any]]:
    """Every version EKS lists, through all pages."""
    versions: list[dict[str, Any]] = []
    # includeAll: every version EKS knows, not only its default selection, so a retired
    # version comes back with its status and dates instead of reading as "not offered".
    params: dict[str, Any] = {"includeAll": True}
    while True:
        answer = api.call("eks", "DescribeClusterVersions", **params)
        versions.extend(answer.get("clusterVersions", []))
        token = answer.get("nextToken")
        if not token:
            return versions
        params["nextToken"] = token


def check_kubernetes_version(api: AwsApi, config: AwsStageConfig, today: date) -> list[DoctorCheck]:
    """The version check of the stage's cluster: from EKS's live list, else argosy's table."""
    version, policy = config.cluster.version, config.cluster.upgrade_policy
    try:
        live = _cluster_versions(api)
    # Older endpoints (and emulators without the operation) cannot list versions: fall back.
    except (botocore.exceptions.ClientError, NotImplementedError) as exc:
        why = error_code(exc) if isinstance(exc, botocore.exceptions.ClientError) else str(exc)
        return [version_check(version, None, why, upgrade_policy=policy, today=today)]
    return [version_check(version, live, upgrade_policy=policy, today=today)]
