"""Schema checks for the custom resources of the controllers argosy delivers (not Argo's).

Karpenter's NodePool and EC2NodeClass, external-secrets' stores and ExternalSecrets,
Crossplane's packages: each kind's ``openAPIV3Schema``, taken from the CRD its pinned chart
installs, is vendored under ``argosy/schemas/crds/<group>/<kind-lowercase>_<version>.json``
(provenance in ``argosy/schemas/crds/PROVENANCE-<project>.md``). They are checked in strict
mode like the Argo kinds: every object schema listing ``properties`` is closed unless it says
``additionalProperties`` or ``x-kubernetes-preserve-unknown-fields``, so a misspelt field is an
error here instead of being pruned by the API server. CEL rules (``x-kubernetes-validations``)
are not evaluated: only the API server runs them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from importlib.abc import Traversable
from typing import Any

import jsonschema

from argosy.manifests.strict import close_schema, problems
from argosy.manifests.validation import ManifestInvalidError

_ROOT = "schemas/crds"


def _schema_path(api_version: str, kind: str) -> Traversable | None:
    group, _, version = api_version.rpartition("/")
    if not group:
        return None
    path = resources.files("argosy").joinpath(f"{_ROOT}/{group}/{kind.lower()}_{version}.json")
    return path if path.is_file() else None


def has_crd_schema(manifest: Mapping[str, Any]) -> bool:
    """Whether a vendored CRD schema covers ``manifest``'s apiVersion and kind."""
    return (
        _schema_path(str(manifest.get("apiVersion", "")), str(manifest.get("kind", ""))) is not None
    )


@functools.cache
def crd_validator(api_version: str, kind: str) -> jsonschema.Draft7Validator:
    """The strict validator of ``kind`` at ``api_version``; ValueError if none is vendored."""
    path = _schema_path(api_version, kind)
    if path is None:
        raise ValueError(f"no vendored CRD schema for {kind} {api_version} under argosy/{_ROOT}")
    schema = json.loads(path.read_text(encoding="utf-8"))
    close_schema(schema)
    return jsonschema.Draft7Validator(schema)


def crd_schema_problems(manifest: Mapping[str, Any]) -> list[str]:
    """Every way ``manifest`` breaks its CRD's strict schema (empty if none).

    ``apiVersion``, ``kind`` and ``metadata`` are checked by the API server, not by the CRD's
    schema; they are left out here as in the CRD's own validation.
    """
    validator = crd_validator(str(manifest.get("apiVersion")), str(manifest.get("kind")))
    body = {k: v for k, v in manifest.items() if k not in ("apiVersion", "kind", "metadata")}
    return problems(validator.iter_errors(body))


def check_crd_manifest(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return ``manifest`` unchanged if it matches its CRD's schema; raise ManifestInvalidError."""
    problems = crd_schema_problems(manifest)
    if problems:
        raise ManifestInvalidError(manifest, problems)
    return manifest
