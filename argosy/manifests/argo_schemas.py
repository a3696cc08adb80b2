"""Strict schema checks for Argo objects (argoproj.io), and one entry point for every manifest.

The JSON Schemas (draft-07) of every Argo kind are vendored under ``argosy/schemas/argo/``; see
``PROVENANCE.md`` there for where each file comes from. They are checked in strict mode: every
object schema that lists ``properties`` gets ``additionalProperties: false`` unless it already
says ``additionalProperties`` or ``x-kubernetes-preserve-unknown-fields``, so a misspelt field is
an error here instead of being pruned silently by the API server. ``None`` values in mappings are
dropped first, as the API server prunes nulls.

Schemas are read when a kind is first checked, never at import, and each validator is built
once: the Argo Workflows schemas are about 1.2 MB each.
"""

from __future__ import annotations

import functools
import json
import types
from collections.abc import Mapping
from importlib import resources
from typing import Any, Final

import jsonschema

from argosy.manifests.crd_schemas import check_crd_manifest, has_crd_schema
from argosy.manifests.strict import close_schema, problems
from argosy.manifests.validation import ManifestInvalidError, check_kubernetes_manifest

ARGO_GROUP: Final = "argoproj.io"

#: Every Argo kind with a vendored schema, and its API versions (all served ones).
ARGO_KINDS: Final[Mapping[str, tuple[str, ...]]] = types.MappingProxyType(
    {
        # Argo CD
        "Application": ("argoproj.io/v1alpha1",),
        "ApplicationSet": ("argoproj.io/v1alpha1",),
        "AppProject": ("argoproj.io/v1alpha1",),
        # Argo Rollouts
        "Rollout": ("argoproj.io/v1alpha1",),
        "AnalysisTemplate": ("argoproj.io/v1alpha1",),
        "ClusterAnalysisTemplate": ("argoproj.io/v1alpha1",),
        "AnalysisRun": ("argoproj.io/v1alpha1",),
        "Experiment": ("argoproj.io/v1alpha1",),
        # Argo Workflows
        "Workflow": ("argoproj.io/v1alpha1",),
        "WorkflowTemplate": ("argoproj.io/v1alpha1",),
        "ClusterWorkflowTemplate": ("argoproj.io/v1alpha1",),
        "CronWorkflow": ("argoproj.io/v1alpha1",),
        # Argo Events
        "EventSource": ("argoproj.io/v1alpha1",),
        "Sensor": ("argoproj.io/v1alpha1",),
        "EventBus": ("argoproj.io/v1alpha1",),
    }
)


def is_argo_kind(manifest: Mapping[str, Any]) -> bool:
    """Whether ``manifest`` is in the argoproj.io API group (a known Argo kind or not)."""
    group, _, _ = str(manifest.get("apiVersion", "")).rpartition("/")
    return group == ARGO_GROUP


def schema_file(api_version: str, kind: str) -> str:
    """The vendored schema's file name for ``kind`` at ``api_version``; ValueError if none."""
    if api_version not in ARGO_KINDS.get(kind, ()):
        by_version: dict[str, list[str]] = {}
        for known_kind, versions in ARGO_KINDS.items():
            for version in versions:
                by_version.setdefault(version, []).append(known_kind)
        known = "; ".join(f"{v}: {', '.join(sorted(k))}" for v, k in sorted(by_version.items()))
        raise ValueError(f"no Argo schema for {kind} {api_version}; known: {known}")
    return f"{kind.lower()}_{api_version.rpartition('/')[2]}.json"


@functools.cache
def argo_validator(api_version: str, kind: str) -> jsonschema.Draft7Validator:
    """The strict validator of ``kind`` at ``api_version``, built on first use and kept."""
    path = resources.files("argosy").joinpath(f"schemas/argo/{schema_file(api_version, kind)}")
    schema = json.loads(path.read_text(encoding="utf-8"))
    close_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _without_none(value: Any) -> Any:
    """``value`` with every ``None`` mapping value dropped, at any depth (list items are kept)."""
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value]
    return value


def argo_schema_problems(manifest: Mapping[str, Any]) -> list[str]:
    """Every way the Argo object ``manifest`` breaks its strict schema (empty if none).

    Raises ValueError if its apiVersion and kind are not a known Argo kind.
    """
    validator = argo_validator(str(manifest.get("apiVersion")), str(manifest.get("kind")))
    return problems(validator.iter_errors(_without_none(manifest)))


def check_argo_manifest(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return ``manifest`` unchanged if it matches its strict schema; raise ManifestInvalidError."""
    problems = argo_schema_problems(manifest)
    if problems:
        raise ManifestInvalidError(manifest, problems)
    return manifest


def check_manifest(manifest: Mapping[str, Any], kubernetes_version: str) -> Mapping[str, Any]:
    """Check any manifest strictly: Argo objects and vendored CRDs' kinds, others as Kubernetes'.

    Returns ``manifest`` unchanged; raises ManifestInvalidError if it breaks its schema and
    ValueError if no schema is known for its kind (an unknown argoproj.io kind included).
    """
    if is_argo_kind(manifest):
        return check_argo_manifest(manifest)
    if has_crd_schema(manifest):
        return check_crd_manifest(manifest)
    return check_kubernetes_manifest(manifest, kubernetes_version)
