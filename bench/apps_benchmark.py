"""Benchmark of the app catalog at scale (a benchmark, not a test: it asserts nothing).

For each size N it generates N app files (:func:`app_document`: deterministic, varied: canary
and blue-green, with and without a host, some with a database, a bucket or secret variables,
spread over the teams todo and payments and the stages dev, staging, prod and, for apps
without AWS needs, local) into a temporary copy of the repository (:func:`make_repository`:
``Pulumi.yaml``, ``__main__.py``, ``stacks/``, ``gitops/`` without ``gitops/apps``, and
``apps/`` replaced), then measures, each on its own:

- ``catalog``: validate the stack files, load and validate the catalog, resolve every app on
  every stage (:func:`~argosy.apps.catalog.stage_configs`, :func:`~argosy.apps.catalog.load_apps`,
  :func:`~argosy.apps.catalog.resolve_catalog`);
- ``render``: the GitOps tree of every managed cluster with the apps
  (:func:`~argosy.render.render_tree`, as ``argosy render --all`` calls it, with the tree
  already written, as in ``render --check``); its input (the resolved catalog) is made
  beforehand and not timed;
- ``write``: writing that tree into a checkout without ``gitops/apps`` (cold), as the first
  ``argosy render`` does;
- ``plan hub`` / ``plan prod``: the offline plan of the hub stack and of one workload stack
  (:func:`~argosy.plan.planner.plan_stack`, as ``bench/plan_benchmark.py`` times it); the
  program loads and resolves the catalog itself, as ``pulumi up`` would;
- ``rules hub`` / ``rules prod``: the security and ordering rules over that plan
  (:func:`~argosy.plan.planner.check_run`, as ``argosy plan`` runs them after planning).

Every phase runs in a child process of its own (``--phase``), so that its process peak RSS
(``ru_maxrss``) is its own: the SDKs' imports, the phase's untimed setup, a warm-up on a tiny
catalog (which pays the lazy imports), the timed runs (median and best reported), and one
extra run under ``tracemalloc`` for the peak of Python allocations (as ``plan_benchmark``).
``setup RSS`` is the high-water mark before the phase's own runs.

Run: ``.venv/bin/python -m bench.apps_benchmark [--sizes 50 500] [--runs 3] [--json]``

By default each measure runs 3 times, but once above 200 apps: on a 2-CPU machine the whole
benchmark takes about 2 minutes for 50 apps and 10 for 500 with one run, most of it in the
traced runs (tracemalloc makes a run about 7 times slower); ``--no-trace`` skips them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

import yaml

from argosy.apps.catalog import load_apps, resolve_catalog, stage_configs
from argosy.apps.resolve import AppOnStage
from argosy.plan.engine import ProgramRun
from argosy.plan.planner import (
    Project,
    ValidStack,
    check_run,
    find_project,
    plan_stack,
    requested_stacks,
    validate_requests,
)
from argosy.policy.rules import CheckReport
from argosy.render import ManagedCluster, managed_clusters, render_tree
from argosy.render.tree import Difference, Tree, write

REPO: Final = Path(__file__).resolve().parents[1]
#: The teams every stage's ``argosy:apps.teams`` lists in the example stack files.
TEAMS: Final = ("todo", "payments")
#: The example stages apps run on, and the app domain of each (none: no host there).
DOMAINS: Final[Mapping[str, str | None]] = {
    "local": None,
    "dev": "dev.acme.example",
    "staging": "staging.acme.example",
    "prod": "acme.example",
}
#: Canary steps as teams write them (R1/R2: whole weights, increasing).
STEPS: Final = (
    (20, "pause", 40, "pause 60s", 60, "pause 60s", 80, "pause 60s"),
    (10, "60s", 30, "60s", 60, "60s"),
    (25, "30s", 50, "30s", 75, "30s"),
)
#: The catalog the warm-up runs on: one app of each shape.
WARMUP_SIZE: Final = 6
#: Sizes above which one timed run is the default: at 500 apps one run of every phase takes
#: about 80 s, but the whole benchmark about 11 minutes, most of it in the traced runs
#: (tracemalloc makes a run about 7 times slower).
SLOW_SIZE: Final = 200
DEFAULT_SIZES: Final = (50, 500)
PHASES: Final = ("catalog", "render", "plan-hub", "plan-prod")


# --------------------------------------------------------------------------------------
# The generated catalog


def app_name(index: int) -> str:
    """The ``index``-th app's name: its shape's word and the index (``web-0001``).

    At most 11 characters up to index 99999: the Application ``<app>-staging``, the Services
    ``<app>-preview`` and the bucket ``argosy-staging-<app>-<account>`` stay within limits.
    """
    shape = ("hello", "web", "ledger", "worker", "batch", "site")[index % 6]
    return f"{shape}-{index:04d}"


def app_document(index: int, domains: Mapping[str, str | None] = DOMAINS) -> dict[str, Any]:
    """The ``index``-th app file, as YAML data; the same for the same index.

    Six shapes in turn (``index % 6``):

    0. local and dev, no host, no strategy (the stage's canary), no AWS needs;
    1. dev, staging, prod: canary behind its host, Aurora database with a PreSync migration,
       autoscaling in prod, Slack notifications;
    2. dev, staging, prod: blue-green behind its host, a bucket and a secret variable;
    3. dev, staging, prod: replica-based canary without host, a secret variable, one of
       several step ladders;
    4. staging and prod: blue-green without host, an RDS database and a bucket, synced by
       hand in prod;
    5. local, dev, staging: canary with a host where the stage has a domain, no AWS needs,
       reached from the previous app's namespace.

    The team alternates with the index and, every six apps, swaps, so each shape has both.
    """
    name = app_name(index)
    shape = index % 6
    team = TEAMS[(index + index // 6) % 2]
    replicas = 1 + index % 3

    def stage(stage: str, *, host: bool, **extra: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {"replicas": replicas, **extra}
        if "autoscaling" in entry:
            del entry["replicas"]
        domain = domains.get(stage)
        if host and domain is not None:
            entry["host"] = f"{name}.{domain}"
        return entry

    document: dict[str, Any] = {
        "name": name,
        "team": team,
        "image": {
            "repository": f"111111111111.dkr.ecr.eu-west-1.amazonaws.com/{name}",
            "tag": f"1.{index % 10}.{index % 7}",
        },
        "port": 8080 + 10 * (index % 3),
        "resources": {"cpu": f"{50 * (1 + index % 5)}m", "memory": f"{64 * (1 + index % 4)}Mi"},
        "env": {"LOG_LEVEL": ("info", "debug", "warn")[index % 3]},
    }
    secret = {"secret": f"{name}/api", "key": "token"}
    if shape == 0:
        document["stages"] = {s: stage(s, host=False) for s in ("local", "dev")}
    elif shape == 1:
        document["stages"] = {
            "dev": stage("dev", host=True),
            "staging": stage("staging", host=True),
            "prod": stage("prod", host=True, autoscaling={"minReplicas": 3, "maxReplicas": 12}),
        }
        document["strategy"] = {"canary": {"steps": list(STEPS[index % len(STEPS)])}}
        document["database"] = {"engine": "aurora-postgresql", "version": "16.6"}
        document["preSync"] = {"command": [f"/app/{name}", "migrate", "up"]}
        document["notifications"] = {"slack": f"{team}-deploys"}
        document["resources"]["cpuLimit"] = "1000m"
    elif shape == 2:
        document["stages"] = {s: stage(s, host=True) for s in ("dev", "staging", "prod")}
        document["strategy"] = {"blueGreen": {}}
        document["bucket"] = {"versioning": True, "noncurrentDays": 30 + index % 60}
        document["env"]["API_KEY"] = secret
    elif shape == 3:
        document["stages"] = {s: stage(s, host=False) for s in ("dev", "staging", "prod")}
        document["strategy"] = {
            "canary": {"steps": list(STEPS[index % len(STEPS)]), "trafficRouting": "none"}
        }
        document["env"]["QUEUE_TOKEN"] = secret
        document["healthPath"] = "/health/ready"
    elif shape == 4:
        document["stages"] = {
            "staging": stage("staging", host=False),
            "prod": stage("prod", host=False, sync="manual"),
        }
        document["strategy"] = {"blueGreen": {}}
        document["database"] = {"engine": "postgres", "version": "16.6", "storageGib": 20}
        document["bucket"] = {}
    else:
        document["stages"] = {s: stage(s, host=True) for s in ("local", "dev", "staging")}
        document["allowedNamespaces"] = [app_name(index - 1)]
        document["metricsPath"] = "/metrics"
    return document


def write_catalog(apps_dir: Path, count: int) -> list[Path]:
    """Write ``count`` app files into ``apps_dir`` (created, emptied first); return them."""
    if apps_dir.exists():
        shutil.rmtree(apps_dir)
    apps_dir.mkdir(parents=True)
    files = []
    for index in range(1, count + 1):
        document = app_document(index)
        path = apps_dir / f"{document['name']}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        files.append(path)
    return files


def make_repository(target: Path, count: int, *, source: Path = REPO) -> Path:
    """A copy of the repository at ``source`` with ``count`` generated apps, at ``target``.

    Copies what the program, ``plan`` and ``render`` read: ``Pulumi.yaml``, ``__main__.py``,
    ``stacks/`` and ``gitops/`` (without ``gitops/apps``, which the apps' render owns).
    """
    target.mkdir(parents=True, exist_ok=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy2(source / name, target / name)
    shutil.copytree(source / "stacks", target / "stacks", dirs_exist_ok=True)
    if (source / "gitops").is_dir():
        shutil.copytree(
            source / "gitops",
            target / "gitops",
            dirs_exist_ok=True,
            ignore=lambda directory, _names: (
                ["apps"] if Path(directory) == source / "gitops" else []
            ),
        )
    write_catalog(target / "apps", count)
    return target


# --------------------------------------------------------------------------------------
# Measuring one phase (in a child process)


@dataclass(frozen=True, kw_only=True)
class Measure:
    """What one measured action did, over its runs.

    Attributes:
        phase: ``catalog``, ``render``, ``write``, ``plan hub``, ``rules hub``, ...
        apps: The catalog's size.
        runs_ms: Wall time of each timed run.
        peak_mib: Peak traced Python memory of one extra run (tracemalloc); 0 if not traced.
        count: What it made (app-stages, files, resources, rules), as ``unit`` says.
        unit: What ``count`` counts.
        rss_mib: The process's peak RSS after this phase (SDK imports included).
        setup_rss_mib: The process's peak RSS before this phase's own runs.
    """

    phase: str
    apps: int
    runs_ms: tuple[float, ...]
    peak_mib: float
    count: int
    unit: str
    rss_mib: float = 0.0
    setup_rss_mib: float = 0.0

    @property
    def median_ms(self) -> float:
        """The median of the timed runs."""
        return statistics.median(self.runs_ms)

    @property
    def best_ms(self) -> float:
        """The fastest timed run."""
        return min(self.runs_ms)

    def to_json(self) -> dict[str, Any]:
        """As a JSON object, with the median and best."""
        return {
            **asdict(self),
            "runs_ms": [round(v, 1) for v in self.runs_ms],
            "median_ms": round(self.median_ms, 1),
            "best_ms": round(self.best_ms, 1),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Measure:
        """The inverse of :meth:`to_json`."""
        return cls(
            phase=str(data["phase"]),
            apps=int(data["apps"]),
            runs_ms=tuple(float(v) for v in data["runs_ms"]),
            peak_mib=float(data["peak_mib"]),
            count=int(data["count"]),
            unit=str(data["unit"]),
            rss_mib=float(data["rss_mib"]),
            setup_rss_mib=float(data["setup_rss_mib"]),
        )


def max_rss_mib() -> float:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


T = TypeVar("T")


def measure(
    phase: str,
    apps: int,
    action: Callable[[], T],
    counted: Callable[[T], tuple[int, str]],
    *,
    runs: int,
    trace: bool = True,
    before_each: Callable[[], object] | None = None,
) -> Measure:
    """Time ``action`` ``runs`` times, then trace one more run's memory.

    ``counted`` tells what the last run made; ``before_each`` (untimed) runs before every run.
    """
    setup_rss = max_rss_mib()
    if runs < 1:
        raise ValueError(f"runs is at least 1, not {runs}")
    seconds = []
    last: list[T] = []  # the last run's result
    for _ in range(runs):
        if before_each is not None:
            before_each()
        started = time.perf_counter()
        last[:] = [action()]
        seconds.append(time.perf_counter() - started)
    peak = 0
    if trace:
        if before_each is not None:
            before_each()
        tracemalloc.start()
        try:
            action()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    count, unit = counted(last[0])
    return Measure(
        phase=phase,
        apps=apps,
        runs_ms=tuple(s * 1000 for s in seconds),
        peak_mib=peak / 2**20,
        count=count,
        unit=unit,
        rss_mib=max_rss_mib(),
        setup_rss_mib=setup_rss,
    )


Resolved = dict[str, list[AppOnStage]]


def _catalog(root: Path) -> Resolved:
    """Every stage validated, and every app resolved on each of its stages."""
    configs = stage_configs(root / "stacks")
    return resolve_catalog(load_apps(root, configs), configs)


def _app_stages(resolved: Resolved) -> tuple[int, str]:
    return sum(len(stages) for stages in resolved.values()), "app-stages"


def measure_catalog(root: Path, apps: int, *, runs: int, trace: bool = True) -> list[Measure]:
    """Stack files validated, catalog loaded and validated, every app resolved."""
    return [measure("catalog", apps, lambda: _catalog(root), _app_stages, runs=runs, trace=trace)]


def _render_input(root: Path) -> tuple[list[ManagedCluster], Resolved]:
    """The managed clusters and resolved apps, as ``argosy render --all`` computes them."""
    project = find_project(root)
    valid = validate_requests(
        requested_stacks(project, stacks=[], all_stacks=True, cwd=root),
        project.stack_config_dir,
    )
    clusters, _skipped = managed_clusters([v.config for v in valid], project.stack_config_dir)
    configs = stage_configs(project.stack_config_dir, known=[v.config for v in valid])
    apps = resolve_catalog(load_apps(root, configs), configs, stages=[c.stage for c in clusters])
    return clusters, apps


def measure_render(root: Path, apps: int, *, runs: int, trace: bool = True) -> list[Measure]:
    """The tree written cold into ``gitops/`` without ``apps/``, then rendered again."""
    clusters, resolved = _render_input(root)

    def render() -> Tree:
        return render_tree(clusters, root, every_stage=True, apps=resolved)

    tree = render()

    def clear() -> None:
        shutil.rmtree(root / "gitops" / "apps", ignore_errors=True)

    def files(result: Tree) -> tuple[int, str]:
        return len(result.files), "files"

    def written(result: Difference) -> tuple[int, str]:
        return len(result.missing) + len(result.stale), "files"

    return [
        measure(
            "write",
            apps,
            lambda: write(tree, root),
            written,
            runs=runs,
            trace=trace,
            before_each=clear,
        ),
        measure("render", apps, render, files, runs=runs, trace=trace),
    ]


def _valid_stack(root: Path, stack: str) -> tuple[Project, ValidStack]:
    project = find_project(root)
    [valid] = validate_requests(
        requested_stacks(project, stacks=[stack], all_stacks=False, cwd=root),
        project.stack_config_dir,
    )
    return project, valid


def measure_plan(
    root: Path, apps: int, stack: str, *, runs: int, trace: bool = True
) -> list[Measure]:
    """The offline plan of ``stack``, then the rules over it."""
    project, valid = _valid_stack(root, stack)

    def resources(run: ProgramRun) -> tuple[int, str]:
        return len(run.resources), "resources"

    def findings(report: CheckReport) -> tuple[int, str]:
        return len(report.findings), "findings"

    plan = measure(
        f"plan {stack}",
        apps,
        lambda: plan_stack(project, valid),
        resources,
        runs=runs,
        trace=trace,
    )
    run = plan_stack(project, valid)
    rules = measure(
        f"rules {stack}",
        apps,
        lambda: check_run(run, valid.config),
        findings,
        runs=runs,
        trace=trace,
    )
    return [plan, rules]


def measure_phase(
    phase: str, root: Path, apps: int, *, runs: int, trace: bool = True
) -> list[Measure]:
    """The measures of one phase (:data:`PHASES`) on the repository at ``root``."""
    if phase == "catalog":
        return measure_catalog(root, apps, runs=runs, trace=trace)
    if phase == "render":
        return measure_render(root, apps, runs=runs, trace=trace)
    if phase.startswith("plan-"):
        return measure_plan(root, apps, phase.removeprefix("plan-"), runs=runs, trace=trace)
    raise ValueError(f"unknown phase {phase!r}: one of {', '.join(PHASES)}")


def child(
    phase: str,
    root: Path,
    warmup: Path | None,
    apps: int,
    runs: int,
    out: Path,
    *,
    trace: bool = True,
) -> None:
    """Warm up on the catalog at ``warmup``, measure ``phase`` at ``root``, write JSON."""
    if warmup is not None:
        measure_phase(phase, warmup, WARMUP_SIZE, runs=1, trace=False)
    measures = measure_phase(phase, root, apps, runs=runs, trace=trace)
    out.write_text(json.dumps([m.to_json() for m in measures]), encoding="utf-8")


# --------------------------------------------------------------------------------------
# The parent: one child per size and phase, then the table


@dataclass(frozen=True, kw_only=True)
class Failure:
    """A phase whose child process failed."""

    phase: str
    apps: int
    error: str


def run_child(
    phase: str,
    root: Path,
    warmup: Path,
    apps: int,
    runs: int,
    scratch: Path,
    *,
    trace: bool = True,
) -> list[Measure] | Failure:
    """Measure ``phase`` in a child process; its measures, or why it failed."""
    out = scratch / f"{phase}-{apps}.json"
    command = [
        sys.executable, "-m", "bench.apps_benchmark", "--phase", phase, "--repo", str(root),
        "--warmup-repo", str(warmup), "--apps", str(apps), "--runs", str(runs), "--out", str(out),
        *([] if trace else ["--no-trace"]),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        return Failure(phase=phase, apps=apps, error=tail or f"exit code {done.returncode}")
    return [Measure.from_json(m) for m in json.loads(out.read_text(encoding="utf-8"))]


def runs_for(size: int, runs: int | None) -> int:
    """``runs`` if given, else 3, or 1 above :data:`SLOW_SIZE` apps."""
    if runs is not None:
        return runs
    return 1 if size > SLOW_SIZE else 3


@contextlib.contextmanager
def scratch_dir(keep: bool) -> Iterator[Path]:
    """A temporary directory, removed afterwards unless ``keep``."""
    path = Path(tempfile.mkdtemp(prefix="argosy-apps-bench-"))
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


def benchmark(
    sizes: Sequence[int],
    runs: int | None,
    phases: Sequence[str],
    *,
    trace: bool = True,
    keep: bool = False,
) -> tuple[list[Measure], list[Failure]]:
    """Measure every phase at every size, each in a child process."""
    measures: list[Measure] = []
    failures: list[Failure] = []
    with scratch_dir(keep) as scratch:
        warmup = make_repository(scratch / "warmup", WARMUP_SIZE)
        for size in sizes:
            root = make_repository(scratch / f"apps-{size}", size)
            for phase in phases:
                count = runs_for(size, runs)
                print(f"{size} apps: {phase}, {count} run(s)…", file=sys.stderr, flush=True)
                started = time.perf_counter()
                found = run_child(phase, root, warmup, size, count, scratch, trace=trace)
                elapsed = time.perf_counter() - started
                print(f"  done in {elapsed:.1f} s", file=sys.stderr, flush=True)
                if isinstance(found, Failure):
                    print(f"  failed: {found.error}", file=sys.stderr, flush=True)
                    failures.append(found)
                else:
                    measures.extend(found)
    return measures, failures


def table(measures: Sequence[Measure], failures: Sequence[Failure]) -> str:
    """One row per size and measure."""
    lines = [
        f"{'apps':>5} {'phase':<11} {'runs':>4} {'median ms':>11} {'best ms':>11} "
        f"{'traced MiB':>10} {'RSS MiB':>8} {'setup RSS':>9}  made"
    ]
    for m in measures:
        lines.append(
            f"{m.apps:>5} {m.phase:<11} {len(m.runs_ms):>4} {m.median_ms:>11.1f} "
            f"{m.best_ms:>11.1f} {f'{m.peak_mib:.1f}' if m.peak_mib else '-':>10} "
            f"{m.rss_mib:>8.0f} {m.setup_rss_mib:>9.0f}"
            f"  {m.count} {m.unit}"
        )
    for f in failures:
        lines.append(
            f"{f.apps:>5} {f.phase.replace('-', ' '):<11} failed: {f.error.splitlines()[-1]}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (or, with ``--phase``, one child's part of it)."""
    parser = argparse.ArgumentParser(description="Benchmark of the app catalog at scale.")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help=f"timed runs per measure; default 3, or 1 above {SLOW_SIZE} apps",
    )
    parser.add_argument("--phases", nargs="+", choices=PHASES, default=list(PHASES))
    parser.add_argument(
        "--no-trace",
        dest="trace",
        action="store_false",
        help="skip the extra tracemalloc run of each measure (traced MiB is then 0)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--keep", action="store_true", help="keep the generated repositories")
    # A child's arguments (one phase on one generated repository).
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--repo", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warmup-repo", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--apps", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase is not None:
        child(
            args.phase,
            args.repo,
            args.warmup_repo,
            args.apps,
            args.runs or 1,
            args.out,
            trace=args.trace,
        )
        return 0
    if any(size < 1 for size in args.sizes) or (args.runs is not None and args.runs < 1):
        parser.error("sizes and runs are at least 1")

    measures, failures = benchmark(
        args.sizes, args.runs, args.phases, trace=args.trace, keep=args.keep
    )
    if args.json:
        document = {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "measures": [m.to_json() for m in measures],
            "failures": [asdict(f) for f in failures],
        }
        print(json.dumps(document, indent=2))
    else:
        print(f"python {platform.python_version()} on {platform.machine()}")
        print(table(measures, failures))
        print(
            "times: median and best of the timed runs, after a warm-up on a 6-app catalog; "
            "traced MiB: tracemalloc peak of one extra run; RSS: the phase's own process "
            "(imports and untimed setup included, setup RSS before its runs)"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
