"""The example catalog rendered and planned: the app tree, its objects, promotion, Argo CD.

Over ``apps/*.yaml`` and the example stacks: every overlay of ``gitops/apps`` builds (with
``kubectl kustomize``) exactly what the resolver returns for its stage; every object is
strict-valid against the stage's Kubernetes version; every Rollout keeps R1–R3 and every pod
template the workload rules of SECURITY.md; the issue's canary is rendered as written. Then
``render`` on a copy of the repository: promotion's tag kept, stray and missing files named
and repaired, an app removed with its directory. Last, the hub's and local's plans: a project
per team and stage within A4, Applications in them with L2, L4, L5, A5 kept, and a standalone
variant declaring its own apps.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from argosy import cli
from argosy.apps.catalog import load_apps, resolve_catalog, stage_configs
from argosy.apps.resolve import AppOnStage
from argosy.apps.tree import apps_tree
from argosy.manifests.argo_schemas import check_manifest
from argosy.plan.monitor import Registration
from argosy.plan.planner import Project, find_project
from tests.conftest import REPO, Planned, plan_valid
from tests.test_argocd_variants import plan_variant, variant_project
from tests.test_security import facts, findings

APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
APP_PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject"
SECRET = "kubernetes:core/v1:Secret"
CAPABILITY = "aws:eks/capability:Capability"
RELEASE = "kubernetes:helm.sh/v3:Release"
FINALIZER = "resources-finalizer.argocd.argoproj.io"
GITOPS_REPO = "https://github.com/acme/platform.git"
NEEDS_KUBECTL = "needs kubectl on PATH (its built-in kustomize)"
#: The issue's canary, as apps/go-todo.yaml writes it and as the Rollout must carry it.
ISSUE_LADDER = [
    {"setWeight": 20},
    {"pause": {}},
    {"setWeight": 40},
    {"pause": {"duration": "60s"}},
    {"setWeight": 60},
    {"pause": {"duration": "60s"}},
    {"setWeight": 80},
    {"pause": {"duration": "60s"}},
]
#: The stages the hub's Argo CD manages apps on, and local's.
HUB_STAGES = ("dev", "prod", "staging")


def sorted_dump(value: Any) -> Any:
    """``value`` with mappings' keys sorted at every depth, for comparison."""
    if isinstance(value, Mapping):
        return {k: sorted_dump(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sorted_dump(v) for v in value]
    return value


def _catalog_pairs(*, pre_sync: bool = False) -> list[tuple[str, str]]:
    """(app, stage) of every app file (with a preSync Job only, if asked), read plainly: for
    parametrizing at collection."""
    pairs = []
    for path in sorted((REPO / "apps").glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        if pre_sync and "preSync" not in document:
            continue
        pairs += [(document["name"], stage) for stage in sorted(document["stages"])]
    return pairs


PAIRS = _catalog_pairs()
IDS = [f"{app}-{stage}" for app, stage in PAIRS]
PRE_SYNC_PAIRS = _catalog_pairs(pre_sync=True)


@pytest.fixture(scope="module")
def resolved() -> dict[tuple[str, str], AppOnStage]:
    """Every example app on each of its stages, resolved, by (app, stage)."""
    configs = stage_configs(REPO / "stacks")
    by_app = resolve_catalog(load_apps(REPO, configs), configs)
    return {(a.name, a.facts.stage): a for apps in by_app.values() for a in apps}


def key(manifest: Mapping[str, Any]) -> tuple[str, str]:
    return (str(manifest["kind"]), str(manifest["metadata"]["name"]))


def kustomize(directory: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        ["kubectl", "kustomize", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def test_the_catalog_is_what_the_files_say(resolved: dict[tuple[str, str], AppOnStage]) -> None:
    assert sorted(resolved) == sorted(PAIRS)
    assert ("hello", "local") in resolved and ("go-todo", "prod") in resolved


# --------------------------------------------------------------------------------------
# The committed tree: each overlay builds exactly the resolved objects


def test_the_committed_app_tree_is_the_fresh_render(
    resolved: dict[tuple[str, str], AppOnStage],
) -> None:
    by_app: dict[str, list[AppOnStage]] = {}
    for (app, _stage), on_stage in sorted(resolved.items()):
        by_app.setdefault(app, []).append(on_stage)
    files, owned = apps_tree(by_app, {stage: "gitops" for _, stage in PAIRS}, REPO)
    assert owned == {PurePosixPath("gitops/apps")}
    on_disk = {
        PurePosixPath(p.relative_to(REPO).as_posix())
        for p in (REPO / "gitops" / "apps").rglob("*")
        if p.is_file()
    }
    assert sorted(on_disk) == sorted(files), "run `python -m argosy render`"
    stale = [str(p) for p, content in files.items() if (REPO / p).read_bytes() != content]
    assert stale == [], "run `python -m argosy render`"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason=NEEDS_KUBECTL)
@pytest.mark.parametrize(("app", "stage"), PAIRS, ids=IDS)
def test_each_overlay_builds_exactly_the_resolved_objects(
    resolved: dict[tuple[str, str], AppOnStage], app: str, stage: str
) -> None:
    built = kustomize(REPO / "gitops" / "apps" / app / "overlays" / stage)
    expected = resolved[(app, stage)].objects
    assert sorted(map(key, built)) == sorted(map(key, expected))
    assert len(built) == len(expected), "an object is built twice"
    by_key = {key(o): sorted_dump(o) for o in expected}
    for manifest in built:
        assert sorted_dump(manifest) == by_key[key(manifest)], key(manifest)


@pytest.mark.parametrize(("app", "stage"), PAIRS, ids=IDS)
def test_every_object_is_strict_valid_for_its_stage(
    resolved: dict[tuple[str, str], AppOnStage], app: str, stage: str
) -> None:
    on_stage = resolved[(app, stage)]
    for manifest in on_stage.objects:
        check_manifest(manifest, on_stage.facts.kubernetes_version)


@pytest.mark.parametrize(("app", "stage"), PAIRS, ids=IDS)
def test_every_object_is_in_the_apps_namespace(
    resolved: dict[tuple[str, str], AppOnStage], app: str, stage: str
) -> None:
    for manifest in resolved[(app, stage)].objects:
        metadata = manifest["metadata"]
        if manifest["kind"] == "Namespace":
            assert metadata["name"] == app
        else:
            assert metadata["namespace"] == app, key(manifest)
        assert app != "default" and not app.startswith("kube-")
        assert metadata["labels"]["argosy.dev/stage"] == stage


# --------------------------------------------------------------------------------------
# R1–R3 on every Rollout


_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def pause_seconds(duration: object) -> int:
    """An Argo Rollouts pause duration in seconds; negative values stay negative."""
    if isinstance(duration, int):
        return duration
    assert isinstance(duration, str), duration
    text = duration.lstrip("-")
    sign = -1 if duration.startswith("-") else 1
    if text.isdigit():
        return sign * int(text)
    match = _DURATION.fullmatch(text)
    assert match and text, f"pause duration {duration!r} is not one Argo Rollouts reads"
    h, m, s = (int(g or 0) for g in match.groups())
    return sign * (h * 3600 + m * 60 + s)


def rollouts(on_stage: AppOnStage) -> list[dict[str, Any]]:
    return [o for o in on_stage.objects if o["kind"] == "Rollout"]


@pytest.mark.parametrize(("app", "stage"), PAIRS, ids=IDS)
def test_r1_r2_r3_on_every_rollout(
    resolved: dict[tuple[str, str], AppOnStage], app: str, stage: str
) -> None:
    [rollout] = rollouts(resolved[(app, stage)])
    spec = rollout["spec"]
    # R1: a non-empty selector, matched by the template.
    selector = spec["selector"]["matchLabels"]
    assert selector
    labels = spec["template"]["metadata"]["labels"]
    assert all(labels.get(k) == v for k, v in selector.items())
    # R3: nothing holds the first deploy back; Argo Rollouts goes straight to 100% then.
    assert "paused" not in spec
    assert "workloadRef" not in spec
    strategy = spec["strategy"]
    assert len(strategy) == 1
    if "blueGreen" in strategy:
        return
    weights = []
    for step in strategy["canary"]["steps"]:
        if "setWeight" in step:
            weights.append(step["setWeight"])
        if "pause" in step and "duration" in step["pause"]:
            assert pause_seconds(step["pause"]["duration"]) >= 0, step  # R1
    assert weights, "a canary without a weight"
    # R1, R2: weights in 1..100, strictly increasing.
    assert all(isinstance(w, int) and 1 <= w <= 100 for w in weights), weights
    assert all(a < b for a, b in itertools.pairwise(weights)), weights


@pytest.mark.parametrize(
    ("app", "stage"), PRE_SYNC_PAIRS, ids=[f"{a}-{s}" for a, s in PRE_SYNC_PAIRS]
)
def test_the_presync_job_needs_nothing_the_sync_makes(
    resolved: dict[tuple[str, str], AppOnStage], app: str, stage: str
) -> None:
    """R3's spirit for hooks: nothing may assume the app exists already.

    Argo CD applies a sync by phase, then by wave ("Sync Phases and Waves": a PreSync hook
    "executes prior to the application of the manifests"; within a phase, lower waves first).
    The migration Job's service account and the Secrets it reads must come in an earlier
    phase or wave than the Job, or on the first sync the Job cannot start and the sync never
    gets past it; and the Rollout comes after the Job, so that the new version finds its
    schema migrated.
    """
    objects = resolved[(app, stage)].objects
    jobs = [o for o in objects if o["kind"] == "Job"]
    assert jobs, f"{app} asks for a preSync Job"
    phases = {"PreSync": 0, "Sync": 1, "PostSync": 2}

    def order(manifest: Mapping[str, Any]) -> tuple[int, int]:
        annotations = manifest["metadata"].get("annotations") or {}
        phase = str(annotations.get("argocd.argoproj.io/hook", "Sync"))
        return (phases[phase], int(annotations.get("argocd.argoproj.io/sync-wave", "0")))

    made_at: dict[tuple[str, str], tuple[int, int]] = {}
    for manifest in objects:
        made_at[key(manifest)] = order(manifest)
        if manifest["kind"] == "ExternalSecret":
            made_at[("Secret", manifest["spec"]["target"]["name"])] = order(manifest)
    [rollout] = rollouts(resolved[(app, stage)])
    for job in jobs:
        spec = job["spec"]["template"]["spec"]
        needed = {("ServiceAccount", spec.get("serviceAccountName", "default"))}
        for container in spec["containers"]:
            for env in container.get("env", []):
                ref = (env.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    needed.add(("Secret", ref["name"]))
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    needed.add(("Secret", source["secretRef"]["name"]))
        needed.discard(("ServiceAccount", "default"))
        late = sorted(n for n in needed if made_at.get(n, (9, 0)) >= order(job))
        assert late == [], (
            f"the Job {job['metadata']['name']} (phase, wave {order(job)}) needs {late}, made "
            f"at {[made_at.get(n) for n in late]}: on the first sync the Job cannot start"
        )
        assert order(rollout) > order(job), "the Rollout starts before the migration ends"


# --------------------------------------------------------------------------------------
# The workload rules (SECURITY.md, Workloads) on every pod template


def pod_templates(on_stage: AppOnStage) -> Iterator[tuple[str, dict[str, Any]]]:
    for manifest in on_stage.objects:
        template = (manifest.get("spec") or {}).get("template")
        if isinstance(template, dict) and "spec" in template:
            yield manifest["kind"], template


def workload_problems(template: Mapping[str, Any], *, probes: bool) -> list[str]:
    """What a pod template breaks of the workload rules, in words."""
    spec = template["spec"]
    problems = []
    pod = spec.get("securityContext") or {}
    if pod.get("runAsNonRoot") is not True:
        problems.append("the pod does not set runAsNonRoot")
    if (pod.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        problems.append("the pod's seccomp profile is not RuntimeDefault")
    if pod.get("runAsUser") == 0:
        problems.append("the pod runs as UID 0")
    for field in ("hostNetwork", "hostPID", "hostIPC", "hostUsers"):
        if spec.get(field, field == "hostUsers") is not (field == "hostUsers"):
            problems.append(f"{field} is set")
    if spec.get("serviceAccountName", "default") == "default":
        problems.append("the default service account")
    for volume in spec.get("volumes", []):
        if "hostPath" in volume:
            problems.append(f"volume {volume['name']} is a hostPath")
    containers = [*spec.get("initContainers", []), *spec["containers"]]
    for container in containers:
        name = container["name"]
        image = container["image"]
        repository, _, tag = image.rpartition(":")
        if "@" not in image and (not repository or "/" in tag or not tag or tag == "latest"):
            problems.append(f"{name}: image {image} has no tag, or latest")
        resources = container.get("resources") or {}
        for kind in ("requests", "limits"):
            if set(resources.get(kind) or {}) < {"cpu", "memory"}:
                problems.append(f"{name}: {kind} without CPU and memory")
        if probes:
            for probe in ("livenessProbe", "readinessProbe"):
                if probe not in container:
                    problems.append(f"{name}: no {probe}")
        security = container.get("securityContext") or {}
        if security.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: privilege escalation not turned off")
        if security.get("privileged", False) is not False:
            problems.append(f"{name}: privileged")
        if security.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{name}: root filesystem not read-only")
        if security.get("capabilities") != {"drop": ["ALL"]}:
            problems.append(f"{name}: capabilities not dropped (ALL), or some added")
        if security.get("runAsNonRoot", True) is not True or security.get("runAsUser") == 0:
            problems.append(f"{name}: may run as root")
        if (security.get("seccompProfile") or {}).get("type", "RuntimeDefault") != (
            "RuntimeDefault"
        ):
            problems.append(f"{name}: seccomp not RuntimeDefault")
        for port in container.get("ports", []):
            if "hostPort" in port or "hostIP" in port:
                problems.append(f"{name}: host port {port}")
    return problems


@pytest.mark.parametrize(("app", "stage"), PAIRS, ids=IDS)
def test_every_pod_template_follows_the_workload_rules(
    resolved: dict[tuple[str, str], AppOnStage], app: str, stage: str
) -> None:
    templates = list(pod_templates(resolved[(app, stage)]))
    assert "Rollout" in [kind for kind, _ in templates]
    for kind, template in templates:
        # A Job's pod runs to completion: it has no liveness or readiness to probe.
        assert workload_problems(template, probes=kind != "Job") == [], (app, stage, kind)


def test_the_workload_rules_check_sees_each_breach() -> None:
    ok = {
        "spec": {
            "serviceAccountName": "web",
            "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                {
                    "name": "app",
                    "image": "ghcr.io/acme/web:1.0.0",
                    "resources": {
                        "requests": {"cpu": "1", "memory": "1Gi"},
                        "limits": {"cpu": "1", "memory": "1Gi"},
                    },
                    "livenessProbe": {},
                    "readinessProbe": {},
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                    },
                }
            ],
        }
    }
    assert workload_problems(ok, probes=True) == []
    bad = yaml.safe_load(yaml.safe_dump(ok))
    bad["spec"]["hostNetwork"] = True
    container = bad["spec"]["containers"][0]
    container["image"] = "ghcr.io/acme/web:latest"
    container["securityContext"]["capabilities"] = {"drop": ["ALL"], "add": ["NET_ADMIN"]}
    container["ports"] = [{"containerPort": 80, "hostPort": 80}]
    del container["livenessProbe"]
    assert workload_problems(bad, probes=True) == [
        "hostNetwork is set",
        "app: image ghcr.io/acme/web:latest has no tag, or latest",
        "app: no livenessProbe",
        "app: capabilities not dropped (ALL), or some added",
        "app: host port {'containerPort': 80, 'hostPort': 80}",
    ]


# --------------------------------------------------------------------------------------
# The issue's canary


def test_the_issue_canary_is_every_go_todo_rollout(
    resolved: dict[tuple[str, str], AppOnStage],
) -> None:
    written = yaml.safe_load((REPO / "apps" / "go-todo.yaml").read_text())
    assert written["strategy"]["canary"]["steps"] == [
        20,
        "pause",
        40,
        "pause 60s",
        60,
        "pause 60s",
        80,
        "pause 60s",
    ]
    stages = sorted(s for a, s in PAIRS if a == "go-todo")
    assert stages == ["dev", "prod", "staging"]
    for stage in stages:
        [rollout] = rollouts(resolved[("go-todo", stage)])
        assert rollout["spec"]["strategy"]["canary"]["steps"] == ISSUE_LADDER, stage
        # And so in the committed file the overlay (or the base) holds.
        overlay = REPO / "gitops/apps/go-todo/overlays" / stage / "rollout-go-todo.yaml"
        path = (
            overlay if overlay.exists() else REPO / "gitops/apps/go-todo/base/rollout-go-todo.yaml"
        )
        on_disk = yaml.safe_load(path.read_text())
        assert on_disk["spec"]["strategy"]["canary"]["steps"] == ISSUE_LADDER, stage


# --------------------------------------------------------------------------------------
# render on a copy of the repository: promotion, stray files, a removed app


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """What render reads and writes (find_project needs Pulumi.yaml), freshly rendered."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
    for directory in ("stacks", "apps", "gitops"):
        shutil.copytree(REPO / directory, root / directory)
    return root


@pytest.fixture
def argosy(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    def invoke(*args: str, cwd: Path) -> Result:
        monkeypatch.chdir(cwd)
        return CliRunner().invoke(cli.app, list(args))

    return invoke


def render_clean(argosy: Callable[..., Result], root: Path) -> None:
    """Render, then check: the cluster trees may lag behind work in progress elsewhere."""
    result = argosy("render", cwd=root)
    assert result.exit_code == 0, result.stderr
    result = argosy("render", "--check", cwd=root)
    assert (result.exit_code, result.stdout) == (0, "the GitOps tree is up to date\n")


def digest(root: Path, under: str = "gitops") -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / under).rglob("*"))
        if p.is_file()
    }


def test_promotion_edits_the_overlay_tag_and_render_keeps_it(
    argosy: Callable[..., Result], checkout: Path
) -> None:
    render_clean(argosy, checkout)
    overlay = checkout / "gitops/apps/go-todo/overlays/prod"
    kustomization = overlay / "kustomization.yaml"
    document = yaml.safe_load(kustomization.read_text())
    repository = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/go-todo"
    assert document["images"] == [{"name": repository, "newTag": "1.4.2"}]
    # As `kustomize edit set image` leaves it: its own layout, no header.
    document["images"][0]["newTag"] = "1.5.0"
    kustomization.write_text(yaml.safe_dump(document))
    before = digest(checkout)

    result = argosy("render", "--check", cwd=checkout)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:-1] == [
        "  stale   gitops/apps/go-todo/overlays/prod/kustomization.yaml"
    ]
    assert digest(checkout) == before
    result = argosy("render", cwd=checkout)
    assert result.exit_code == 0, result.stderr
    assert "wrote gitops/apps/go-todo/overlays/prod/kustomization.yaml" in result.stdout
    after = yaml.safe_load(kustomization.read_text())
    assert after["images"] == [{"name": repository, "newTag": "1.5.0"}]
    # Only prod was promoted; the other overlays keep the file's tag.
    for stage in ("dev", "staging"):
        other = checkout / "gitops/apps/go-todo/overlays" / stage / "kustomization.yaml"
        assert yaml.safe_load(other.read_text())["images"][0]["newTag"] == "1.4.2"
    result = argosy("render", "--check", cwd=checkout)
    assert (result.exit_code, result.stdout) == (0, "the GitOps tree is up to date\n")
    again = digest(checkout)
    result = argosy("render", cwd=checkout)
    assert result.exit_code == 0, result.stderr
    assert digest(checkout) == again

    if shutil.which("kubectl") is None:
        return
    # The promoted tag reaches the Rollout and the PreSync Job alike.
    images = {
        (o["kind"], c["image"])
        for o in kustomize(overlay)
        for c in ((o.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers", [])
    }
    assert images == {("Rollout", f"{repository}:1.5.0"), ("Job", f"{repository}:1.5.0")}


def test_check_names_every_stray_and_missing_app_file_and_render_repairs_them(
    argosy: Callable[..., Result], checkout: Path
) -> None:
    render_clean(argosy, checkout)
    apps = checkout / "gitops" / "apps"
    (apps / "hello/base/serviceaccount-hello.yaml").unlink()
    (apps / "ledger/overlays/dev/notes.yaml").write_text("# mine\n")
    (apps / "gone/overlays/dev").mkdir(parents=True)
    (apps / "gone/overlays/dev/kustomization.yaml").write_text("resources: []\n")
    before = digest(checkout)

    result = argosy("render", "--check", cwd=checkout)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: the GitOps tree is out of date: 3 files differ from what "
        "`python -m argosy render --all` writes\n"
        "  missing gitops/apps/hello/base/serviceaccount-hello.yaml\n"
        "  extra   gitops/apps/gone/overlays/dev/kustomization.yaml\n"
        "  extra   gitops/apps/ledger/overlays/dev/notes.yaml\n"
        "run `python -m argosy render --all` and commit the result\n"
    )
    assert digest(checkout) == before

    result = argosy("render", cwd=checkout)
    assert result.exit_code == 0, result.stderr
    assert [ln for ln in result.stdout.splitlines() if ln.startswith(("wrote", "removed"))] == [
        "wrote gitops/apps/hello/base/serviceaccount-hello.yaml",
        "removed gitops/apps/gone/overlays/dev/kustomization.yaml",
        "removed gitops/apps/ledger/overlays/dev/notes.yaml",
    ]
    assert not (apps / "gone").exists()
    render_clean(argosy, checkout)


def test_an_app_removed_from_the_catalog_has_its_directory_removed(
    argosy: Callable[..., Result], checkout: Path
) -> None:
    render_clean(argosy, checkout)
    hello = sorted(p for p in digest(checkout) if p.startswith("gitops/apps/hello/"))
    assert hello
    (checkout / "apps" / "hello.yaml").unlink()
    result = argosy("render", "--check", cwd=checkout)
    assert result.exit_code == 1
    assert [ln.split()[-1] for ln in result.stderr.splitlines() if ln.startswith("  ")] == hello
    result = argosy("render", cwd=checkout)
    assert result.exit_code == 0, result.stderr
    assert [ln for ln in result.stdout.splitlines() if ln.startswith("removed")] == [
        f"removed {p}" for p in hello
    ]
    assert not (checkout / "gitops/apps/hello").exists()
    assert sorted(p.name for p in (checkout / "gitops/apps").iterdir()) == ["go-todo", "ledger"]
    render_clean(argosy, checkout)


@pytest.mark.parametrize("stage", ["dev", "local", "prod"])
def test_rendering_one_stage_leaves_the_other_stages_apps_alone(
    argosy: Callable[..., Result], checkout: Path, stage: str
) -> None:
    render_clean(argosy, checkout)
    before = digest(checkout, "gitops/apps")
    result = argosy("render", "--stack", stage, "--check", cwd=checkout)
    assert (result.exit_code, result.stdout) == (0, "the GitOps tree is up to date\n"), (
        result.stderr
    )
    result = argosy("render", "--stack", stage, cwd=checkout)
    assert result.exit_code == 0, result.stderr
    assert digest(checkout, "gitops/apps") == before


# --------------------------------------------------------------------------------------
# The plan: projects and Applications on the hub, and on local


def applications(plan: Planned) -> dict[str, Registration]:
    return {a.inputs["metadata"]["name"]: a for a in plan.graph.of_type(APPLICATION)}


def projects(plan: Planned) -> dict[str, Registration]:
    return {p.inputs["metadata"]["name"]: p for p in plan.graph.of_type(APP_PROJECT)}


def app_applications(
    plan: Planned, resolved: Mapping[tuple[str, str], AppOnStage]
) -> dict[tuple[str, str], Registration]:
    found = applications(plan)
    return {
        (app, stage): found[f"{app}-{stage}"]
        for app, stage in resolved
        if f"{app}-{stage}" in found
    }


def test_a_project_per_team_and_stage_and_an_application_per_app_and_stage(
    planned: Callable[[str], Planned], resolved: dict[tuple[str, str], AppOnStage]
) -> None:
    hub = planned("hub")
    teams = {(a.app.team, s) for (_, s), a in resolved.items() if s in HUB_STAGES}
    team_projects = {n: p for n, p in projects(hub).items() if n != "platform"}
    assert sorted(team_projects) == sorted(f"{t}-{s}" for t, s in teams)
    for team, stage in teams:
        spec = team_projects[f"{team}-{stage}"].inputs["spec"]
        namespaces = sorted(
            a.name for (_, s), a in resolved.items() if s == stage and a.app.team == team
        )
        assert spec["destinations"] == [{"name": stage, "namespace": n} for n in namespaces]
        assert spec["sourceRepos"] == [GITOPS_REPO]
    found = app_applications(hub, resolved)
    assert sorted(found) == sorted(k for k in resolved if k[1] in HUB_STAGES)
    for (app, stage), registration in found.items():
        spec = registration.inputs["spec"]
        assert spec["project"] == f"{resolved[(app, stage)].app.team}-{stage}"
        assert spec["destination"] == {"name": stage, "namespace": app}
        assert spec["source"] == {
            "repoURL": GITOPS_REPO,
            "targetRevision": "main",
            "path": f"gitops/apps/{app}/overlays/{stage}",
        }
        assert (REPO / spec["source"]["path"] / "kustomization.yaml").is_file()
        check_manifest(registration.inputs, "1.36")


@pytest.mark.parametrize("stack", ["hub", "local"])
def test_a4_every_project_is_bounded_and_no_application_is_in_default(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    assert findings("A4", plan.graph, facts(plan)) == []
    for name, project in projects(plan).items():
        spec = project.inputs["spec"]
        assert "*" not in spec["sourceRepos"], name
        for destination in spec["destinations"]:
            assert "*" not in (
                destination.get("server"),
                destination.get("name"),
                destination.get("namespace"),
            ), name
            assert "*" not in str(destination.get("namespace", "")), name
        for allowed in spec.get("clusterResourceWhitelist", []):
            assert (allowed["group"], allowed["kind"]) != ("*", "*"), name
            assert allowed["kind"] != "*", name
        for allowed in spec.get("namespaceResourceWhitelist", []):
            assert allowed["kind"] != "*", name
    for name, application in applications(plan).items():
        assert application.inputs["spec"]["project"] not in ("default", ""), name


def test_l2_every_production_application_states_self_heal(
    planned: Callable[[str], Planned],
) -> None:
    hub = planned("hub")
    production = [
        a
        for a in applications(hub).values()
        if a.inputs["metadata"]["labels"].get("argosy.dev/production") == "true"
    ]
    names = {a.inputs["metadata"]["name"] for a in production}
    assert {"go-todo-prod", "ledger-prod"} <= names
    for application in production:
        automated = application.inputs["spec"]["syncPolicy"]["automated"]
        assert "selfHeal" in automated, application.inputs["metadata"]["name"]
        assert automated["selfHeal"] is True


def test_l5_every_application_with_the_finalizer_waits_for_argo_cd(
    planned: Callable[[str], Planned], resolved: dict[tuple[str, str], AppOnStage]
) -> None:
    for stack, install_type in (("hub", CAPABILITY), ("local", RELEASE)):
        plan = planned(stack)
        assert findings("L5", plan.graph, facts(plan)) == []
        installs = {
            r.urn
            for r in plan.graph.of_type(install_type)
            if install_type == CAPABILITY or r.inputs.get("chart") == "argo-cd"
        }
        assert installs
        for (app, stage), application in app_applications(plan, resolved).items():
            assert application.inputs["metadata"]["finalizers"] == [FINALIZER], (app, stage)
            assert installs & plan.graph.waits_for(application.urn), (app, stage)


def test_l4_an_app_with_an_ingress_waits_for_its_clusters_load_balancer_controller(
    planned: Callable[[str], Planned], resolved: dict[tuple[str, str], AppOnStage]
) -> None:
    hub = planned("hub")
    found = applications(hub)
    with_ingress = 0
    for (app, stage), application in app_applications(hub, resolved).items():
        controller = found[f"aws-load-balancer-controller-{stage}"]
        kinds = {o["kind"] for o in resolved[(app, stage)].objects}
        if "Ingress" in kinds:
            with_ingress += 1
            assert controller.urn in application.dependencies, (app, stage)
        # Every app waits for Argo Rollouts (its CRDs), and for external-secrets if it reads.
        rollouts_app = found[f"argo-rollouts-{stage}"]
        assert rollouts_app.urn in application.dependencies, (app, stage)
        if "ExternalSecret" in kinds:
            assert found[f"external-secrets-{stage}"].urn in application.dependencies
    assert with_ingress == 6  # go-todo and ledger on dev, staging and prod
    assert findings("L4", hub.graph, facts(hub)) == []


def test_an_autoscaled_app_ignores_its_rollouts_replicas(
    planned: Callable[[str], Planned], resolved: dict[tuple[str, str], AppOnStage]
) -> None:
    hub = planned("hub")
    autoscaled = {k for k, a in resolved.items() if a.autoscaled}
    assert autoscaled == {("go-todo", "prod")}
    for (app, stage), application in app_applications(hub, resolved).items():
        spec = application.inputs["spec"]
        if (app, stage) in autoscaled:
            assert spec["ignoreDifferences"] == [
                {
                    "group": "argoproj.io",
                    "kind": "Rollout",
                    "name": app,
                    "jsonPointers": ["/spec/replicas"],
                }
            ]
            assert "RespectIgnoreDifferences=true" in spec["syncPolicy"]["syncOptions"]
            [rollout] = rollouts(resolved[(app, stage)])
            assert "replicas" not in rollout["spec"]
        else:
            assert "ignoreDifferences" not in spec, (app, stage)


def repository_secrets(plan: Planned) -> dict[str, Any]:
    return {
        s.name: s.inputs
        for s in plan.graph.of_type(SECRET)
        if (s.inputs.get("metadata") or {}).get("labels", {}).get("argocd.argoproj.io/secret-type")
        in ("repository", "repo-creds")
    }


def test_a5_apps_leave_repository_credentials_alone(
    planned: Callable[[str], Planned],
    resolved: dict[tuple[str, str], AppOnStage],
    tmp_path: Path,
) -> None:
    hub = planned("hub")
    assert findings("A5", hub.graph, facts(hub)) == []
    # The same hub without a catalog declares the same repository credentials.
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    bare: Project = find_project(tmp_path)
    without_apps = plan_valid(bare, bare.stack_file("hub"), "hub")
    assert not [a for a in applications(without_apps) if a.startswith(("go-todo", "ledger"))]
    assert repository_secrets(hub) == repository_secrets(without_apps)
    # No app object holds a Secret: its values come from Secrets Manager through ESO.
    for (app, stage), on_stage in resolved.items():
        assert "Secret" not in {o["kind"] for o in on_stage.objects}, (app, stage)
        for manifest in on_stage.objects:
            if manifest["kind"] == "ExternalSecret":
                assert manifest["spec"]["secretStoreRef"]["kind"] == "ClusterSecretStore"
                assert "template" not in manifest["spec"]["target"], (app, stage)


def test_the_local_stack_plans_its_hello_app(
    planned: Callable[[str], Planned], resolved: dict[tuple[str, str], AppOnStage]
) -> None:
    local = planned("local")
    assert sorted(n for n in projects(local) if n != "platform") == ["todo-local"]
    found = app_applications(local, resolved)
    assert list(found) == [("hello", "local")]
    spec = found[("hello", "local")].inputs["spec"]
    assert spec["project"] == "todo-local"
    assert spec["destination"] == {"name": "local", "namespace": "hello"}
    assert spec["source"]["path"] == "gitops/apps/hello/overlays/local"
    # The hub declares none of local's apps, and local none of the hub's.
    assert "hello-local" not in applications(planned("hub"))


# --------------------------------------------------------------------------------------
# A standalone variant: each stage's own Argo CD declares its own apps


SHOP_APP = """\
name: shop
team: shop
image: {repository: ghcr.io/acme/shop, tag: 2.1.0}
port: 8080
resources: {cpu: 100m, memory: 128Mi}
stages:
  dev: {replicas: 1}
  prod: {replicas: 2}
"""


@pytest.fixture(scope="module")
def standalone_with_apps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Planned]:
    root = tmp_path_factory.mktemp("standalone-apps")
    project = variant_project(root, "standalone")
    # A production canary needs an analysis; blue-green on prod keeps the fixture small.
    for stage, extra in (("dev", {}), ("prod", {"strategy": "blueGreen"})):
        path = root / "stacks" / f"Pulumi.{stage}.yaml"
        document = yaml.safe_load(path.read_text())
        document["config"]["argosy:apps"] = {
            **extra,
            "teams": {"shop": {"groups": ["shop-developers"]}},
        }
        path.write_text(yaml.safe_dump(document, sort_keys=False))
    (root / "apps").mkdir()
    (root / "apps" / "shop.yaml").write_text(SHOP_APP)
    return plan_variant(project)


def test_a_standalone_stage_declares_its_own_apps_projects(
    standalone_with_apps: dict[str, Planned],
) -> None:
    for stage in ("dev", "prod"):
        plan = standalone_with_apps[stage]
        assert plan.checks.findings == ()
        assert sorted(projects(plan)) == ["platform", f"shop-{stage}"]
        project = projects(plan)[f"shop-{stage}"].inputs["spec"]
        assert project["destinations"] == [{"name": stage, "namespace": "shop"}]
        assert "*" not in project["sourceRepos"]
        found = applications(plan)
        application = found[f"shop-{stage}"]
        spec = application.inputs["spec"]
        assert spec["project"] == f"shop-{stage}"
        assert spec["destination"] == {"name": stage, "namespace": "shop"}
        assert spec["source"]["path"] == f"gitops/apps/shop/overlays/{stage}"
        # Each stage's Argo CD declares only its own stage's Application.
        other = "prod" if stage == "dev" else "dev"
        assert f"shop-{other}" not in found
    hub = standalone_with_apps["hub"]
    assert hub.graph.of_type(APP_PROJECT) == [] and hub.graph.of_type(APPLICATION) == []
