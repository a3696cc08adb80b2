"""The stage's name and the names derived from it, each within what its service allows.

The stack name names the stage and its resources, so it must be a DNS label; the names built
from it and from the node groups' names (the EKS cluster, KMS aliases, IAM roles, node groups;
see :func:`argosy.naming.derived_names`) must fit their service's length limit. Node group
names are read as written, so that a name too long is reported even when its group has other
mistakes; the example is a shorter name that no other group uses.
"""

from __future__ import annotations

from collections.abc import Mapping

from argosy import naming
from argosy.config.errors import show_value
from argosy.config.keys import NAMESPACE
from argosy.config.models import dns_label, suggest_group_name
from argosy.config.run import ValidationRun
from argosy.config.values import lookup


def check_stage_name(run: ValidationRun) -> None:
    """The stack name is a DNS label: it names the stage and its resources."""
    try:
        dns_label(run.stage)
    except Exception:
        run.add_file_issue(
            "(stack name)",
            show_value(run.stage),
            "the stack name names the stage and its resources: a DNS-1123 label of "
            "lowercase letters, digits and '-', at most 63 characters",
            "pulumi stack init staging",
        )


def check_derived_names(run: ValidationRun) -> None:
    """Every derived name within its service's limit, from the names as written."""
    cluster = run.validated.get(f"{NAMESPACE}:cluster")
    groups = lookup(cluster, ["nodeGroups"])
    names = [
        g.get("name") if isinstance(g, Mapping) else None
        for g in (groups if isinstance(groups, list | tuple) else [])
    ]
    base = list(naming.derived_names(run.stage, ()))
    for derived in base:
        if len(derived.name) > derived.limit:
            run.add_file_issue(
                "(stack name)",
                show_value(run.stage),
                _derived_rule(derived),
                "pulumi stack init prod-eu",
            )
    for i, name in enumerate(names):
        if not isinstance(name, str):
            continue
        for derived in list(naming.derived_names(run.stage, (name,)))[len(base) :]:
            if len(derived.name) <= derived.limit:
                continue
            room = derived.limit - (len(derived.name) - len(name))
            path = run.spelling.as_written((f"{NAMESPACE}:cluster", "nodeGroups", i, "name"))
            if room < 1:
                run.add_file_issue(
                    "(stack name)",
                    show_value(run.stage),
                    _derived_rule(derived),
                    "pulumi stack init prod-eu",
                )
                continue
            shorter = suggest_group_name(names, i, limit=room)
            run.add(path, name, _derived_rule(derived), f"name: {shorter}")
    _check_workflow_namespaces(run)


def _check_workflow_namespaces(run: ValidationRun) -> None:
    """Each workflow namespace's role name (``argosy-<stage>-workflows-<ns>``) fits IAM's 64."""
    addons = run.validated.get(f"{NAMESPACE}:addons")
    namespaces = lookup(addons, ["argoWorkflows", "namespaces"])
    if not isinstance(namespaces, list | tuple):
        return
    for i, namespace in enumerate(namespaces):
        if not isinstance(namespace, str):
            continue
        role = naming.addon_role_name(run.stage, naming.WORKFLOW_ROLE_PREFIX + namespace)
        if len(role) <= 64:
            continue
        room = 64 - (len(role) - len(namespace))
        path = run.spelling.as_written((f"{NAMESPACE}:addons", "argoWorkflows", "namespaces", i))
        run.add(
            path,
            namespace,
            f"the derived IAM role name {role!r} is {len(role)} characters; at most 64: "
            f"shorten the namespace to {max(room, 1)} characters",
            "namespaces: [workflows]",
        )


def _derived_rule(derived: naming.DerivedName) -> str:
    """The rule a derived name too long breaks, with its length and limit."""
    suffix = (
        ""
        if derived.fixed
        else f" (the last {naming.AUTONAME_SUFFIX_LENGTH} are Pulumi's random suffix)"
    )
    return (
        f"the derived {derived.what} {derived.name!r} is {len(derived.name)} characters; at "
        f"most {derived.limit}{suffix}: shorten the stack or node group name"
    )
