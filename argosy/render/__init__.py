"""``argosy render``: the GitOps tree Argo CD syncs, written from the typed config.

The tree holds, for every cluster an Argo CD manages (the hub's own and each of its
spokes', as :func:`~argosy.config.topology.resolve_topology` finds them in the repository's
stack files, and the local stage's), its platform baseline and the objects its add-ons need
beside their charts:

    <gitops.path>/clusters/<stage>/baseline/
        kustomization.yaml
        <namespace>/namespace-<namespace>.yaml
        <namespace>/networkpolicy-<name>.yaml
    <gitops.path>/clusters/<stage>/addons/<addon>/
        kustomization.yaml
        [<namespace>/]<kind>-<name>.yaml

``<gitops.path>`` is the hosting stage's ``argosy:argocd.gitops.path`` (default ``gitops``),
in this checkout. A workload stage no hub lists is skipped, with the reason.

- :mod:`argosy.render.baseline`: the objects of a cluster's baseline, as pure builders.
- :mod:`argosy.render.tree`: files by path; writing them, comparing them with a checkout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from argosy.addons.catalog import ADDONS, namespaces_for, objects_dir, objects_of
from argosy.addons.spec import AddonContext
from argosy.config.models.argocd import GitOpsSettings
from argosy.config.source import read_stack_file
from argosy.config.stage import AwsStageConfig, LocalStageConfig, StageConfig
from argosy.config.topology import resolve_topology
from argosy.config.validate import validate_stage
from argosy.render.baseline import (
    ADDON_KUSTOMIZATION_COMMENT,
    KUBE_SYSTEM,
    KUSTOMIZATION_COMMENT,
    baseline_objects,
    kustomization,
)
from argosy.render.tree import Tree, read_images, to_yaml

if TYPE_CHECKING:
    from argosy.apps.resolve import AppOnStage

KUSTOMIZATION_FILE = "kustomization.yaml"


@dataclass(frozen=True, kw_only=True)
class ManagedCluster:
    """A cluster an Argo CD manages, and where its part of the GitOps tree goes.

    Attributes:
        stage: The stage whose cluster it is.
        kubernetes_version: The cluster's minor version; the objects are checked against it.
        host: The stage whose Argo CD manages it (itself, for the hub).
        gitops: The host's GitOps repository, path and revision.
        addons: The stage as its add-ons read it: which it gets, with which settings.
    """

    stage: str
    kubernetes_version: str
    host: str
    gitops: GitOpsSettings
    addons: AddonContext

    @property
    def baseline_dir(self) -> PurePosixPath:
        """The baseline's directory in the repository."""
        return PurePosixPath(self.gitops.path, "clusters", self.stage, "baseline")

    @property
    def addons_dir(self) -> PurePosixPath:
        """The directory of the add-ons' objects in the repository."""
        return PurePosixPath(self.gitops.path, "clusters", self.stage, "addons")


@dataclass(frozen=True, kw_only=True)
class Skipped:
    """A requested stage with nothing to render, and why."""

    stage: str
    reason: str


def _host_config(stage: str, stacks_dir: Path) -> AwsStageConfig:
    """The hosting stage's validated config (``resolve_topology`` checked it can be read)."""
    path = stacks_dir / f"Pulumi.{stage}.yaml"
    stack_file = read_stack_file(path, stack=stage, display=f"stacks/{path.name}")
    config = validate_stage(stage, stack_file.config, source=stack_file.source)
    if not isinstance(config, AwsStageConfig) or config.argocd is None:
        raise AssertionError(f"{stage} hosts no Argo CD, yet a stack file names it as host")
    return config


def managed_clusters(
    configs: Sequence[StageConfig], stacks_dir: Path
) -> tuple[list[ManagedCluster], list[Skipped]]:
    """The clusters of ``configs`` that an Argo CD manages, and the stages skipped.

    Raises:
        ConfigInvalidError: the topology has mistakes (see
            :func:`~argosy.config.topology.resolve_topology`).
    """
    clusters: list[ManagedCluster] = []
    skipped: list[Skipped] = []
    hosts: dict[str, AwsStageConfig] = {
        c.stage: c for c in configs if isinstance(c, AwsStageConfig) and c.argocd is not None
    }
    for config in configs:
        if isinstance(config, LocalStageConfig):
            clusters.append(
                ManagedCluster(
                    stage=config.stage,
                    kubernetes_version=config.kubernetes.version,
                    host=config.stage,
                    gitops=config.argocd.gitops,
                    addons=AddonContext.of(config),
                )
            )
            continue
        if config.argocd is not None:
            host = config
        else:
            topology = resolve_topology(config, stacks_dir)
            if topology.host is None:
                skipped.append(
                    Skipped(
                        stage=config.stage,
                        reason="no Argo CD manages it (no stack file lists it in "
                        "argosy:argocd.spokes); nothing to render",
                    )
                )
                continue
            if topology.host.stage not in hosts:
                hosts[topology.host.stage] = _host_config(topology.host.stage, stacks_dir)
            host = hosts[topology.host.stage]
        assert host.argocd is not None
        clusters.append(
            ManagedCluster(
                stage=config.stage,
                kubernetes_version=config.cluster.version,
                host=host.stage,
                gitops=host.argocd.gitops,
                addons=AddonContext.of(config),
            )
        )
    return sorted(clusters, key=lambda c: c.stage), sorted(skipped, key=lambda s: s.stage)


def baseline_namespaces(cluster: ManagedCluster) -> tuple[str, ...]:
    """The namespaces ``cluster``'s baseline creates: its add-ons' (and workflows'), not EKS's."""
    return tuple(n for n in namespaces_for(cluster.addons) if n != KUBE_SYSTEM)


def cluster_files(cluster: ManagedCluster, root: Path) -> dict[PurePosixPath, bytes]:
    """The files of ``cluster``'s baseline and add-on objects.

    Each kustomization keeps the ``images`` it has in the checkout.
    """
    objects = baseline_objects(
        cluster.stage, cluster.kubernetes_version, baseline_namespaces(cluster)
    )
    files = {cluster.baseline_dir / obj.path: to_yaml(obj.manifest, obj.comment) for obj in objects}
    kustomization_path = cluster.baseline_dir / KUSTOMIZATION_FILE
    document = kustomization(
        [obj.path for obj in objects], images=read_images(root, kustomization_path)
    )
    files[kustomization_path] = to_yaml(document, KUSTOMIZATION_COMMENT)
    for addon in ADDONS:
        tree_objects = objects_of(addon, cluster.addons)
        if not tree_objects:
            continue
        directory = PurePosixPath(cluster.gitops.path, objects_dir(cluster.stage, addon.name))
        paths = [obj.path for obj in tree_objects]
        if len(set(paths)) != len(paths):
            raise AssertionError(f"add-on {addon.name} writes one file twice: {paths}")
        for obj in tree_objects:
            files[directory / obj.path] = to_yaml(obj.manifest, obj.comment)
        kustomization_path = directory / KUSTOMIZATION_FILE
        document = kustomization(paths, images=read_images(root, kustomization_path))
        files[kustomization_path] = to_yaml(
            document, ADDON_KUSTOMIZATION_COMMENT.format(addon=addon.name)
        )
    return dict(sorted(files.items()))


def render_tree(
    clusters: Sequence[ManagedCluster],
    root: Path,
    *,
    every_stage: bool,
    apps: Mapping[str, Sequence[AppOnStage]] | None = None,
    app_paths: Mapping[str, str] | None = None,
) -> Tree:
    """The GitOps tree of ``clusters`` for the checkout at ``root``.

    Each cluster's baseline and add-ons directories are owned. With ``every_stage``
    (``render --all``), so is every other ``clusters/*/baseline`` and ``clusters/*/addons``
    directory under each GitOps path: a stage no Argo CD manages any more leaves nothing
    behind.

    ``apps`` (app name to the app on each of its stages) adds each app's base and overlays
    (:mod:`argosy.apps.tree`) on every stage of ``app_paths`` (stage to the GitOps path its
    Argo CD reads; default: ``clusters``'), whichever clusters are rendered, since the base is
    what the stages share; each GitOps path's ``apps`` directory is then owned, and the apps
    that read Secrets Manager may use their stage's ClusterSecretStore.

    Raises:
        TreeInputError: an existing kustomization's ``images`` cannot be read.
    """
    files: dict[PurePosixPath, bytes] = {}
    owned = {c.baseline_dir for c in clusters} | {c.addons_dir for c in clusters}
    paths = {c.stage: c.gitops.path for c in clusters}
    if apps is not None:
        # Imported here: the app builders import the baseline's labels from this package.
        from argosy.apps.catalog import on_stage, secret_readers
        from argosy.apps.tree import apps_tree

        app_paths = app_paths if app_paths is not None else paths
        managed = {
            name: [a for a in stages if a.facts.stage in app_paths] for name, stages in apps.items()
        }
        app_files, app_dirs = apps_tree(managed, app_paths, root)
        files.update(app_files)
        owned |= app_dirs
        clusters = [
            replace(
                c,
                addons=replace(c.addons, secret_readers=secret_readers(on_stage(managed, c.stage))),
            )
            for c in clusters
        ]
    for cluster in clusters:
        files.update(cluster_files(cluster, root))
    if every_stage:
        for gitops_path in sorted({c.gitops.path for c in clusters}):
            for pattern in ("*/baseline", "*/addons"):
                for found in sorted((root / gitops_path / "clusters").glob(pattern)):
                    if found.is_dir():
                        owned.add(PurePosixPath(found.relative_to(root).as_posix()))
    return Tree(files=dict(sorted(files.items())), owned=tuple(sorted(owned)))


@dataclass(frozen=True, kw_only=True)
class Rendered:
    """What ``argosy render`` found to render, and the tree.

    Attributes:
        tree: The files and the directories owned.
        clusters: The clusters rendered.
        skipped: The stages skipped, and why.
    """

    tree: Tree
    clusters: list[ManagedCluster]
    skipped: list[Skipped]


def render_project(
    requested: Sequence[StageConfig], stacks_dir: Path, root: Path, *, every_stage: bool
) -> Rendered:
    """The tree ``argosy render`` writes for the ``requested`` stages of the checkout at ``root``.

    Their clusters' baselines and add-ons, and every app of the catalog (``apps/*.yaml``,
    checked against every stack file of ``stacks_dir``) on every stage it runs on: an app's
    base is what its stages share, whichever stages are requested.

    Raises:
        ConfigInvalidError: a stack file, the topology or the catalog has mistakes.
        TreeInputError: an existing kustomization's ``images`` cannot be read.
    """
    # Imported here: the app builders import the baseline's labels from this package.
    from argosy.apps.catalog import load_apps, resolve_catalog, stage_configs

    configs = stage_configs(stacks_dir, known=requested)
    every_cluster, every_skipped = managed_clusters(list(configs.values()), stacks_dir)
    wanted = {config.stage for config in requested}
    clusters = [c for c in every_cluster if c.stage in wanted]
    skipped = [s for s in every_skipped if s.stage in wanted]
    app_paths = {c.stage: c.gitops.path for c in every_cluster}
    apps = resolve_catalog(load_apps(root, configs), configs, stages=list(app_paths))
    tree = render_tree(clusters, root, every_stage=every_stage, apps=apps, app_paths=app_paths)
    return Rendered(tree=tree, clusters=clusters, skipped=skipped)
