"""Resource options every component gives its children."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi


def child_options(
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None,
    *,
    depends_on: Sequence[pulumi.Resource] = (),
    protect: bool = False,
    ignore_changes: Sequence[str] = (),
    retain_on_delete: bool = False,
) -> pulumi.ResourceOptions:
    """Options for a component's child: its parent and its provider, always explicit.

    Naming the provider on every child (rather than relying on inheritance from the parent)
    keeps the default provider out of reach even if a component is re-parented.
    ``ignore_changes`` takes the provider's camelCase property paths; ``retain_on_delete``
    keeps the cloud resource when Pulumi deletes it (audit logs, account settings).
    """
    return pulumi.ResourceOptions(
        parent=parent,
        provider=provider,
        depends_on=list(depends_on) or None,
        protect=protect,
        ignore_changes=list(ignore_changes) or None,
        retain_on_delete=retain_on_delete or None,
    )
