"""The validation context: facts from other top-level keys that nested rules and examples read.

A model validates one key's value, but some of its rules and examples depend on another key:
is the stage production, which account and partition, how many zones does the region have.
:func:`validation_context` gathers those facts from the values as written, before the models
run, and pydantic hands them to every validator (see :mod:`argosy.config.models.base`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from argosy.config import regions
from argosy.config.keys import NAMESPACE

#: An AWS account ID as written: twelve digits.
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


def validation_context(values: Mapping[str, Any]) -> dict[str, Any]:
    """Facts from other keys that nested rules and examples need.

    Each is ``None`` unless it is valid: a rule never compares with, and an example never
    repeats, a value that is itself wrong (an 11-digit account, a region that does not exist).
    """
    aws = values.get(f"{NAMESPACE}:aws")
    aws = aws if isinstance(aws, Mapping) else {}
    account = aws.get("accountId")
    region = aws.get("region")
    role_arn = aws.get("deployRoleArn")
    known = regions.BY_CODE.get(region) if isinstance(region, str) else None
    return {
        "role": values.get(f"{NAMESPACE}:role"),
        "production": values.get(f"{NAMESPACE}:production") is True,
        "account": account if isinstance(account, str) and ACCOUNT_ID.fullmatch(account) else None,
        "region": known.code if known else None,
        "partition": known.partition if known else None,
        "zones": known.zones if known else None,
        "deploy_role_arn": role_arn if isinstance(role_arn, str) else None,
    }
