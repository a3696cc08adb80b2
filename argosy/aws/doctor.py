"""Preflight checks before ``pulumi up``: the right account, bootstrapped, with room to grow.

Every check is a row with a status and, when it does not pass, the fix. The checks read;
they never change anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import boto3
import botocore.exceptions

from argosy import naming
from argosy.aws.bootstrap import Observation, Targets, targets_for
from argosy.aws.client import AwsApi, connect, error_code
from argosy.aws.errors import AwsProblemError
from argosy.aws.principals import missing_principals, short_name, what_to_create
from argosy.aws.trust import self_assume
from argosy.config import eks_versions
from argosy.config.errors import ConfigInvalidError
from argosy.config.source import StackFile
from argosy.config.validate import AwsStageConfig

Status = Literal["pass", "warn", "fail", "skip"]


@dataclass(frozen=True, kw_only=True)
class DoctorCheck:
    """One preflight check: what was checked, how it went, and how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str = ""


@dataclass(frozen=True, kw_only=True)
class Quota:
    """A service quota the stage draws on (codes as Service Quotas names them)."""

    service: str
    code: str
    name: str
    #: AWS's default when the live value cannot be read; ``None`` where it varies by account.
    default: float | None


VPCS = Quota(service="vpc", code="L-F678F1CE", name="VPCs per Region", default=5)
ELASTIC_IPS = Quota(service="ec2", code="L-0263D0A3", name="EC2-VPC Elastic IPs", default=5)
CLUSTERS = Quota(service="eks", code="L-1194D53C", name="EKS clusters", default=100)
NODE_GROUPS = Quota(
    service="eks", code="L-6D54EA21", name="Managed node groups per cluster", default=30
)
ON_DEMAND_VCPUS = Quota(
    service="ec2",
    code="L-1216C47A",
    name="Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances, in vCPUs",
    default=None,
)
SPOT_VCPUS = Quota(
    service="ec2",
    code="L-34B43A08",
    name="All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests, in vCPUs",
    default=None,
)
#: Instance families counted by the standard vCPU quotas.
STANDARD_FAMILIES = frozenset("acdhimrtz")


def _bootstrap_fix(stage: str) -> str:
    return f"python -m argosy bootstrap --stack {stage}"


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
        ("region", lambda: _region(api, config, stack_file)),
        ("bootstrapped", lambda: _bootstrapped(api, config, stack_file)),
        ("deploy role self-assume", lambda: _deploy_role_self_assume(api, config)),
        ("principals", lambda: _principals(api, config)),
        ("quotas", lambda: _quotas(api, config, stack_file)),
        ("kubernetes version", lambda: _kubernetes_version(api, config, clock())),
    ]
    for name, section in sections:
        try:
            checks.extend(section())
        except AwsProblemError as exc:
            checks.append(DoctorCheck(name=name, status="fail", detail=exc.message, fix=exc.fix))
    return checks


def _region(api: AwsApi, config: AwsStageConfig, _: StackFile) -> list[DoctorCheck]:
    region = config.aws.region
    try:
        regions = api.call("ec2", "DescribeRegions", AllRegions=True)["Regions"]
    except botocore.exceptions.ClientError as exc:
        return [
            DoctorCheck(
                name="region",
                status="fail",
                detail=f"{region} does not answer ({error_code(exc)})",
                fix=f"enable the region: aws account enable-region --region-name {region}",
            )
        ]
    status = {r["RegionName"]: r.get("OptInStatus", "opt-in-not-required") for r in regions}
    if region not in status:
        return [
            DoctorCheck(
                name="region",
                status="fail",
                detail=f"{region} is not a region",
                fix="set argosy:aws.region to a region of the account",
            )
        ]
    if status[region] in ("opt-in-not-required", "opted-in"):
        return [DoctorCheck(name="region", status="pass", detail=f"{region} is enabled")]
    return [
        DoctorCheck(
            name="region",
            status="fail",
            detail=f"{region} is {status[region]}",
            fix=f"enable the region: aws account enable-region --region-name {region}",
        )
    ]


def _bootstrapped(api: AwsApi, config: AwsStageConfig, stack_file: StackFile) -> list[DoctorCheck]:
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
                    fix=_bootstrap_fix(config.stage),
                )
            )
    checks.extend(_stack_file(config, stack_file, targets))
    return checks


def _stack_file(
    config: AwsStageConfig, stack_file: StackFile, targets: Targets
) -> list[DoctorCheck]:
    fix = f"{_bootstrap_fix(config.stage)} --write"
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


def _deploy_role_self_assume(api: AwsApi, config: AwsStageConfig) -> list[DoctorCheck]:
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
            fix=_bootstrap_fix(config.stage),
        )
    ]


def _principals_check(
    name: str,
    arns: list[str],
    missing: list[str],
    *,
    account: str,
    setting: str,
    why: str,
    file: str,
) -> DoctorCheck:
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
        detail=f"{', '.join(missing)} {verb} not exist in account {account}; {why}",
        fix=f"create {what_to_create(missing)}, or remove "
        f"{'it' if len(missing) == 1 else 'them'} from {setting} in {file}",
    )


def _principals(api: AwsApi, config: AwsStageConfig) -> list[DoctorCheck]:
    """Every IAM principal the config names exists: access entries, trusted principals."""
    file = config.source.file
    checks = []
    # The deploy role is checked with bootstrap's items; validation keeps it out of admins.
    admins = [
        g.principal_arn
        for g in config.access.admins
        if g.principal_arn != config.aws.deploy_role_arn
    ]
    if admins:
        checks.append(
            _principals_check(
                "access principals",
                admins,
                missing_principals(api, admins),
                account=config.aws.account_id,
                setting="argosy:access.admins",
                why="EKS refuses an access entry for a missing principal, after the cluster "
                "exists, leaving `pulumi up` half-applied",
                file=file,
            )
        )
    trusted = list(config.bootstrap.trusted_principals) if config.bootstrap else []
    if trusted:
        checks.append(
            _principals_check(
                "trusted principals",
                trusted,
                missing_principals(api, trusted),
                account=config.aws.account_id,
                setting="argosy:bootstrap.trustedPrincipals",
                why="IAM refuses a trust policy naming a missing principal, so bootstrap "
                "refuses to run",
                file=file,
            )
        )
    return checks


# --------------------------------------------------------------------------------------
# Quotas


@dataclass(frozen=True, kw_only=True)
class Needs:
    """What a stage draws from each quota when it is first deployed."""

    vpcs: int
    elastic_ips: int
    clusters: int
    node_groups: int
    on_demand_vcpus: int
    spot_vcpus: int


def stage_needs(config: AwsStageConfig, vcpus: dict[str, int]) -> Needs:
    """The stage's needs; a node group counts at its maximum size, at its largest type."""
    groups = config.cluster.node_groups

    def vcpu_total(capacity: str) -> int:
        return sum(
            g.max_size * max(vcpus[t] for t in g.instance_types)
            for g in groups
            if g.capacity_type == capacity
        )

    return Needs(
        vpcs=1,
        elastic_ips=config.network.az_count if config.network.nat_gateways == "per-az" else 1,
        clusters=1,
        node_groups=len(groups),
        on_demand_vcpus=vcpu_total("ON_DEMAND"),
        spot_vcpus=vcpu_total("SPOT"),
    )


def quota_check(
    quota: Quota, *, value: float | None, used: int, needed: int, assumed: bool = False
) -> DoctorCheck:
    """Whether ``needed`` more fit under ``quota`` with ``used`` already taken.

    ``assumed`` marks ``value`` as AWS's documented default, used because the applied value
    could not be read: the stage fitting under it passes (quotas are raised, rarely lowered),
    not fitting only warns (the account may have a higher quota).
    """
    fix = (
        f"request an increase of '{quota.name}' ({quota.service} {quota.code}) in Service "
        "Quotas, or free some"
    )
    if value is None:
        return DoctorCheck(
            name=f"quota: {quota.name}",
            status="warn",
            detail=f"could not read the quota; {used} used, {needed} needed",
            fix=f"check '{quota.name}' ({quota.service} {quota.code}) in Service Quotas",
        )
    free = int(value) - used
    of = (
        f"of AWS's default {int(value)}; the applied value could not be read"
        if assumed
        else (f"of {int(value)}")
    )
    detail = f"{needed} needed, {free} free ({used} used {of})"
    if needed <= free:
        return DoctorCheck(name=f"quota: {quota.name}", status="pass", detail=detail)
    return DoctorCheck(
        name=f"quota: {quota.name}",
        status="warn" if assumed else "fail",
        detail=detail,
        fix=f"check '{quota.name}' ({quota.service} {quota.code}) in Service Quotas"
        if assumed
        else fix,
    )


def _quota_value(api: AwsApi, quota: Quota) -> tuple[float | None, bool]:
    """The applied quota value, else AWS's documented default (then ``True``), else ``None``."""
    for operation in ("GetServiceQuota", "GetAWSDefaultServiceQuota"):
        try:
            answer = api.call(
                "service-quotas", operation, ServiceCode=quota.service, QuotaCode=quota.code
            )
            return float(answer["Quota"]["Value"]), False
        # AWS answers an unknown quota with a ClientError; emulators (moto) that lack the
        # operation raise NotImplementedError. Either way: try the next source.
        except (botocore.exceptions.ClientError, NotImplementedError):
            continue
    return quota.default, True


def _instance_vcpus(api: AwsApi, types: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(types))
    answer = api.call("ec2", "DescribeInstanceTypes", InstanceTypes=wanted)
    return {t["InstanceType"]: int(t["VCpuInfo"]["DefaultVCpus"]) for t in answer["InstanceTypes"]}


def _quotas(api: AwsApi, config: AwsStageConfig, _: StackFile) -> list[DoctorCheck]:
    types = [t for g in config.cluster.node_groups for t in g.instance_types]
    try:
        vcpus = _instance_vcpus(api, types)
    except botocore.exceptions.ClientError as exc:
        return [
            DoctorCheck(
                name="instance types",
                status="fail",
                detail=f"not all of {', '.join(sorted(set(types)))} exist in "
                f"{config.aws.region} ({error_code(exc)})",
                fix="pick instance types offered in the region (aws ec2 "
                "describe-instance-type-offerings)",
            )
        ]
    checks = []
    unknown = sorted(set(types) - vcpus.keys())
    if unknown:
        return [
            DoctorCheck(
                name="instance types",
                status="fail",
                detail=f"not offered: {', '.join(unknown)}",
                fix="pick instance types offered in the region",
            )
        ]
    other_families = sorted({t for t in types if t[0] not in STANDARD_FAMILIES})
    if other_families:
        checks.append(
            DoctorCheck(
                name="instance types",
                status="warn",
                detail=f"{', '.join(other_families)} draw on quotas doctor does not check",
                fix="check their family's vCPU quota in Service Quotas",
            )
        )
    needs = stage_needs(config, vcpus)
    clusters = api.call("eks", "ListClusters")["clusters"]
    exists = naming.cluster_name(config.stage) in clusters
    if exists:
        # The stage's own VPC, addresses and cluster already count as used.
        needs = Needs(
            vpcs=0,
            elastic_ips=0,
            clusters=0,
            node_groups=needs.node_groups,
            on_demand_vcpus=0,
            spot_vcpus=0,
        )
    used_vcpus = _running_vcpus(api)
    usage = {
        VPCS: len(api.call("ec2", "DescribeVpcs")["Vpcs"]),
        ELASTIC_IPS: len(api.call("ec2", "DescribeAddresses")["Addresses"]),
        CLUSTERS: len(clusters),
        NODE_GROUPS: 0,
        ON_DEMAND_VCPUS: used_vcpus["on-demand"],
        SPOT_VCPUS: used_vcpus["spot"],
    }
    wanted = {
        VPCS: needs.vpcs,
        ELASTIC_IPS: needs.elastic_ips,
        CLUSTERS: needs.clusters,
        NODE_GROUPS: needs.node_groups,
        ON_DEMAND_VCPUS: needs.on_demand_vcpus,
        SPOT_VCPUS: needs.spot_vcpus,
    }
    for quota, needed in wanted.items():
        if needed == 0 and quota in (ON_DEMAND_VCPUS, SPOT_VCPUS) and not exists:
            continue  # no group of that capacity type
        value, assumed = _quota_value(api, quota)
        checks.append(
            quota_check(quota, value=value, used=usage[quota], needed=needed, assumed=assumed)
        )
    return checks


def _running_vcpus(api: AwsApi) -> dict[str, int]:
    instances: list[dict[str, Any]] = []
    answer = api.call(
        "ec2", "DescribeInstances", Filters=[{"Name": "instance-state-name", "Values": ["running"]}]
    )
    for reservation in answer.get("Reservations", []):
        instances.extend(reservation.get("Instances", []))
    standard = [i for i in instances if i["InstanceType"][0] in STANDARD_FAMILIES]
    vcpus = _instance_vcpus(api, [i["InstanceType"] for i in standard]) if standard else {}
    totals = {"on-demand": 0, "spot": 0}
    for instance in standard:
        kind = "spot" if instance.get("InstanceLifecycle") == "spot" else "on-demand"
        totals[kind] += vcpus.get(instance["InstanceType"], 0)
    return totals


# --------------------------------------------------------------------------------------
# Kubernetes version

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
    if upgrade_policy == "STANDARD" and standard_end is not None:
        left = (standard_end - today).days
        if left <= SUPPORT_WARNING_DAYS:
            return _Verdict(
                status="warn",
                sentence=f"{version}'s standard support ends on {standard_end}, in {_days(left)}: "
                f"with upgradePolicy STANDARD, EKS upgrades the control plane itself on that "
                f"date, {downgrade}",
                fix=raise_to(standard_end),
            )
    if upgrade_policy == "EXTENDED" and extended_end is not None:
        left = (extended_end - today).days
        if left <= SUPPORT_WARNING_DAYS:
            return _Verdict(
                status="warn",
                sentence=f"{version}'s extended support ends on {extended_end}, in {_days(left)}: "
                f"EKS upgrades the control plane itself on that date, {downgrade}",
                fix=raise_to(extended_end),
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


def _kubernetes_version(api: AwsApi, config: AwsStageConfig, today: date) -> list[DoctorCheck]:
    version, policy = config.cluster.version, config.cluster.upgrade_policy
    try:
        live = _cluster_versions(api)
    # Older endpoints (and emulators without the operation) cannot list versions: fall back.
    except (botocore.exceptions.ClientError, NotImplementedError) as exc:
        why = error_code(exc) if isinstance(exc, botocore.exceptions.ClientError) else str(exc)
        return [version_check(version, None, why, upgrade_policy=policy, today=today)]
    return [version_check(version, live, upgrade_policy=policy, today=today)]
