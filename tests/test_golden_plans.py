"""Golden plans: the full JSON plan of every example stack, reviewed as a diff when it changes.

A change to a component shows up here as a precise diff of what `pulumi up` would declare.
Regenerate with `ARGOSY_REGENERATE=1 ./scripts/test tests/test_golden_plans.py` after an
intended change, and review the diff like any other code.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from argosy.plan import render
from tests.conftest import EXAMPLE_STACKS, Planned, assert_golden


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_plan_matches_golden(planned: Callable[[str], Planned], stack: str) -> None:
    plan = planned(stack)
    document = render.plan_document(plan.run, checks=plan.checks, warnings=plan.config.warnings)
    assert_golden(f"plans/{stack}.json", render.to_json(document))
