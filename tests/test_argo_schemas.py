"""Vendored Argo schemas and the strict checks of Argo objects (argosy.manifests.argo_schemas)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from argosy.manifests.argo_schemas import (
    ARGO_KINDS,
    argo_schema_problems,
    argo_validator,
    check_argo_manifest,
    check_manifest,
    is_argo_kind,
    schema_file,
)
from argosy.manifests.strict import close_schema
from argosy.manifests.validation import ManifestInvalidError

REPO = Path(__file__).resolve().parents[1]
VENDORED = REPO / "argosy" / "schemas" / "argo"
# The project's shared schema set, beside the checkouts; absent on a user's machine.
SHARED = REPO.parent / "shared" / "schemas" / "argo"
V1ALPHA1 = "argoproj.io/v1alpha1"

# One realistic manifest per Argo kind, in the order of ARGO_KINDS.
VALID = """
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
  namespace: argocd
  finalizers: [resources-finalizer.argocd.argoproj.io]
spec:
  project: default
  source:
    repoURL: https://github.com/argoproj/argocd-example-apps.git
    targetRevision: HEAD
    path: guestbook
  destination:
    server: https://kubernetes.default.svc
    namespace: guestbook
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [CreateNamespace=true]
    retry:
      limit: 5
      backoff: {duration: 5s, factor: 2, maxDuration: 3m}
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - clusters:
        selector:
          matchLabels:
            argosy.io/stage: staging
          matchExpressions:
            - {key: argosy.io/tier, operator: In, values: [workload]}
  template:
    metadata:
      name: "{{.name}}-guestbook"
      labels: {app.kubernetes.io/part-of: guestbook}
    spec:
      project: default
      source:
        repoURL: https://github.com/argoproj/argocd-example-apps.git
        targetRevision: HEAD
        path: guestbook
      destination:
        server: "{{.server}}"
        namespace: guestbook
      syncPolicy:
        automated: {prune: true, selfHeal: true}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: team-a
  namespace: argocd
spec:
  description: Team A's applications
  sourceRepos: ["https://github.com/example/team-a-*"]
  destinations:
    - {server: https://kubernetes.default.svc, namespace: "team-a-*"}
  clusterResourceWhitelist:
    - {group: "", kind: Namespace}
  namespaceResourceBlacklist:
    - {group: "", kind: ResourceQuota}
  roles:
    - name: ci
      description: Sync only, for the CI pipeline
      policies: ["p, proj:team-a:ci, applications, sync, team-a/*, allow"]
      groups: [team-a-ci]
  syncWindows:
    - {kind: deny, schedule: "0 22 * * *", duration: 8h, applications: ["*"], manualSync: true}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: rollouts-demo
  namespace: demo
spec:
  replicas: 5
  revisionHistoryLimit: 2
  selector:
    matchLabels: {app: rollouts-demo}
  template:
    metadata:
      labels: {app: rollouts-demo}
    spec:
      containers:
        - name: rollouts-demo
          image: argoproj/rollouts-demo:blue
          ports: [{name: http, containerPort: 8080, protocol: TCP}]
          resources:
            requests: {memory: 32Mi, cpu: 5m}
  strategy:
    canary:
      canaryService: rollouts-demo-canary
      stableService: rollouts-demo-stable
      analysis:
        templates: [{templateName: success-rate}]
        startingStep: 2
        args: [{name: service-name, value: rollouts-demo-canary}]
      steps:
        - setWeight: 20
        - pause: {}
        - setWeight: 40
        - pause: {duration: 10}
        - setWeight: 60
        - pause: {duration: 1m}
        - setWeight: 80
        - pause: {duration: 1m}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
  namespace: demo
spec:
  args:
    - name: service-name
  metrics:
    - name: success-rate
      interval: 5m
      count: 3
      successCondition: result[0] >= 0.95
      failureLimit: 1
      provider:
        prometheus:
          address: http://prometheus.monitoring.svc.cluster.local:9090
          timeout: 20
          query: |
            sum(irate(istio_requests_total{reporter="source",
              destination_service=~"{{args.service-name}}",response_code!~"5.*"}[5m]))
            /
            sum(irate(istio_requests_total{reporter="source",
              destination_service=~"{{args.service-name}}"}[5m]))
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterAnalysisTemplate
metadata:
  name: http-health
spec:
  args:
    - name: url
  metrics:
    - name: webmetric
      interval: 30s
      count: 5
      successCondition: result == "ok"
      provider:
        web:
          url: "{{args.url}}"
          timeoutSeconds: 10
          jsonPath: "{$.status}"
          headers:
            - {key: Accept, value: application/json}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata:
  name: rollouts-demo-smoke
  namespace: demo
spec:
  args:
    - {name: service-name, value: rollouts-demo-canary}
  metrics:
    - name: smoke
      provider:
        job:
          spec:
            backoffLimit: 1
            template:
              spec:
                restartPolicy: Never
                containers:
                  - name: smoke
                    image: curlimages/curl:8.10.1
                    args: ["-fsS", "http://rollouts-demo-canary/healthz"]
---
apiVersion: argoproj.io/v1alpha1
kind: Experiment
metadata:
  name: rollouts-demo-compare
  namespace: demo
spec:
  duration: 5m
  progressDeadlineSeconds: 60
  templates:
    - name: baseline
      replicas: 1
      selector:
        matchLabels: {app: rollouts-demo, role: baseline}
      template:
        metadata:
          labels: {app: rollouts-demo, role: baseline}
        spec:
          containers:
            - {name: rollouts-demo, image: "argoproj/rollouts-demo:blue"}
    - name: canary
      replicas: 1
      selector:
        matchLabels: {app: rollouts-demo, role: canary}
      template:
        metadata:
          labels: {app: rollouts-demo, role: canary}
        spec:
          containers:
            - {name: rollouts-demo, image: "argoproj/rollouts-demo:yellow"}
  analyses:
    - name: compare
      templateName: success-rate
      args:
        - {name: service-name, value: "{{templates.canary.podTemplateHash}}"}
---
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: steps-
  namespace: argo
spec:
  entrypoint: hello-hello-hello
  serviceAccountName: argo-workflow
  arguments:
    parameters:
      - {name: message, value: hello}
  templates:
    - name: hello-hello-hello
      steps:
        - - name: hello1
            template: print-message
            arguments:
              parameters: [{name: message, value: "{{workflow.parameters.message}}1"}]
        - - name: hello2a
            template: print-message
            arguments:
              parameters: [{name: message, value: hello2a}]
          - name: hello2b
            template: print-message
            arguments:
              parameters: [{name: message, value: hello2b}]
    - name: print-message
      inputs:
        parameters:
          - name: message
      container:
        image: busybox:1.36
        command: [echo]
        args: ["{{inputs.parameters.message}}"]
        resources:
          limits: {memory: 32Mi, cpu: 100m}
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: dag-diamond
  namespace: argo
spec:
  entrypoint: diamond
  templates:
    - name: echo
      inputs:
        parameters:
          - name: message
      container:
        image: alpine:3.20
        command: [echo, "{{inputs.parameters.message}}"]
    - name: diamond
      dag:
        tasks:
          - name: A
            template: echo
            arguments:
              parameters: [{name: message, value: A}]
          - name: B
            depends: A
            template: echo
            arguments:
              parameters: [{name: message, value: B}]
          - name: C
            depends: A
            template: echo
            arguments:
              parameters: [{name: message, value: C}]
          - name: D
            depends: B && C
            template: echo
            arguments:
              parameters: [{name: message, value: D}]
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterWorkflowTemplate
metadata:
  name: random-number
spec:
  entrypoint: gen
  templates:
    - name: gen
      script:
        image: python:3.12-alpine
        command: [python]
        source: |
          import random
          print(random.randint(1, 100))
---
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly-diamond
  namespace: argo
spec:
  schedules: ["0 2 * * *"]
  timezone: Europe/Berlin
  concurrencyPolicy: Replace
  startingDeadlineSeconds: 0
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 1
  workflowSpec:
    workflowTemplateRef:
      name: dag-diamond
---
apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: webhook
  namespace: argo-events
spec:
  service:
    ports:
      - port: 12000
        targetPort: 12000
  webhook:
    example:
      port: "12000"
      endpoint: /example
      method: POST
---
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: webhook
  namespace: argo-events
spec:
  template:
    serviceAccountName: operate-workflow-sa
  dependencies:
    - name: test-dep
      eventSourceName: webhook
      eventName: example
  triggers:
    - template:
        name: webhook-workflow-trigger
        argoWorkflow:
          operation: submit
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata:
                generateName: webhook-
              spec:
                arguments:
                  parameters: [{name: message, value: placeholder}]
                workflowTemplateRef:
                  name: print-message
          parameters:
            - src:
                dependencyName: test-dep
                dataKey: body
              dest: spec.arguments.parameters.0.value
      retryStrategy:
        steps: 3
---
apiVersion: argoproj.io/v1alpha1
kind: EventBus
metadata:
  name: default
  namespace: argo-events
spec:
  jetstream:
    version: "2.10.10"
    replicas: 3
    persistence:
      storageClassName: gp3
      accessMode: ReadWriteOnce
      volumeSize: 10Gi
    containerTemplate:
      resources:
        limits: {cpu: 100m, memory: 128Mi}
"""

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def validators() -> dict[str, jsonschema.Draft7Validator]:
    """Every strict validator, built once for the module (argo_validator keeps them too)."""
    return {kind: argo_validator(V1ALPHA1, kind) for kind in ARGO_KINDS}


@pytest.fixture(scope="module")
def valid() -> dict[str, dict[str, Any]]:
    return {doc["kind"]: doc for doc in yaml.safe_load_all(VALID)}


@pytest.fixture
def manifests(valid: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A copy of the valid manifests that a test may edit."""
    return copy.deepcopy(valid)


def vendored_files() -> list[Path]:
    return sorted(VENDORED.glob("*.json"))


# --- the vendored files --------------------------------------------------------------------------


def test_every_argo_kind_has_one_vendored_file() -> None:
    names = {schema_file(v, kind) for kind, versions in ARGO_KINDS.items() for v in versions}
    assert len(names) == 15
    assert {p.name for p in vendored_files()} == names


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"no shared schema set at {SHARED}")
def test_vendored_files_are_the_shared_ones_byte_for_byte() -> None:
    shared = sorted(SHARED.glob("*.json"))
    assert [p.name for p in shared] == [p.name for p in vendored_files()]
    for path in shared:
        assert (VENDORED / path.name).read_bytes() == path.read_bytes(), path.name


def test_provenance_lists_every_file_with_its_commit_size_and_digest() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in (VENDORED / "PROVENANCE.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    for path in vendored_files():
        data = path.read_bytes()
        comment = json.loads(data)["$comment"]
        commit = re.search(r"\(([0-9a-f]{40})\)", comment)
        assert commit, comment
        row = rows[path.name]
        assert f"`{commit[1]}`" in row
        assert f"| {len(data)} |" in row
        assert f"`{hashlib.sha256(data).hexdigest()}`" in row


def test_licence_and_notice() -> None:
    text = (VENDORED / "LICENSE-APACHE-2.0.txt").read_text(encoding="utf-8")
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    for project in ("argo-cd", "argo-rollouts", "argo-workflows", "argo-events"):
        assert f"https://github.com/argoproj/{project} " in text


@pytest.mark.parametrize("kind", ARGO_KINDS)
def test_every_schema_is_valid_draft7(
    kind: str, validators: dict[str, jsonschema.Draft7Validator]
) -> None:
    # The strict schema is the vendored one plus `additionalProperties: false` in places; it
    # passing the meta-schema means the vendored file does too, so each big file is walked once.
    jsonschema.Draft7Validator.check_schema(validators[kind].schema)
    assert (
        jsonschema.validators.validator_for(validators[kind].schema) is jsonschema.Draft7Validator
    )


# --- strict checks -------------------------------------------------------------------------------


def test_one_valid_manifest_per_kind(valid: dict[str, dict[str, Any]]) -> None:
    assert list(valid) == list(ARGO_KINDS)


@pytest.mark.parametrize("kind", ARGO_KINDS)
def test_realistic_manifests_pass(
    kind: str, valid: dict[str, dict[str, Any]], validators: dict[str, jsonschema.Draft7Validator]
) -> None:
    assert argo_schema_problems(valid[kind]) == []
    assert check_argo_manifest(valid[kind]) is valid[kind]


def _rename(parent: dict[str, Any], old: str, new: str) -> None:
    parent[new] = parent.pop(old)


@pytest.mark.parametrize(
    ("kind", "edit", "problem"),
    [
        (
            "Application",
            lambda m: _rename(m["spec"], "source", "sorce"),
            "spec: Additional properties are not allowed ('sorce' was unexpected)",
        ),
        (
            "Rollout",
            lambda m: _rename(m["spec"]["strategy"]["canary"], "steps", "stpes"),
            "spec.strategy.canary: Additional properties are not allowed ('stpes' was unexpected)",
        ),
        (
            "Rollout",
            lambda m: m["spec"]["template"]["spec"]["containers"][0].update(imagePulPolicy="x"),
            "spec.template.spec.containers.0: Additional properties are not allowed "
            "('imagePulPolicy' was unexpected)",
        ),
        (
            "WorkflowTemplate",
            lambda m: _rename(m["spec"]["templates"][0], "container", "contaner"),
            "spec.templates.0: Additional properties are not allowed ('contaner' was unexpected)",
        ),
        (
            # Argo Workflows v4 knows only `schedules`; the old singular field is gone.
            "CronWorkflow",
            lambda m: m["spec"].update(schedule="0 2 * * *"),
            "spec: Additional properties are not allowed ('schedule' was unexpected)",
        ),
        (
            # Events schemas are $ref-based; their definitions are closed too.
            "EventSource",
            lambda m: _rename(m["spec"]["webhook"]["example"], "endpoint", "endpont"),
            "spec.webhook.example: Additional properties are not allowed "
            "('endpont' was unexpected)",
        ),
        (
            "Sensor",
            lambda m: m["metadata"].update(labelz={"team": "a"}),
            "metadata: Additional properties are not allowed ('labelz' was unexpected)",
        ),
    ],
)
def test_typos_are_caught(
    kind: str, edit: Edit, problem: str, manifests: dict[str, dict[str, Any]]
) -> None:
    edit(manifests[kind])
    assert argo_schema_problems(manifests[kind]) == [problem]


@pytest.mark.parametrize(
    ("kind", "edit", "problem"),
    [
        (
            "Rollout",
            lambda m: m["spec"].update(replicas="5"),
            "spec.replicas: '5' is not of type 'integer'",
        ),
        (
            "Application",
            lambda m: m["spec"]["syncPolicy"]["automated"].update(prune="yes"),
            "spec.syncPolicy.automated.prune: 'yes' is not of type 'boolean'",
        ),
        (
            "EventBus",
            lambda m: m["spec"]["jetstream"].update(replicas="3"),
            "spec.jetstream.replicas: '3' is not of type 'integer'",
        ),
    ],
)
def test_wrong_types_are_caught(
    kind: str, edit: Edit, problem: str, manifests: dict[str, dict[str, Any]]
) -> None:
    edit(manifests[kind])
    assert argo_schema_problems(manifests[kind]) == [problem]


def test_each_schema_pins_its_kind(valid: dict[str, dict[str, Any]]) -> None:
    errors = argo_validator(V1ALPHA1, "Rollout").iter_errors(valid["AnalysisRun"])
    assert "kind: 'Rollout' was expected" in [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in errors
    ]


def test_problems_are_sorted_by_path(manifests: dict[str, dict[str, Any]]) -> None:
    app = manifests["Application"]
    app["spec"]["syncPolicy"]["automated"]["prune"] = "yes"
    _rename(app["spec"], "source", "sorce")
    app["spec"]["destination"]["namespace"] = 7
    assert argo_schema_problems(app) == [
        "spec: Additional properties are not allowed ('sorce' was unexpected)",
        "spec.destination.namespace: 7 is not of type 'string'",
        "spec.syncPolicy.automated.prune: 'yes' is not of type 'boolean'",
    ]


def test_open_objects_stay_open(manifests: dict[str, dict[str, Any]]) -> None:
    app = manifests["Application"]
    # x-kubernetes-preserve-unknown-fields: Helm values are free-form.
    app["spec"]["source"]["helm"] = {"valuesObject": {"replicaCount": 2, "any": {"thing": []}}}
    # A map (additionalProperties: {type: string}) takes any key.
    app["spec"]["syncPolicy"]["managedNamespaceMetadata"] = {"labels": {"team.io/a": "b"}}
    # CRD metadata is only `type: object` upstream: not checked (a documented limit).
    app["metadata"]["labelz"] = {"x": "y"}
    assert argo_schema_problems(app) == []


def test_none_values_are_dropped(manifests: dict[str, dict[str, Any]]) -> None:
    rollout = manifests["Rollout"]
    rollout["spec"]["paused"] = None
    rollout["spec"]["strategy"]["canary"]["steps"][1]["pause"] = {"duration": None}
    rollout["spec"]["template"]["spec"]["containers"][0]["command"] = None
    before = copy.deepcopy(rollout)
    assert argo_schema_problems(rollout) == []
    assert check_argo_manifest(rollout) is rollout
    assert rollout == before  # the caller's manifest is left as it was


def test_none_list_items_are_not_dropped(manifests: dict[str, dict[str, Any]]) -> None:
    workflow = manifests["Workflow"]
    workflow["spec"]["templates"][1]["container"]["args"].append(None)
    assert argo_schema_problems(workflow) == [
        "spec.templates.1.container.args.1: None is not of type 'string'"
    ]


def test_check_argo_manifest_error(manifests: dict[str, dict[str, Any]]) -> None:
    app = manifests["Application"]
    _rename(app["spec"], "source", "sorce")
    app["spec"]["syncPolicy"]["automated"]["prune"] = "yes"
    with pytest.raises(ManifestInvalidError) as caught:
        check_argo_manifest(app)
    assert str(caught.value) == (
        "Application/guestbook does not match its schema:\n"
        "  spec: Additional properties are not allowed ('sorce' was unexpected)\n"
        "  spec.syncPolicy.automated.prune: 'yes' is not of type 'boolean'"
    )
    assert caught.value.problems == argo_schema_problems(app)


KNOWN = (
    "known: argoproj.io/v1alpha1: AnalysisRun, AnalysisTemplate, AppProject, Application, "
    "ApplicationSet, ClusterAnalysisTemplate, ClusterWorkflowTemplate, CronWorkflow, EventBus, "
    "EventSource, Experiment, Rollout, Sensor, Workflow, WorkflowTemplate"
)


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [("argoproj.io/v1beta1", "Rollout"), (V1ALPHA1, "Rollouts"), (V1ALPHA1, None)],
)
def test_unknown_argo_kinds_are_errors(api_version: str, kind: str | None) -> None:
    manifest = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    with pytest.raises(ValueError) as caught:
        argo_schema_problems(manifest)
    assert str(caught.value) == f"no Argo schema for {kind} {api_version}; {KNOWN}"


def test_is_argo_kind() -> None:
    assert is_argo_kind({"apiVersion": V1ALPHA1, "kind": "Rollout"})
    assert is_argo_kind({"apiVersion": "argoproj.io/v1beta1", "kind": "Anything"})
    assert not is_argo_kind({"apiVersion": "v1", "kind": "Namespace"})
    assert not is_argo_kind({"apiVersion": "apps/v1", "kind": "Deployment"})
    assert not is_argo_kind({"apiVersion": "notargoproj.io/v1alpha1", "kind": "Rollout"})
    assert not is_argo_kind({"kind": "Rollout"})


def test_check_manifest_dispatches(valid: dict[str, dict[str, Any]]) -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "argocd"}}
    assert check_manifest(namespace, "1.31") is namespace
    with pytest.raises(ManifestInvalidError) as core:
        check_manifest({**namespace, "specs": {}}, "1.31")
    assert str(core.value) == (
        "Namespace/argocd does not match its schema:\n"
        "  (root): Additional properties are not allowed ('specs' was unexpected)"
    )

    rollout = valid["Rollout"]
    assert check_manifest(rollout, "1.31") is rollout
    canary = {**rollout["spec"]["strategy"]["canary"], "stpes": []}
    broken = {**rollout, "spec": {**rollout["spec"], "strategy": {"canary": canary}}}
    with pytest.raises(ManifestInvalidError) as argo:
        check_manifest(broken, "1.31")
    assert str(argo.value) == (
        "Rollout/rollouts-demo does not match its schema:\n"
        "  spec.strategy.canary: Additional properties are not allowed ('stpes' was unexpected)"
    )
    # An unknown argoproj.io version is an Argo error, not a missing Kubernetes schema.
    with pytest.raises(ValueError, match=r"^no Argo schema for Rollout argoproj.io/v1beta1; "):
        check_manifest({**rollout, "apiVersion": "argoproj.io/v1beta1"}, "1.31")


# --- the strict transform and loading ------------------------------------------------------------


def test_strict_closes_schemas_not_data() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            # Fields literally named like keywords are names, not schemas.
            "properties": {"type": "object", "properties": {"a": {"type": "string"}}},
            "additionalProperties": {"type": "string"},
            "open": {
                "type": "object",
                "properties": {},
                "x-kubernetes-preserve-unknown-fields": True,
            },
            "map": {"type": "object", "additionalProperties": {"properties": {"b": {}}}},
            "list": {"type": "array", "items": {"properties": {"c": {}}}},
            "either": {"anyOf": [{"properties": {"d": {}}}, {"type": "string"}]},
            "ref": {"$ref": "#/definitions/thing"},
        },
        "definitions": {"thing": {"properties": {"e": {}}}},
        "default": {"properties": {"not": "a schema"}},
    }
    close_schema(schema)
    props = schema["properties"]
    assert schema["additionalProperties"] is False
    assert props["properties"]["additionalProperties"] is False
    assert props["additionalProperties"] == {"type": "string"}
    assert "additionalProperties" not in props["open"]
    assert props["map"]["additionalProperties"]["additionalProperties"] is False
    assert props["list"]["items"]["additionalProperties"] is False
    assert props["either"]["anyOf"][0]["additionalProperties"] is False
    assert props["either"]["anyOf"][1] == {"type": "string"}
    assert schema["definitions"]["thing"]["additionalProperties"] is False
    assert schema["default"] == {"properties": {"not": "a schema"}}
    assert "additionalProperties" not in schema["properties"]["properties"]["properties"]


def test_import_reads_no_schema_and_no_pulumi() -> None:
    code = (
        "import sys\n"
        "from argosy.manifests import argo_schemas\n"
        "assert argo_schemas.argo_validator.cache_info().currsize == 0\n"
        "assert not [m for m in sys.modules if m.split('.')[0].startswith('pulumi')]\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
