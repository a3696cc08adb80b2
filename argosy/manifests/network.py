"""The subnet layout of a stage's VPC, derived from its network settings."""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from argosy.config.models import NetworkSettings

#: Public subnets are carved from the VPC's last block into this many equal parts.
_PUBLIC_SPLIT_BITS = 3


@dataclass(frozen=True, kw_only=True)
class SubnetLayout:
    """Subnet CIDRs per availability zone index (zone i gets ``private[i]``, ``public[i]``)."""

    private: tuple[str, ...]
    public: tuple[str, ...]


def subnet_layout(network: NetworkSettings) -> SubnetLayout:
    """Private and public subnets of the VPC, one of each per availability zone.

    Unless both lists are given, the VPC range is split into equal blocks, enough for one per
    zone plus one: the private subnets take the first blocks (nodes and pods need the
    addresses), and the last block is split in eight for the public subnets, which hold only
    load balancers and NAT gateways. A /16 over 3 zones gives private /18s and public /21s.
    """
    if network.private_subnets is not None and network.public_subnets is not None:
        return SubnetLayout(private=network.private_subnets, public=network.public_subnets)
    vpc = ipaddress.IPv4Network(network.vpc_cidr)
    zones = network.az_count
    blocks = list(vpc.subnets(prefixlen_diff=math.ceil(math.log2(zones + 1))))
    public_parts = list(blocks[-1].subnets(prefixlen_diff=_PUBLIC_SPLIT_BITS))
    return SubnetLayout(
        private=tuple(str(b) for b in blocks[:zones]),
        public=tuple(str(b) for b in public_parts[:zones]),
    )
