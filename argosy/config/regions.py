"""AWS regions argosy knows: partition, DNS names and the zones a new account sees.

Validation rejects a well-formed region code that names no region (``eu-wset-1``) and a zone
count the region cannot give, before anything runs; the offline plan answers
``getAvailabilityZones`` from the same table, so the two cannot disagree. ``argosy doctor``
checks the live region list and zone count of the account.

Zone counts are the zones open to a new account without opt-in (AWS "Regions and Availability
Zones", https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html,
reviewed 2026-11-21). Some older accounts see one more zone in us-east-1, us-west-1 and
ap-northeast-1; the table holds the count every account has.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class AwsRegion:
    """One AWS region.

    Attributes:
        code: The region code (``eu-west-1``).
        zones: Availability zones a new account can use without opting in.
        zone_id_prefix: AWS's abbreviation in zone IDs (``euw1`` in ``euw1-az1``).
    """

    code: str
    zones: int
    zone_id_prefix: str

    @property
    def partition(self) -> str:
        """The partition the region belongs to."""
        return partition_of(self.code)


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


#: How AWS abbreviates compass words in zone IDs (ap-northeast-1 -> apne1-az1).
_COMPASS = {"northeast": "ne", "southeast": "se", "northwest": "nw", "southwest": "sw"}


def _zone_id_prefix(code: str) -> str:
    *words, number = code.split("-")
    return words[0] + "".join(_COMPASS.get(w, w[0]) for w in words[1:]) + number


def _region(code: str, zones: int = 3) -> AwsRegion:
    return AwsRegion(code=code, zones=zones, zone_id_prefix=_zone_id_prefix(code))


REGIONS: tuple[AwsRegion, ...] = (
    _region("us-east-1", 6),
    _region("us-east-2"),
    _region("us-west-1", 2),
    _region("us-west-2", 4),
    _region("af-south-1"),
    _region("ap-east-1"),
    _region("ap-east-2"),
    _region("ap-south-1"),
    _region("ap-south-2"),
    _region("ap-southeast-1"),
    _region("ap-southeast-2"),
    _region("ap-southeast-3"),
    _region("ap-southeast-4"),
    _region("ap-southeast-5"),
    _region("ap-southeast-6"),
    _region("ap-southeast-7"),
    _region("ap-northeast-1"),
    _region("ap-northeast-2", 4),
    _region("ap-northeast-3"),
    _region("ca-central-1"),
    _region("ca-west-1"),
    _region("eu-central-1"),
    _region("eu-central-2"),
    _region("eu-west-1"),
    _region("eu-west-2"),
    _region("eu-west-3"),
    _region("eu-south-1"),
    _region("eu-south-2"),
    _region("eu-north-1"),
    _region("il-central-1"),
    _region("me-south-1"),
    _region("me-central-1"),
    _region("mx-central-1"),
    _region("sa-east-1"),
    _region("cn-north-1"),
    _region("cn-northwest-1"),
    _region("us-gov-west-1"),
    _region("us-gov-east-1"),
)
BY_CODE: dict[str, AwsRegion] = {r.code: r for r in REGIONS}
