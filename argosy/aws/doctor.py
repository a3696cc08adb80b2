"""Preflight checks before ``pulumi up``: the right account, bootstrapped, with room to grow.

Every check is a row with a status and, when it does not pass, the fix. The checks read;
they never change anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import boto3
import botocore.exceptions

from argosy import naming
from argosy.aws.bootstrap import Observation, Targets, targets_for
from argosy.aws.client import AwsApi, connect, error_code
from argosy.aws.errors import AwsProblemError
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
) -> list[DoctorCheck]:
    """Every preflight check of a stage, in order; read-only."""
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
    for section in (_region, _bootstrapped, _quotas, _kubernetes_version):
        try:
            checks.extend(section(api, config, stack_file))
        except AwsProblemError as exc:
            checks.append(
                DoctorCheck(
                    name=section.__name__.strip("_"), status="fail", detail=exc.message, fix=exc.fix
                )
            )
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


def version_check(
    version: str, live: Sequence[dict[str, Any]] | None, why: str = ""
) -> DoctorCheck:
    """Whether EKS offers ``version``: from its live list, else from argosy's dated table."""
    if live is not None:
        by_version = {v.get("clusterVersion"): v for v in live}
        entry = by_version.get(version)
        if entry is None:
            offered = ", ".join(sorted(str(v) for v in by_version))
            return DoctorCheck(
                name="kubernetes version",
                status="fail",
                detail=f"EKS does not offer {version} (offered: {offered})",
                fix="set argosy:cluster.version to an offered version",
            )
        status = str(entry.get("versionStatus") or entry.get("status") or "")
        if "UNSUPPORTED" in status:
            return DoctorCheck(
                name="kubernetes version",
                status="fail",
                detail=f"{version} is {status}",
                fix="upgrade argosy:cluster.version",
            )
        return DoctorCheck(
            name="kubernetes version",
            status="pass",
            detail=f"EKS offers {version} ({status or 'supported'})",
        )
    support = eks_versions.BY_VERSION[version].support_on(eks_versions.REVIEWED_ON)
    return DoctorCheck(
        name="kubernetes version",
        status="warn",
        detail=f"{version} is in {str(support).lower()} support per argosy's table of "
        f"{eks_versions.REVIEWED_ON.isoformat()}; EKS's live list was unavailable ({why})",
        fix="check with: aws eks describe-cluster-versions",
    )


def _kubernetes_version(api: AwsApi, config: AwsStageConfig, _: StackFile) -> list[DoctorCheck]:
    version = config.cluster.version
    try:
        answer = api.call("eks", "DescribeClusterVersions")
    # Older endpoints (and emulators without the operation) cannot list versions: fall back.
    except (botocore.exceptions.ClientError, NotImplementedError) as exc:
        why = error_code(exc) if isinstance(exc, botocore.exceptions.ClientError) else str(exc)
        return [version_check(version, None, why)]
    return [version_check(version, answer.get("clusterVersions", []))]
