"""``python -m argosy render``: the GitOps tree, its goldens, ``--check`` and exit codes."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from argosy import cli
from argosy.manifests.argo_schemas import check_manifest
from argosy.manifests.validation import check_kubernetes_manifest
from argosy.plan.planner import find_project, requested_stacks, validate_requests
from argosy.render import ManagedCluster, managed_clusters, render_project
from argosy.render.baseline import (
    allow_api_egress,
    allow_dns,
    allow_same_namespace,
    baseline_objects,
    default_deny,
    kustomization,
    namespace,
)
from argosy.render.tree import HEADER, Tree, compare, to_yaml
from tests.conftest import REPO, assert_golden, load_example

#: The clusters an Argo CD manages, so the ones rendered: the hub's and its spokes', and
#: the local stage's (its own Argo CD).
MANAGED = ("dev", "hub", "local", "prod", "staging")
#: The namespaces each stage's baseline creates: its add-ons' and its workflow namespaces.
CONTROLLER_NAMESPACES = ("argo-events", "argo-rollouts", "argo-workflows")
OWNED = {
    "hub": (*CONTROLLER_NAMESPACES, "ci", "external-dns", "external-secrets"),
    "local": (*CONTROLLER_NAMESPACES, "workflows"),
}
for _stage in ("dev", "prod", "staging"):
    OWNED[_stage] = (*CONTROLLER_NAMESPACES, "external-dns", "external-secrets", "workflows")
#: The files of each stage's add-ons' directories, relative to ``clusters/<stage>/addons``.
EVENT_BUS = ("argo-events/argo-events/eventbus-default.yaml", "argo-events/kustomization.yaml")
SECRET_STORE = (
    "external-secrets/clustersecretstore-aws-secrets-manager.yaml",
    "external-secrets/external-secrets/networkpolicy-allow-webhook.yaml",
    "external-secrets/kustomization.yaml",
)
ADDON_FILES = {
    "dev": (*EVENT_BUS, *SECRET_STORE),
    "staging": (*EVENT_BUS, *SECRET_STORE),
    "local": EVENT_BUS,
    "hub": (
        *EVENT_BUS,
        "argo-workflows/argo-workflows/externalsecret-argo-workflows-sso.yaml",
        "argo-workflows/argo-workflows/networkpolicy-allow-alb-to-argo-server.yaml",
        "argo-workflows/kustomization.yaml",
        *SECRET_STORE,
    ),
    "prod": (
        *EVENT_BUS,
        *SECRET_STORE,
        "karpenter/ec2nodeclass-default.yaml",
        "karpenter/kustomization.yaml",
        "karpenter/nodepool-default.yaml",
    ),
}
SYNCED = (
    "Argo CD on hub syncs gitops/ from https://github.com/acme/platform.git at main: "
    "commit it there\n"
    "Argo CD on local syncs gitops/ from https://github.com/acme/platform.git at main: "
    "commit it there"
)
#: The files of one namespace in a baseline directory.
NAMESPACE_FILES = (
    "namespace-{ns}.yaml",
    "networkpolicy-allow-api-egress.yaml",
    "networkpolicy-allow-dns.yaml",
    "networkpolicy-allow-same-namespace.yaml",
    "networkpolicy-default-deny.yaml",
)
DEV = "gitops/clusters/dev/baseline"


def baseline_files(stage: str) -> list[str]:
    """Every file of a stage's baseline directory, relative to it, sorted."""
    files = [f"{ns}/{name.format(ns=ns)}" for ns in OWNED[stage] for name in NAMESPACE_FILES]
    return sorted([*files, "kustomization.yaml"])


def cluster_files(stage: str) -> list[PurePosixPath]:
    """Every file rendered for a stage's cluster, from the repository's root."""
    root = PurePosixPath("gitops", "clusters", stage)
    return [root / "baseline" / f for f in baseline_files(stage)] + [
        root / "addons" / f for f in ADDON_FILES[stage]
    ]


#: The apps' files (base and overlays per app, :mod:`argosy.apps.tree`): their content is
#: checked by tests/test_app_tree.py (kustomize builds exactly the resolved objects); here,
#: that render writes them beside the clusters' and owns them.
APP_FILES = sorted(
    PurePosixPath(p.relative_to(REPO).as_posix())
    for p in (REPO / "gitops" / "apps").rglob("*")
    if p.is_file()
)
#: Every file of the examples' tree.
ALL_FILES = len([f for stage in MANAGED for f in cluster_files(stage)]) + len(APP_FILES)


def example_clusters() -> list[ManagedCluster]:
    project = find_project(REPO)
    requests = requested_stacks(project, stacks=[], all_stacks=True, cwd=REPO)
    valid = validate_requests(requests, project.stack_config_dir)
    clusters, _ = managed_clusters([v.config for v in valid], project.stack_config_dir)
    return clusters


def fresh_tree(root: Path) -> Tree:
    """The examples' tree (apps too) as rendered into ``root`` (no images there to keep)."""
    project = find_project(REPO)
    requests = requested_stacks(project, stacks=[], all_stacks=True, cwd=REPO)
    valid = validate_requests(requests, project.stack_config_dir)
    if not (root / "apps").exists():
        shutil.copytree(REPO / "apps", root / "apps")
    return render_project(
        [v.config for v in valid], project.stack_config_dir, root, every_stage=True
    ).tree


def digest(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``root/gitops``: its hash and modification time."""
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted((root / "gitops").rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of what render reads and writes: Pulumi.yaml, stacks/ and the committed gitops/."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks", root / "stacks")
    shutil.copytree(REPO / "apps", root / "apps")
    shutil.copytree(REPO / "gitops", root / "gitops")
    return root


@pytest.fixture
def argosy(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the CLI in-process from a directory (the repository root by default)."""

    def invoke(*args: str, cwd: Path = REPO) -> Result:
        monkeypatch.chdir(cwd)
        return CliRunner().invoke(cli.app, list(args))

    return invoke


# --------------------------------------------------------------------------------------
# What is rendered


def test_the_hub_its_spokes_and_local_are_rendered() -> None:
    project = find_project(REPO)
    requests = requested_stacks(project, stacks=[], all_stacks=True, cwd=REPO)
    valid = validate_requests(requests, project.stack_config_dir)
    clusters, skipped = managed_clusters([v.config for v in valid], project.stack_config_dir)
    assert [(c.stage, c.host, c.kubernetes_version) for c in clusters] == [
        (stage, "local" if stage == "local" else "hub", "1.36") for stage in MANAGED
    ]
    assert {str(c.baseline_dir) for c in clusters} == {
        f"gitops/clusters/{s}/baseline" for s in MANAGED
    }
    assert skipped == []
    assert {c.stage: c.addons.on_aws for c in clusters} == {
        stage: stage != "local" for stage in MANAGED
    }


@pytest.mark.parametrize("stage", MANAGED)
def test_render_of_the_examples_equals_the_goldens(stage: str, tmp_path: Path) -> None:
    tree = fresh_tree(tmp_path)
    prefix = PurePosixPath("gitops", "clusters", stage)
    text = "".join(
        f"==> {path} <==\n{content.decode()}"
        for path, content in tree.files.items()
        if path.is_relative_to(prefix)
    )
    assert_golden(f"render/{stage}.txt", text)


def test_layout_names_and_bytes(tmp_path: Path) -> None:
    tree = fresh_tree(tmp_path)
    expected = {path for stage in MANAGED for path in cluster_files(stage)} | set(APP_FILES)
    assert set(tree.files) == expected
    assert {p.parts[2] for p in APP_FILES} == {"go-todo", "hello", "ledger"}
    assert list(tree.files) == sorted(tree.files)
    assert tree.owned == (
        PurePosixPath("gitops/apps"),
        *(
            PurePosixPath(f"gitops/clusters/{s}/{part}")
            for s in MANAGED
            for part in ("addons", "baseline")
        ),
    )
    for path, content in tree.files.items():
        text = content.decode("utf-8")
        assert text.splitlines()[0] == HEADER, path
        assert "\r" not in text and text.endswith("\n"), path
        assert "&id" not in text and "*id" not in text, f"{path} has YAML anchors"
        if path.name != "kustomization.yaml":
            manifest = yaml.safe_load(text)
            kind, name = manifest["kind"].lower(), manifest["metadata"]["name"]
            assert path.name == f"{kind}-{name}.yaml"
            if "apps" in path.parts:
                # An app's objects: in its base or one of its overlays.
                assert path.parent.name == "base" or path.parent.parent.name == "overlays"
            elif "baseline" in path.parts:
                # A namespace's directory holds everything about it.
                assert path.parent.name == manifest["metadata"].get("namespace", name)
            elif "namespace" in manifest["metadata"]:
                assert path.parent.name == manifest["metadata"]["namespace"]
            else:
                # A cluster-scoped object of an add-on: at the top of its directory.
                assert path.parent.parent.name == "addons"


def test_kustomization_lists_every_file_sorted(tmp_path: Path) -> None:
    tree = fresh_tree(tmp_path)
    document = yaml.safe_load(tree.files[PurePosixPath(DEV, "kustomization.yaml")])
    assert document == {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [f for f in baseline_files("dev") if f != "kustomization.yaml"],
    }


def test_every_object_is_valid_against_its_cluster_schemas(tmp_path: Path) -> None:
    versions = {c.stage: c.kubernetes_version for c in example_clusters()}
    checked = 0
    for path, content in fresh_tree(tmp_path).files.items():
        if path.name == "kustomization.yaml":
            continue
        # An app's base is checked with the version of its stages (all 1.36 here).
        stage = path.parts[2] if path.parts[1] == "clusters" else "dev"
        # Core kinds against Kubernetes' schemas, Argo kinds and the controllers' custom
        # resources against their own, all strictly.
        check_manifest(yaml.safe_load(content), versions[stage])
        checked += 1
    kustomizations = (
        len(MANAGED)
        + sum(f.endswith("kustomization.yaml") for files in ADDON_FILES.values() for f in files)
        + sum(p.name == "kustomization.yaml" for p in APP_FILES)
    )
    assert checked == ALL_FILES - kustomizations


def test_nothing_is_declared_in_kube_system(tmp_path: Path) -> None:
    for path, content in fresh_tree(tmp_path).files.items():
        if path.name != "kustomization.yaml":
            metadata = yaml.safe_load(content)["metadata"]
            assert "kube-system" not in (metadata["name"], metadata.get("namespace"))
    with pytest.raises(ValueError, match="kube-system is EKS's"):
        namespace("kube-system", stage="dev", kubernetes_version="1.36")
    with pytest.raises(ValueError, match="kube-system is EKS's"):
        default_deny("kube-system", stage="dev", kubernetes_version="1.36")


def test_namespace_labels() -> None:
    obj = namespace("argo-rollouts", stage="prod", kubernetes_version="1.36")
    assert obj.manifest["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "argocd",
        "app.kubernetes.io/part-of": "argosy",
        "argosy.dev/stage": "prod",
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/enforce-version": "v1.36",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
    }
    assert obj.path == "argo-rollouts/namespace-argo-rollouts.yaml"


def test_network_policies_allow_only_what_they_say() -> None:
    facts = {"stage": "dev", "kubernetes_version": "1.36"}
    deny = default_deny("argo-events", **facts).manifest
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}

    dns = allow_dns("argo-events", **facts).manifest["spec"]
    assert dns == {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [
                    {
                        "namespaceSelector": {
                            "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                        },
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }
                ],
                "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
            }
        ],
    }

    same = allow_same_namespace("argo-events", **facts).manifest["spec"]
    assert same == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [{"from": [{"podSelector": {}}]}],
        "egress": [{"to": [{"podSelector": {}}]}],
    }

    api = allow_api_egress("argo-events", **facts).manifest["spec"]
    assert api["policyTypes"] == ["Egress"]
    assert "ingress" not in api
    assert api["egress"] == [
        {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"protocol": "TCP", "port": 443}]},
        {
            "to": [{"ipBlock": {"cidr": "169.254.170.23/32"}}],
            "ports": [{"protocol": "TCP", "port": 80}],
        },
    ]


def test_each_file_says_what_its_object_is_for() -> None:
    for obj in baseline_objects("dev", "1.36", OWNED["dev"]):
        text = to_yaml(obj.manifest, obj.comment).decode()
        comment = [line for line in text.splitlines()[1:] if line.startswith("#")]
        assert comment, obj.path
        assert all(len(line) <= 98 for line in comment), obj.path


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: baseline_objects("Dev", "1.36", OWNED["dev"]),
            "stage 'Dev' is not valid: a DNS-1123 label",
        ),
        (
            lambda: baseline_objects("dev", "1.36.1", OWNED["dev"]),
            "kubernetes_version '1.36.1' is not valid: a Kubernetes minor version such as 1.36",
        ),
        (
            lambda: baseline_objects("dev", "1.36", ["argo-events", "argo-events"]),
            "namespaces ['argo-events', 'argo-events'] name one namespace twice",
        ),
        (
            lambda: kustomization(["a.yaml", "a.yaml"]),
            "a kustomization lists each resource once",
        ),
    ],
)
def test_builders_refuse_bad_input(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        call()
    assert str(raised.value).startswith(message)


# --------------------------------------------------------------------------------------
# The committed tree, --check and writing


def test_check_passes_on_the_committed_tree(argosy: Callable[..., Result]) -> None:
    result = argosy("render", "--all", "--check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "the GitOps tree is up to date\n"
    assert result.stderr == ""


def test_the_committed_tree_is_the_fresh_render(tmp_path: Path) -> None:
    assert compare(fresh_tree(tmp_path), REPO).clean


def test_check_lists_every_missing_stale_and_extra_file_and_writes_nothing(
    argosy: Callable[..., Result], checkout: Path
) -> None:
    base = checkout / DEV
    (base / "argo-events" / "namespace-argo-events.yaml").write_text("kind: Namespace\n")
    (base / "external-dns" / "networkpolicy-allow-dns.yaml").unlink()
    (base / "notes.yaml").write_text("# mine\n")
    (base / "argo-rollouts" / "extra").mkdir()
    (base / "argo-rollouts" / "extra" / "configmap-x.yaml").write_text("kind: ConfigMap\n")
    # A cluster no Argo CD manages any more: owned under --all only.
    (checkout / "gitops/clusters/qa/baseline").mkdir(parents=True)
    (checkout / "gitops/clusters/qa/baseline/kustomization.yaml").write_text("resources: []\n")
    # Next to the baselines, not owned: never reported.
    (checkout / "gitops/clusters/dev/apps").mkdir()
    (checkout / "gitops/clusters/dev/apps/app.yaml").write_text("kind: Application\n")
    (checkout / "gitops/README.md").write_text("ours\n")
    before = digest(checkout)

    result = argosy("render", "--all", "--check", cwd=checkout)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: the GitOps tree is out of date: 5 files differ from what "
        "`python -m argosy render --all` writes\n"
        "  missing gitops/clusters/dev/baseline/external-dns/networkpolicy-allow-dns.yaml\n"
        "  stale   gitops/clusters/dev/baseline/argo-events/namespace-argo-events.yaml\n"
        "  extra   gitops/clusters/dev/baseline/argo-rollouts/extra/configmap-x.yaml\n"
        "  extra   gitops/clusters/dev/baseline/notes.yaml\n"
        "  extra   gitops/clusters/qa/baseline/kustomization.yaml\n"
        "run `python -m argosy render --all` and commit the result\n"
    )
    assert digest(checkout) == before

    # --stack owns its own cluster's baseline only.
    result = argosy("render", "--stack", "dev", "--stack", "hub", "--check", cwd=checkout)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: the GitOps tree is out of date: 4 files differ from what "
        "`python -m argosy render --stack dev --stack hub` writes\n"
        "  missing gitops/clusters/dev/baseline/external-dns/networkpolicy-allow-dns.yaml\n"
        "  stale   gitops/clusters/dev/baseline/argo-events/namespace-argo-events.yaml\n"
        "  extra   gitops/clusters/dev/baseline/argo-rollouts/extra/configmap-x.yaml\n"
        "  extra   gitops/clusters/dev/baseline/notes.yaml\n"
        "run `python -m argosy render --stack dev --stack hub` and commit the result\n"
    )
    result = argosy("render", "--stack", "prod", "--check", cwd=checkout)
    assert (result.exit_code, result.stdout) == (0, "the GitOps tree is up to date\n")
    assert digest(checkout) == before

    # render repairs it all, and then the check passes.
    result = argosy("render", "--all", cwd=checkout)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "wrote gitops/clusters/dev/baseline/argo-events/namespace-argo-events.yaml\n"
        "wrote gitops/clusters/dev/baseline/external-dns/networkpolicy-allow-dns.yaml\n"
        "removed gitops/clusters/dev/baseline/argo-rollouts/extra/configmap-x.yaml\n"
        "removed gitops/clusters/dev/baseline/notes.yaml\n"
        "removed gitops/clusters/qa/baseline/kustomization.yaml\n"
        f"rendered dev, hub, local, prod, staging: {ALL_FILES} files, 2 written, 3 removed\n"
        f"{SYNCED}\n"
    )
    assert not (base / "argo-rollouts" / "extra").exists()
    assert not (checkout / "gitops/clusters/qa").exists()
    assert (checkout / "gitops/clusters/dev/apps/app.yaml").read_text() == "kind: Application\n"
    assert (checkout / "gitops/README.md").read_text() == "ours\n"
    result = argosy("render", "--all", "--check", cwd=checkout)
    assert (result.exit_code, result.stdout) == (0, "the GitOps tree is up to date\n")


def test_render_twice_writes_identical_bytes(argosy: Callable[..., Result], checkout: Path) -> None:
    shutil.rmtree(checkout / "gitops")
    first = argosy("render", "--all", cwd=checkout)
    assert first.exit_code == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[-3:] == [
        f"rendered dev, hub, local, prod, staging: {ALL_FILES} files, {ALL_FILES} written, "
        "0 removed",
        *SYNCED.splitlines(),
    ]
    written = digest(checkout)
    assert len(written) == ALL_FILES
    assert {p: h for p, (h, _) in written.items()} == {p: h for p, (h, _) in digest(REPO).items()}

    second = argosy("render", "--all", cwd=checkout)
    assert second.exit_code == 0, second.stderr
    assert second.stdout == (
        f"the GitOps tree is up to date: {ALL_FILES} files for dev, hub, local, prod, staging, "
        "nothing written\n"
        f"{SYNCED}\n"
    )
    # Same bytes, and no file even rewritten.
    assert digest(checkout) == written


def test_render_keeps_the_images_of_a_kustomization(
    argosy: Callable[..., Result], checkout: Path
) -> None:
    path = checkout / DEV / "kustomization.yaml"
    # As promotion might leave it: its own key order, no header, an unquoted tag.
    path.write_text(
        "kind: Kustomization\n"
        "images:\n"
        "- name: ghcr.io/acme/web\n"
        "  newTag: 1.10\n"
        "- name: ghcr.io/acme/api\n"
        "  newName: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api\n"
        "  digest: sha256:0f0e\n"
        "resources: []\n"
    )
    images = [
        {"name": "ghcr.io/acme/web", "newTag": "1.10"},
        {
            "name": "ghcr.io/acme/api",
            "newName": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api",
            "digest": "sha256:0f0e",
        },
    ]
    result = argosy("render", "--stack", "dev", "--check", cwd=checkout)
    assert result.exit_code == 1
    assert "  stale   gitops/clusters/dev/baseline/kustomization.yaml\n" in result.stderr

    result = argosy("render", "--stack", "dev", cwd=checkout)
    assert result.exit_code == 0, result.stderr
    assert "wrote gitops/clusters/dev/baseline/kustomization.yaml" in result.stdout.splitlines()
    text = path.read_text()
    assert text.startswith(HEADER + "\n")
    document = yaml.safe_load(text)
    assert document["images"] == images  # in order, "1.10" still a string
    assert document["resources"] == [f for f in baseline_files("dev") if f != "kustomization.yaml"]

    again = path.read_bytes()
    result = argosy("render", "--all", cwd=checkout)
    assert result.exit_code == 0, result.stderr
    assert path.read_bytes() == again
    result = argosy("render", "--all", "--check", cwd=checkout)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "images: {name: web}\n",
            "images is not a list of mappings such as [{name: ghcr.io/acme/app, newTag: '1.2.3'}]",
        ),
        ("images: [web]\n", "images is not a list of mappings"),
        ("- images\n", "is not a Kustomization (a YAML mapping)"),
        ("images: [\n", "is not valid YAML (while parsing a flow node)"),
    ],
)
@pytest.mark.parametrize("check", [False, True])
def test_unreadable_images_are_bad_input(
    argosy: Callable[..., Result], checkout: Path, content: str, problem: str, check: bool
) -> None:
    path = checkout / DEV / "kustomization.yaml"
    path.write_text(content)
    before = digest(checkout)
    result = argosy("render", "--all", *(["--check"] if check else []), cwd=checkout)
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: gitops/clusters/dev/baseline/kustomization.yaml")
    assert problem in line
    assert line.endswith(
        "render keeps the images promotion records there: fix the file, or delete it to "
        "render it afresh without images"
    )
    assert digest(checkout) == before


def test_exact_message_for_images_that_are_not_a_list(
    argosy: Callable[..., Result], checkout: Path
) -> None:
    (checkout / DEV / "kustomization.yaml").write_text("images: web\n")
    result = argosy("render", "--stack", "dev", cwd=checkout)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: gitops/clusters/dev/baseline/kustomization.yaml: images is not a list of "
        "mappings such as [{name: ghcr.io/acme/app, newTag: '1.2.3'}]; render keeps the images "
        "promotion records there: fix the file, or delete it to render it afresh without "
        "images\n"
    )


@pytest.mark.skipif(
    shutil.which("kubectl") is None,
    reason="kubectl is not installed, so `kubectl kustomize` cannot build the tree here",
)
def test_kubectl_kustomize_builds_the_dev_baseline() -> None:
    done = subprocess.run(
        ["kubectl", "kustomize", DEV],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    built = [d for d in yaml.safe_load_all(done.stdout) if d]
    assert sorted(
        (d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]) for d in built
    ) == sorted(
        [("Namespace", "", ns) for ns in OWNED["dev"]]
        + [
            ("NetworkPolicy", ns, name)
            for ns in OWNED["dev"]
            for name in ("allow-api-egress", "allow-dns", "allow-same-namespace", "default-deny")
        ]
    )
    for document in built:
        check_kubernetes_manifest(document, "1.36")


@pytest.mark.skipif(
    shutil.which("kubectl") is None,
    reason="kubectl is not installed, so `kubectl kustomize` cannot build the tree here",
)
@pytest.mark.parametrize("stage", MANAGED)
def test_kubectl_kustomize_builds_every_addon_directory(stage: str) -> None:
    root = REPO / "gitops" / "clusters" / stage / "addons"
    directories = sorted(p.parent for p in root.glob("*/kustomization.yaml"))
    assert [d.name for d in directories] == sorted({f.split("/")[0] for f in ADDON_FILES[stage]})
    for directory in directories:
        done = subprocess.run(
            ["kubectl", "kustomize", str(directory.relative_to(REPO))],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        built = [d for d in yaml.safe_load_all(done.stdout) if d]
        expected = [f for f in ADDON_FILES[stage] if f.startswith(f"{directory.name}/")]
        assert len(built) == len(expected) - 1  # all but the kustomization
        for document in built:
            check_manifest(document, "1.36")


# --------------------------------------------------------------------------------------
# Topology: who is rendered, and where


def test_a_stage_no_hub_lists_is_skipped_and_its_baseline_removed(
    argosy: Callable[..., Result], checkout: Path
) -> None:
    hub = load_example("hub")
    hub["config"]["argosy:argocd"]["spokes"] = ["dev", "prod"]
    (checkout / "stacks" / "Pulumi.hub.yaml").write_text(yaml.safe_dump(hub, sort_keys=False))
    result = argosy("render", "--all", cwd=checkout)
    assert result.exit_code == 0, result.stderr
    removed = [line for line in result.stdout.splitlines() if line.startswith("removed ")]
    assert [r for r in removed if "/clusters/" in r] == [
        f"removed {f}" for f in sorted(cluster_files("staging"))
    ]
    # The apps' overlays of staging go too; their bases are what dev and prod share now.
    assert all("/overlays/staging/" in r for r in removed if "/apps/" in r)
    assert not list((checkout / "gitops/apps").glob("*/overlays/staging"))
    assert (
        "skipped staging: no Argo CD manages it (no stack file lists it in "
        "argosy:argocd.spokes); nothing to render"
    ) in result.stdout.splitlines()
    assert not (checkout / "gitops/clusters/staging").exists()
    assert sorted(p.name for p in (checkout / "gitops/clusters").iterdir()) == [
        "dev",
        "hub",
        "local",
        "prod",
    ]


def test_the_hosts_gitops_path_decides_where(argosy: Callable[..., Result], checkout: Path) -> None:
    hub = load_example("hub")
    hub["config"]["argosy:argocd"]["gitops"]["path"] = "deploy/tree"
    (checkout / "stacks" / "Pulumi.hub.yaml").write_text(yaml.safe_dump(hub, sort_keys=False))
    result = argosy("render", "--stack", "staging", cwd=checkout)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "Argo CD on hub syncs deploy/tree/ from https://github.com/acme/platform.git at main: "
        "commit it there"
    )
    written = sorted(
        PurePosixPath("gitops", p.relative_to(checkout / "deploy/tree").as_posix())
        for p in (checkout / "deploy/tree").rglob("*")
        if p.is_file()
    )
    assert [w for w in written if w.parts[1] == "clusters"] == sorted(cluster_files("staging"))
    # The apps of the hub's stages follow its path; the local stage's stay in gitops/.
    assert sorted({w.parts[4] for w in written if "overlays" in w.parts}) == [
        "dev",
        "prod",
        "staging",
    ]
    assert [p.name for p in (checkout / "gitops/apps/hello/overlays").iterdir()] == ["local"]


# --------------------------------------------------------------------------------------
# Exit codes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("render", "--all", "--stack", "dev"),
            "error: --all renders every stack; --stack renders the ones named: use one or the "
            "other",
        ),
        (
            ("render", "--stack", "qa"),
            "error: no stack file for stack 'qa' at stacks/Pulumi.qa.yaml; stacks with files: "
            "dev, hub, local, prod, staging",
        ),
    ],
)
def test_usage_errors_exit_2(
    argosy: Callable[..., Result], args: tuple[str, ...], message: str
) -> None:
    result = argosy(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message + "\n"


def test_an_invalid_stack_file_exits_2_and_writes_nothing(
    argosy: Callable[..., Result], checkout: Path
) -> None:
    dev = checkout / "stacks" / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text().replace('accountId: "222222222222"', "accountId: 44"))
    line = dev.read_text().splitlines().index("    accountId: 44") + 1
    shutil.rmtree(checkout / "gitops")
    result = argosy("render", "--stack", "dev", cwd=checkout)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "1 configuration error:\n"
        f"stacks/Pulumi.dev.yaml:{line}: argosy:aws.accountId = 44\n"
        "    rule: must be a string (quote it in YAML)\n"
        "    example: accountId: '111111111111'\n"
    )
    assert not (checkout / "gitops").exists()


def test_local_alone_renders_its_own_tree(argosy: Callable[..., Result]) -> None:
    result = argosy("render", "--stack", "local", "--check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "the GitOps tree is up to date\n"
    result = argosy("render", "--stack", "local")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        # Its cluster's files, and every app's (the apps are rendered for all their stages).
        f"the GitOps tree is up to date: {len(cluster_files('local')) + len(APP_FILES)} files "
        "for local, nothing written\n"
        f"{SYNCED.splitlines()[1]}\n"
    )


def test_exit_status_of_the_real_command(checkout: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "argosy", "render", *args],
            cwd=checkout,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=False,
        )

    ok = run("--all", "--check")
    assert (ok.returncode, ok.stdout.splitlines()[-1]) == (0, "the GitOps tree is up to date")
    (checkout / DEV / "kustomization.yaml").unlink()
    stale = run("--all", "--check")
    assert stale.returncode == 1
    assert "  missing gitops/clusters/dev/baseline/kustomization.yaml\n" in stale.stderr
    assert run("--all", "--stack", "dev").returncode == 2
