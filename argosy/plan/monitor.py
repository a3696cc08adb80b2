"""A resource monitor that records every registration request of a program run.

It subclasses the Pulumi SDK's ``MockMonitor`` and sees exactly what the engine would:
type, name, parent, provider, explicit and implicit dependencies, and the options (protect,
retainOnDelete, deletedWith, ignoreChanges), with inputs as sent to the provider.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.mocks import MockMonitor, Mocks

# Signatures of the Pulumi wire protocol that mark special values inside property maps
# (sdk/proto: "4dabf18193072939515e22adb298388d" is the key naming the value's kind).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

#: Shown in place of every secret value in plan output.
REDACTED = "[secret]"


def redact(value: Any) -> Any:
    """Replace secrets with ``[secret]`` and resource references with their URN."""
    if isinstance(value, dict):
        kind = value.get(SIG_KEY)
        if kind == SECRET_SIG:
            return REDACTED
        if kind == RESOURCE_SIG:
            return value.get("urn")
        if kind == OUTPUT_VALUE_SIG:
            return REDACTED if value.get("secret") else redact(value.get("value"))
        return {key: redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        # protobuf Structs carry every number as a double; integers read back as integers.
        return int(value)
    return value


def contains_secret(value: Any) -> bool:
    """Whether a raw property value holds a secret anywhere inside."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return True
        return any(contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_secret(v) for v in value)
    return False


@dataclass(frozen=True, kw_only=True)
class Registration:
    """One resource as the program registered it, and as the mocks answered.

    Attributes:
        urn: The resource's URN.
        id: The ID the mocks answered (``None`` for components).
        type: Type token, e.g. ``aws:eks/cluster:Cluster``.
        name: Logical name.
        custom: True for provider-managed resources, False for components.
        parent: Parent URN; ``None`` only for the stack itself.
        provider: Provider reference ``<urn>::<id>``, or ``None``.
        dependencies: URNs this resource waits for: depends_on and every input's source.
        protect: The ``protect`` option.
        retain_on_delete: The ``retain_on_delete`` option.
        deleted_with: The ``deleted_with`` target URN, or ``None``.
        ignore_changes: Property paths whose changes are ignored.
        inputs: Inputs as sent to the provider (camelCase), secrets redacted.
        has_secret_inputs: Whether any input was a secret before redaction.
        outputs: The state the mocks answered with (inputs plus computed outputs such as
            ARNs), secrets redacted; used to follow references between resources.
    """

    urn: str
    id: str | None
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    dependencies: tuple[str, ...]
    protect: bool
    retain_on_delete: bool
    deleted_with: str | None
    ignore_changes: tuple[str, ...]
    inputs: dict[str, Any]
    has_secret_inputs: bool
    outputs: dict[str, Any]

    @property
    def provider_urn(self) -> str | None:
        """The provider's URN, without the ``::<id>`` suffix."""
        return self.provider.rsplit("::", 1)[0] if self.provider else None


class RecordingMonitor(MockMonitor):
    """MockMonitor that keeps every RegisterResource and ReadResource request and outputs."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.outputs_by_urn: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:
        """Record the request, then let the mocks answer it."""
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        self._record(
            urn=response.urn,
            id=response.id or None,
            request=request,
            custom=bool(request.custom),
            inputs=json_format.MessageToDict(request.object),
            outputs=json_format.MessageToDict(response.object),
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            deleted_with=request.deletedWith or None,
            ignore_changes=tuple(request.ignoreChanges),
        )
        return response

    def ReadResource(self, request: Any) -> Any:
        """Record a read (a StackReference reading another stack), then let the mocks answer."""
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self._record(
            urn=response.urn,
            id=request.id or None,
            request=request,
            custom=True,
            inputs=json_format.MessageToDict(request.properties),
            outputs=json_format.MessageToDict(response.properties),
        )
        return response

    def _record(
        self,
        *,
        urn: str,
        id: str | None,
        request: Any,
        custom: bool,
        inputs: dict[str, Any],
        outputs: dict[str, Any],
        protect: bool = False,
        retain_on_delete: bool = False,
        deleted_with: str | None = None,
        ignore_changes: tuple[str, ...] = (),
    ) -> None:
        registration = Registration(
            urn=urn,
            id=id,
            type=request.type,
            name=request.name,
            custom=custom,
            parent=request.parent or None,
            provider=request.provider or None,
            dependencies=tuple(sorted(set(request.dependencies))),
            protect=protect,
            retain_on_delete=retain_on_delete,
            deleted_with=deleted_with,
            ignore_changes=ignore_changes,
            inputs=redact(inputs),
            has_secret_inputs=contains_secret(inputs),
            outputs=redact(outputs),
        )
        with self._lock:
            self.registrations.append(registration)

    def RegisterResourceOutputs(self, request: Any) -> Any:
        """Record a component's (or the stack's) registered outputs, secrets redacted."""
        outputs = redact(json_format.MessageToDict(request.outputs))
        with self._lock:
            self.outputs_by_urn[request.urn] = outputs
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]
