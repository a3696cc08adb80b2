"""Smoke tests of the app catalog benchmark: its generated catalogs are valid and varied, and
the script runs on a tiny catalog. Nothing here times anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from argosy.apps.catalog import load_apps, resolve_catalog, stage_configs
from argosy.apps.files import secret_env
from argosy.apps.load import Catalog
from bench.apps_benchmark import (
    app_document,
    main,
    make_repository,
    measure_phase,
    write_catalog,
)

REPO = Path(__file__).resolve().parents[1]


def _load(root: Path) -> Catalog:
    return load_apps(root, stage_configs(root / "stacks"))


def test_generator_is_deterministic() -> None:
    assert [app_document(i) for i in range(1, 25)] == [app_document(i) for i in range(1, 25)]
    assert len({app_document(i)["name"] for i in range(1, 1000)}) == 999


def test_generated_catalog_loads_and_covers_every_shape(tmp_path: Path) -> None:
    root = make_repository(tmp_path / "repo", 24)
    assert not (root / "gitops" / "apps").exists()
    catalog = _load(root)
    apps = [a.spec for a in catalog.apps]
    assert len(apps) == 24
    assert {a.team for a in apps} == {"todo", "payments"}
    assert set().union(*(a.stages for a in apps)) == {"local", "dev", "staging", "prod"}
    strategies = {
        "canary" if a.strategy and a.strategy.canary else "blue-green" if a.strategy else None
        for a in apps
    }
    assert strategies == {"canary", "blue-green", None}
    hosts = [s.host for a in apps for s in a.stages.values()]
    assert any(h is None for h in hosts) and any(h is not None for h in hosts)
    assert {a.database.engine for a in apps if a.database} == {"aurora-postgresql", "postgres"}
    assert any(a.bucket for a in apps)
    readers = [a for a in apps if any(secret_env(v) for v in a.env.values())]
    assert readers and all("local" not in a.stages for a in readers)
    on_local = [a for a in apps if "local" in a.stages]
    assert on_local and all(a.database is None and a.bucket is None for a in on_local)
    configs = stage_configs(root / "stacks")
    resolved = resolve_catalog(catalog, configs)
    assert sum(len(s) for s in resolved.values()) == sum(len(a.stages) for a in apps)


def test_names_stay_within_the_limits_at_large_indexes(tmp_path: Path) -> None:
    root = make_repository(tmp_path / "repo", 1)
    write_catalog(root / "apps", 0)
    for index in range(99994, 100000):
        document = app_document(index)
        text = yaml.safe_dump(document, sort_keys=False)
        (root / "apps" / f"{document['name']}.yaml").write_text(text, encoding="utf-8")
    assert len(_load(root).apps) == 6


@pytest.mark.parametrize(
    ("phase", "measured"),
    [
        ("catalog", ["catalog"]),
        ("render", ["write", "render"]),
        ("plan-prod", ["plan prod", "rules prod"]),
    ],
)
def test_each_phase_measures_in_process(tmp_path: Path, phase: str, measured: list[str]) -> None:
    root = make_repository(tmp_path / "repo", 3)
    measures = measure_phase(phase, root, 3, runs=1, trace=phase == "catalog")
    assert [m.phase for m in measures] == measured
    assert all(len(m.runs_ms) == 1 and m.rss_mib >= m.setup_rss_mib > 0 for m in measures)
    by_phase = {m.phase: m for m in measures}
    if phase == "catalog":
        stages = sum(len(app_document(i)["stages"]) for i in range(1, 4))
        assert (by_phase["catalog"].count, by_phase["catalog"].unit) == (stages, "app-stages")
        assert by_phase["catalog"].peak_mib > 0
    elif phase == "render":
        # The render of every file includes the clusters' baselines; the write, apps/ only.
        assert by_phase["render"].count > by_phase["write"].count > 0
        assert (root / "gitops" / "apps" / "web-0001" / "base" / "kustomization.yaml").is_file()
    else:
        assert by_phase["plan prod"].count > 0 and by_phase["plan prod"].unit == "resources"
        assert by_phase["rules prod"].unit == "findings"


def test_script_runs_on_a_tiny_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sizes", "2", "--runs", "1", "--phases", "catalog", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["failures"] == []
    [measure] = document["measures"]
    stages = sum(len(app_document(i)["stages"]) for i in (1, 2))
    assert (measure["phase"], measure["apps"], measure["count"]) == ("catalog", 2, stages)
    assert len(measure["runs_ms"]) == 1 and measure["rss_mib"] >= measure["setup_rss_mib"] > 0
