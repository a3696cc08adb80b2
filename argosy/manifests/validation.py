"""Schema checks for every manifest before it is handed to Pulumi.

Core Kubernetes kinds are checked against the Kubernetes JSON schemas that the
``kubernetes-validate`` package ships, in their strict variant (unknown fields are errors), for
the Kubernetes version of the stage's cluster.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

import jsonschema
import kubernetes_validate
from referencing import Registry, Resource


class ManifestInvalidError(Exception):
    """A manifest argosy built does not match its schema: a bug in a builder or in config."""

    def __init__(self, manifest: Mapping[str, Any], problems: list[str]) -> None:
        self.problems = problems
        metadata = manifest.get("metadata") or {}
        name = f"{manifest.get('kind')}/{metadata.get('name')}"
        super().__init__(f"{name} does not match its schema:\n  " + "\n  ".join(problems))


def _schema_root(version: str) -> str:
    """The schema directory for ``version``: the newest shipped one not newer than it."""
    known = kubernetes_validate.utils.all_versions()
    wanted = tuple(int(p) for p in version.split("."))
    eligible = [v for v in known if tuple(int(p) for p in v.split(".")[:2]) <= wanted]
    if not eligible:
        raise ValueError(f"no Kubernetes schemas for {version}; oldest shipped: {known[0]}")
    return f"kubernetes-json-schema/v{eligible[-1]}-local-strict"


@functools.cache
def _definitions(root: str) -> Registry[Any]:
    text = resources.files("kubernetes_validate").joinpath(f"{root}/_definitions.json")
    return Resource.from_contents(json.loads(text.read_text())) @ Registry()


@functools.cache
def _validator(version: str, api_version: str, kind: str) -> jsonschema.Draft202012Validator:
    root = _schema_root(version)
    # e.g. storage.k8s.io/v1 -> storage-v1, v1 -> v1 (the package's file naming).
    group, _, ver = api_version.rpartition("/")
    stem = f"{group.split('.')[0]}-{ver}" if group else ver
    path = resources.files("kubernetes_validate").joinpath(f"{root}/{kind.lower()}-{stem}.json")
    if not path.is_file():
        raise ValueError(f"no Kubernetes schema for {kind} {api_version} at {version}")
    schema = json.loads(path.read_text())
    registry = Resource.from_contents(schema) @ _definitions(root)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def kubernetes_schema_problems(manifest: Mapping[str, Any], version: str) -> list[str]:
    """Every way ``manifest`` breaks the Kubernetes schema of ``version`` (empty if none)."""
    validator = _validator(version, str(manifest["apiVersion"]), str(manifest["kind"]))
    problems = []
    for error in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path) or "(root)"
        problems.append(f"{where}: {error.message}")
    return problems


def check_kubernetes_manifest(manifest: Mapping[str, Any], version: str) -> Mapping[str, Any]:
    """Return ``manifest`` unchanged if it matches its schema; raise ManifestInvalidError."""
    problems = kubernetes_schema_problems(manifest, version)
    if problems:
        raise ManifestInvalidError(manifest, problems)
    return manifest
