"""The stage's EKS cluster, its endpoint, logging and node groups: ``argosy:cluster``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, ValidationInfo, ValidatorFunctionWrapHandler, field_validator

from argosy.config import eks_versions
from argosy.config.models.base import (
    INVALID,
    Model,
    StrictBool,
    StrictInt,
    Violation,
    collect,
    is_production,
    repeated,
    unused_name,
    violation,
)
from argosy.config.models.scalars import (
    AddonVersion,
    DnsLabel,
    EksKubernetesVersion,
    InstanceType,
    LabelKey,
    LabelValue,
    PublicAccessCidr,
    RetentionDays,
    TaintKey,
    TaintValue,
    is_arm_instance_type,
    is_instance_type,
)

LogType = Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]
ALL_LOG_TYPES: tuple[LogType, ...] = (
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
)


class EndpointSettings(Model):
    """Who reaches the Kubernetes API: ``argosy:cluster.endpoint``.

    The private endpoint is always on (nodes and in-VPC tooling use it).
    """

    public_access: StrictBool = Field(
        default=False,
        description="Expose the API endpoint publicly as well (EKS endpointPublicAccess). "
        "Never in production.",
        examples=[False],
    )
    public_access_cidrs: tuple[PublicAccessCidr, ...] = Field(
        default=(),
        validate_default=True,
        description="Public ranges allowed to reach a public endpoint (EKS publicAccessCidrs); "
        "required with publicAccess, never 0.0.0.0/0.",
        examples=[["203.0.113.0/24"]],
    )

    @field_validator("public_access")
    @classmethod
    def _private_in_production(cls, value: bool, info: ValidationInfo) -> bool:
        if value and is_production(info):
            violation(
                "a production API endpoint is private only (CIS EKS 5.4.2); reach it through "
                "the VPC, a VPN or a bastion",
                "publicAccess: false",
            )
        return value

    @field_validator("public_access_cidrs")
    @classmethod
    def _cidrs_match_access(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        public = info.data.get("public_access")
        if public is True and not value:
            violation(
                "a public endpoint needs the ranges allowed to reach it; without them EKS "
                "opens it to 0.0.0.0/0",
                "publicAccessCidrs: [203.0.113.0/24]",
            )
        if public is False and value:
            violation(
                "publicAccessCidrs only apply with publicAccess: true; remove them",
                "publicAccessCidrs: []",
            )
        return value


class LoggingSettings(Model):
    """Control-plane logging: ``argosy:cluster.logging``."""

    types: tuple[LogType, ...] = Field(
        default=ALL_LOG_TYPES,
        description="Control-plane log types sent to CloudWatch (EKS enabledClusterLogTypes). "
        "Default and required in production: all five.",
        examples=[list(ALL_LOG_TYPES)],
    )
    retention_days: RetentionDays = Field(
        default=90,
        description="Days CloudWatch keeps the control-plane logs (log group retentionInDays).",
        examples=[90],
    )

    @field_validator("types", mode="wrap")
    @classmethod
    def _all_types_in_production(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        example = f"types: [{', '.join(ALL_LOG_TYPES)}]"

        def checks(raw: Any, _: Any) -> list[Violation]:
            if not isinstance(raw, list | tuple):
                return []
            found = [
                Violation(
                    (i,),
                    raw[i],
                    f"each log type at most once; types[{first}] is {raw[i]} too",
                    example,
                )
                for i, first in repeated(raw)
            ]
            missing = [t for t in ALL_LOG_TYPES if t not in raw]
            if missing and is_production(info):
                found.append(
                    Violation(
                        (),
                        raw,
                        "production enables every control-plane log type (CIS EKS 2.1.1); "
                        "missing: " + ", ".join(missing),
                        example,
                    )
                )
            return found

        return collect(value, handler, checks)


TaintEffect = Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]
CapacityType = Literal["ON_DEMAND", "SPOT"]
#: Taints the system add-ons (coredns, ebs-csi controller) tolerate.
SYSTEM_TOLERATED_TAINT_KEYS = frozenset({"CriticalAddonsOnly"})


class Taint(Model):
    """A Kubernetes taint put on every node of a group (EKS node group taints)."""

    key: TaintKey = Field(description="Taint key.", examples=["dedicated"])
    value: TaintValue = Field(default="", description="Taint value.", examples=["batch"])
    effect: TaintEffect = Field(
        description="EKS spelling of the effect: NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE.",
        examples=["NO_SCHEDULE"],
    )


class NodeGroupSettings(Model):
    """One EKS managed node group: an item of ``argosy:cluster.nodeGroups``."""

    name: DnsLabel = Field(
        description="Short name, unique in the cluster; the group's name is derived from it.",
        examples=["system"],
    )
    instance_types: tuple[InstanceType, ...] = Field(
        min_length=1,
        max_length=20,
        description="EC2 instance types, all of one architecture (the AMI follows it: AL2023 "
        "arm64 for Graviton, x86_64 otherwise). Several types help spot capacity.",
        examples=[["m7g.large"]],
    )
    capacity_type: CapacityType = Field(
        default="ON_DEMAND",
        description="EKS capacityType: ON_DEMAND or SPOT.",
        examples=["ON_DEMAND"],
    )
    min_size: StrictInt = Field(
        ge=0, le=450, description="Fewest nodes (scalingConfig.minSize).", examples=[2]
    )
    desired_size: StrictInt = Field(
        ge=0,
        le=450,
        description="Nodes at creation (scalingConfig.desiredSize); later changes by an "
        "autoscaler are ignored, not reverted.",
        examples=[3],
    )
    max_size: StrictInt = Field(
        ge=1, le=450, description="Most nodes (scalingConfig.maxSize).", examples=[6]
    )
    disk_size_gib: StrictInt = Field(
        default=50,
        alias="diskSizeGiB",
        ge=20,
        le=16384,
        description="Root volume size in GiB (gp3, encrypted) on the launch template.",
        examples=[50],
    )
    labels: Mapping[LabelKey, LabelValue] = Field(
        default_factory=dict,
        description="Kubernetes labels on every node of the group.",
        examples=[{"argosy.dev/pool": "system"}],
    )
    taints: tuple[Taint, ...] = Field(
        default=(),
        max_length=50,
        description="Kubernetes taints on every node of the group.",
        examples=[[{"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}]],
    )

    @field_validator("instance_types", mode="wrap")
    @classmethod
    def _one_architecture(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        def checks(raw: Any, validated: Any) -> list[Violation]:
            if not isinstance(raw, list | tuple):
                return []
            # The list without its repeats and malformed types, when that is one architecture.
            usable = [
                t
                for i, t in enumerate(raw)
                if isinstance(t, str) and is_instance_type(t) and t not in raw[:i]
            ]
            if not usable or len({is_arm_instance_type(t) for t in usable}) > 1:
                usable = ["m7g.large", "m6g.large"]
            example = f"instanceTypes: [{', '.join(usable)}]"
            found = [
                Violation(
                    (i,),
                    raw[i],
                    f"each instance type at most once; instanceTypes[{first}] is {raw[i]} too",
                    example,
                )
                for i, first in repeated(raw)
            ]
            if validated is not INVALID and len({is_arm_instance_type(t) for t in raw}) > 1:
                found.append(
                    Violation(
                        (),
                        raw,
                        "all instance types of a group share one architecture (one AMI per "
                        "group); put Graviton and x86 types in separate groups",
                        "instanceTypes: [m7g.large, m6g.large]",
                    )
                )
            return found

        return collect(value, handler, checks)

    @field_validator("desired_size")
    @classmethod
    def _desired_at_least_min(cls, value: int, info: ValidationInfo) -> int:
        min_size = info.data.get("min_size")
        if min_size is not None and value < min_size:
            violation(
                f"desiredSize must be at least minSize ({min_size})", f"desiredSize: {min_size}"
            )
        return value

    @field_validator("max_size")
    @classmethod
    def _max_at_least_desired(cls, value: int, info: ValidationInfo) -> int:
        floor = max(info.data.get("min_size", 0), info.data.get("desired_size", 0))
        if value < floor:
            violation(
                f"maxSize must be at least minSize and desiredSize ({floor})", f"maxSize: {floor}"
            )
        return value

    @property
    def is_arm(self) -> bool:
        """Whether the group runs Graviton (arm64) instances."""
        return is_arm_instance_type(self.instance_types[0])

    @property
    def runs_system_pods(self) -> bool:
        """Whether coredns and other system add-ons can schedule onto this group."""
        return self.desired_size >= 1 and all(
            t.effect == "PREFER_NO_SCHEDULE" or t.key in SYSTEM_TOLERATED_TAINT_KEYS
            for t in self.taints
        )


UpgradePolicy = Literal["STANDARD", "EXTENDED"]
AddonName = Literal[
    "vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns", "aws-ebs-csi-driver"
]
EbsKey = Literal["aws-managed", "stage"]


class StorageSettings(Model):
    """Block storage: ``argosy:cluster.storage``.

    EBS encryption by default is always turned on for the stage's account and region (every
    new volume, the nodes' root volumes included, is encrypted), and the EBS CSI add-on
    declares the cluster's default StorageClass ``ebs-csi-default-sc`` (gp3, encrypted).
    """

    ebs_key: EbsKey = Field(
        default="aws-managed",
        description="The account's default EBS encryption key in the region (EC2 "
        "DefaultKmsKey): `aws-managed` (alias/aws/ebs) or `stage`, a customer-managed key of "
        "the stage (alias/argosy-<stage>-ebs, rotation on, usable only through EC2 in the "
        "account).",
        examples=["stage"],
    )


class ClusterSettings(Model):
    """The stage's EKS cluster: ``argosy:cluster``."""

    version: EksKubernetesVersion = Field(
        description="Kubernetes minor version of the control plane and the node groups, quoted.",
        examples=[eks_versions.newest_version()],
    )
    upgrade_policy: UpgradePolicy = Field(
        default="STANDARD",
        validate_default=True,
        description="EKS upgradePolicy.supportType. STANDARD: the cluster is upgraded when "
        "standard support ends; EXTENDED: it may stay 12 more months at a higher hourly price.",
        examples=["STANDARD"],
    )
    endpoint: EndpointSettings = Field(
        default_factory=EndpointSettings,
        description="API endpoint access (EKS vpcConfig).",
        examples=[{"publicAccess": False}],
    )
    logging: LoggingSettings = Field(
        default_factory=LoggingSettings,
        description="Control-plane logging.",
        examples=[{"retentionDays": 90}],
    )
    node_groups: tuple[NodeGroupSettings, ...] = Field(
        min_length=1,
        description="Managed node groups, in private subnets, on an IMDSv2-only launch template.",
        examples=[
            [
                {
                    "name": "system",
                    "instanceTypes": ["m7g.large"],
                    "minSize": 2,
                    "desiredSize": 3,
                    "maxSize": 6,
                }
            ]
        ],
    )
    storage: StorageSettings = Field(
        default_factory=StorageSettings,
        description="EBS encryption by default and its key.",
        examples=[{"ebsKey": "stage"}],
    )
    addon_versions: Mapping[AddonName, AddonVersion] = Field(
        default_factory=dict,
        description="Pinned EKS add-on versions (add-on addonVersion). An add-on left out gets "
        "the most recent version compatible with the cluster's Kubernetes version, looked up "
        "at every preview, so a cluster upgrade moves it along.",
        examples=[{"coredns": "v1.12.4-eksbuild.1"}],
    )

    @field_validator("upgrade_policy")
    @classmethod
    def _policy_matches_support(cls, value: str, info: ValidationInfo) -> str:
        version = info.data.get("version")
        standard = eks_versions.versions_with("STANDARD")
        if version is not None and value == "STANDARD" and version not in standard:
            violation(
                f"Kubernetes {version} is past standard support as of "
                f"{eks_versions.REVIEWED_ON.isoformat()}; pick a version in standard support "
                f"({', '.join(standard)}) or choose upgradePolicy: EXTENDED explicitly",
                "upgradePolicy: EXTENDED",
            )
        return value

    @field_validator("node_groups", mode="wrap")
    @classmethod
    def _groups_are_usable(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        def checks(raw: Any, validated: Any) -> list[Violation]:
            if not isinstance(raw, list | tuple):
                return []
            names = [_name_of(group) for group in raw]
            found = [
                Violation(
                    (i, "name"),
                    names[i],
                    f"node group names are unique in a cluster; nodeGroups[{first}] is named "
                    f"{names[i]} too",
                    f"name: {suggest_group_name(names, i, _GROUP_NAME_LIMIT)}",
                )
                for i, first in repeated(names)
            ]
            if validated is not INVALID and not any(g.runs_system_pods for g in validated):
                found.append(
                    Violation(
                        (),
                        raw,
                        "at least one node group must run system pods (coredns, ebs-csi): "
                        "desiredSize of 1 or more and no NoSchedule/NoExecute taint except "
                        "CriticalAddonsOnly",
                        "nodeGroups: [{name: system, instanceTypes: [m7g.large], minSize: 2, "
                        "desiredSize: 2, maxSize: 4}]",
                    )
                )
            return found

        def rewrite(loc: tuple[str | int, ...], example: str) -> str:
            if (
                len(loc) == 2
                and isinstance(loc[0], int)
                and loc[1] == "name"
                and isinstance(value, list | tuple)
            ):
                names = [_name_of(group) for group in value]
                return f"name: {suggest_group_name(names, loc[0])}"
            return example

        return collect(value, handler, checks, rewrite=rewrite)


def suggest_group_name(names: list[Any], index: int, limit: int = 63) -> str:
    """A valid name close to node group ``index``'s that no other group has."""
    written = names[index]
    text = written.lower() if isinstance(written, str) else ""
    text = re.sub(r"[^a-z0-9-]+", "-", text).strip("-")
    if len(text) > limit:
        # Cut at a word ('-') when that keeps most of the name.
        cut = text[: limit + 1].rfind("-")
        text = text[:cut] if cut >= limit // 2 else text[:limit]
    text = text.strip("-") or "system"
    return unused_name(text, names[:index] + names[index + 1 :], limit=limit)


#: Repeated node group names are suggested with a suffix, within the DNS label limit.
_GROUP_NAME_LIMIT = 63


def _name_of(group: Any) -> Any:
    if isinstance(group, NodeGroupSettings):
        return group.name
    return group.get("name") if isinstance(group, Mapping) else None
