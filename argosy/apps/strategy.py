"""An app's delivery strategy with Argo Rollouts: canary steps as a team writes them, blue-green.

Canary steps are written in an app file as a list (:func:`parse_steps`); each item is one of:

========================================  ==========================================
written                                   rendered step
========================================  ==========================================
``20`` (a bare whole number)              ``{setWeight: 20}``
``{setWeight: 20}``                       ``{setWeight: 20}``
``pause``                                 ``{pause: {}}`` (until promoted by hand)
``{pause: {}}``                           ``{pause: {}}``
``pause 60s`` or just ``60s``             ``{pause: {duration: 60s}}``
``{pause: {duration: 60s}}``              ``{pause: {duration: 60s}}``
``{pause: {duration: 60}}``               ``{pause: {duration: 60s}}`` (seconds)
``{analysis: {templates: [...]}}``        ``{analysis: {templates: [...], args: [...]}}``
========================================  ==========================================

A duration is a whole number with unit ``s``, ``m`` or ``h`` (``30s``, ``5m``, ``1h``), or
several of them in that order (``1h30m``, ``2m30s``). The Rollouts documentation ("Pause
Duration" in the canary feature page) names the units s, m and h, and a unitless number as
seconds; the controller (``RolloutPause.DurationSeconds``, v1.9.1) reads any Go duration, which
includes the compound forms. Days, fractions, ``ms`` and signs are refused; a unitless number
only in the mapping form, where it cannot be taken for a weight, and it is rendered with ``s``.

Checked at once, every problem reported with the step's index, its value, the rule and a valid
example (:func:`step_problems`; :func:`parse_steps` raises them all): weights are whole numbers
from 1 to 100 (SECURITY.md R1; above 0, R2), strictly increasing (R2); pauses are never
negative (R1); the list is not empty. The last weight may be below 100: after the last step
Argo Rollouts promotes the canary to 100% on its own. Pauses in a row are allowed.

The typed strategy (:class:`Canary` with optional :class:`AlbRouting` or :class:`IstioRouting`
and :class:`BackgroundAnalysis`, or :class:`BlueGreen`) goes into a Rollout built around a pod
template by :func:`rollout`, which checks it against the vendored Rollout schema in strict mode.

The first deployment goes straight to 100% (R3) because that is what Argo Rollouts does, not
because of anything here: "Rollouts does not follow the strategy parameters on the initial
deploy" (Argo Rollouts FAQ, "Does the Rollout object follow the provided strategy when it is
first created?"; also the getting-started guide: initial creations "immediately scale up the
replicas to 100% (skipping any canary upgrade steps, analysis, etc...)"). The builders here
therefore neither set ``spec.paused`` nor add anything that expects the first version to pass
through the steps.
"""

from __future__ import annotations

import copy
import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple, TypeAlias

from argosy import patterns
from argosy.manifests.argo_schemas import check_argo_manifest

API_VERSION: Final = "argoproj.io/v1alpha1"
#: The annotation prefix the AWS Load Balancer Controller reads unless configured otherwise.
ALB_ANNOTATION_PREFIX: Final = "alb.ingress.kubernetes.io"
#: How long blue-green keeps the old ReplicaSet after promotion (Argo Rollouts' own default).
DEFAULT_SCALE_DOWN_DELAY_SECONDS: Final = 30
#: Old ReplicaSets kept for rollback (the default of Deployments and Rollouts).
DEFAULT_REVISION_HISTORY_LIMIT: Final = 10
#: The issue's ladder, as a team writes it: the example quoted in messages.
EXAMPLE_STEPS: Final = "[20, pause, 40, 60s, 60, 60s, 80, 60s]"

WEIGHT_RULE: Final = (
    "a weight is the percentage of traffic sent to the canary, a whole number from 1 to 100 "
    "(R1, R2)"
)
DURATION_RULE: Final = (
    "a duration is a whole number with unit s, m or h, or several in that order (R1)"
)
DURATION_EXAMPLE: Final = "30s, 5m, 1h or 1h30m"
STEP_RULE: Final = (
    "a step is a weight, pause, pause <duration>, <duration>, or a mapping with one key: "
    "setWeight, pause or analysis"
)
STEP_EXAMPLE: Final = (
    "20, pause, pause 60s, 60s, {setWeight: 20}, {pause: {duration: 60s}}, {pause: {}} or "
    "{analysis: {templates: [{templateName: success-rate}]}}"
)
ANALYSIS_RULE: Final = (
    "an analysis step has templates, a non-empty list of {templateName: <AnalysisTemplate "
    "name>} with an optional clusterScope (true or false), and optional args, a list of "
    "{name: <name>, value: <text>}"
)
ANALYSIS_EXAMPLE: Final = "{analysis: {templates: [{templateName: success-rate}]}}"

_INT32_MAX: Final = 2**31 - 1
_PORT_MAX: Final = 65535
_SECONDS = re.compile(r"^-?[0-9]+$")
# A string a team meant as a weight ("20", "20%"): told apart from a malformed duration.
_QUOTED_WEIGHT = re.compile(r"^[0-9]+%$|^[0-9]+$")
# A Service name is a DNS-1035 label: it starts with a letter.
_SERVICE_RULE: Final = (
    "a Service name: at most 63 lowercase letters, digits or '-', starting with a letter and "
    "ending with a letter or digit"
)
_SUBDOMAIN_RULE: Final = (
    "a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' or '.', starting and "
    "ending with a letter or digit"
)


# --------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class StepProblem:
    """One thing wrong with a list of canary steps.

    Attributes:
        index: The step's position in the list, from 0; ``None`` for the list as a whole.
        value: The step (or the list) as written.
        problem: What is wrong, naming the value.
        rule: The rule it breaks.
        example: A valid example.
    """

    index: int | None
    value: object
    problem: str
    rule: str
    example: str

    @property
    def message(self) -> str:
        """The problem, the rule and the example, without the step's position."""
        return f"{self.problem}: {self.rule}, such as {self.example}"

    def __str__(self) -> str:
        where = "steps" if self.index is None else f"steps[{self.index}]"
        return f"{where}: {self.message}"


class StepsInvalidError(ValueError):
    """Canary steps break the rules; :attr:`problems` lists every problem, in step order."""

    def __init__(self, problems: Sequence[StepProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "canary steps are not valid:\n  " + "\n  ".join(str(p) for p in self.problems)
        )


class _Issue(NamedTuple):
    """A problem before its step's position is known."""

    problem: str
    rule: str
    example: str

    def at(self, index: int | None, value: object) -> StepProblem:
        return StepProblem(index, value, self.problem, self.rule, self.example)


def _weight_issue(weight: object) -> _Issue | None:
    if isinstance(weight, int) and not isinstance(weight, bool) and 1 <= weight <= 100:
        return None
    return _Issue(f"weight {weight!r} is not valid", WEIGHT_RULE, "20")


def _duration(value: object, *, bare_seconds: bool) -> str | _Issue:
    """``value`` as a duration string, or what is wrong with it.

    ``bare_seconds``: a whole number without unit is seconds (the mapping form only).
    """
    unitless = patterns.is_whole_number(value) or (
        isinstance(value, str) and bool(_SECONDS.fullmatch(value))
    )
    if bare_seconds and unitless:
        text = f"{value}s"
    elif isinstance(value, str):
        text = value
    else:
        return _Issue(f"pause duration {value!r} is not valid", DURATION_RULE, DURATION_EXAMPLE)
    unsigned = text.removeprefix("-")
    seconds = patterns.hms_seconds(unsigned)
    if seconds is None:
        return _Issue(f"pause duration {value!r} is not valid", DURATION_RULE, DURATION_EXAMPLE)
    if unsigned != text:
        return _Issue(
            f"pause duration {value!r} is negative", "a pause is never negative (R1)", unsigned
        )
    if seconds > _INT32_MAX:
        # The controller counts a pause in seconds as an int32: longer would wrap negative.
        return _Issue(
            f"pause duration {value!r} is too long",
            f"Argo Rollouts counts a pause in seconds up to {_INT32_MAX}",
            "1h",
        )
    return text


# --------------------------------------------------------------------------------------
# Typed steps


@dataclass(frozen=True)
class SetWeight:
    """Send ``weight`` percent of the traffic (or of the replicas) to the canary.

    Attributes:
        weight: A whole number from 1 to 100.
    """

    weight: int

    def __post_init__(self) -> None:
        issue = _weight_issue(self.weight)
        if issue is not None:
            raise ValueError(issue.at(None, self.weight).message)

    def to_manifest(self) -> dict[str, Any]:
        """The ``setWeight`` step."""
        return {"setWeight": self.weight}


@dataclass(frozen=True)
class Pause:
    """Wait before the next step: ``duration`` (such as ``60s``), or until promoted if ``None``.

    Attributes:
        duration: A whole number with unit s, m or h, or several in that order (``1h30m``);
            ``None`` pauses until someone promotes the rollout.
    """

    duration: str | None = None

    def __post_init__(self) -> None:
        if self.duration is None:
            return
        parsed = _duration(self.duration, bare_seconds=False)
        if isinstance(parsed, _Issue):
            raise ValueError(parsed.at(None, self.duration).message)

    def to_manifest(self) -> dict[str, Any]:
        """The ``pause`` step: ``{pause: {}}`` or ``{pause: {duration: ...}}``."""
        return {"pause": {} if self.duration is None else {"duration": self.duration}}


@dataclass(frozen=True)
class TemplateRef:
    """An AnalysisTemplate an analysis runs.

    Attributes:
        name: The template's name.
        cluster_scope: Whether it is a ClusterAnalysisTemplate. Default False.
    """

    name: str
    cluster_scope: bool = False

    def __post_init__(self) -> None:
        if not patterns.is_dns_subdomain(self.name):
            raise ValueError(
                f"analysis template name {self.name!r} is not valid: {_SUBDOMAIN_RULE}, such "
                "as success-rate"
            )
        if not isinstance(self.cluster_scope, bool):
            raise ValueError(
                f"analysis template cluster_scope {self.cluster_scope!r} is not valid: True "
                "(a ClusterAnalysisTemplate) or False"
            )

    def to_manifest(self) -> dict[str, Any]:
        """The ``templates`` item."""
        ref: dict[str, Any] = {"templateName": self.name}
        if self.cluster_scope:
            ref["clusterScope"] = True
        return ref


@dataclass(frozen=True)
class PodTemplateHash:
    """An analysis argument's value: the pod template hash of the new or the stable version.

    Argo Rollouts resolves it when the analysis starts (``valueFrom.podTemplateHashValue``,
    docs ``features/analysis.md``), so that a query can tell the canary's pods from the
    stable ones by their ``rollouts-pod-template-hash`` label.

    Attributes:
        which: ``Latest`` (the version being rolled out) or ``Stable``.
    """

    which: str

    def __post_init__(self) -> None:
        if self.which not in ("Latest", "Stable"):
            raise ValueError(
                f"pod template hash {self.which!r} is not valid: Latest or Stable, such as Latest"
            )


@dataclass(frozen=True)
class FieldRef:
    """An analysis argument's value read from the Rollout itself (``valueFrom.fieldRef``).

    Such as ``status.alb.canaryTargetGroup.fullName`` for the CloudWatch gate.

    Attributes:
        path: The field path in the Rollout.
    """

    path: str

    def __post_init__(self) -> None:
        if not (
            isinstance(self.path, str)
            and re.fullmatch(r"[a-z][A-Za-z0-9]*(\.[a-zA-Z0-9]+)*", self.path)
        ):
            raise ValueError(
                f"field path {self.path!r} is not valid: a dotted path into the Rollout, such "
                "as status.alb.canaryTargetGroup.fullName"
            )


#: The value of an analysis argument: text, a pod template hash, or a field of the Rollout.
ArgValue: TypeAlias = "str | PodTemplateHash | FieldRef"


@dataclass(frozen=True, kw_only=True)
class Analysis:
    """AnalysisTemplates run together, with arguments: an analysis step, or a hook's analysis.

    In a list of steps, the rollout waits for the analysis and aborts if it fails. Use
    :class:`BackgroundAnalysis` for an analysis that runs alongside the steps, and
    :class:`BlueGreen`'s pre- and post-promotion analyses for blue-green.

    Attributes:
        templates: One or more templates (a sequence, kept as a tuple).
        args: Argument name to value, passed to every template. Default none.
    """

    templates: Sequence[TemplateRef]
    args: Mapping[str, ArgValue] = field(default_factory=lambda: types.MappingProxyType({}))

    def __post_init__(self) -> None:
        templates: object = self.templates
        if (
            isinstance(templates, str | bytes)
            or not isinstance(templates, Sequence)
            or not templates
            or not all(isinstance(t, TemplateRef) for t in templates)
        ):
            raise ValueError(
                f"analysis templates {templates!r} are not valid: one or more TemplateRef, such "
                "as (TemplateRef('success-rate'),)"
            )
        object.__setattr__(self, "templates", tuple(templates))
        if not isinstance(self.args, Mapping) or not all(
            isinstance(k, str) and k and isinstance(v, str | PodTemplateHash | FieldRef)
            for k, v in self.args.items()
        ):
            raise ValueError(
                f"analysis args {self.args!r} are not valid: a mapping of non-empty names to "
                "text values, such as {'service-name': 'go-todo-canary'}"
            )
        object.__setattr__(self, "args", types.MappingProxyType(dict(sorted(self.args.items()))))

    @classmethod
    def of(cls, *names: str, args: Mapping[str, str] | None = None) -> Analysis:
        """An analysis of the namespaced AnalysisTemplates ``names``."""
        return cls(templates=tuple(TemplateRef(n) for n in names), args=args or {})

    def to_manifest(self) -> dict[str, Any]:
        """The RolloutAnalysis object: ``templates`` and, if any, ``args``."""
        analysis: dict[str, Any] = {"templates": [t.to_manifest() for t in self.templates]}
        if self.args:
            analysis["args"] = [_arg_manifest(k, v) for k, v in self.args.items()]
        return analysis


def _arg_manifest(name: str, value: ArgValue) -> dict[str, Any]:
    if isinstance(value, PodTemplateHash):
        return {"name": name, "valueFrom": {"podTemplateHashValue": value.which}}
    if isinstance(value, FieldRef):
        return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": value.path}}}
    return {"name": name, "value": value}


#: One canary step: a weight, a pause, or an analysis the rollout waits for.
CanaryStep: TypeAlias = SetWeight | Pause | Analysis


def render_steps(steps: Sequence[CanaryStep]) -> list[dict[str, Any]]:
    """The ``spec.strategy.canary.steps`` list of ``steps``."""
    return [
        {"analysis": step.to_manifest()} if isinstance(step, Analysis) else step.to_manifest()
        for step in steps
    ]


# --------------------------------------------------------------------------------------
# Parsing steps as written


def _parse_analysis(value: object) -> Analysis | _Issue:
    issue = _Issue(f"analysis {value!r} is not valid", ANALYSIS_RULE, ANALYSIS_EXAMPLE)
    if not isinstance(value, Mapping) or "templates" not in value:
        return issue
    if set(value) - {"templates", "args"}:
        return issue
    raw_templates, raw_args = value["templates"], value.get("args", [])
    if not isinstance(raw_templates, list) or not isinstance(raw_args, list):
        return issue
    templates = []
    for item in raw_templates:
        if not isinstance(item, Mapping) or set(item) - {"templateName", "clusterScope"}:
            return issue
        try:
            templates.append(
                TemplateRef(item.get("templateName", ""), item.get("clusterScope", False))
            )
        except ValueError:
            return issue
    args: dict[str, str] = {}
    for item in raw_args:
        if not isinstance(item, Mapping) or set(item) != {"name", "value"}:
            return issue
        if not isinstance(item["name"], str) or item["name"] in args:
            return issue
        args[item["name"]] = item["value"]
    try:
        return Analysis(templates=templates, args=args)
    except ValueError:
        return issue


def _parse_mapping(step: Mapping[Any, Any]) -> CanaryStep | _Issue:
    if len(step) != 1:
        return _Issue(f"{dict(step)!r} is not a canary step", STEP_RULE, STEP_EXAMPLE)
    ((key, value),) = step.items()
    if key == "setWeight":
        issue = _weight_issue(value)
        return issue if issue is not None else SetWeight(value)
    if key == "pause":
        if not isinstance(value, Mapping) or set(value) - {"duration"}:
            return _Issue(
                f"pause {value!r} is not valid",
                "a pause is a mapping with at most a duration",
                "{pause: {duration: 60s}} or {pause: {}}",
            )
        if "duration" not in value:
            return Pause()
        duration = _duration(value["duration"], bare_seconds=True)
        return duration if isinstance(duration, _Issue) else Pause(duration)
    if key == "analysis":
        return _parse_analysis(value)
    return _Issue(f"{dict(step)!r} is not a canary step", STEP_RULE, STEP_EXAMPLE)


def _parse_step(step: object) -> CanaryStep | _Issue:
    if isinstance(step, int) and not isinstance(step, bool):
        issue = _weight_issue(step)
        return issue if issue is not None else SetWeight(step)
    if isinstance(step, Mapping):
        return _parse_mapping(step)
    if not isinstance(step, str):
        return _Issue(f"{step!r} is not a canary step", STEP_RULE, STEP_EXAMPLE)
    words = step.split(maxsplit=1)
    if words == ["pause"]:
        return Pause()
    if len(words) == 2 and words[0] == "pause":
        duration = _duration(words[1].strip(), bare_seconds=False)
    elif _QUOTED_WEIGHT.fullmatch(step):
        return _Issue(
            f"{step!r} is not a weight",
            "write a weight as a bare whole number from 1 to 100, without quotes or %",
            "20",
        )
    elif step[:1].isdigit() or (step[:1] in "+-" and step[1:2].isdigit()):
        duration = _duration(step, bare_seconds=False)
    else:
        return _Issue(f"{step!r} is not a canary step", STEP_RULE, STEP_EXAMPLE)
    return duration if isinstance(duration, _Issue) else Pause(duration)


def _order_problems(steps: Sequence[tuple[int, CanaryStep]]) -> list[StepProblem]:
    """Weights that do not rise above the previous weight (R2)."""
    found = []
    previous: tuple[int, int] | None = None
    for index, step in steps:
        if not isinstance(step, SetWeight):
            continue
        if previous is not None and step.weight <= previous[1]:
            found.append(
                StepProblem(
                    index,
                    step.weight,
                    f"weight {step.weight} is not above weight {previous[1]} of "
                    f"steps[{previous[0]}]",
                    "weights increase strictly from step to step (R2)",
                    "20, 40, 60, 80",
                )
            )
        previous = (index, step.weight)
    return found


def _empty_problem(value: object) -> StepProblem:
    return StepProblem(
        None,
        value,
        "the canary has no steps",
        "a canary lists at least one step (with none, Argo Rollouts takes every update to "
        "100% without a pause); for a release without canary steps choose blue-green",
        EXAMPLE_STEPS,
    )


def _parse_all(steps: object) -> tuple[tuple[CanaryStep, ...], list[StepProblem]]:
    """The valid steps of ``steps`` and every problem, in step order."""
    if isinstance(steps, str | bytes | Mapping) or not isinstance(steps, Sequence):
        problem = StepProblem(
            None, steps, f"canary steps {steps!r} are not a list", "a list of steps", EXAMPLE_STEPS
        )
        return (), [problem]
    if not steps:
        return (), [_empty_problem(steps)]
    found: list[StepProblem] = []
    parsed: list[tuple[int, CanaryStep]] = []
    for index, raw in enumerate(steps):
        step = _parse_step(raw)
        if isinstance(step, _Issue):
            found.append(step.at(index, raw))
        else:
            parsed.append((index, step))
    # A step that is itself invalid (a weight of 0) is left out of the ordering check, so that
    # one mistake is reported once.
    found += _order_problems(parsed)
    found.sort(key=lambda p: -1 if p.index is None else p.index)
    return tuple(step for _, step in parsed), found


def step_problems(steps: object) -> list[StepProblem]:
    """Every problem of ``steps`` as written in an app file, in step order (empty if none)."""
    return _parse_all(steps)[1]


def parse_steps(steps: object) -> tuple[CanaryStep, ...]:
    """The typed steps of ``steps`` as written in an app file; StepsInvalidError listing all."""
    parsed, problems = _parse_all(steps)
    if problems:
        raise StepsInvalidError(problems)
    return parsed


def check_steps(steps: Sequence[CanaryStep]) -> list[StepProblem]:
    """The problems of typed ``steps`` as a list: empty, or weights not increasing."""
    if not steps:
        return [_empty_problem([])]
    return _order_problems(list(enumerate(steps)))


# --------------------------------------------------------------------------------------
# Canary


@dataclass(frozen=True, kw_only=True)
class BackgroundAnalysis:
    """An analysis running alongside the canary steps; its failure aborts the rollout.

    Attributes:
        analysis: The templates and arguments.
        starting_step: The step (from 0) at which it starts. Default: the first.
    """

    analysis: Analysis
    starting_step: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.analysis, Analysis):
            raise ValueError(
                f"background analysis {self.analysis!r} is not valid: an Analysis, such as "
                "Analysis.of('success-rate')"
            )
        if self.starting_step is not None and not (
            patterns.is_whole_number(self.starting_step) and self.starting_step >= 0
        ):
            raise ValueError(
                f"background analysis starting_step {self.starting_step!r} is not valid: the "
                "index of a step, 0 or more, such as 2"
            )

    def to_manifest(self) -> dict[str, Any]:
        """The ``canary.analysis`` object."""
        manifest = self.analysis.to_manifest()
        if self.starting_step is not None:
            manifest["startingStep"] = self.starting_step
        return manifest


@dataclass(frozen=True, kw_only=True)
class AlbRouting:
    """Weighted traffic through one Ingress of the AWS Load Balancer Controller.

    During an update the controller writes an action annotation on the Ingress splitting traffic
    between the stable and canary Services; the Rollouts controller can verify the weights on
    the target groups (its ``--alb-verify-weight`` flag, a controller setting, not part of the
    Rollout).

    Attributes:
        ingress: The Ingress's name.
        service_port: The port the Services listen on (required by the Rollout schema).
        root_service: The Service the Ingress rule targets; ``None`` omits it, and Argo
            Rollouts then uses the stable Service.
        annotation_prefix: The annotation prefix the load balancer controller reads. Default
            ``alb.ingress.kubernetes.io``, rendered explicitly.
    """

    ingress: str
    service_port: int
    root_service: str | None = None
    annotation_prefix: str = ALB_ANNOTATION_PREFIX

    def __post_init__(self) -> None:
        if not patterns.is_dns_subdomain(self.ingress):
            raise ValueError(
                f"ALB ingress {self.ingress!r} is not valid: an Ingress name, "
                f"{_SUBDOMAIN_RULE}, such as go-todo"
            )
        if not (
            patterns.is_whole_number(self.service_port) and 1 <= self.service_port <= _PORT_MAX
        ):
            raise ValueError(
                f"ALB service_port {self.service_port!r} is not valid: a port from 1 to "
                f"{_PORT_MAX}, such as 80"
            )
        if self.root_service is not None and not patterns.is_dns_1035_label(self.root_service):
            raise ValueError(
                f"ALB root_service {self.root_service!r} is not valid: {_SERVICE_RULE}, such "
                "as go-todo"
            )
        if not patterns.is_dns_subdomain(self.annotation_prefix):
            raise ValueError(
                f"ALB annotation_prefix {self.annotation_prefix!r} is not valid: "
                f"{_SUBDOMAIN_RULE}, such as {ALB_ANNOTATION_PREFIX}"
            )

    def to_manifest(self) -> dict[str, Any]:
        """The ``trafficRouting`` object."""
        alb: dict[str, Any] = {
            "ingress": self.ingress,
            "servicePort": self.service_port,
            "annotationPrefix": self.annotation_prefix,
        }
        if self.root_service is not None:
            alb["rootService"] = self.root_service
        return {"alb": alb}


@dataclass(frozen=True, kw_only=True)
class IstioRouting:
    """Weighted traffic through an Istio VirtualService, between the stable and canary hosts.

    Attributes:
        virtual_service: The VirtualService's name.
        routes: Its HTTP routes to change, by name; empty when it has a single route.
    """

    virtual_service: str
    routes: Sequence[str] = ()

    def __post_init__(self) -> None:
        if not patterns.is_dns_subdomain(self.virtual_service):
            raise ValueError(
                f"Istio virtual_service {self.virtual_service!r} is not valid: "
                f"{_SUBDOMAIN_RULE}, such as go-todo"
            )
        routes = self.routes
        if (
            isinstance(routes, str | bytes)
            or not isinstance(routes, Sequence)
            or not all(isinstance(r, str) and r for r in routes)
            or len(set(routes)) != len(routes)
        ):
            raise ValueError(
                f"Istio routes {routes!r} are not valid: distinct HTTP route names of the "
                "VirtualService, such as ('primary',)"
            )
        object.__setattr__(self, "routes", tuple(routes))

    def to_manifest(self) -> dict[str, Any]:
        """The ``trafficRouting`` object."""
        virtual_service: dict[str, Any] = {"name": self.virtual_service}
        if self.routes:
            virtual_service["routes"] = list(self.routes)
        return {"istio": {"virtualService": virtual_service}}


#: How a canary's traffic is split; ``None`` in :class:`Canary` for replica-based.
TrafficRouting: TypeAlias = AlbRouting | IstioRouting


@dataclass(frozen=True, kw_only=True)
class Canary:
    """A canary: steps, optional traffic routing and background analysis.

    Without traffic routing the canary is replica-based: a weight is the share of pods.

    Attributes:
        steps: The steps (a sequence, kept as a tuple); see :func:`parse_steps`.
        stable_service: The Service Argo Rollouts points at the stable pods.
        canary_service: The Service it points at the canary pods. Both are required with
            traffic routing, and differ.
        traffic_routing: ALB or Istio; ``None`` for replica-based.
        analysis: An analysis run in the background. Default none.
    """

    steps: Sequence[CanaryStep]
    stable_service: str | None = None
    canary_service: str | None = None
    traffic_routing: TrafficRouting | None = None
    analysis: BackgroundAnalysis | None = None

    def __post_init__(self) -> None:
        steps: object = self.steps
        if (
            isinstance(steps, str | bytes)
            or not isinstance(steps, Sequence)
            or not all(isinstance(s, SetWeight | Pause | Analysis) for s in steps)
        ):
            raise ValueError(
                f"canary steps {steps!r} are not valid: SetWeight, Pause or Analysis steps, "
                "such as parse_steps([20, 'pause', 40, '60s'])"
            )
        object.__setattr__(self, "steps", tuple(steps))
        problems = check_steps(self.steps)
        if problems:
            raise StepsInvalidError(problems)
        for name, service in (
            ("stable_service", self.stable_service),
            ("canary_service", self.canary_service),
        ):
            if service is not None and not patterns.is_dns_1035_label(service):
                raise ValueError(
                    f"canary {name} {service!r} is not valid: {_SERVICE_RULE}, such as "
                    f"go-todo-{name.partition('_')[0]}"
                )
        if self.traffic_routing is not None:
            if not isinstance(self.traffic_routing, AlbRouting | IstioRouting):
                raise ValueError(
                    f"canary traffic_routing {self.traffic_routing!r} is not valid: AlbRouting, "
                    "IstioRouting or None (replica-based)"
                )
            if self.stable_service is None or self.canary_service is None:
                raise ValueError(
                    "a canary with traffic routing names both Services (Argo Rollouts "
                    "requires them): stable_service and canary_service, such as go-todo-stable "
                    "and go-todo-canary"
                )
        if self.stable_service is not None and self.stable_service == self.canary_service:
            raise ValueError(
                f"canary stable_service and canary_service are both {self.stable_service!r}: "
                "two different Services, such as go-todo-stable and go-todo-canary"
            )
        if self.analysis is not None:
            if not isinstance(self.analysis, BackgroundAnalysis):
                raise ValueError(
                    f"canary analysis {self.analysis!r} is not valid: a BackgroundAnalysis or None"
                )
            start = self.analysis.starting_step
            if start is not None and start >= len(self.steps):
                raise ValueError(
                    f"background analysis starting_step {start} is not valid: the index of one "
                    f"of the {len(self.steps)} steps, 0 to {len(self.steps) - 1}"
                )

    def to_manifest(self) -> dict[str, Any]:
        """The ``spec.strategy`` object."""
        canary: dict[str, Any] = {"steps": render_steps(self.steps)}
        if self.stable_service is not None:
            canary["stableService"] = self.stable_service
        if self.canary_service is not None:
            canary["canaryService"] = self.canary_service
        if self.traffic_routing is not None:
            canary["trafficRouting"] = self.traffic_routing.to_manifest()
        if self.analysis is not None:
            canary["analysis"] = self.analysis.to_manifest()
        return {"canary": canary}


# --------------------------------------------------------------------------------------
# Blue-green


@dataclass(frozen=True, kw_only=True)
class BlueGreen:
    """Blue-green: the new version runs behind the preview Service, then becomes active.

    Attributes:
        active_service: The Service taking production traffic.
        preview_service: The Service reaching the new version before promotion; differs from
            the active one.
        auto_promotion_enabled: Whether the new version is promoted without a person (a
            per-stage choice, stated explicitly).
        scale_down_delay_seconds: How long the old version stays up after promotion, 0 or more.
            Default 30.
        pre_promotion_analysis: Run before switching the active Service. Default none.
        post_promotion_analysis: Run after switching it; a failure switches back.
            Default none.
    """

    active_service: str
    preview_service: str
    auto_promotion_enabled: bool
    scale_down_delay_seconds: int = DEFAULT_SCALE_DOWN_DELAY_SECONDS
    pre_promotion_analysis: Analysis | None = None
    post_promotion_analysis: Analysis | None = None

    def __post_init__(self) -> None:
        for name, service in (
            ("active_service", self.active_service),
            ("preview_service", self.preview_service),
        ):
            if not patterns.is_dns_1035_label(service):
                raise ValueError(
                    f"blue-green {name} {service!r} is not valid: {_SERVICE_RULE}, such as "
                    f"go-todo-{name.partition('_')[0]}"
                )
        if self.active_service == self.preview_service:
            raise ValueError(
                f"blue-green active_service and preview_service are both "
                f"{self.active_service!r}: two different Services, such as go-todo-active and "
                "go-todo-preview"
            )
        if not isinstance(self.auto_promotion_enabled, bool):
            raise ValueError(
                f"blue-green auto_promotion_enabled {self.auto_promotion_enabled!r} is not "
                "valid: True or False"
            )
        delay = self.scale_down_delay_seconds
        if not (patterns.is_whole_number(delay) and 0 <= delay <= _INT32_MAX):
            raise ValueError(
                f"blue-green scale_down_delay_seconds {delay!r} is not valid: whole seconds, 0 "
                "or more, such as 30"
            )
        for name, analysis in (
            ("pre_promotion_analysis", self.pre_promotion_analysis),
            ("post_promotion_analysis", self.post_promotion_analysis),
        ):
            if analysis is not None and not isinstance(analysis, Analysis):
                raise ValueError(
                    f"blue-green {name} {analysis!r} is not valid: an Analysis or None, such as "
                    "Analysis.of('smoke-test')"
                )

    def to_manifest(self) -> dict[str, Any]:
        """The ``spec.strategy`` object."""
        blue_green: dict[str, Any] = {
            "activeService": self.active_service,
            "previewService": self.preview_service,
            "autoPromotionEnabled": self.auto_promotion_enabled,
            "scaleDownDelaySeconds": self.scale_down_delay_seconds,
        }
        if self.pre_promotion_analysis is not None:
            blue_green["prePromotionAnalysis"] = self.pre_promotion_analysis.to_manifest()
        if self.post_promotion_analysis is not None:
            blue_green["postPromotionAnalysis"] = self.post_promotion_analysis.to_manifest()
        return {"blueGreen": blue_green}


#: A Rollout's strategy.
Strategy: TypeAlias = Canary | BlueGreen


# --------------------------------------------------------------------------------------
# The Rollout


def _check_labels(what: str, labels: Mapping[str, str]) -> None:
    for key, value in labels.items():
        if not patterns.is_label_key(key) or not patterns.is_label_value(value):
            raise ValueError(
                f"{what} {key!r}: {value!r} is not valid: a label name (an optional DNS "
                "subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.') and "
                "a non-empty label value (the same characters), such as app.kubernetes.io/name: "
                "go-todo"
            )


def rollout(
    *,
    name: str,
    pod_template: Mapping[str, Any],
    selector_labels: Mapping[str, str],
    strategy: Strategy,
    replicas: int | None,
    revision_history_limit: int = DEFAULT_REVISION_HISTORY_LIMIT,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A Rollout running ``pod_template`` with ``strategy``, checked against its strict schema.

    The pod template is copied, never changed; its labels must include ``selector_labels``,
    which may not be empty (R1). ``replicas`` is ``None`` when a HorizontalPodAutoscaler owns
    them: the field is then left out (Argo Rollouts starts with 1 and the HPA scales).

    The first deployment of the Rollout goes straight to 100%: Argo Rollouts skips the steps
    and analysis on the initial deploy (its FAQ); nothing here assumes otherwise (R3), so the
    Rollout is never created paused.

    Raises ValueError for an invalid argument, ManifestInvalidError if the result breaks the
    schema.
    """
    if not (isinstance(name, str) and len(name) <= 63 and patterns.DNS_LABEL.fullmatch(name)):
        raise ValueError(
            f"rollout name {name!r} is not valid: a DNS-1123 label, at most 63 lowercase "
            "letters, digits or '-', starting and ending with a letter or digit, such as "
            "go-todo"
        )
    if namespace is not None and not (
        isinstance(namespace, str)
        and len(namespace) <= 63
        and patterns.DNS_LABEL.fullmatch(namespace)
    ):
        raise ValueError(
            f"rollout namespace {namespace!r} is not valid: a DNS-1123 label, such as go-todo"
        )
    if not isinstance(strategy, Canary | BlueGreen):
        raise ValueError(f"rollout strategy {strategy!r} is not valid: a Canary or a BlueGreen")
    if replicas is not None and not (
        patterns.is_whole_number(replicas) and 0 <= replicas <= _INT32_MAX
    ):
        raise ValueError(
            f"rollout replicas {replicas!r} is not valid: 0 or more, or None when a "
            "HorizontalPodAutoscaler owns them, such as 3"
        )
    if not (
        patterns.is_whole_number(revision_history_limit)
        and 0 <= revision_history_limit <= _INT32_MAX
    ):
        raise ValueError(
            f"rollout revision_history_limit {revision_history_limit!r} is not valid: old "
            "ReplicaSets kept for rollback, 0 or more, such as 10"
        )
    if not isinstance(selector_labels, Mapping) or not selector_labels:
        raise ValueError(
            f"rollout selector_labels {selector_labels!r} are not valid: a selector is never "
            "empty (R1), such as {'app.kubernetes.io/name': 'go-todo'}"
        )
    _check_labels("rollout selector label", selector_labels)
    if labels is not None:
        _check_labels("rollout label", labels)
    if not isinstance(pod_template, Mapping):
        raise ValueError(
            f"rollout pod_template {pod_template!r} is not valid: a pod template mapping with "
            "metadata.labels and spec"
        )
    template = copy.deepcopy(dict(pod_template))
    metadata = template.get("metadata")
    template_labels = metadata.get("labels") if isinstance(metadata, Mapping) else None
    template_labels = template_labels if isinstance(template_labels, Mapping) else {}
    unmatched = sorted(k for k, v in selector_labels.items() if template_labels.get(k) != v)
    if unmatched:
        raise ValueError(
            f"rollout pod_template labels {dict(template_labels)!r} do not match the selector "
            f"on {', '.join(unmatched)}: the pod template carries every selector label with "
            f"the same value, such as {dict(selector_labels)!r}"
        )
    rollout_metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        rollout_metadata["namespace"] = namespace
    if labels:
        rollout_metadata["labels"] = dict(labels)
    spec: dict[str, Any] = {
        "revisionHistoryLimit": revision_history_limit,
        "selector": {"matchLabels": dict(selector_labels)},
        "strategy": strategy.to_manifest(),
        "template": template,
    }
    if replicas is not None:
        spec["replicas"] = replicas
    manifest: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "Rollout",
        "metadata": rollout_metadata,
        "spec": spec,
    }
    check_argo_manifest(manifest)
    return manifest
