"""What the stack hosting Argo CD declares for apps: team AppProjects and app Applications.

One AppProject per team and stage, and one Application per app and stage.

**AppProjects** (:func:`team_project`): ``<team>-<stage>``, for the team's apps on the stage,
bounded as SECURITY.md A4 asks on every stage: the GitOps repository only (never ``*``); the
stage's cluster by name and the team's app namespaces one by one (never a wildcard); the
Namespace as its only cluster-scoped kind; an explicit list of namespaced kinds (what the
app builders make: no Role, RoleBinding, ResourceQuota or ClusterSecretStore); roles bound
to the team's SSO groups (view, sync and restart outside production; view in production,
sync for the releasers); the stage's sync windows; warnings about orphaned resources. One
project per team per stage rather than per team: a wildcard-free destination list per stage
keeps a dev role from syncing to production, and sync windows are per stage.

The EKS Argo CD capability takes AppProjects like a self-hosted Argo CD; it requires
``sourceNamespaces`` on each (EKS user guide, "Working with Argo CD Projects",
https://docs.aws.amazon.com/eks/latest/userguide/argocd-projects.html, whose example is a
per-team project), so both install modes get per-team projects.

**Applications** (:func:`app_application`): ``<app>-<stage>`` in the team's project, syncing
the app's overlay of the stage (:func:`argosy.apps.tree.overlay_path`) with the stage's sync
policy (``selfHeal`` stated in production, L2), server-side apply, retries with backoff, the
resources finalizer as the stage chose, ``ignoreDifferences`` on the Rollout's replicas when
an HPA owns them, and the notification subscriptions of the app file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from argosy.apps.resolve import AppOnStage, project_name
from argosy.apps.tree import overlay_path
from argosy.apps.workload import TEAM_LABEL
from argosy.argocd.delivery import (
    STAGE_LABEL,
    Delivery,
    IgnoreDifference,
    application,
)
from argosy.argocd.metadata import PRODUCTION, ClusterMetadata
from argosy.config.models.apps import AppsSettings
from argosy.manifests.argo_schemas import check_argo_manifest
from argosy.patterns import is_dns_label

#: Apps sync after the platform's deliveries of the same wave set (Argo CD's own order of
#: Applications only matters in an app of apps; Pulumi orders their creation, see
#: components/argocd.py).
APPS_SYNC_WAVE: Final = 10
#: Notification triggers an app's channel subscribes to (Argo CD's notifications catalog):
#: a failed sync (SyncFail), a degraded app, a deployed version.
NOTIFICATION_TRIGGERS: Final = ("on-sync-failed", "on-health-degraded", "on-deployed")
_NOTIFY: Final = "notifications.argoproj.io/subscribe.{trigger}.slack"

#: The namespaced kinds an app project may sync: what the app builders make.
APP_NAMESPACE_RESOURCES: Final[tuple[tuple[str, str], ...]] = (
    ("", "Service"),
    ("", "ServiceAccount"),
    ("argoproj.io", "AnalysisTemplate"),
    ("argoproj.io", "Rollout"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("batch", "Job"),
    ("external-secrets.io", "ExternalSecret"),
    ("networking.k8s.io", "Ingress"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("policy", "PodDisruptionBudget"),
)


def _policies(project: str, role: str, actions: Sequence[str]) -> list[str]:
    subject = f"proj:{project}:{role}"
    rules = [f"p, {subject}, applications, {a}, {project}/*, allow" for a in actions]
    return [*rules, f"p, {subject}, logs, get, {project}/*, allow"]


def team_project(
    *,
    team: str,
    stage: str,
    production: bool,
    argocd_namespace: str,
    repo_url: str,
    namespaces: Sequence[str],
    settings: AppsSettings,
) -> dict[str, Any]:
    """The AppProject ``<team>-<stage>`` (see the module docstring).

    Args:
        team: The team, a key of ``settings.teams``.
        stage: The stage, also the cluster's registration name.
        production: Whether the stage is production (roles, A4).
        argocd_namespace: Where Argo CD runs and the project lives.
        repo_url: The GitOps repository.
        namespaces: The team's app namespaces on the stage (one or more).
        settings: The stage's ``argosy:apps``.
    """
    if team not in settings.teams:
        raise ValueError(f"team {team!r} has no entry in argosy:apps.teams of stage {stage}")
    if not namespaces or not all(is_dns_label(n) for n in namespaces):
        raise ValueError(f"project {team}-{stage}: namespaces {list(namespaces)!r} are not valid")
    name = project_name(team, stage)
    members = settings.teams[team]
    roles = [
        {
            "name": "developers",
            "description": f"Team {team} on {stage}",
            "groups": list(members.groups),
            "policies": _policies(
                name, "developers", ("get",) if production else ("get", "sync", "action/*")
            ),
        }
    ]
    if members.releasers:
        roles.append(
            {
                "name": "releasers",
                "description": f"Team {team}'s releasers on {stage}",
                "groups": list(members.releasers),
                "policies": _policies(name, "releasers", ("get", "sync", "action/*")),
            }
        )
    spec: dict[str, Any] = {
        "description": f"Apps of team {team} on {stage}, delivered by argosy from apps/.",
        "sourceRepos": [repo_url],
        "sourceNamespaces": [argocd_namespace],
        "destinations": [{"name": stage, "namespace": n} for n in sorted(set(namespaces))],
        "clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}],
        "namespaceResourceWhitelist": [
            {"group": group, "kind": kind} for group, kind in sorted(APP_NAMESPACE_RESOURCES)
        ],
        "roles": roles,
        "orphanedResources": {"warn": True},
    }
    if settings.sync_windows:
        spec["syncWindows"] = [
            {
                "kind": window.kind,
                "schedule": window.schedule,
                "duration": window.duration,
                "timeZone": window.time_zone,
                "manualSync": window.manual_sync,
                "applications": ["*"],
            }
            for window in settings.sync_windows
        ]
    manifest: dict[str, Any] = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {
            "name": name,
            "namespace": argocd_namespace,
            "labels": {
                PRODUCTION: "true" if production else "false",
                STAGE_LABEL: stage,
                TEAM_LABEL: team,
            },
        },
        "spec": spec,
    }
    check_argo_manifest(manifest)
    return manifest


def app_delivery(app: AppOnStage) -> Delivery:
    """The app's delivery on its stage: its overlay, namespace, sync policy and finalizer."""
    differences = (
        [IgnoreDifference.replicas("Rollout", group="argoproj.io", name=app.name)]
        if app.autoscaled
        else []
    )
    return Delivery.directory(
        name=app.name,
        namespace=app.name,
        path=overlay_path(app.name, "{stage}"),
        sync_policy=app.sync,
        finalizer=app.finalizer,
        sync_wave=APPS_SYNC_WAVE,
        server_side_apply=True,
        ignore_differences=differences,
    )


def app_application(
    app: AppOnStage, cluster: ClusterMetadata, *, argocd_namespace: str
) -> dict[str, Any]:
    """The Application ``<app>-<stage>`` (see the module docstring)."""
    if cluster.stage != app.facts.stage:
        raise ValueError(f"app {app.name} on {app.facts.stage} is not for cluster {cluster.stage}")
    manifest = application(
        app_delivery(app), cluster, argocd_namespace=argocd_namespace, project=app.project
    )
    manifest["metadata"]["labels"][TEAM_LABEL] = app.app.team
    if app.app.notifications is not None:
        manifest["metadata"]["annotations"].update(
            {
                _NOTIFY.format(trigger=trigger): app.app.notifications.slack
                for trigger in NOTIFICATION_TRIGGERS
            }
        )
    check_argo_manifest(manifest)
    return manifest


def projects_of(
    apps: Sequence[AppOnStage],
    *,
    argocd_namespace: str,
    repo_urls: Mapping[str, str],
) -> list[dict[str, Any]]:
    """One AppProject per team with apps on a stage, by stage then team."""
    teams: dict[tuple[str, str], list[AppOnStage]] = {}
    for app in apps:
        teams.setdefault((app.facts.stage, app.app.team), []).append(app)
    return [
        team_project(
            team=team,
            stage=stage,
            production=members[0].facts.production,
            argocd_namespace=argocd_namespace,
            repo_url=repo_urls[stage],
            namespaces=[a.name for a in members],
            settings=members[0].facts.settings,
        )
        for (stage, team), members in sorted(teams.items())
    ]
