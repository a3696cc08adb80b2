"""Configuration values of the EKS managed add-ons (``configurationValues`` JSON)."""

from __future__ import annotations

import json
from typing import Any


def to_json(values: dict[str, Any]) -> str:
    """Canonical JSON, as EKS stores it back: sorted keys so a plan shows no spurious diff."""
    return json.dumps(values, sort_keys=True, separators=(",", ":"))


def vpc_cni_configuration() -> dict[str, Any]:
    """vpc-cni with its network policy agent on, so NetworkPolicy objects are enforced.

    Without ``enableNetworkPolicy`` the cluster accepts NetworkPolicies and ignores them.
    """
    return {"enableNetworkPolicy": "true"}
