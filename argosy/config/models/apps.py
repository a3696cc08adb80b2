"""The platform's defaults for apps on a stage, and the stage's app domain: ``argosy:apps``.

The app catalog (``apps/*.yaml``, :mod:`argosy.apps.catalog`) says what a team wants of its
app; this key says what the platform chose for the stage: the domain every app host sits
under (the stage's stack makes or adopts its hosted zone and a certificate for it), the
delivery strategy and canary steps apps get unless they say otherwise, which analysis gates a
rollout, the sync policy and sync windows, and the teams that may deploy here with their
SSO groups. Each setting names the upstream field it maps to.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from argosy.apps.strategy import EXAMPLE_STEPS, step_problems
from argosy.config.models.base import (
    Model,
    StrictBool,
    StrictInt,
    StrictStr,
    Violation,
    collect,
    is_production,
    matching,
    validation_context,
    violation,
)
from argosy.config.models.scalars import check_hostname, dns_label

#: The canary ladder apps get unless the stage or the app says otherwise.
DEFAULT_CANARY_STEPS: tuple[Any, ...] = (20, "60s", 40, "60s", 60, "60s", 80, "60s")
#: A Route 53 hosted zone ID (without ``/hostedzone/``).
_ZONE_ID = re.compile(r"^Z[0-9A-Z]{1,31}$")
# Five cron fields (minute hour day-of-month month day-of-week), as Argo CD's sync windows
# take them (robfig/cron standard parser).
_CRON = re.compile(r"^\S+( \S+){4}$")
_WINDOW_DURATION = re.compile(r"^[1-9][0-9]*(h|m)$")
_GROUP = re.compile(r"^[^\s,]{1,256}$")
_TIME_ZONE = re.compile(r"^(UTC|[A-Z][A-Za-z_]+(/[A-Za-z0-9_+-]+)+)$")


def _team(value: str) -> str:
    return dns_label(value, "teams: {todo: {groups: [todo-developers]}}")


TeamName = Annotated[StrictStr, AfterValidator(_team)]
Strategy = Literal["canary", "blueGreen"]
TrafficRouting = Literal["alb", "none"]
AnalysisProvider = Literal["none", "prometheus", "cloudwatch"]
SyncMode = Literal["automated", "manual"]


def steps_violations(value: Any, validated: Any) -> list[Violation]:
    """Each problem of canary steps as written, at its step (R1, R2), for :func:`collect`."""
    if not isinstance(value, list | tuple):
        return []  # the type's own error says it: one mistake, one issue
    return [
        Violation(
            () if p.index is None else (p.index,),
            p.value,
            f"{p.problem}: {p.rule}",
            f"canarySteps: {EXAMPLE_STEPS}",
        )
        for p in step_problems(value)
    ]


def _is_local(info: ValidationInfo) -> bool:
    return validation_context(info).get("role") == "local"


class SyncWindow(Model):
    """An Argo CD sync window of the stage's app projects (AppProject ``spec.syncWindows``)."""

    kind: Literal["allow", "deny"] = Field(
        description="`allow`: syncs only inside the window; `deny`: never inside it "
        "(syncWindows[].kind).",
        examples=["allow"],
    )
    schedule: Annotated[
        StrictStr,
        matching(
            _CRON,
            "five cron fields: minute hour day-of-month month day-of-week",
            "schedule: 0 8 * * 1-5",
        ),
    ] = Field(
        description="When the window opens, five cron fields (syncWindows[].schedule).",
        examples=["0 8 * * 1-5"],
    )
    duration: Annotated[
        StrictStr,
        matching(_WINDOW_DURATION, "a whole number of hours or minutes above zero", "duration: 9h"),
    ] = Field(
        description="How long it stays open, hours or minutes such as `9h` "
        "(syncWindows[].duration).",
        examples=["9h"],
    )
    time_zone: Annotated[
        StrictStr, matching(_TIME_ZONE, "an IANA time zone name", "timeZone: Europe/Paris")
    ] = Field(
        default="UTC",
        description="The IANA time zone of the schedule (syncWindows[].timeZone). Default: UTC.",
        examples=["Europe/Paris"],
    )
    manual_sync: StrictBool = Field(
        default=False,
        description="Whether people may still sync by hand while the window forbids it "
        "(syncWindows[].manualSync), for a fix outside hours. Default: false.",
        examples=[False],
    )


class TeamSettings(Model):
    """A team that may deploy apps to the stage, and who its members are (SSO groups)."""

    groups: tuple[StrictStr, ...] = Field(
        min_length=1,
        description="SSO groups of the team's members, as Argo CD receives them in the "
        "`groups` claim (AppProject roles[].groups). Outside production they may view, sync "
        "and restart the team's apps; in production, view them.",
        examples=[["todo-developers"]],
    )
    releasers: tuple[StrictStr, ...] = Field(
        default=(),
        description="SSO groups who may also sync and roll back in production (a second "
        "project role). Default: none (Argo CD syncs on its own, inside the sync windows).",
        examples=[["todo-releasers"]],
    )

    @field_validator("groups", "releasers")
    @classmethod
    def _groups(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for group in value:
            if not _GROUP.fullmatch(group):
                violation(
                    "a group name as the identity provider sends it: no spaces or commas, at "
                    "most 256 characters",
                    "groups: [todo-developers]",
                )
        if len(set(value)) != len(value):
            violation("each group once", "groups: [todo-developers]")
        return value


class AppsSettings(Model):
    """What the platform chose for apps on this stage (see the module docstring)."""

    domain: StrictStr | None = Field(
        default=None,
        description="The stage's DNS domain: every app host on the stage is this name or "
        "under it. The stage's stack makes its hosted zone (or adopts `hostedZoneId`) and an "
        "ACM certificate for it and `*.<domain>`, validated by DNS, so that an app's Ingress "
        "finds its certificate by host. Default: none (apps on the stage have no host).",
        examples=["dev.acme.example"],
    )
    hosted_zone_id: StrictStr | None = Field(
        default=None,
        description="An existing public hosted zone of the domain, in the stage's account, "
        "to use instead of making one. Default: none (the stack makes the zone; delegate it "
        "from the parent zone once, the stack exports its name servers).",
        examples=["Z0123456789ABCDEFGHIJ"],
    )
    internet_facing: StrictBool = Field(
        default=False,
        description="Whether app load balancers are internet-facing (Ingress annotation "
        "alb.ingress.kubernetes.io/scheme). Default: false (internal).",
        examples=[False],
    )
    prometheus: StrictBool = Field(
        default=False,
        description="An Amazon Managed Service for Prometheus workspace for the stage, with "
        "a managed scraper of the cluster's pods, and a query identity for Argo Rollouts' "
        "analysis (SigV4). Needed by `analysis: prometheus`. Default: false.",
        examples=[True],
    )
    strategy: Strategy = Field(
        default="canary",
        description="The Rollout strategy apps get unless their file says otherwise "
        "(Rollout spec.strategy.canary or blueGreen). Default: canary.",
        examples=["canary"],
    )
    canary_steps: tuple[Any, ...] = Field(
        default=DEFAULT_CANARY_STEPS,
        description="The canary steps apps get unless their file says otherwise, as a team "
        "writes them: a weight (20), `pause` (until promoted), `pause 60s` or `60s` "
        "(spec.strategy.canary.steps). Default: [20, 60s, 40, 60s, 60, 60s, 80, 60s].",
        examples=[[20, "pause", 40, "60s", 60, "60s", 80, "60s"]],
    )
    traffic_routing: TrafficRouting = Field(
        default="alb",
        description="How a canary shifts traffic: `alb` (weights on the app's ALB Ingress, "
        "for apps with a host; others are replica-based) or `none` (replica-based) "
        "(spec.strategy.canary.trafficRouting). Default: alb.",
        examples=["alb"],
    )
    analysis: AnalysisProvider = Field(
        default="none",
        description="What gates a rollout: `prometheus` (success rate and latency of the "
        "app's requests, from the stage's workspace; needs `prometheus: true`), `cloudwatch` "
        "(the ALB target group's 5xx ratio and response time; apps with a host) or `none` "
        "(spec.strategy.canary.analysis, blueGreen.prePromotionAnalysis). Default: none.",
        examples=["prometheus"],
    )
    auto_promotion: StrictBool = Field(
        default=True,
        description="Whether blue-green promotes the preview on its own once it is ready "
        "and analysed (spec.strategy.blueGreen.autoPromotionEnabled). Default: true.",
        examples=[False],
    )
    scale_down_delay_seconds: StrictInt = Field(
        default=30,
        ge=0,
        le=86400,
        description="How long blue-green keeps the old pods after promotion, for a quick "
        "rollback (spec.strategy.blueGreen.scaleDownDelaySeconds). Default: 30.",
        examples=[30],
    )
    sync: SyncMode = Field(
        default="automated",
        description="How apps' Applications sync unless their file says otherwise: "
        "`automated` (on every commit) or `manual` (someone presses sync) "
        "(spec.syncPolicy.automated, .enabled). Default: automated.",
        examples=["automated"],
    )
    prune: StrictBool = Field(
        default=True,
        description="Whether a sync deletes what left git (syncPolicy.automated.prune). "
        "Default: true.",
        examples=[True],
    )
    self_heal: StrictBool = Field(
        default=True,
        description="Whether Argo CD reverts changes made in the cluster "
        "(syncPolicy.automated.selfHeal; stated in production, SECURITY.md L2). Default: true.",
        examples=[True],
    )
    finalizer: StrictBool = Field(
        default=True,
        description="Whether deleting an app's Application deletes its objects (the "
        "resources-finalizer.argocd.argoproj.io finalizer). Default: true.",
        examples=[True],
    )
    sync_windows: tuple[SyncWindow, ...] = Field(
        default=(),
        description="When the stage's app projects may sync (AppProject spec.syncWindows). "
        "Default: none (any time).",
        examples=[[{"kind": "allow", "schedule": "0 8 * * 1-5", "duration": "9h"}]],
    )
    teams: dict[TeamName, TeamSettings] = Field(
        default_factory=dict,
        description="The teams whose apps run on the stage, by the `team` of their app "
        "files, with their SSO groups: each gets an AppProject `<team>-<stage>`. Default: none.",
        examples=[{"todo": {"groups": ["todo-developers"]}}],
    )

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str | None, info: ValidationInfo) -> str | None:
        check_hostname(value, "domain: dev.acme.example")
        if value is not None and _is_local(info):
            violation(
                "the local stage has no load balancer controller or DNS: its apps have no host "
                "(reach them with kubectl port-forward)",
                "domain: null",
            )
        return value

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None and not _ZONE_ID.fullmatch(value):
            violation(
                "a Route 53 hosted zone ID: Z and up to 31 capital letters or digits",
                "hostedZoneId: Z0123456789ABCDEFGHIJ",
            )
        return value

    @field_validator("prometheus")
    @classmethod
    def _prometheus(cls, value: bool, info: ValidationInfo) -> bool:
        if value and _is_local(info):
            violation(
                "Amazon Managed Prometheus is an AWS service; the local stage has none",
                "prometheus: false",
            )
        return value

    @field_validator("canary_steps", mode="wrap")
    @classmethod
    def _steps(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return collect(value, handler, steps_violations)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> AppsSettings:
        if self.hosted_zone_id is not None and self.domain is None:
            violation(
                "a hosted zone serves the stage's domain: name it",
                "domain: dev.acme.example",
                field="domain",
            )
        if self.analysis == "prometheus" and not self.prometheus:
            violation(
                "analysis prometheus queries the stage's workspace: turn it on",
                "prometheus: true",
                field="prometheus",
            )
        if self.analysis == "cloudwatch" and self.traffic_routing != "alb":
            violation(
                "the CloudWatch analysis reads the ALB target group that ALB traffic routing makes",
                "trafficRouting: alb",
                field="trafficRouting",
            )
        if is_production(info) and self.analysis == "none" and self.strategy == "canary":
            violation(
                "a production canary is gated by analysis: with none, a bad version reaches "
                "every user after the last pause",
                "analysis: prometheus",
                field="analysis",
            )
        return self
