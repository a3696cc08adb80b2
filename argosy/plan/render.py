"""What a plan shows: a tree for people, a JSON document for machines, rendered files.

Everything here is a pure function of a :class:`ProgramRun` (no clocks, no randomness), so
the same commit always renders the same bytes.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from rich.tree import Tree

from argosy.config.errors import ConfigIssue
from argosy.plan.engine import STACK_TYPE, ProgramRun
from argosy.plan.monitor import Registration
from argosy.policy.rules import CheckReport

HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
#: Kubernetes types that are not objects in the cluster (providers, client-side helpers).
_NOT_OBJECTS = (
    "pulumi:providers:",
    "kubernetes:helm.sh/",
    "kubernetes:yaml/",
    "kubernetes:kustomize/",
)


def resource_document(resource: Registration) -> dict[str, Any]:
    """One resource of the JSON plan."""
    return {
        "urn": resource.urn,
        "id": resource.id,
        "type": resource.type,
        "name": resource.name,
        "custom": resource.custom,
        "parent": resource.parent,
        "provider": resource.provider,
        "dependencies": list(resource.dependencies),
        "protect": resource.protect,
        "retainOnDelete": resource.retain_on_delete,
        "deletedWith": resource.deleted_with,
        "ignoreChanges": list(resource.ignore_changes),
        "inputs": resource.inputs,
    }


def summary(run: ProgramRun) -> dict[str, Any]:
    """Counts that describe the plan at a glance."""
    declared = [r for r in run.resources if r.type != STACK_TYPE]
    custom = [r for r in declared if r.custom]
    return {
        "resources": len(declared),
        "custom": len(custom),
        "components": len(declared) - len(custom),
        "protected": sorted(r.urn for r in declared if r.protect),
        "retainedOnDelete": sorted(r.urn for r in declared if r.retain_on_delete),
        "byType": dict(sorted(Counter(r.type for r in custom).items())),
    }


def checks_document(report: CheckReport) -> dict[str, Any]:
    """The rule results of one stack."""
    return {
        "passed": list(report.passed),
        "findings": [{"rule": f.rule, "urn": f.urn, "message": f.message} for f in report.findings],
    }


def plan_document(
    run: ProgramRun,
    *,
    checks: CheckReport | None = None,
    warnings: Sequence[ConfigIssue] = (),
) -> dict[str, Any]:
    """The JSON plan of one stack."""
    return {
        "stack": run.stack,
        "project": run.project,
        "summary": summary(run),
        "checks": checks_document(checks) if checks is not None else None,
        "outputs": dict(run.outputs),
        "warnings": [w.format() for w in warnings],
        "logs": [{"severity": log.severity, "message": log.message} for log in run.logs],
        "resources": [resource_document(r) for r in run.resources],
    }


def to_json(documents: Any) -> str:
    """Canonical JSON text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(documents, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------
# The tree for people


def _short_type(token: str) -> str:
    """``aws:ec2/subnet:Subnet`` -> ``aws:ec2:Subnet``; components keep their token."""
    package, _, rest = token.partition(":")
    module, _, kind = rest.rpartition(":")
    return f"{package}:{module.split('/')[0]}:{kind}" if module else token


def plan_tree(run: ProgramRun) -> Tree:
    """A tree of the stack's components, each with its resource count and their types."""
    children: dict[str | None, list[Registration]] = defaultdict(list)
    for resource in run.resources:
        children[resource.parent].append(resource)

    def count(urn: str) -> int:
        return sum((1 if c.custom else 0) + count(c.urn) for c in children[urn])

    def add(node: Tree, resource: Registration) -> None:
        kids = children[resource.urn]
        custom_kids = Counter(_short_type(c.type) for c in kids if c.custom)
        detail = ", ".join(
            f"{kind} ×{n}" if n > 1 else kind for kind, n in sorted(custom_kids.items())
        )
        locks = [c.name for c in kids if c.custom and c.protect]
        label = f"[bold]{resource.name}[/bold] [dim]{resource.type}[/dim]  {count(resource.urn)}"
        if detail:
            label += f"  [dim]({detail})[/dim]"
        if locks:
            label += f"  [yellow]protected: {', '.join(sorted(locks))}[/yellow]"
        branch = node.add(label)
        for kid in sorted((k for k in kids if not k.custom), key=lambda k: k.urn):
            add(branch, kid)

    stack = next(r for r in run.resources if r.type == STACK_TYPE)
    facts = summary(run)
    tree = Tree(
        f"[bold]{run.stack}[/bold] ({run.project}) · {facts['resources']} resources: "
        f"{facts['custom']} to create in {facts['components']} components"
    )
    for top in sorted(children[stack.urn], key=lambda k: k.urn):
        if top.custom:
            tree.add(f"{top.name} [dim]{top.type}[/dim]")
        else:
            add(tree, top)
    return tree


def summary_line(run: ProgramRun, checks: CheckReport) -> str:
    """One line per stack, the last thing a person reads."""
    facts = summary(run)
    verdict = (
        f"{_count(len(checks.passed), 'rule')} passed"
        if not checks.findings
        else _count(len(checks.findings), "rule finding")
    )
    return (
        f"{run.stack}: {_count(facts['custom'], 'resource')} in "
        f"{_count(facts['components'], 'component')}, {len(facts['protected'])} protected, "
        f"{len(facts['retainedOnDelete'])} retained on delete, "
        f"{_count(len(run.outputs), 'output')}; {verdict}"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --------------------------------------------------------------------------------------
# Rendered files


def kubernetes_objects(run: ProgramRun) -> Iterable[tuple[Registration, dict[str, Any]]]:
    """Every Kubernetes object the stack declares, as its manifest (inputs as sent)."""
    for resource in run.resources:
        if (
            resource.custom
            and resource.type.startswith("kubernetes:")
            and not resource.type.startswith(_NOT_OBJECTS)
        ):
            yield resource, dict(resource.inputs)


def helm_releases(run: ProgramRun) -> Iterable[tuple[Registration, dict[str, Any]]]:
    """Every Helm release: chart, repository, version, namespace and values."""
    for resource in run.resources:
        if resource.type == HELM_RELEASE_TYPE:
            inputs = resource.inputs
            yield (
                resource,
                {
                    "name": inputs.get("name") or resource.name,
                    "namespace": inputs.get("namespace"),
                    "chart": inputs.get("chart"),
                    "repository": (inputs.get("repositoryOpts") or {}).get("repo"),
                    "version": inputs.get("version"),
                    "values": inputs.get("values") or {},
                },
            )


def _yaml(document: Mapping[str, Any]) -> str:
    return yaml.safe_dump(
        dict(document), sort_keys=True, default_flow_style=False, allow_unicode=True
    )


def write_files(
    run: ProgramRun,
    out: Path,
    *,
    checks: CheckReport | None = None,
    warnings: Sequence[ConfigIssue] = (),
) -> list[Path]:
    """Write the stack's rendered files; return the paths written, sorted.

    ``out/<stack>/`` receives ``plan.json``, ``kubernetes/<namespace>/<kind>-<name>.yaml``
    for each object and ``helm/<namespace>/<release>.yaml`` for each release. Earlier files of
    the stack are replaced, so objects removed from the program do not linger.
    """
    root = out / run.stack
    for owned in ("kubernetes", "helm"):
        shutil.rmtree(root / owned, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    written = [root / "plan.json"]
    document = plan_document(run, checks=checks, warnings=warnings)
    written[0].write_text(to_json(document), encoding="utf-8")
    for resource, manifest in kubernetes_objects(run):
        metadata = manifest.get("metadata") or {}
        name = metadata.get("name") or resource.name
        namespace = metadata.get("namespace") or "_cluster"
        path = (
            root
            / "kubernetes"
            / namespace
            / f"{str(manifest.get('kind', 'object')).lower()}-{name}.yaml"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_yaml(manifest), encoding="utf-8")
        written.append(path)
    for _, release in helm_releases(run):
        path = root / "helm" / str(release["namespace"] or "default") / f"{release['name']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_yaml(release), encoding="utf-8")
        written.append(path)
    return sorted(written)
