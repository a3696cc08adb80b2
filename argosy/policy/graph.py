"""Queries over a planned resource graph, shared by the rules and the tests."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from argosy.plan.engine import ProgramRun
from argosy.plan.monitor import Registration


class PlanGraph:
    """The resources of one planned stack, indexed for rule checks."""

    def __init__(self, resources: Iterable[Registration]) -> None:
        self.resources: tuple[Registration, ...] = tuple(resources)
        self.by_urn: dict[str, Registration] = {r.urn: r for r in self.resources}
        self._by_type: dict[str, list[Registration]] = defaultdict(list)
        self._children: dict[str, list[Registration]] = defaultdict(list)
        for resource in self.resources:
            self._by_type[resource.type].append(resource)
            if resource.parent:
                self._children[resource.parent].append(resource)

    @classmethod
    def of(cls, run: ProgramRun) -> PlanGraph:
        """The graph of a program run."""
        return cls(run.resources)

    def of_type(self, token: str) -> list[Registration]:
        """Every resource of type ``token``, in plan order."""
        return list(self._by_type.get(token, ()))

    def children(self, urn: str) -> list[Registration]:
        """The direct children of ``urn``."""
        return list(self._children.get(urn, ()))

    def find_by_output(self, token: str, key: str, value: Any) -> Registration | None:
        """The resource of type ``token`` whose output ``key`` (or ID) equals ``value``.

        An absent ``value`` matches nothing, so a missing reference is never mistaken for
        one to a resource that lacks the output.
        """
        if value is None:
            return None
        for resource in self._by_type.get(token, ()):
            found = resource.id if key == "id" else resource.outputs.get(key)
            if found == value:
                return resource
        return None

    @functools.cache  # noqa: B019 - graphs are immutable and few; the cache dies with them
    def waits_for(self, urn: str) -> frozenset[str]:
        """Every URN that must exist before ``urn`` is created (and outlive it on delete).

        Follows dependencies and provider references transitively, as the engine orders
        operations.
        """
        resource = self.by_urn[urn]
        direct = set(resource.dependencies)
        if resource.provider_urn:
            direct.add(resource.provider_urn)
        found = set(direct)
        for dependency in direct:
            if dependency in self.by_urn:
                found |= self.waits_for(dependency)
        return frozenset(found)
