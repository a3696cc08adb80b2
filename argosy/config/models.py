"""Typed, frozen models of a stage's configuration.

Each top-level ``argosy:<key>`` of a stack file is validated by one model here. Field names
are snake_case in Python and camelCase in the stack file. Every rule raises a
:func:`violation` carrying the rule text and a valid example, so that the error report can
name both; built-in pydantic checks (types, required fields, unknown fields) take their
example from the field's ``examples``.

Rules that need another top-level key (is the stage production? which account?) read it from
the validation context, built by :mod:`argosy.config.validate` before the models run.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, NoReturn

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from argosy.config import eks_versions

# --------------------------------------------------------------------------------------
# Rule plumbing


def violation(rule: str, example: str, *, field: str | None = None) -> NoReturn:
    """Fail validation with ``rule`` and a valid ``example`` (``key: value`` as in the file).

    ``field`` names a child field (camelCase) when a model-level check blames one field.
    """
    context: dict[str, Any] = {"rule": rule, "example": example}
    if field is not None:
        context["field"] = field
    raise PydanticCustomError("argosy", "{rule}", context)


def _context(info: ValidationInfo) -> Mapping[str, Any]:
    return info.context if isinstance(info.context, Mapping) else {}


def is_production(info: ValidationInfo) -> bool:
    """Whether the stage being validated declared ``argosy:production: true``."""
    return _context(info).get("production") is True


class Model(BaseModel):
    """Base of every config model: immutable, camelCase keys, unknown keys rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
    )


# --------------------------------------------------------------------------------------
# Scalar types with their rules

StrictStr = Annotated[str, Strict()]
StrictInt = Annotated[int, Strict()]
StrictBool = Annotated[bool, Strict()]

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$")
_IAM_PRINCIPAL_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(?P<account>[0-9]{12}):"
    r"(?P<kind>role|user)/(?P<path>(?:[\w+=,.@-]+/)*)(?P<name>[\w+=,.@-]{1,64})$"
)
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_INSTANCE_TYPE = re.compile(r"^(?P<family>[a-z][a-z0-9-]*)\.(?P<size>[a-z0-9-]+)$")
# Graviton families carry a "g" right after the generation digit: m7g, c6gn, r8gd, t4g, x2gd.
_ARM_FAMILY = re.compile(r"^(a1|[a-z]+[0-9]+g[a-z]*(-flex)?)$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_TAG_TEXT = re.compile(r"^[\w\s+=.:/@-]*$", re.UNICODE)
_ADDON_VERSION = re.compile(r"^v[0-9]+\.[0-9]+\.[0-9]+-eksbuild\.[0-9]+$")
_K8S_MINOR = re.compile(r"^1\.[0-9]{2}$")

PARTITION_OF_REGION_PREFIX: tuple[tuple[str, str], ...] = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
)


def partition_of(region: str) -> str:
    """The AWS partition a region belongs to (``aws`` for commercial regions)."""
    for prefix, partition in PARTITION_OF_REGION_PREFIX:
        if region.startswith(prefix):
            return partition
    return "aws"


def dns_suffix_of(partition: str) -> str:
    """The DNS suffix of service endpoints in a partition."""
    return {
        "aws-cn": "amazonaws.com.cn",
        "aws-iso": "c2s.ic.gov",
        "aws-iso-b": "sc2s.sgov.gov",
    }.get(partition, "amazonaws.com")


def reverse_dns_prefix_of(partition: str) -> str:
    """The prefix of service names in a partition (``com.amazonaws``, ``cn.com.amazonaws``)."""
    return ".".join(reversed(dns_suffix_of(partition).split(".")))


def _account_id(value: str) -> str:
    if not _ACCOUNT_ID.fullmatch(value):
        violation(
            "an AWS account ID is exactly 12 digits, written as a quoted string",
            'accountId: "111111111111"',
        )
    return value


def _region(value: str) -> str:
    if not _REGION.fullmatch(value):
        violation("an AWS region code such as eu-west-1 or us-east-1", "region: eu-west-1")
    return value


def dns_label(value: str) -> str:
    """Check a Kubernetes/DNS-1123 label: lowercase alphanumerics and '-', at most 63."""
    if len(value) > 63 or not _DNS_LABEL.fullmatch(value):
        violation(
            "a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and "
            "ending with a letter or digit",
            "name: system",
        )
    return value


def parse_ipv4_network(value: str, example: str) -> ipaddress.IPv4Network:
    """Parse ``value`` strictly as an IPv4 network (no host bits set) or fail with a rule."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ipaddress.AddressValueError:
        violation("an IPv4 network in CIDR notation, such as 10.20.0.0/16", example)
    except ValueError as exc:
        if "has host bits set" in str(exc):
            fixed = ipaddress.IPv4Network(value, strict=False)
            violation(
                f"the address must be the network's first address ({fixed} here), with no "
                "host bits set",
                example.split(":")[0] + f": {fixed}",
            )
        violation("an IPv4 network in CIDR notation, such as 10.20.0.0/16", example)


_RFC1918 = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)


def _vpc_cidr(value: str) -> str:
    network = parse_ipv4_network(value, "vpcCidr: 10.20.0.0/16")
    if not any(network.subnet_of(block) for block in _RFC1918):
        violation(
            "a private (RFC 1918) range inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
            "vpcCidr: 10.20.0.0/16",
        )
    if not 16 <= network.prefixlen <= 20:
        violation(
            "a prefix length from /16 to /20, large enough for pod IPs from the VPC CNI and "
            "within what a VPC allows",
            "vpcCidr: 10.20.0.0/16",
        )
    return value


def _subnet_cidr(value: str) -> str:
    parse_ipv4_network(value, "privateSubnets: [10.20.0.0/18, 10.20.64.0/18]")
    return value


#: Ranges no client on the internet comes from: private, shared (CGNAT), loopback,
#: link-local, multicast and reserved. (Python's ``is_global`` also rejects the RFC 5737
#: documentation ranges, which the examples use, so the ranges are listed here.)
_NOT_INTERNET = (
    *_RFC1918,
    *(
        ipaddress.IPv4Network(n)
        for n in ("0.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3")
    ),
)


def _public_access_cidr(value: str) -> str:
    network = parse_ipv4_network(value, "publicAccessCidrs: [203.0.113.0/24]")
    if network.prefixlen == 0:
        violation(
            "the public endpoint must not be open to the whole internet; list the ranges "
            "that need it (office, VPN, CI egress)",
            "publicAccessCidrs: [203.0.113.0/24]",
        )
    if any(network.overlaps(block) for block in _NOT_INTERNET):
        violation(
            "a public (globally routable) range; private ranges reach the private endpoint",
            "publicAccessCidrs: [203.0.113.0/24]",
        )
    return value


def _instance_type(value: str) -> str:
    if not _INSTANCE_TYPE.fullmatch(value):
        violation("an EC2 instance type such as m7g.large", "instanceTypes: [m7g.large]")
    return value


def is_arm_instance_type(instance_type: str) -> bool:
    """Whether an instance type runs on AWS Graviton (arm64)."""
    return bool(_ARM_FAMILY.fullmatch(instance_type.split(".", 1)[0]))


def _label_key(value: str) -> str:
    prefix, _, name = value.rpartition("/")
    if (
        not _LABEL_NAME.fullmatch(name)
        or len(name) > 63
        or (prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix)))
    ):
        violation(
            "a Kubernetes label key: an optional DNS subdomain prefix and '/', then at most 63 "
            "letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
            "labels: {argosy.dev/pool: system}",
        )
    return value


def _label_value(value: str) -> str:
    if value and (len(value) > 63 or not _LABEL_NAME.fullmatch(value)):
        violation(
            "a Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit",
            "labels: {argosy.dev/pool: system}",
        )
    return value


def _tag_key(value: str) -> str:
    if not 1 <= len(value) <= 128 or not _TAG_TEXT.fullmatch(value):
        violation(
            "an AWS tag key: 1 to 128 letters, digits, spaces or + - = . _ : / @",
            "tags: {cost-center: platform}",
        )
    if value.lower().startswith("aws:"):
        violation("the aws: prefix is reserved by AWS", "tags: {cost-center: platform}")
    return value


def _tag_value(value: str) -> str:
    if len(value) > 256 or not _TAG_TEXT.fullmatch(value):
        violation(
            "an AWS tag value: at most 256 letters, digits, spaces or + - = . _ : / @",
            "tags: {cost-center: platform}",
        )
    return value


def _k8s_minor(value: str) -> str:
    if not _K8S_MINOR.fullmatch(value):
        violation(
            "a Kubernetes minor version written as a quoted string (YAML reads 1.30 as the "
            "number 1.3)",
            f'version: "{eks_versions.newest_version()}"',
        )
    return value


def _eks_version(value: str) -> str:
    _k8s_minor(value)
    supported = eks_versions.supported_versions()
    if value not in supported:
        violation(
            f"a Kubernetes version EKS supports as of {eks_versions.REVIEWED_ON.isoformat()}: "
            f"{', '.join(supported)}",
            f'version: "{eks_versions.newest_version()}"',
        )
    return value


def _addon_version(value: str) -> str:
    if not _ADDON_VERSION.fullmatch(value):
        violation(
            "an EKS add-on version as listed by `aws eks describe-addon-versions`",
            "addonVersions: {coredns: v1.12.4-eksbuild.1}",
        )
    return value


AccountId = Annotated[StrictStr, AfterValidator(_account_id)]
Region = Annotated[StrictStr, AfterValidator(_region)]
DnsLabel = Annotated[StrictStr, AfterValidator(dns_label)]
VpcCidr = Annotated[StrictStr, AfterValidator(_vpc_cidr)]
SubnetCidr = Annotated[StrictStr, AfterValidator(_subnet_cidr)]
PublicAccessCidr = Annotated[StrictStr, AfterValidator(_public_access_cidr)]
InstanceType = Annotated[StrictStr, AfterValidator(_instance_type)]
LabelKey = Annotated[StrictStr, AfterValidator(_label_key)]
LabelValue = Annotated[StrictStr, AfterValidator(_label_value)]
TagKey = Annotated[StrictStr, AfterValidator(_tag_key)]
TagValue = Annotated[StrictStr, AfterValidator(_tag_value)]
KubernetesMinor = Annotated[StrictStr, AfterValidator(_k8s_minor)]
EksKubernetesVersion = Annotated[StrictStr, AfterValidator(_eks_version)]
AddonVersion = Annotated[StrictStr, AfterValidator(_addon_version)]


def _principal_arn(value: str, info: ValidationInfo, *, key: str, kinds: tuple[str, ...]) -> str:
    example = f"{key}: arn:aws:iam::111111111111:role/platform-admins"
    match = _IAM_PRINCIPAL_ARN.fullmatch(value)
    if match is None or match["kind"] not in kinds:
        what = " or ".join(f"IAM {k}" for k in kinds)
        violation(f"the ARN of an {what}", example)
    context = _context(info)
    account = context.get("account")
    if account is not None and match["account"] != account:
        violation(
            f"the principal must be in the stage's own account {account}; a stack only ever "
            "touches its own account",
            f"{key}: arn:aws:iam::{account}:role/{match['name']}",
        )
    partition = context.get("partition")
    if partition is not None and match["partition"] != partition:
        violation(
            f"the ARN's partition must be {partition}, the partition of the stage's region",
            f"{key}: arn:{partition}:iam::{match['account']}:role/{match['name']}",
        )
    return value


# --------------------------------------------------------------------------------------
# argosy:aws


class AwsSettings(Model):
    """The stage's AWS account: ``argosy:aws``."""

    account_id: AccountId = Field(
        description="The stage's AWS account ID (12 digits, quoted). Every AWS call of the "
        "stack is refused outside it (the provider's allowedAccountIds).",
        examples=["111111111111"],
    )
    region: Region = Field(
        description="The AWS region of the stage's resources.", examples=["eu-west-1"]
    )
    deploy_role_arn: StrictStr = Field(
        description="IAM role Pulumi assumes in the stage's account (provider assumeRoles); "
        "also the identity in the kubeconfig and a cluster-admin access entry.",
        examples=["arn:aws:iam::111111111111:role/argosy-deploy"],
    )

    @field_validator("deploy_role_arn")
    @classmethod
    def _deploy_role_in_stage_account(cls, value: str, info: ValidationInfo) -> str:
        example = "deployRoleArn: arn:aws:iam::111111111111:role/argosy-deploy"
        match = _IAM_PRINCIPAL_ARN.fullmatch(value)
        if match is None or match["kind"] != "role":
            violation("the ARN of an IAM role", example)
        account = info.data.get("account_id")
        if account is not None and match["account"] != account:
            violation(
                f"the deploy role must be in the stage's account {account} (accountId)",
                f"deployRoleArn: arn:aws:iam::{account}:role/{match['name']}",
            )
        region = info.data.get("region")
        if region is not None and match["partition"] != partition_of(region):
            violation(
                f"the ARN's partition must be {partition_of(region)}, the partition of {region}",
                f"deployRoleArn: arn:{partition_of(region)}:iam::{match['account']}:role/"
                f"{match['name']}",
            )
        return value

    @property
    def partition(self) -> str:
        """The AWS partition of the stage's region."""
        return partition_of(self.region)


# --------------------------------------------------------------------------------------
# argosy:network

NatMode = Literal["single", "per-az"]


class NetworkSettings(Model):
    """The stage's VPC: ``argosy:network``."""

    vpc_cidr: VpcCidr = Field(
        description="Private IPv4 range of the VPC, /16 to /20; must not overlap another stage.",
        examples=["10.20.0.0/16"],
    )
    az_count: StrictInt = Field(
        default=3,
        ge=2,
        le=6,
        description="Availability zones to spread subnets over (EKS needs at least 2).",
        examples=[3],
    )
    nat_gateways: NatMode = Field(
        default="per-az",
        description="`per-az`: one NAT gateway per zone (survives a zone outage); `single`: one "
        "for the whole VPC (cheaper, a single point of failure).",
        examples=["per-az"],
    )
    private_subnets: tuple[SubnetCidr, ...] | None = Field(
        default=None,
        description="Private subnet CIDRs, one per zone. Default: the VPC range split so that "
        "the private subnets take the first blocks (e.g. /18s of a /16).",
        examples=[["10.20.0.0/18", "10.20.64.0/18", "10.20.128.0/18"]],
    )
    public_subnets: tuple[SubnetCidr, ...] | None = Field(
        default=None,
        validate_default=True,
        description="Public subnet CIDRs, one per zone. Default: carved from the last block of "
        "the VPC range (e.g. /21s of a /16). Set both subnet lists or neither.",
        examples=[["10.20.192.0/21", "10.20.200.0/21", "10.20.208.0/21"]],
    )

    @field_validator("private_subnets", "public_subnets")
    @classmethod
    def _subnets_fit(
        cls, value: tuple[str, ...] | None, info: ValidationInfo
    ) -> tuple[str, ...] | None:
        key = to_camel(info.field_name or "")
        private_known = "private_subnets" in info.data
        if (
            key == "publicSubnets"
            and private_known
            and (value is None) != (info.data["private_subnets"] is None)
        ):
            missing = "publicSubnets" if value is None else "privateSubnets"
            violation(
                "set privateSubnets and publicSubnets together, or neither to derive both "
                f"from vpcCidr; {missing} is missing",
                f"{missing}: [10.20.0.0/18, 10.20.64.0/18, 10.20.128.0/18]",
            )
        if value is None:
            return value
        example = f"{key}: [10.20.0.0/18, 10.20.64.0/18, 10.20.128.0/18]"
        az_count = info.data.get("az_count")
        if az_count is not None and len(value) != az_count:
            violation(f"one subnet per availability zone: {az_count} (azCount)", example)
        networks = [ipaddress.IPv4Network(v) for v in value]
        vpc_text = info.data.get("vpc_cidr")
        if vpc_text is not None:
            vpc = ipaddress.IPv4Network(vpc_text)
            for network in networks:
                if not network.subnet_of(vpc):
                    violation(f"every subnet must sit inside the VPC range {vpc}", example)
        others = list(networks)
        if key == "publicSubnets" and info.data.get("private_subnets"):
            others += [ipaddress.IPv4Network(v) for v in info.data["private_subnets"]]
        for i, network in enumerate(networks):
            for j, other in enumerate(others):
                if i != j and network.overlaps(other):
                    violation(f"subnets must not overlap: {network} and {other} do", example)
        return value


# --------------------------------------------------------------------------------------
# argosy:cluster

LogType = Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]
ALL_LOG_TYPES: tuple[LogType, ...] = (
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
)
#: Retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


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
    retention_days: StrictInt = Field(
        default=90,
        description="Days CloudWatch keeps the control-plane logs (log group retentionInDays).",
        examples=[90],
    )

    @field_validator("types")
    @classmethod
    def _all_types_in_production(
        cls, value: tuple[str, ...], info: ValidationInfo
    ) -> tuple[str, ...]:
        example = f"types: [{', '.join(ALL_LOG_TYPES)}]"
        if len(set(value)) != len(value):
            violation("each log type at most once", example)
        missing = [t for t in ALL_LOG_TYPES if t not in value]
        if missing and is_production(info):
            violation(
                "production enables every control-plane log type (CIS EKS 2.1.1); missing: "
                + ", ".join(missing),
                example,
            )
        return value

    @field_validator("retention_days")
    @classmethod
    def _retention_allowed(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            violation(
                "one of the retention periods CloudWatch Logs accepts: "
                + ", ".join(map(str, LOG_RETENTION_DAYS)),
                "retentionDays: 90",
            )
        return value


TaintEffect = Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]
CapacityType = Literal["ON_DEMAND", "SPOT"]
#: Taints the system add-ons (coredns, ebs-csi controller) tolerate.
SYSTEM_TOLERATED_TAINT_KEYS = frozenset({"CriticalAddonsOnly"})


class Taint(Model):
    """A Kubernetes taint put on every node of a group (EKS node group taints)."""

    key: LabelKey = Field(description="Taint key.", examples=["dedicated"])
    value: LabelValue = Field(default="", description="Taint value.", examples=["batch"])
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

    @field_validator("instance_types")
    @classmethod
    def _one_architecture(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            violation("each instance type at most once", "instanceTypes: [m7g.large, m6g.large]")
        arches = {is_arm_instance_type(t) for t in value}
        if len(arches) > 1:
            violation(
                "all instance types of a group share one architecture (one AMI per group); "
                "put Graviton and x86 types in separate groups",
                "instanceTypes: [m7g.large, m6g.large]",
            )
        return value

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
AddonName = Literal["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"]


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
    addon_versions: Mapping[AddonName, AddonVersion] = Field(
        default_factory=dict,
        description="Pinned EKS add-on versions; an add-on left out gets EKS's default version "
        "for the cluster version when it is created.",
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

    @field_validator("node_groups")
    @classmethod
    def _groups_are_usable(
        cls, value: tuple[NodeGroupSettings, ...]
    ) -> tuple[NodeGroupSettings, ...]:
        names = [g.name for g in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            violation(
                f"node group names are unique in a cluster; repeated: {', '.join(duplicates)}",
                "nodeGroups: [{name: system, ...}, {name: workloads, ...}]",
            )
        if not any(g.runs_system_pods for g in value):
            violation(
                "at least one node group must run system pods (coredns, ebs-csi): desiredSize "
                "of 1 or more and no NoSchedule/NoExecute taint except CriticalAddonsOnly",
                "nodeGroups: [{name: system, instanceTypes: [m7g.large], minSize: 2, "
                "desiredSize: 2, maxSize: 4}]",
            )
        return value


# --------------------------------------------------------------------------------------
# argosy:access

AccessPolicy = Literal["cluster-admin", "admin", "edit", "view"]

#: EKS access policies behind the short names used in config.
ACCESS_POLICY_NAMES: dict[str, str] = {
    "cluster-admin": "AmazonEKSClusterAdminPolicy",
    "admin": "AmazonEKSAdminPolicy",
    "edit": "AmazonEKSEditPolicy",
    "view": "AmazonEKSViewPolicy",
}


class AccessGrant(Model):
    """One IAM principal given Kubernetes access through an EKS access entry."""

    principal_arn: StrictStr = Field(
        description="IAM role or user ARN in the stage's account. For IAM Identity Center "
        "roles, drop the aws-reserved/sso.amazonaws.com/ path, as EKS requires.",
        examples=["arn:aws:iam::111111111111:role/platform-admins"],
    )
    policy: AccessPolicy = Field(
        description="EKS access policy: cluster-admin (AmazonEKSClusterAdminPolicy), admin, "
        "edit or view.",
        examples=["cluster-admin"],
    )
    namespaces: tuple[DnsLabel, ...] = Field(
        default=(),
        description="Limit the policy to these namespaces; empty means the whole cluster.",
        examples=[["team-a"]],
    )

    @field_validator("principal_arn")
    @classmethod
    def _principal(cls, value: str, info: ValidationInfo) -> str:
        _principal_arn(value, info, key="principalArn", kinds=("role", "user"))
        match = _IAM_PRINCIPAL_ARN.fullmatch(value)
        assert match is not None  # checked by _principal_arn
        if match["path"].startswith("aws-reserved/sso.amazonaws.com/"):
            violation(
                "EKS access entries take an Identity Center role's ARN without its path",
                f"principalArn: arn:{match['partition']}:iam::{match['account']}:role/"
                f"{match['name']}",
            )
        if value == _context(info).get("deploy_role_arn"):
            violation(
                "the deploy role (aws.deployRoleArn) is a cluster admin already; remove it here",
                "principalArn: arn:aws:iam::111111111111:role/platform-admins",
            )
        return value

    @field_validator("namespaces")
    @classmethod
    def _scope_fits_policy(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if value and info.data.get("policy") == "cluster-admin":
            violation(
                "cluster-admin is cluster-wide; use admin, edit or view to scope by namespace",
                "policy: admin",
            )
        return value


class AccessSettings(Model):
    """Who gets Kubernetes access: ``argosy:access``."""

    admins: tuple[AccessGrant, ...] = Field(
        default=(),
        description="IAM principals and their EKS access policies. The deploy role is added "
        "as cluster-admin automatically.",
        examples=[
            [
                {
                    "principalArn": "arn:aws:iam::111111111111:role/platform-admins",
                    "policy": "cluster-admin",
                }
            ]
        ],
    )

    @field_validator("admins")
    @classmethod
    def _unique_principals(cls, value: tuple[AccessGrant, ...]) -> tuple[AccessGrant, ...]:
        arns = [g.principal_arn for g in value]
        repeated = sorted({a for a in arns if arns.count(a) > 1})
        if repeated:
            violation(
                "one access entry per principal; merge the grants of: " + ", ".join(repeated),
                "admins: [{principalArn: arn:aws:iam::111111111111:role/platform-admins, "
                "policy: cluster-admin}]",
            )
        return value


# --------------------------------------------------------------------------------------
# argosy:kubernetes (local stages)


class LocalKubernetesSettings(Model):
    """The existing cluster a ``local`` stage deploys to: ``argosy:kubernetes``."""

    context: StrictStr = Field(
        min_length=1,
        description="kubeconfig context of the kind or k3d cluster.",
        examples=["kind-argosy"],
    )
    kubeconfig: StrictStr | None = Field(
        default=None,
        min_length=1,
        description="Path of the kubeconfig file; unset uses $KUBECONFIG or ~/.kube/config.",
        examples=["~/.kube/config"],
    )
    version: KubernetesMinor = Field(
        default=eks_versions.newest_version(),
        description="Kubernetes minor version of the cluster; manifests are validated "
        "against its schemas.",
        examples=[eks_versions.newest_version()],
    )


# --------------------------------------------------------------------------------------
# argosy:bootstrap and argosy:backend (read by `argosy bootstrap` and `argosy doctor`)

_GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_GITHUB_ENVIRONMENT = re.compile(r"^[^'\"`,;\\]{1,255}$")
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


def _github_repository(value: str) -> str:
    if not _GITHUB_REPOSITORY.fullmatch(value):
        violation("a GitHub repository as owner/name", "githubRepository: acme/platform")
    return value


def _github_environment(value: str) -> str:
    if not _GITHUB_ENVIRONMENT.fullmatch(value):
        violation(
            "a GitHub environment name: 1 to 255 characters, none of ' \" ` , ; \\",
            "githubEnvironment: production",
        )
    return value


def bucket_name(value: str) -> str:
    """Check an S3 bucket name against the general purpose bucket naming rules."""
    if (
        not _BUCKET_NAME.fullmatch(value)
        or ".." in value
        or re.fullmatch(r"\d+\.\d+\.\d+\.\d+", value)
        or value.startswith(("xn--", "sthree-"))
        or value.endswith(("-s3alias", "--ol-s3"))
    ):
        violation(
            "an S3 bucket name: 3 to 63 lowercase letters, digits, '.' or '-', starting and "
            "ending with a letter or digit, not shaped like an IP address",
            "stateBucket: acme-pulumi-state-dev",
        )
    return value


def _role_name(value: str) -> str:
    if not _ROLE_NAME.fullmatch(value):
        violation(
            "an IAM role name: 1 to 64 letters, digits or + = , . @ _ -",
            "previewRoleName: argosy-preview",
        )
    return value


GithubRepository = Annotated[StrictStr, AfterValidator(_github_repository)]
GithubEnvironment = Annotated[StrictStr, AfterValidator(_github_environment)]
BucketName = Annotated[StrictStr, AfterValidator(bucket_name)]
RoleName = Annotated[StrictStr, AfterValidator(_role_name)]


class BootstrapSettings(Model):
    """What ``argosy bootstrap`` creates in the stage's account: ``argosy:bootstrap``."""

    github_repository: GithubRepository = Field(
        description="The repository whose GitHub Actions may deploy (main branch or the "
        "protected environment) and preview (pull requests), through GitHub's OIDC provider.",
        examples=["acme/platform"],
    )
    github_environment: GithubEnvironment | None = Field(
        default=None,
        description="The protected GitHub environment allowed to deploy. Default: the stage's "
        "name.",
        examples=["production"],
    )
    trusted_principals: tuple[StrictStr, ...] = Field(
        default=(),
        description="IAM principals of the stage's account that may assume the deploy and "
        "preview roles (people, break-glass roles). Default: the account itself, so that IAM "
        "policies decide.",
        examples=[["arn:aws:iam::111111111111:role/platform-admins"]],
    )
    state_bucket: BucketName | None = Field(
        default=None,
        description="Name of the S3 bucket for Pulumi state. Default: "
        "argosy-state-<account>-<region>.",
        examples=["acme-pulumi-state-dev"],
    )
    preview_role_name: RoleName = Field(
        default="argosy-preview",
        description="Name of the read-only role GitHub Actions assume to preview pull requests.",
        examples=["argosy-preview"],
    )
    noncurrent_version_days: StrictInt = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days the state bucket keeps a replaced version of a state file.",
        examples=[90],
    )

    @field_validator("trusted_principals")
    @classmethod
    def _principals_in_account(
        cls, value: tuple[str, ...], info: ValidationInfo
    ) -> tuple[str, ...]:
        for arn in value:
            _principal_arn(arn, info, key="trustedPrincipals", kinds=("role", "user"))
        return value


def _backend_url(value: str) -> str:
    if not value.startswith("s3://"):
        violation(
            "the stage's Pulumi state backend, an s3:// URL as `argosy bootstrap --write` "
            "records it",
            "argosy:backend: s3://argosy-state-111111111111-eu-west-1?region=eu-west-1&awssdk=v2",
        )
    return value


BackendUrl = Annotated[StrictStr, AfterValidator(_backend_url)]


#: Tag keys argosy sets on every AWS resource through the provider's default tags.
RESERVED_TAG_KEYS: tuple[str, ...] = ("managed-by", "project", "stage")
#: AWS allows 50 tags per resource.
MAX_USER_TAGS = 50 - len(RESERVED_TAG_KEYS)


def check_tags(value: Mapping[str, str]) -> Mapping[str, str]:
    """Rules for ``argosy:tags`` beyond each key and value's own format."""
    reserved = sorted(k for k in value if k.lower() in RESERVED_TAG_KEYS)
    if reserved:
        violation(
            f"{', '.join(RESERVED_TAG_KEYS)} are set by argosy on every resource; "
            f"choose other keys than {', '.join(reserved)}",
            "tags: {cost-center: platform}",
        )
    if len(value) > MAX_USER_TAGS:
        violation(
            f"at most {MAX_USER_TAGS} tags (AWS allows 50 per resource, argosy sets "
            f"{len(RESERVED_TAG_KEYS)})",
            "tags: {cost-center: platform}",
        )
    return value


Tags = Annotated[Mapping[TagKey, TagValue], AfterValidator(check_tags)]
