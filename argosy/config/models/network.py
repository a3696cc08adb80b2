"""The stage's VPC: ``argosy:network``."""

from __future__ import annotations

import contextlib
import ipaddress
import math
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)
from pydantic.alias_generators import to_camel

from argosy.config.models.base import (
    Model,
    StrictInt,
    StrictStr,
    example_partition,
    validation_context,
    violation,
    with_example,
)
from argosy.config.models.scalars import RetentionDays, SubnetCidr, VpcCidr

NatMode = Literal["single", "per-az"]


FlowLogDestination = Literal["cloud-watch-logs", "s3"]
FlowLogTraffic = Literal["ALL", "ACCEPT", "REJECT"]
_S3_DESTINATION = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):s3:::"
    r"(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?P<prefix>/[A-Za-z0-9!_.*'()/-]*)?$"
)


class FlowLogSettings(Model):
    """VPC flow logs, always on: ``argosy:network.flowLogs`` (CIS AWS 3.9, CKV2_AWS_11)."""

    destination: FlowLogDestination = Field(
        default="cloud-watch-logs",
        description="Where flow logs go (flow log logDestinationType): `cloud-watch-logs`, a "
        "log group of the stage encrypted with its logs key, or `s3`, an existing bucket "
        "(often a central log archive) named by s3BucketArn.",
        examples=["cloud-watch-logs"],
    )
    traffic_type: FlowLogTraffic = Field(
        default="ALL",
        description="Traffic recorded (flow log trafficType): ALL, ACCEPT or REJECT.",
        examples=["ALL"],
    )
    retention_days: RetentionDays = Field(
        default=90,
        description="Days the log group keeps flow logs (log group retentionInDays); "
        "cloud-watch-logs only.",
        examples=[90],
    )
    max_aggregation_interval: Literal[60, 600] = Field(
        default=600,
        description="Seconds over which a flow is aggregated into one record (flow log "
        "maxAggregationInterval): 60 or 600.",
        examples=[600],
    )
    s3_bucket_arn: StrictStr | None = Field(
        default=None,
        validate_default=True,
        description="The bucket (and optional prefix) flow logs are delivered to (flow log "
        "logDestination); required with destination s3. Its bucket policy must let the "
        "log delivery service write.",
        examples=["arn:aws:s3:::acme-log-archive/flow-logs"],
    )

    @field_validator("s3_bucket_arn")
    @classmethod
    def _bucket_matches_destination(cls, value: str | None, info: ValidationInfo) -> str | None:
        destination = info.data.get("destination")
        partition = example_partition(info)
        example = f"s3BucketArn: arn:{partition}:s3:::acme-log-archive/flow-logs"
        if destination == "s3" and value is None:
            violation("flow logs to S3 need the bucket: its ARN, optionally with a prefix", example)
        if value is None:
            return value
        match = _S3_DESTINATION.fullmatch(value)
        if match is None:
            violation(
                "an S3 bucket ARN, optionally with a prefix: arn:<partition>:s3:::<bucket>[/path]",
                example,
            )
        if validation_context(info).get("partition") is not None and (
            match["partition"] != partition
        ):
            violation(
                f"the bucket must be in the stage's partition {partition}",
                f"s3BucketArn: arn:{partition}:s3:::{match['bucket']}{match['prefix'] or ''}",
            )
        if destination == "cloud-watch-logs":
            violation(
                "s3BucketArn applies only with destination: s3; remove it or set destination",
                "destination: s3",
            )
        return value

    @property
    def bucket_arn(self) -> str | None:
        """The bucket's own ARN, without the prefix (for ``s3`` destinations)."""
        if self.s3_bucket_arn is None:
            return None
        return self.s3_bucket_arn.split("/", 1)[0]


class NetworkSettings(Model):
    """The stage's VPC: ``argosy:network``."""

    vpc_cidr: VpcCidr = Field(
        description="Private IPv4 range of the VPC, /16 to /20; must not overlap another stage.",
        examples=["10.20.0.0/16"],
    )
    az_count: StrictInt = Field(
        default=3,
        # Checked against the region's zones even when left out (us-west-1 has two).
        validate_default=True,
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
    flow_logs: FlowLogSettings = Field(
        default_factory=FlowLogSettings,
        description="VPC flow logs; always on, the destination is yours to choose.",
        examples=[{"destination": "cloud-watch-logs", "retentionDays": 90}],
    )

    @field_validator("az_count")
    @classmethod
    def _zones_in_region(cls, value: int, info: ValidationInfo) -> int:
        context = validation_context(info)
        zones = context.get("zones")
        if isinstance(zones, int) and value > zones:
            violation(
                f"region {context.get('region')} offers {zones} availability zones to a new "
                f"account (argosy/config/regions.py); azCount must not be more than {zones}",
                f"azCount: {zones}",
            )
        return value

    @field_validator("private_subnets", "public_subnets", mode="wrap")
    @classmethod
    def _subnets_fit(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> tuple[str, ...] | None:
        key = to_camel(info.field_name or "")
        other = info.data.get("private_subnets") if key == "publicSubnets" else None
        # Without a valid azCount, as many zones as the default gives, within the region's.
        zones = validation_context(info).get("zones") or 3
        az_count = info.data.get("az_count") or min(3, zones)
        example_list = example_subnets(
            "public" if key == "publicSubnets" else "private",
            info.data.get("vpc_cidr"),
            az_count,
            other,
        )
        example = f"{key}: [{', '.join(example_list)}]"
        try:
            result: tuple[str, ...] | None = handler(value)
        except ValidationError as exc:
            # An item's own rule cannot know the VPC: suggest lists that fit it.
            raise with_example(exc, example) from None
        private_known = "private_subnets" in info.data
        if (
            key == "publicSubnets"
            and private_known
            and (result is None) != (info.data["private_subnets"] is None)
        ):
            missing = "publicSubnets" if result is None else "privateSubnets"
            if missing == "privateSubnets":
                example_list = example_subnets(
                    "private", info.data.get("vpc_cidr"), az_count, result
                )
            violation(
                "set privateSubnets and publicSubnets together, or neither to derive both "
                f"from vpcCidr; {missing} is missing",
                f"{missing}: [{', '.join(example_list)}]",
            )
        if result is None:
            return result
        az_count = info.data.get("az_count")
        if az_count is not None and len(result) != az_count:
            violation(f"one subnet per availability zone: {az_count} (azCount)", example)
        networks = [ipaddress.IPv4Network(v) for v in result]
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
            for j, other_network in enumerate(others):
                if i != j and network.overlaps(other_network):
                    violation(
                        f"subnets must not overlap: {network} and {other_network} do", example
                    )
        return result


#: Public subnets are carved from the VPC's last block into this many equal parts (as the
#: stage's default layout does, argosy/manifests/network.py).
_PUBLIC_SPLIT_BITS = 3


def example_subnets(
    which: Literal["private", "public"],
    vpc_cidr: str | None,
    az_count: int | None,
    taken: Sequence[str] | None = None,
) -> list[str]:
    """Subnets to suggest: one per zone, inside the VPC, clear of ``taken``.

    The default layout's subnets when they fit, else the first free blocks of the VPC.
    """
    vpc = ipaddress.IPv4Network(vpc_cidr or "10.20.0.0/16")
    count = az_count or 3
    blocks = list(vpc.subnets(prefixlen_diff=math.ceil(math.log2(count + 1))))
    if which == "private":
        candidates = blocks[:count]
    else:
        candidates = list(blocks[-1].subnets(prefixlen_diff=_PUBLIC_SPLIT_BITS))[:count]
    used = []
    for text in taken or ():
        with contextlib.suppress(ValueError):
            used.append(ipaddress.IPv4Network(text, strict=False))
    if not any(c.overlaps(u) for c in candidates for u in used):
        return [str(c) for c in candidates]
    for prefix in range(candidates[0].prefixlen, 29):
        free = [s for s in vpc.subnets(new_prefix=prefix) if not any(s.overlaps(u) for u in used)]
        if len(free) >= count:
            return [str(s) for s in free[:count]]
    return [str(c) for c in candidates]
