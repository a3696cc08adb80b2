"""doctor's capacity checks: the node groups' instance types exist, and the quotas have room.

A quota that is too small fails ``pulumi up`` partway, with resources already created; the
checks count what the stage will draw (:func:`stage_needs`) against what the account uses
and the quota allows (:func:`quota_check`), reading the quota's applied value, else AWS's
default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from argosy import naming
from argosy.aws.checks import DoctorCheck
from argosy.aws.client import AwsApi, error_code
from argosy.config.stage import AwsStageConfig


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


def check_quotas(api: AwsApi, config: AwsStageConfig) -> list[DoctorCheck]:
    """The instance types exist, then every quota the stage draws on has room for it."""
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
