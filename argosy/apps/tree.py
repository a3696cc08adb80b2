"""Each app's part of the GitOps tree: a shared base and one overlay per stage, as kustomize.

For an app on stages whose Argo CD reads the same GitOps path::

    <gitops.path>/apps/<app>/base/
        kustomization.yaml
        <kind>-<name>.yaml          objects identical on every stage but for the stage label
    <gitops.path>/apps/<app>/overlays/<stage>/
        kustomization.yaml          ../../base, the stage label, the images entry
        <kind>-<name>.yaml          objects that differ on this stage

This is how teams lay it out by hand; here it is computed, so that ``kubectl kustomize
overlays/<stage>`` builds exactly the objects :func:`argosy.apps.resolve.resolve` returns for
the stage (the tests check it): an object goes to the base when every stage has it and it is
equal everywhere once its ``argosy.dev/stage`` label is set aside; the overlay's ``labels``
puts the label back (metadata only, never selectors).

The overlay's ``images`` entry owns the tag: the first render writes the app file's tag;
promotion edits ``newTag`` (``kustomize edit set image``), and every later render keeps what
it finds there for the same repository.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, Final

from argosy.apps.resolve import AppOnStage
from argosy.apps.workload import kustomize_image
from argosy.render.baseline import STAGE_LABEL
from argosy.render.tree import read_images, to_yaml

KUSTOMIZATION_FILE: Final = "kustomization.yaml"
BASE: Final = "base"
OVERLAYS: Final = "overlays"
_KUSTOMIZE_API: Final = "kustomize.config.k8s.io/v1beta1"


def apps_dir(gitops_path: str) -> PurePosixPath:
    """The directory of every app's tree under a GitOps path."""
    return PurePosixPath(gitops_path, "apps")


def overlay_path(app: str, stage: str) -> str:
    """The overlay of ``app`` on ``stage``, relative to the GitOps path (Application source)."""
    return f"apps/{app}/{OVERLAYS}/{stage}"


def _key(manifest: Mapping[str, Any]) -> tuple[str, str]:
    return (str(manifest["kind"]), str(manifest["metadata"]["name"]))


def file_name(manifest: Mapping[str, Any]) -> str:
    """``<kind>-<name>.yaml``, lowercase."""
    kind, name = _key(manifest)
    return f"{kind.lower()}-{name}.yaml"


def _without_stage(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """``manifest`` without its stage label.

    Copies only the mappings on the way to the label: the rest is shared with ``manifest``,
    never changed (the objects are large; a deep copy of each, for every stage, was a third of
    the render's time).
    """
    metadata = manifest.get("metadata")
    if isinstance(metadata, Mapping) and isinstance(metadata.get("labels"), Mapping):
        labels = {k: v for k, v in metadata["labels"].items() if k != STAGE_LABEL}
        return {**manifest, "metadata": {**metadata, "labels": labels}}
    return dict(manifest)


def _comparable(manifest: Mapping[str, Any]) -> str:
    """``manifest`` without its stage label, as canonical JSON: equal across stages or not."""
    return json.dumps(_without_stage(manifest), sort_keys=True)


def split(
    stages: Sequence[AppOnStage],
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The base's objects (without the stage label) and each stage's own, by stage."""
    by_stage = {
        s.facts.stage: {_key(o): o for o in s.objects} for s in sorted(stages, key=_stage_of)
    }
    keys = set.intersection(*(set(objects) for objects in by_stage.values()))
    base_keys = {key for key in keys if len({_comparable(o[key]) for o in by_stage.values()}) == 1}
    first = next(iter(by_stage.values()))
    base = [_without_stage(first[key]) for key in sorted(base_keys)]
    overlays = {
        stage: [o for key, o in sorted(objects.items()) if key not in base_keys]
        for stage, objects in by_stage.items()
    }
    return base, overlays


def _stage_of(app: AppOnStage) -> str:
    return app.facts.stage


def _kustomization(resources: Sequence[str], **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": _KUSTOMIZE_API,
        "kind": "Kustomization",
        "resources": list(resources),
        **extra,
    }


def app_files(
    stages: Sequence[AppOnStage], gitops_path: str, root: Path
) -> dict[PurePosixPath, bytes]:
    """The files of one app on ``stages`` (all reading ``gitops_path``), for the checkout."""
    if not stages:
        return {}
    name = stages[0].name
    directory = apps_dir(gitops_path) / name
    base, overlays = split(stages)
    files: dict[PurePosixPath, bytes] = {}
    base_names = [file_name(o) for o in base]
    for manifest, file in zip(base, base_names, strict=True):
        files[directory / BASE / file] = to_yaml(manifest)
    files[directory / BASE / KUSTOMIZATION_FILE] = to_yaml(
        _kustomization(sorted(base_names)),
        f"The objects of app {name} that are the same on every stage; each overlay adds its "
        "stage's.",
    )
    for app in sorted(stages, key=_stage_of):
        stage = app.facts.stage
        overlay = directory / OVERLAYS / stage
        names = [file_name(o) for o in overlays[stage]]
        for manifest, file in zip(overlays[stage], names, strict=True):
            files[overlay / file] = to_yaml(manifest)
        path = overlay / KUSTOMIZATION_FILE
        wanted = kustomize_image(app.workload)
        found = read_images(root, path) or []
        kept = [i for i in found if i.get("name") == wanted["name"]]
        files[path] = to_yaml(
            _kustomization(
                [f"../../{BASE}", *sorted(names)],
                labels=[
                    {
                        "pairs": {STAGE_LABEL: stage},
                        "includeSelectors": False,
                        "includeTemplates": False,
                    }
                ],
                images=kept or [wanted],
            ),
            f"App {name} on stage {stage}: Argo CD's Application {app.application_name} syncs "
            "this directory. images owns the tag: promotion edits newTag, render keeps it.",
        )
    return files


def apps_tree(
    apps: Mapping[str, Sequence[AppOnStage]], gitops_paths: Mapping[str, str], root: Path
) -> tuple[dict[PurePosixPath, bytes], set[PurePosixPath]]:
    """Every app's files and the directories the render owns (each GitOps path's ``apps``).

    Args:
        apps: App name to the app on each of its stages.
        gitops_paths: Stage to the GitOps path its Argo CD reads.
        root: The checkout (existing ``images`` entries are kept).
    """
    files: dict[PurePosixPath, bytes] = {}
    owned = {apps_dir(path) for path in gitops_paths.values()}
    for name in sorted(apps):
        groups: dict[str, list[AppOnStage]] = {}
        for app in apps[name]:
            groups.setdefault(gitops_paths[app.facts.stage], []).append(app)
        for gitops_path, stages in sorted(groups.items()):
            files.update(app_files(stages, gitops_path, root))
    return dict(sorted(files.items())), owned
