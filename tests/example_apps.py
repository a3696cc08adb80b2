"""The example app catalog (``apps/*.yaml``) as plain data, to derive expected names from.

Read with ``yaml`` alone rather than through argosy's loader, so that a test comparing the
plan with these names checks the loader and the program too. The names follow the program's
conventions: the hub (or local) declares per team and stage the AppProject ``<team>-<stage>``
(resource ``<host>-registrations-project-<team>-<stage>``) and per app and stage the
Application ``<app>-<stage>`` (resource ``<host>-registrations-<stage>-app-<app>``); each
stage's own stack makes the apps' AWS side under its ``StageApps`` component ``<stage>-apps``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import yaml

from tests.conftest import REPO


@dataclass(frozen=True)
class ExampleApp:
    """One app file: what the tests need of it."""

    name: str
    team: str
    stages: frozenset[str]
    database: bool
    bucket: bool
    engine: str | None
    """The database's engine (``database.engine``); ``None`` without a database."""
    versioned: bool
    """Whether the bucket keeps old versions (``bucket.versioning``); false without one."""


@cache
def example_apps() -> tuple[ExampleApp, ...]:
    """Every app of the example catalog, by name."""
    apps = []
    for path in sorted((REPO / "apps").glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        assert isinstance(document, dict), path
        apps.append(
            ExampleApp(
                name=str(document["name"]),
                team=str(document["team"]),
                stages=frozenset(document["stages"]),
                database="database" in document,
                bucket="bucket" in document,
                # Aurora unless the file says otherwise (the app file's documented default).
                engine=(
                    str((document["database"] or {}).get("engine", "aurora-postgresql"))
                    if "database" in document
                    else None
                ),
                # Versioned unless the file says otherwise (its documented default).
                versioned=bool((document.get("bucket") or {}).get("versioning", True))
                if "bucket" in document
                else False,
            )
        )
    assert apps, "the example catalog is empty"
    return tuple(sorted(apps, key=lambda a: a.name))


def apps_on(stage: str) -> list[ExampleApp]:
    """The apps that run on ``stage``, by name."""
    return [a for a in example_apps() if stage in a.stages]


def teams_on(stage: str) -> list[str]:
    """The teams with an app on ``stage``: one AppProject each."""
    return sorted({a.team for a in apps_on(stage)})


def app_applications(stages: Iterable[str]) -> list[str]:
    """The Applications (``metadata.name``) of the apps on ``stages``, sorted."""
    return sorted(f"{a.name}-{stage}" for stage in stages for a in apps_on(stage))


def team_projects(stages: Iterable[str]) -> list[str]:
    """The team AppProjects (``metadata.name``) of ``stages``, sorted."""
    return sorted(f"{team}-{stage}" for stage in stages for team in teams_on(stage))


def app_database_names(stage: str) -> list[str]:
    """The stage's app databases (logical names), sorted: an Aurora cluster and its instance
    (``-1``), or an RDS instance."""
    names = []
    for app in apps_on(stage):
        if app.database:
            name = f"{stage}-apps-{app.name}-database"
            names += [name, f"{name}-1"] if app.engine == "aurora-postgresql" else [name]
    return sorted(names)


def app_key_names(stage: str) -> list[str]:
    """The KMS keys (logical names) the stage's stack makes for its apps, sorted.

    One per database and one per bucket, each the app's own.
    """
    return sorted(
        [f"{stage}-apps-{a.name}-database" for a in apps_on(stage) if a.database]
        + [f"{stage}-apps-{a.name}-bucket" for a in apps_on(stage) if a.bucket]
    )


def app_key_aliases(stage: str) -> list[str]:
    """The aliases of :func:`app_key_names`' keys, sorted."""
    return sorted(
        [f"alias/argosy-{stage}-{a.name}-database" for a in apps_on(stage) if a.database]
        + [f"alias/argosy-{stage}-{a.name}-bucket" for a in apps_on(stage) if a.bucket]
    )
