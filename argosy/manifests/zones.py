"""Choosing the availability zones a stage's subnets go in."""

from __future__ import annotations

from collections.abc import Sequence


def pick_zone(available: Sequence[str], index: int, count: int, region: str) -> str:
    """The zone for subnet ``index`` of ``count``: the region's zones in name order.

    Raises:
        ValueError: the account sees fewer zones than ``count`` in ``region``.
    """
    zones = sorted(available)
    if len(zones) < count:
        raise ValueError(
            f"region {region} offers {len(zones)} availability zones to this account "
            f"({', '.join(zones)}); argosy:network.azCount asks for {count}"
        )
    return zones[index]
