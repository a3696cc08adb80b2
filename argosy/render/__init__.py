"""``argosy render``: the GitOps tree Argo CD syncs, written from the typed config.

For now the tree holds the platform baseline of every cluster an Argo CD manages (the hub's
own and each of its spokes', as :func:`~argosy.config.topology.resolve_topology` finds them
in the repository's stack files):

    <gitops.path>/clusters/<stage>/baseline/
        kustomization.yaml
        <namespace>/namespace-<namespace>.yaml
        <namespace>/networkpolicy-<name>.yaml

``<gitops.path>`` is the hosting stage's ``argosy:argocd.gitops.path`` (default ``gitops``),
in this checkout. A stage no Argo CD manages (``local``, which has none yet, or a workload
stage no hub lists) is skipped, with the reason.

- :mod:`argosy.render.baseline`: the objects of a cluster's baseline, as pure builders.
- :mod:`argosy.render.tree`: files by path; writing them, comparing them with a checkout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from argosy.config.models.argocd import GitOpsSettings
from argosy.config.source import read_stack_file
from argosy.config.stage import AwsStageConfig, StageConfig
from argosy.config.topology import resolve_topology
from argosy.config.validate import validate_stage
from argosy.render.baseline import KUSTOMIZATION_COMMENT, baseline_objects, kustomization
from argosy.render.tree import Tree, read_images, to_yaml

KUSTOMIZATION_FILE = "kustomization.yaml"


@dataclass(frozen=True, kw_only=True)
class ManagedCluster:
    """A cluster an Argo CD manages, and where its part of the GitOps tree goes.

    Attributes:
        stage: The stage whose cluster it is.
        kubernetes_version: The cluster's minor version; the objects are checked against it.
        host: The stage whose Argo CD manages it (itself, for the hub).
        gitops: The host's GitOps repository, path and revision.
    """

    stage: str
    kubernetes_version: str
    host: str
    gitops: GitOpsSettings

    @property
    def baseline_dir(self) -> PurePosixPath:
        """The baseline's directory in the repository."""
        return PurePosixPath(self.gitops.path, "clusters", self.stage, "baseline")


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
        if not isinstance(config, AwsStageConfig):
            skipped.append(
                Skipped(
                    stage=config.stage,
                    reason=f"role {config.role}'s Argo CD syncs no baseline yet (it has no "
                    "AWS metadata to register; the controllers issue adds it); nothing to render",
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
            )
        )
    return sorted(clusters, key=lambda c: c.stage), sorted(skipped, key=lambda s: s.stage)


def cluster_files(cluster: ManagedCluster, root: Path) -> dict[PurePosixPath, bytes]:
    """The files of ``cluster``'s baseline, the kustomization keeping the ``images`` it has."""
    objects = baseline_objects(cluster.stage, cluster.kubernetes_version)
    files = {cluster.baseline_dir / obj.path: to_yaml(obj.manifest, obj.comment) for obj in objects}
    kustomization_path = cluster.baseline_dir / KUSTOMIZATION_FILE
    document = kustomization(
        [obj.path for obj in objects], images=read_images(root, kustomization_path)
    )
    files[kustomization_path] = to_yaml(document, KUSTOMIZATION_COMMENT)
    return dict(sorted(files.items()))


def render_tree(clusters: Sequence[ManagedCluster], root: Path, *, every_stage: bool) -> Tree:
    """The GitOps tree of ``clusters`` for the checkout at ``root``.

    Each cluster's baseline directory is owned. With ``every_stage`` (``render --all``), so is
    every other ``clusters/*/baseline`` directory under each GitOps path: a stage no Argo CD
    manages any more leaves no baseline behind.

    Raises:
        TreeInputError: an existing kustomization's ``images`` cannot be read.
    """
    files: dict[PurePosixPath, bytes] = {}
    owned = {c.baseline_dir for c in clusters}
    for cluster in clusters:
        files.update(cluster_files(cluster, root))
    if every_stage:
        for gitops_path in sorted({c.gitops.path for c in clusters}):
            for found in sorted((root / gitops_path / "clusters").glob("*/baseline")):
                if found.is_dir():
                    owned.add(PurePosixPath(found.relative_to(root).as_posix()))
    return Tree(files=dict(sorted(files.items())), owned=tuple(sorted(owned)))
