"""Scalar config types and their rules: accounts, regions, ranges, names, versions, ARNs."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, ValidationInfo

from argosy import patterns
from argosy.config import eks_versions, regions
from argosy.config.models.base import (
    StrictInt,
    StrictStr,
    example_account,
    example_partition,
    validation_context,
    violation,
)

IAM_PRINCIPAL_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(?P<account>[0-9]{12}):"
    r"(?P<kind>role|user)/(?P<path>(?:[\w+=,.@-]+/)*)(?P<name>[\w+=,.@-]{1,64})$"
)
_INSTANCE_TYPE = re.compile(r"^(?P<family>[a-z][a-z0-9-]*)\.(?P<size>[a-z0-9-]+)$")
# Graviton families carry a "g" right after the generation digit: m7g, c6gn, r8gd, t4g, x2gd.
_ARM_FAMILY = re.compile(r"^(a1|[a-z]+[0-9]+g[a-z]*(-flex)?)$")
_TAG_TEXT = re.compile(r"^[\w\s+=.:/@-]*$", re.UNICODE)
_ADDON_VERSION = re.compile(r"^v[0-9]+\.[0-9]+\.[0-9]+-eksbuild\.[0-9]+$")
_K8S_MINOR = re.compile(r"^1\.[0-9]{2}$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$")
_HTTPS_URL = re.compile(r"^https://[^\s/]+(/\S*)?$")
_ACM_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov):acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$"
)
#: A valid ``certificateArn`` line, for examples.
CERTIFICATE_ARN_EXAMPLE = (
    "certificateArn: arn:aws:acm:eu-west-1:111111111111:certificate/"
    "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)


def check_hostname(value: str | None, example: str) -> str | None:
    """``value`` if unset or a fully qualified lowercase host name; else a violation."""
    if value is not None and not _HOSTNAME.fullmatch(value):
        violation("a fully qualified host name in lowercase", example)
    return value


def check_https_url(value: str, example: str) -> str:
    """``value`` if an https URL; else a violation."""
    if not _HTTPS_URL.fullmatch(value):
        violation("an https URL", example)
    return value


def check_certificate_arn(value: str | None) -> str | None:
    """``value`` if unset or an ACM certificate ARN; else a violation."""
    if value is not None and not _ACM_ARN.fullmatch(value):
        violation("an ACM certificate ARN", CERTIFICATE_ARN_EXAMPLE)
    return value


def _account_id(value: str) -> str:
    if not patterns.ACCOUNT_ID.fullmatch(value):
        violation(
            "an AWS account ID is exactly 12 digits, written as a quoted string",
            'accountId: "111111111111"',
        )
    return value


#: A region to suggest in each partition when nothing written is close to a known region.
_DEFAULT_REGION = {"aws": "eu-west-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


def example_region(written: Any, context: Mapping[str, Any]) -> str:
    """The known region closest to ``written``; else a region of the deploy role's partition."""
    if isinstance(written, str):
        close = difflib.get_close_matches(written.lower(), list(regions.BY_CODE), n=1, cutoff=0.6)
        if close:
            return close[0]
    role_arn = context.get("deploy_role_arn")
    match = IAM_PRINCIPAL_ARN.fullmatch(role_arn) if isinstance(role_arn, str) else None
    return _DEFAULT_REGION.get(match["partition"] if match else "aws", "eu-west-1")


def _region(value: str, info: ValidationInfo) -> str:
    example = f"region: {example_region(value, validation_context(info))}"
    if not patterns.REGION.fullmatch(value):
        violation("an AWS region code such as eu-west-1 or us-east-1", example)
    if value not in regions.BY_CODE:
        violation(
            f"a region AWS offers; {value} is none of the {len(regions.REGIONS)} regions argosy "
            "knows (argosy/config/regions.py)",
            example,
        )
    return value


_DNS_LABEL_RULE = (
    "a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with "
    "a letter or digit"
)


def dns_label(value: str, example: str = "name: system") -> str:
    """Check a Kubernetes/DNS-1123 label: lowercase alphanumerics and '-', at most 63."""
    if len(value) > 63 or not patterns.DNS_LABEL.fullmatch(value):
        violation(_DNS_LABEL_RULE, example)
    return value


def _namespace(value: str) -> str:
    return dns_label(value, "namespaces: [team-a]")


def parse_ipv4_network(
    value: str,
    example: str,
    fixed: Callable[[ipaddress.IPv4Network], str | None] | None = None,
) -> ipaddress.IPv4Network:
    """Parse ``value`` strictly as an IPv4 network (no host bits set) or fail with a rule.

    With host bits set, the example is ``fixed(network)`` (the network the value means, as a
    ``key: value`` line) when that is valid (not ``None``), else ``example``.
    """
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ipaddress.AddressValueError:
        violation("an IPv4 network in CIDR notation, such as 10.20.0.0/16", example)
    except ValueError as exc:
        if "has host bits set" in str(exc):
            network = ipaddress.IPv4Network(value, strict=False)
            suggested = fixed(network) if fixed is not None else None
            violation(
                f"the address must be the network's first address ({network} here), with no "
                "host bits set",
                suggested or example,
            )
        violation("an IPv4 network in CIDR notation, such as 10.20.0.0/16", example)


_RFC1918 = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)


def _vpc_cidr_problem(network: ipaddress.IPv4Network) -> str | None:
    if not any(network.subnet_of(block) for block in _RFC1918):
        return "a private (RFC 1918) range inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"
    if not 16 <= network.prefixlen <= 20:
        return (
            "a prefix length from /16 to /20, large enough for pod IPs from the VPC CNI and "
            "within what a VPC allows"
        )
    return None


def _vpc_cidr(value: str) -> str:
    example = "vpcCidr: 10.20.0.0/16"
    network = parse_ipv4_network(
        value, example, lambda n: None if _vpc_cidr_problem(n) else f"vpcCidr: {n}"
    )
    problem = _vpc_cidr_problem(network)
    if problem is not None:
        violation(problem, example)
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


def _public_access_problem(network: ipaddress.IPv4Network) -> str | None:
    if network.prefixlen == 0:
        return (
            "the public endpoint must not be open to the whole internet; list the ranges that "
            "need it (office, VPN, CI egress)"
        )
    if any(network.overlaps(block) for block in _NOT_INTERNET):
        return "a public (globally routable) range; private ranges reach the private endpoint"
    return None


def _public_access_cidr(value: str) -> str:
    example = "publicAccessCidrs: [203.0.113.0/24]"
    network = parse_ipv4_network(
        value,
        example,
        lambda n: None if _public_access_problem(n) else f"publicAccessCidrs: [{n}]",
    )
    problem = _public_access_problem(network)
    if problem is not None:
        violation(problem, example)
    return value


def _instance_type(value: str) -> str:
    if not _INSTANCE_TYPE.fullmatch(value):
        violation("an EC2 instance type such as m7g.large", "instanceTypes: [m7g.large]")
    return value


def is_instance_type(value: str) -> bool:
    """Whether ``value`` is shaped like an EC2 instance type (``m7g.large``)."""
    return bool(_INSTANCE_TYPE.fullmatch(value))


def is_arm_instance_type(instance_type: str) -> bool:
    """Whether an instance type runs on AWS Graviton (arm64)."""
    return bool(_ARM_FAMILY.fullmatch(instance_type.split(".", 1)[0]))


def _label_key(value: str, example: str = "labels: {argosy.dev/pool: system}") -> str:
    prefix, _, name = value.rpartition("/")
    if (
        not patterns.LABEL_VALUE.fullmatch(name)
        or len(name) > 63
        or (prefix and not patterns.is_dns_subdomain(prefix))
    ):
        violation(
            "a Kubernetes label key: an optional DNS subdomain prefix and '/', then at most 63 "
            "letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
            example,
        )
    return value


def _label_value(value: str, example: str = "labels: {argosy.dev/pool: system}") -> str:
    if value and (len(value) > 63 or not patterns.LABEL_VALUE.fullmatch(value)):
        violation(
            "a Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit",
            example,
        )
    return value


def _taint_key(value: str) -> str:
    return _label_key(value, "key: dedicated")


def _taint_value(value: str) -> str:
    return _label_value(value, "value: batch")


#: The example of every rule about ``argosy:tags`` (the key is top-level, so it is namespaced).
TAGS_EXAMPLE = "argosy:tags: {cost-center: platform}"


def _tag_key(value: str) -> str:
    if not 1 <= len(value) <= 128 or not _TAG_TEXT.fullmatch(value):
        violation(
            "an AWS tag key: 1 to 128 letters, digits, spaces or + - = . _ : / @",
            TAGS_EXAMPLE,
        )
    if value.lower().startswith("aws:"):
        violation("the aws: prefix is reserved by AWS", TAGS_EXAMPLE)
    return value


def _tag_value(value: str) -> str:
    if len(value) > 256 or not _TAG_TEXT.fullmatch(value):
        violation(
            "an AWS tag value: at most 256 letters, digits, spaces or + - = . _ : / @",
            TAGS_EXAMPLE,
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


#: Retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def _retention_days(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        violation(
            "one of the retention periods CloudWatch Logs accepts: "
            + ", ".join(map(str, LOG_RETENTION_DAYS)),
            "retentionDays: 90",
        )
    return value


AccountId = Annotated[StrictStr, AfterValidator(_account_id)]
Region = Annotated[StrictStr, AfterValidator(_region)]
DnsLabel = Annotated[StrictStr, AfterValidator(dns_label)]
NamespaceName = Annotated[StrictStr, AfterValidator(_namespace)]
VpcCidr = Annotated[StrictStr, AfterValidator(_vpc_cidr)]
SubnetCidr = Annotated[StrictStr, AfterValidator(_subnet_cidr)]
PublicAccessCidr = Annotated[StrictStr, AfterValidator(_public_access_cidr)]
InstanceType = Annotated[StrictStr, AfterValidator(_instance_type)]
LabelKey = Annotated[StrictStr, AfterValidator(_label_key)]
LabelValue = Annotated[StrictStr, AfterValidator(_label_value)]
TaintKey = Annotated[StrictStr, AfterValidator(_taint_key)]
TaintValue = Annotated[StrictStr, AfterValidator(_taint_value)]
TagKey = Annotated[StrictStr, AfterValidator(_tag_key)]
TagValue = Annotated[StrictStr, AfterValidator(_tag_value)]
KubernetesMinor = Annotated[StrictStr, AfterValidator(_k8s_minor)]
EksKubernetesVersion = Annotated[StrictStr, AfterValidator(_eks_version)]
AddonVersion = Annotated[StrictStr, AfterValidator(_addon_version)]
RetentionDays = Annotated[StrictInt, AfterValidator(_retention_days)]


def check_principal_arn(
    value: str, info: ValidationInfo, *, key: str, kinds: tuple[str, ...], in_list: bool = False
) -> str:
    """Check an IAM role or user ARN: its shape, the stage's account and partition.

    ``key`` is the field the examples name; ``in_list`` makes them lists, for a field that
    holds several ARNs.
    """

    def example(arn: str) -> str:
        return f"{key}: [{arn}]" if in_list else f"{key}: {arn}"

    match = IAM_PRINCIPAL_ARN.fullmatch(value)
    if match is None or match["kind"] not in kinds:
        what = " or ".join(f"IAM {k}" for k in kinds)
        violation(
            f"the ARN of an {what}",
            example(
                f"arn:{example_partition(info)}:iam::{example_account(info)}:role/platform-admins"
            ),
        )
    context = validation_context(info)
    account = context.get("account")
    partition = example_partition(info)
    if account is not None and match["account"] != account:
        violation(
            f"the principal must be in the stage's own account {account}; a stack only ever "
            "touches its own account",
            example(f"arn:{partition}:iam::{account}:{match['kind']}/{match['name']}"),
        )
    if context.get("partition") is not None and match["partition"] != partition:
        violation(
            f"the ARN's partition must be {partition}, the partition of the stage's region",
            example(f"arn:{partition}:iam::{match['account']}:{match['kind']}/{match['name']}"),
        )
    return value
