"""An app's delivery strategy: canary steps as a team writes them, blue-green, the Rollout."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from argosy.apps.strategy import (
    ALB_ANNOTATION_PREFIX,
    AlbRouting,
    Analysis,
    BackgroundAnalysis,
    BlueGreen,
    Canary,
    IstioRouting,
    Pause,
    SetWeight,
    StepProblem,
    StepsInvalidError,
    TemplateRef,
    check_steps,
    parse_steps,
    render_steps,
    rollout,
    step_problems,
)
from argosy.manifests.argo_schemas import argo_schema_problems
from argosy.manifests.validation import ManifestInvalidError
from tests.conftest import assert_golden

LADDER = "[20, pause, 40, 60s, 60, 60s, 80, 60s]"
LADDER_RENDERED = [
    {"setWeight": 20},
    {"pause": {}},
    {"setWeight": 40},
    {"pause": {"duration": "60s"}},
    {"setWeight": 60},
    {"pause": {"duration": "60s"}},
    {"setWeight": 80},
    {"pause": {"duration": "60s"}},
]
SELECTOR = {"app.kubernetes.io/name": "go-todo"}
POD_TEMPLATE: dict[str, Any] = {
    "metadata": {"labels": {"app.kubernetes.io/name": "go-todo", "team": "todo"}},
    "spec": {
        "serviceAccountName": "go-todo",
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {
                "name": "app",
                "image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/go-todo:1.4.2",
                "ports": [{"name": "http", "containerPort": 8080}],
                "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
                "resources": {
                    "requests": {"cpu": "100m", "memory": "128Mi"},
                    "limits": {"memory": "128Mi"},
                },
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "readOnlyRootFilesystem": True,
                    "capabilities": {"drop": ["ALL"]},
                },
            }
        ],
    },
}

WEIGHT = (
    "is not valid: a weight is the percentage of traffic sent to the canary, a whole number "
    "from 1 to 100 (R1, R2), such as 20"
)
DURATION = (
    "is not valid: a duration is a whole number with unit s, m or h, or several in that order "
    "(R1), such as 30s, 5m, 1h or 1h30m"
)
STEP = (
    "is not a canary step: a step is a weight, pause, pause <duration>, <duration>, or a "
    "mapping with one key: setWeight, pause or analysis, such as 20, pause, pause 60s, 60s, "
    "{setWeight: 20}, {pause: {duration: 60s}}, {pause: {}} or {analysis: {templates: "
    "[{templateName: success-rate}]}}"
)
NEGATIVE = "is negative: a pause is never negative (R1), such as"
INCREASING = "weights increase strictly from step to step (R2), such as 20, 40, 60, 80"
EMPTY = (
    "steps: the canary has no steps: a canary lists at least one step (with none, Argo "
    "Rollouts takes every update to 100% without a pause); for a release without canary steps "
    "choose blue-green, such as [20, pause, 40, 60s, 60, 60s, 80, 60s]"
)


def messages(steps: object) -> list[str]:
    return [str(p) for p in step_problems(steps)]


def dump(manifest: Any) -> str:
    return yaml.safe_dump(manifest, sort_keys=True)


# --------------------------------------------------------------------------------------
# Steps as written


def test_the_issue_ladder_parses_and_renders_exactly() -> None:
    steps = parse_steps(yaml.safe_load(LADDER))
    assert steps == (
        SetWeight(20),
        Pause(),
        SetWeight(40),
        Pause("60s"),
        SetWeight(60),
        Pause("60s"),
        SetWeight(80),
        Pause("60s"),
    )
    assert render_steps(steps) == LADDER_RENDERED


def test_the_ladder_in_every_spelling_renders_the_same() -> None:
    written = """
    - 20
    - {pause: {}}
    - {setWeight: 40}
    - pause 60s
    - 60
    - {pause: {duration: 60s}}
    - {setWeight: 80}
    - {pause: {duration: 60}}
    """
    assert render_steps(parse_steps(yaml.safe_load(written))) == LADDER_RENDERED


@pytest.mark.parametrize(
    ("written", "rendered"),
    [
        ("20", {"setWeight": 20}),
        ("100", {"setWeight": 100}),
        ("{setWeight: 1}", {"setWeight": 1}),
        ("pause", {"pause": {}}),
        ("pause  5m", {"pause": {"duration": "5m"}}),
        ("{pause: {}}", {"pause": {}}),
        ("30s", {"pause": {"duration": "30s"}}),
        ("5m", {"pause": {"duration": "5m"}}),
        ("1h", {"pause": {"duration": "1h"}}),
        ("1h30m", {"pause": {"duration": "1h30m"}}),
        ("2m30s", {"pause": {"duration": "2m30s"}}),
        ("1h0m5s", {"pause": {"duration": "1h0m5s"}}),
        ("0s", {"pause": {"duration": "0s"}}),
        ("pause 1h30m", {"pause": {"duration": "1h30m"}}),
        ("{pause: {duration: 10}}", {"pause": {"duration": "10s"}}),
        ("{pause: {duration: '10'}}", {"pause": {"duration": "10s"}}),
        ("{pause: {duration: 10m}}", {"pause": {"duration": "10m"}}),
        (
            "{analysis: {templates: [{templateName: success-rate}]}}",
            {"analysis": {"templates": [{"templateName": "success-rate"}]}},
        ),
        (
            "{analysis: {templates: [{templateName: error-ratio, clusterScope: true}], "
            "args: [{name: service, value: go-todo-canary}]}}",
            {
                "analysis": {
                    "templates": [{"templateName": "error-ratio", "clusterScope": True}],
                    "args": [{"name": "service", "value": "go-todo-canary"}],
                }
            },
        ),
    ],
)
def test_accepted_spellings(written: str, rendered: dict[str, Any]) -> None:
    assert render_steps(parse_steps([yaml.safe_load(written)])) == [rendered]


def test_pauses_in_a_row_and_a_last_weight_below_100_are_fine() -> None:
    steps = parse_steps([10, "pause", "5m", 50])
    assert steps == (SetWeight(10), Pause(), Pause("5m"), SetWeight(50))
    assert step_problems([10, "pause", "5m", 50]) == []


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            [20, 40, 40, 30],
            [
                f"steps[2]: weight 40 is not above weight 40 of steps[1]: {INCREASING}",
                f"steps[3]: weight 30 is not above weight 40 of steps[2]: {INCREASING}",
            ],
        ),
        (
            [60, "pause", 20],
            [f"steps[2]: weight 20 is not above weight 60 of steps[0]: {INCREASING}"],
        ),
        ([0, 20], [f"steps[0]: weight 0 {WEIGHT}"]),
        ([20, 101], [f"steps[1]: weight 101 {WEIGHT}"]),
        ([-10], [f"steps[0]: weight -10 {WEIGHT}"]),
        ([{"setWeight": 0}], [f"steps[0]: weight 0 {WEIGHT}"]),
        ([{"setWeight": "20"}], [f"steps[0]: weight '20' {WEIGHT}"]),
        ([{"setWeight": 20.5}], [f"steps[0]: weight 20.5 {WEIGHT}"]),
        (
            [20, "-5s"],
            [f"steps[1]: pause duration '-5s' {NEGATIVE} 5s"],
        ),
        (
            [20, "pause -1m"],
            [f"steps[1]: pause duration '-1m' {NEGATIVE} 1m"],
        ),
        (
            [{"pause": {"duration": -5}}],
            ["steps[0]: pause duration -5 is negative: a pause is never negative (R1), such as 5s"],
        ),
        ([20, "5 minutes"], [f"steps[1]: pause duration '5 minutes' {DURATION}"]),
        ([20, "pause 5 minutes"], [f"steps[1]: pause duration '5 minutes' {DURATION}"]),
        ([20, "1d"], [f"steps[1]: pause duration '1d' {DURATION}"]),
        ([20, "1.5h"], [f"steps[1]: pause duration '1.5h' {DURATION}"]),
        ([20, "500ms"], [f"steps[1]: pause duration '500ms' {DURATION}"]),
        ([20, "30m1h"], [f"steps[1]: pause duration '30m1h' {DURATION}"]),
        ([20, "1H"], [f"steps[1]: pause duration '1H' {DURATION}"]),
        ([20, "+5s"], [f"steps[1]: pause duration '+5s' {DURATION}"]),
        ([20, "pause 1h 30m"], [f"steps[1]: pause duration '1h 30m' {DURATION}"]),
        ([{"pause": {"duration": None}}], [f"steps[0]: pause duration None {DURATION}"]),
        ([{"pause": {"duration": "10x"}}], [f"steps[0]: pause duration '10x' {DURATION}"]),
        (
            [20, "pause 600000h"],
            [
                "steps[1]: pause duration '600000h' is too long: Argo Rollouts counts a pause in "
                "seconds up to 2147483647, such as 1h"
            ],
        ),
        ([], [EMPTY]),
        (
            "20, pause",
            [
                "steps: canary steps '20, pause' are not a list: a list of steps, such as "
                "[20, pause, 40, 60s, 60, 60s, 80, 60s]"
            ],
        ),
        ([20, "wait 5m"], [f"steps[1]: 'wait 5m' {STEP}"]),
        ([20, "Pause"], [f"steps[1]: 'Pause' {STEP}"]),
        ([{"setWeigth": 20}], [f"steps[0]: {{'setWeigth': 20}} {STEP}"]),
        (
            [{"setWeight": 20, "pause": {}}],
            [f"steps[0]: {{'setWeight': 20, 'pause': {{}}}} {STEP}"],
        ),
        ([True], [f"steps[0]: True {STEP}"]),
        ([None], [f"steps[0]: None {STEP}"]),
        ([20.0], [f"steps[0]: 20.0 {STEP}"]),
        (
            ["20%"],
            [
                "steps[0]: '20%' is not a weight: write a weight as a bare whole number from 1 "
                "to 100, without quotes or %, such as 20"
            ],
        ),
        (
            [{"pause": None}],
            [
                "steps[0]: pause None is not valid: a pause is a mapping with at most a "
                "duration, such as {pause: {duration: 60s}} or {pause: {}}"
            ],
        ),
        (
            [{"pause": {"duration": "60s", "until": "promoted"}}],
            [
                "steps[0]: pause {'duration': '60s', 'until': 'promoted'} is not valid: a "
                "pause is a mapping with at most a duration, such as {pause: {duration: 60s}} "
                "or {pause: {}}"
            ],
        ),
        (
            [{"analysis": {"templates": [{"name": "success-rate"}]}}],
            [
                "steps[0]: analysis {'templates': [{'name': 'success-rate'}]} is not valid: an "
                "analysis step has templates, a non-empty list of {templateName: "
                "<AnalysisTemplate name>} with an optional clusterScope (true or false), and "
                "optional args, a list of {name: <name>, value: <text>}, such as {analysis: "
                "{templates: [{templateName: success-rate}]}}"
            ],
        ),
    ],
)
def test_broken_steps_exact_messages(steps: object, expected: list[str]) -> None:
    assert messages(steps) == expected
    with pytest.raises(StepsInvalidError) as raised:
        parse_steps(steps)
    assert str(raised.value) == "canary steps are not valid:\n  " + "\n  ".join(expected)


@pytest.mark.parametrize(
    "analysis",
    [
        {"templates": []},
        {"templates": [{"templateName": "Success_Rate"}]},
        {"templates": [{"templateName": "ok", "clusterScope": "yes"}]},
        {"templates": [{"templateName": "ok"}], "args": [{"name": "a"}]},
        {"templates": [{"templateName": "ok"}], "args": [{"name": "a", "value": 1}]},
        {"templates": [{"templateName": "ok"}], "args": [{"name": "a", "value": "x"}] * 2},
        {"templates": [{"templateName": "ok"}], "args": [{"name": ["a"], "value": "x"}]},
        {"templates": [{"templateName": "ok"}], "dryRun": []},
        {"templates": "ok"},
        {},
        None,
    ],
)
def test_broken_analysis_steps_are_refused(analysis: object) -> None:
    (problem,) = step_problems([{"analysis": analysis}])
    assert problem.index == 0
    assert problem.problem == f"analysis {analysis!r} is not valid"


def test_every_mistake_in_one_list_is_reported_at_once() -> None:
    written = yaml.safe_load(
        """
        - 20
        - 0
        - pause
        - 40
        - 30
        - -5s
        - 5 minutes
        - 150
        - 1d
        - wait
        - {setWeight: 60}
        - {setWeight: 60}
        """
    )
    problems = step_problems(written)
    assert [p.index for p in problems] == [1, 4, 5, 6, 7, 8, 9, 11]
    assert [str(p) for p in problems] == [
        f"steps[1]: weight 0 {WEIGHT}",
        f"steps[4]: weight 30 is not above weight 40 of steps[3]: {INCREASING}",
        "steps[5]: pause duration '-5s' is negative: a pause is never negative (R1), such as 5s",
        f"steps[6]: pause duration '5 minutes' {DURATION}",
        f"steps[7]: weight 150 {WEIGHT}",
        f"steps[8]: pause duration '1d' {DURATION}",
        f"steps[9]: 'wait' {STEP}",
        f"steps[11]: weight 60 is not above weight 60 of steps[10]: {INCREASING}",
    ]
    assert problems[1] == StepProblem(
        index=4,
        value=30,
        problem="weight 30 is not above weight 40 of steps[3]",
        rule="weights increase strictly from step to step (R2)",
        example="20, 40, 60, 80",
    )
    with pytest.raises(StepsInvalidError) as raised:
        parse_steps(written)
    assert raised.value.problems == tuple(problems)
    assert isinstance(raised.value, ValueError)


# --------------------------------------------------------------------------------------
# Typed steps


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: SetWeight(0), f"weight 0 {WEIGHT}"),
        (lambda: SetWeight(101), f"weight 101 {WEIGHT}"),
        (lambda: SetWeight(True), f"weight True {WEIGHT}"),
        (lambda: Pause("1d"), f"pause duration '1d' {DURATION}"),
        (lambda: Pause("60"), f"pause duration '60' {DURATION}"),
        (
            lambda: Pause("-5s"),
            "pause duration '-5s' is negative: a pause is never negative (R1), such as 5s",
        ),
        (
            lambda: TemplateRef("Success"),
            "analysis template name 'Success' is not valid: a DNS-1123 subdomain: at most 253 "
            "lowercase letters, digits, '-' or '.', starting and ending with a letter or digit, "
            "such as success-rate",
        ),
        (
            lambda: Analysis(templates=()),
            "analysis templates () are not valid: one or more TemplateRef, such as "
            "(TemplateRef('success-rate'),)",
        ),
    ],
)
def test_typed_steps_refuse_what_the_rules_refuse(build: Any, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        build()
    assert str(raised.value) == message


def test_typed_step_lists_are_checked_at_once() -> None:
    assert [
        str(p) for p in check_steps([SetWeight(50), Pause(), SetWeight(20), SetWeight(10)])
    ] == [
        f"steps[2]: weight 20 is not above weight 50 of steps[0]: {INCREASING}",
        f"steps[3]: weight 10 is not above weight 20 of steps[2]: {INCREASING}",
    ]
    with pytest.raises(StepsInvalidError) as raised:
        Canary(steps=[SetWeight(50), SetWeight(20)])
    assert str(raised.value) == (
        "canary steps are not valid:\n  steps[1]: weight 20 is not above weight 50 of "
        f"steps[0]: {INCREASING}"
    )
    with pytest.raises(StepsInvalidError) as raised:
        Canary(steps=())
    assert str(raised.value) == f"canary steps are not valid:\n  {EMPTY}"


# --------------------------------------------------------------------------------------
# Strategies


def test_traffic_routing_needs_two_different_services() -> None:
    steps = parse_steps([20, "pause"])
    alb = AlbRouting(ingress="go-todo", service_port=80)
    with pytest.raises(ValueError) as raised:
        Canary(steps=steps, stable_service="go-todo-stable", traffic_routing=alb)
    assert str(raised.value) == (
        "a canary with traffic routing names both Services (Argo Rollouts requires them): "
        "stable_service and canary_service, such as go-todo-stable and go-todo-canary"
    )
    with pytest.raises(ValueError) as raised:
        Canary(steps=steps, stable_service="go-todo", canary_service="go-todo")
    assert str(raised.value) == (
        "canary stable_service and canary_service are both 'go-todo': two different Services, "
        "such as go-todo-stable and go-todo-canary"
    )
    with pytest.raises(ValueError) as raised:
        Canary(steps=steps, stable_service="1-stable")
    assert str(raised.value) == (
        "canary stable_service '1-stable' is not valid: a Service name: at most 63 lowercase "
        "letters, digits or '-', starting with a letter and ending with a letter or digit, "
        "such as go-todo-stable"
    )


def test_background_analysis_starts_at_an_existing_step() -> None:
    background = BackgroundAnalysis(analysis=Analysis.of("success-rate"), starting_step=2)
    with pytest.raises(ValueError) as raised:
        Canary(steps=parse_steps([20, "pause"]), analysis=background)
    assert str(raised.value) == (
        "background analysis starting_step 2 is not valid: the index of one of the 2 steps, 0 to 1"
    )
    with pytest.raises(ValueError) as raised:
        BackgroundAnalysis(analysis=Analysis.of("success-rate"), starting_step=-1)
    assert str(raised.value) == (
        "background analysis starting_step -1 is not valid: the index of a step, 0 or more, "
        "such as 2"
    )


def test_alb_options() -> None:
    assert AlbRouting(ingress="go-todo", service_port=80).to_manifest() == {
        "alb": {"ingress": "go-todo", "servicePort": 80, "annotationPrefix": ALB_ANNOTATION_PREFIX}
    }
    with pytest.raises(ValueError) as raised:
        AlbRouting(ingress="go-todo", service_port=0)
    assert str(raised.value) == (
        "ALB service_port 0 is not valid: a port from 1 to 65535, such as 80"
    )


def test_blue_green_rules() -> None:
    blue_green = BlueGreen(
        active_service="go-todo", preview_service="go-todo-preview", auto_promotion_enabled=False
    )
    assert blue_green.to_manifest() == {
        "blueGreen": {
            "activeService": "go-todo",
            "previewService": "go-todo-preview",
            "autoPromotionEnabled": False,
            "scaleDownDelaySeconds": 30,
        }
    }
    with pytest.raises(ValueError) as raised:
        BlueGreen(active_service="a", preview_service="a", auto_promotion_enabled=True)
    assert str(raised.value) == (
        "blue-green active_service and preview_service are both 'a': two different Services, "
        "such as go-todo-active and go-todo-preview"
    )
    with pytest.raises(ValueError) as raised:
        BlueGreen(
            active_service="a",
            preview_service="b",
            auto_promotion_enabled=True,
            scale_down_delay_seconds=-1,
        )
    assert str(raised.value) == (
        "blue-green scale_down_delay_seconds -1 is not valid: whole seconds, 0 or more, such as 30"
    )


# --------------------------------------------------------------------------------------
# Rollouts


def canary_alb() -> dict[str, Any]:
    steps = parse_steps(
        yaml.safe_load(
            """
            - 20
            - pause
            - 40
            - 60s
            - {analysis: {templates: [{templateName: alb-5xx-ratio}],
                          args: [{name: target-group, value: go-todo-canary}]}}
            - 60
            - 60s
            - 80
            - 60s
            """
        )
    )
    strategy = Canary(
        steps=steps,
        stable_service="go-todo-stable",
        canary_service="go-todo-canary",
        traffic_routing=AlbRouting(ingress="go-todo", service_port=80, root_service="go-todo"),
        analysis=BackgroundAnalysis(
            analysis=Analysis.of("success-rate", args={"service": "go-todo-canary"}),
            starting_step=2,
        ),
    )
    return rollout(
        name="go-todo",
        namespace="go-todo",
        labels={"app.kubernetes.io/name": "go-todo", "app.kubernetes.io/part-of": "todo"},
        pod_template=POD_TEMPLATE,
        selector_labels=SELECTOR,
        strategy=strategy,
        replicas=4,
    )


def canary_istio() -> dict[str, Any]:
    strategy = Canary(
        steps=parse_steps(yaml.safe_load(LADDER)),
        stable_service="go-todo-stable",
        canary_service="go-todo-canary",
        traffic_routing=IstioRouting(virtual_service="go-todo", routes=["primary"]),
    )
    return rollout(
        name="go-todo",
        pod_template=POD_TEMPLATE,
        selector_labels=SELECTOR,
        strategy=strategy,
        replicas=3,
    )


def canary_replicas_hpa() -> dict[str, Any]:
    strategy = Canary(steps=parse_steps(yaml.safe_load(LADDER)))
    return rollout(
        name="go-todo",
        pod_template=POD_TEMPLATE,
        selector_labels=SELECTOR,
        strategy=strategy,
        replicas=None,
        revision_history_limit=3,
    )


def blue_green() -> dict[str, Any]:
    strategy = BlueGreen(
        active_service="go-todo",
        preview_service="go-todo-preview",
        auto_promotion_enabled=False,
        pre_promotion_analysis=Analysis.of("smoke-test", args={"host": "go-todo-preview"}),
        post_promotion_analysis=Analysis(
            templates=[TemplateRef("error-ratio", cluster_scope=True)]
        ),
    )
    return rollout(
        name="go-todo",
        namespace="go-todo",
        pod_template=POD_TEMPLATE,
        selector_labels=SELECTOR,
        strategy=strategy,
        replicas=2,
    )


ROLLOUTS = {
    "canary-alb": canary_alb,
    "canary-istio": canary_istio,
    "canary-replicas-hpa": canary_replicas_hpa,
    "blue-green": blue_green,
}


@pytest.mark.parametrize("name", sorted(ROLLOUTS))
def test_rollout_golden_and_strict_valid(name: str) -> None:
    manifest = ROLLOUTS[name]()
    assert argo_schema_problems(manifest) == []
    assert_golden(f"apps/strategy/{name}.yaml", dump(manifest))


@pytest.mark.parametrize("name", sorted(ROLLOUTS))
def test_rollout_goes_straight_to_full_weight_first(name: str) -> None:
    # R3: nothing pauses or holds back the first deploy; Argo Rollouts skips the steps itself.
    spec = ROLLOUTS[name]()["spec"]
    assert "paused" not in spec
    assert "workloadRef" not in spec


def test_the_issue_ladder_is_the_rendered_canary_steps() -> None:
    spec = canary_istio()["spec"]
    assert spec["strategy"]["canary"]["steps"] == LADDER_RENDERED


def test_replicas_are_left_to_an_hpa() -> None:
    assert "replicas" not in canary_replicas_hpa()["spec"]
    assert canary_alb()["spec"]["replicas"] == 4


def test_the_pod_template_is_copied_not_changed() -> None:
    template = copy.deepcopy(POD_TEMPLATE)
    manifest = rollout(
        name="go-todo",
        pod_template=template,
        selector_labels=SELECTOR,
        strategy=Canary(steps=[SetWeight(50)]),
        replicas=1,
    )
    assert template == POD_TEMPLATE
    manifest["spec"]["template"]["metadata"]["labels"]["x"] = "y"
    assert template == POD_TEMPLATE


def test_the_selector_is_never_empty_and_matches_the_template() -> None:
    strategy = Canary(steps=[SetWeight(50)])
    with pytest.raises(ValueError) as raised:
        rollout(
            name="go-todo",
            pod_template=POD_TEMPLATE,
            selector_labels={},
            strategy=strategy,
            replicas=1,
        )
    assert str(raised.value) == (
        "rollout selector_labels {} are not valid: a selector is never empty (R1), such as "
        "{'app.kubernetes.io/name': 'go-todo'}"
    )
    with pytest.raises(ValueError) as raised:
        rollout(
            name="go-todo",
            pod_template=POD_TEMPLATE,
            selector_labels={"app.kubernetes.io/name": "other"},
            strategy=strategy,
            replicas=1,
        )
    assert str(raised.value) == (
        "rollout pod_template labels {'app.kubernetes.io/name': 'go-todo', 'team': 'todo'} do "
        "not match the selector on app.kubernetes.io/name: the pod template carries every "
        "selector label with the same value, such as {'app.kubernetes.io/name': 'other'}"
    )


def test_a_template_outside_the_schema_is_refused_strictly() -> None:
    template = copy.deepcopy(POD_TEMPLATE)
    template["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    with pytest.raises(ManifestInvalidError) as raised:
        rollout(
            name="go-todo",
            pod_template=template,
            selector_labels=SELECTOR,
            strategy=Canary(steps=[SetWeight(50)]),
            replicas=1,
        )
    assert raised.value.problems == [
        "spec.template.spec.containers.0: Additional properties are not allowed "
        "('imagePullPolicyy' was unexpected)"
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"name": "Go_Todo"},
            "rollout name 'Go_Todo' is not valid: a DNS-1123 label, at most 63 lowercase "
            "letters, digits or '-', starting and ending with a letter or digit, such as go-todo",
        ),
        (
            {"replicas": -1},
            "rollout replicas -1 is not valid: 0 or more, or None when a HorizontalPodAutoscaler "
            "owns them, such as 3",
        ),
        (
            {"revision_history_limit": -1},
            "rollout revision_history_limit -1 is not valid: old ReplicaSets kept for rollback, "
            "0 or more, such as 10",
        ),
    ],
)
def test_rollout_arguments(changes: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {
        "name": "go-todo",
        "pod_template": POD_TEMPLATE,
        "selector_labels": SELECTOR,
        "strategy": Canary(steps=[SetWeight(50)]),
        "replicas": 1,
    }
    with pytest.raises(ValueError) as raised:
        rollout(**{**arguments, **changes})
    assert str(raised.value) == message
