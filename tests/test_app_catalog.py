"""The app catalog (``apps/*.yaml``) and ``argosy:apps``: exact messages for broken input.

Each broken app file is loaded against the example stages (``stacks/``) as ``render``,
``plan`` and the program load it, and every issue is compared whole: file, line, field path,
value, rule and example. A handful of examples are then written where their issue points to
check that the issue goes away. Several mistakes of one file, and of two files, are reported
at once, through the real command line (exit 2), and nothing is written. The stage side of the
catalog, ``argosy:apps`` in a stack file, has its own corpus at the end.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from argosy import cli
from argosy.apps.catalog import load_apps, stage_configs
from argosy.apps.load import load_catalog
from argosy.config.errors import ConfigInvalidError, ConfigIssue
from argosy.config.stage import StageConfig
from argosy.config.validate import validate_stage
from tests.conftest import REPO
from tests.test_addons_config import LOCAL
from tests.test_bad_input import parse_path
from tests.test_config_validation import SOURCE, config, errors, only_error

#: A small valid app on dev; each case changes a line or two of it.
WEB = textwrap.dedent(
    """\
    name: web
    team: todo
    image:
      repository: ghcr.io/acme/web
      tag: 1.0.0
    port: 8080
    resources:
      cpu: 100m
      memory: 128Mi
    stages:
      dev:
        replicas: 1
    """
)
#: The example stages, as issues name them.
KNOWN_STAGES = "dev, hub, local, prod, staging"
LADDER = "steps: [20, pause, 40, 60s, 60, 60s, 80, 60s]"
WEIGHT_RULE = (
    "is not valid: a weight is the percentage of traffic sent to the canary, a whole number "
    "from 1 to 100 (R1, R2)"
)
DURATION_RULE = (
    "is not valid: a duration is a whole number with unit s, m or h, or several in that order (R1)"
)


@pytest.fixture(scope="module")
def stages() -> dict[str, StageConfig]:
    """Every example stage, validated, as the catalog is checked against them."""
    return stage_configs(REPO / "stacks")


def write_apps(directory: Path, files: Mapping[str, str]) -> Path:
    """``files`` (name to text) as a fresh catalog directory."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def issues_of(
    directory: Path, files: Mapping[str, str], stages: Mapping[str, StageConfig]
) -> list[ConfigIssue]:
    """Every issue of the catalog ``files``; none when it loads."""
    try:
        load_catalog(write_apps(directory, files), stages)
    except ConfigInvalidError as exc:
        return list(exc.issues)
    return []


def report(
    tmp_path: Path, stages: Mapping[str, StageConfig], files: Mapping[str, str]
) -> list[str]:
    """Every issue of the catalog ``files``, formatted as the CLI prints it."""
    found = issues_of(tmp_path / "apps", files, stages)
    assert found, "the catalog loaded"
    return [i.format() for i in found]


def line(text: str, fragment: str) -> int:
    """The 1-based line of the first line of ``text`` holding ``fragment``."""
    return next(n for n, ln in enumerate(text.splitlines(), 1) if fragment in ln)


def issue(where: str, path: str, value: str, rule: str, example: str) -> str:
    """One issue as ``ConfigIssue.format`` renders it."""
    return f"{where}: {path} = {value}\n    rule: {rule}\n    example: {example}"


# --------------------------------------------------------------------------------------
# Writing an issue's example where it points


def _holder(root: Any, path: Sequence[Any]) -> Any:
    for part in path:
        root = root[part]
    return root


def apply_example(document: dict[str, Any], found: ConfigIssue) -> dict[str, Any]:
    """``document`` (an app file's data) with ``found``'s example written at its path.

    The example is one ``key: value``: its key names the deepest part of the path with that
    name, else a key beside the path's last one (an unknown field or stage is replaced).
    """
    example = yaml.safe_load(found.example)
    assert isinstance(example, dict) and len(example) == 1, found.example
    [(key, value)] = example.items()
    result = copy.deepcopy(document)
    path = parse_path(found.path)
    for end in range(len(path), 0, -1):
        if path[end - 1] == key:
            _holder(result, path[: end - 1])[key] = value
            return result
    holder = _holder(result, path[:-1])
    if found.rule.startswith(("unknown field", "a stage with a stack file")):
        del holder[path[-1]]
    holder[key] = value
    return result


def assert_example_fixes(
    directory: Path,
    files: Mapping[str, str],
    stages: Mapping[str, StageConfig],
    found: ConfigIssue,
) -> None:
    """Written where ``found`` points, its example leaves no error at that path.

    A new ``name`` renames the file too, as the file-name rule asks: the file is named after
    its app. Mistakes elsewhere may remain: they are other, independent ones.
    """
    file = found.file.removeprefix("apps/")
    document = yaml.safe_load(files[file])
    changed = apply_example(document, found)
    renamed = f"{changed['name']}.yaml" if changed.get("name") != document.get("name") else file
    after = {n: t for n, t in files.items() if n != file}
    after[renamed] = yaml.safe_dump(changed, sort_keys=False)
    left = [
        i
        for i in issues_of(directory, after, stages)
        if i.file == f"apps/{renamed}"
        and (i.path == found.path or i.path.startswith((f"{found.path}.", f"{found.path}[")))
    ]
    assert not left, (
        f"the example of\n{found.format()}\nwritten at {found.path} still gives\n"
        + "\n".join(i.format() for i in left)
    )


# --------------------------------------------------------------------------------------
# The examples


def test_the_example_catalog_loads(stages: dict[str, StageConfig]) -> None:
    catalog = load_apps(REPO, stages)
    assert [(a.spec.name, a.file, sorted(a.spec.stages)) for a in catalog.apps] == [
        ("go-todo", "apps/go-todo.yaml", ["dev", "prod", "staging"]),
        ("hello", "apps/hello.yaml", ["dev", "local"]),
        ("ledger", "apps/ledger.yaml", ["dev", "prod", "staging"]),
    ]
    assert [a.name for a in catalog.on("local")] == ["hello"]
    assert [a.name for a in catalog.on("prod")] == ["go-todo", "ledger"]
    assert catalog.on("hub") == ()


def test_no_catalog_directory_means_no_apps(tmp_path: Path, stages: dict[str, StageConfig]) -> None:
    assert load_catalog(tmp_path / "apps", stages).apps == ()


def test_the_small_app_of_these_tests_is_valid(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    assert issues_of(tmp_path / "apps", {"web.yaml": WEB}, stages) == []


# --------------------------------------------------------------------------------------
# One mistake at a time


def test_duplicate_app_names_across_two_files(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    assert report(tmp_path, stages, {"web.yaml": WEB, "web2.yaml": WEB}) == [
        issue(
            "apps/web2.yaml:1",
            "name",
            "web",
            "an app file is named after its app, so that its name is found by its file: rename "
            "the file to web.yaml, or name the app web2",
            "name: web2",
        ),
        issue(
            "apps/web2.yaml:1",
            "name",
            "web",
            "app names are unique: apps/web.yaml names an app web already",
            "name: web-2",
        ),
    ]


def test_canary_steps_each_mistake_at_its_step(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    text = WEB + textwrap.dedent(
        """\
        strategy:
          canary:
            steps: [20, 60s, 20, 60s, 120, -5s, 50, 5d, 60, 1.5m]
        """
    )
    at = f"apps/web.yaml:{line(text, 'steps:')}"
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue(
            at,
            "strategy.canary.steps[2]",
            "20",
            "weight 20 is not above weight 20 of steps[0]: weights increase strictly from step "
            "to step (R2)",
            LADDER,
        ),
        issue(at, "strategy.canary.steps[4]", "120", f"weight 120 {WEIGHT_RULE}", LADDER),
        issue(
            at,
            "strategy.canary.steps[5]",
            "-5s",
            "pause duration '-5s' is negative: a pause is never negative (R1)",
            LADDER,
        ),
        issue(at, "strategy.canary.steps[7]", "5d", f"pause duration '5d' {DURATION_RULE}", LADDER),
        issue(
            at, "strategy.canary.steps[9]", "1.5m", f"pause duration '1.5m' {DURATION_RULE}", LADDER
        ),
    ]


def test_canary_steps_that_are_not_a_list_are_one_mistake(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    text = WEB + "strategy:\n  canary:\n    steps: 20\n"
    found = report(tmp_path, stages, {"web.yaml": text})
    # One mistake, one issue: the steps' own rule and the type's say the same thing twice.
    assert len(found) == 1, "\n".join(found)
    assert found[0].startswith(f"apps/web.yaml:{line(text, 'steps:')}: strategy.canary.steps = 20")


def test_a_name_too_long_once_the_stage_is_added(tmp_path: Path) -> None:
    # No example stage is longer than the preview Service's suffix: add one that is.
    stacks = tmp_path / "stacks"
    shutil.copytree(REPO / "stacks", stacks)
    shutil.copy(stacks / "Pulumi.dev.yaml", stacks / "Pulumi.integration.yaml")
    with_integration = stage_configs(stacks)
    name = "ledger-" + "x" * 48  # 55: its Services fit, its Application does not
    text = WEB.replace("name: web", f"name: {name}").replace("  dev:\n", "  integration:\n")
    assert report(tmp_path, with_integration, {f"{name}.yaml": text}) == [
        issue(
            f"apps/{name}.yaml:1",
            "name",
            name,
            f"the app's Application on stage integration is '{name}-integration', 67 "
            "characters: a DNS-1123 label of at most 63 once the stage is added; use a name of "
            "at most 51 characters",
            f"name: {name[:51]}",
        )
    ]


def without_example(found: ConfigIssue) -> str:
    """An issue as formatted, but for its example (checked by writing it instead)."""
    return found.format().rsplit("\n    example: ", 1)[0]


def test_a_long_name_on_two_stages_names_each_problem_once(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    name = "a" * 60
    text = WEB.replace("name: web", f"name: {name}") + "  staging:\n    replicas: 1\n"
    files = {f"{name}.yaml": text}
    found = issues_of(tmp_path / "apps", files, stages)
    at = f"apps/{name}.yaml:1: name = {name}\n    rule: "
    assert [without_example(i) for i in found] == [
        f"{at}the Service {name}-canary is longer than 63 characters: use a name of at most 56 "
        "characters",
        f"{at}the app's Application on stage dev is '{name}-dev', 64 characters: a DNS-1123 "
        "label of at most 63 once the stage is added; use a name of at most 59 characters",
        f"{at}the app's Application on stage staging is '{name}-staging', 68 characters: a "
        "DNS-1123 label of at most 63 once the stage is added; use a name of at most 55 "
        "characters",
    ]
    # Several rules on one field: each example is short enough for all of them.
    for each in found:
        assert_example_fixes(tmp_path / "apps", files, stages, each)


def test_names_aws_derives_from_the_app_and_stage(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    shutil.copytree(REPO / "stacks", stacks)
    shutil.copy(stacks / "Pulumi.dev.yaml", stacks / "Pulumi.integration.yaml")
    with_integration = stage_configs(stacks)
    name = "a" * 50
    text = (
        WEB.replace("name: web", f"name: {name}").replace("  dev:\n", "  integration:\n")
        + "database: {}\nbucket: {}\n"
    )
    files = {f"{name}.yaml": text}
    found = issues_of(tmp_path / "apps", files, with_integration)
    database = f"apps/{name}.yaml:{line(text, 'database:')}: database = {{}}\n    rule: "
    bucket = f"apps/{name}.yaml:{line(text, 'bucket:')}: bucket = {{}}\n    rule: "
    assert [without_example(i) for i in found] == [
        f"{database}on stage integration the database identifier is 'argosy-integration-"
        f"{name}', 69 characters: AWS takes at most 63; shorten the app's name by 6",
        f"{bucket}on stage integration the IAM role name is 'argosy-integration-app-{name}', 73 "
        "characters: AWS takes at most 64; shorten the app's name by 9",
        f"{bucket}on stage integration the bucket name is 'argosy-integration-{name}-"
        "222222222222', 82 characters: AWS takes at most 63; shorten the app's name by 19",
    ]
    # Each example, a shorter name (and the file renamed with it), clears its field: the
    # role's too, though the bucket's name on the same field needs a shorter one still.
    for each in found:
        assert each.example.startswith("name: a")
        assert_example_fixes(tmp_path / "apps", files, with_integration, each)


def test_an_unknown_stage(tmp_path: Path, stages: dict[str, StageConfig]) -> None:
    text = WEB + "  qa:\n    replicas: 1\n"
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue(
            f"apps/web.yaml:{line(text, 'qa:')}",
            "stages.qa",
            "qa",
            "a stage with a stack file (stacks/Pulumi.<stage>.yaml): one of " + KNOWN_STAGES,
            "local: {replicas: 1}",
        )
    ]


def test_a_missing_image_and_a_missing_tag(tmp_path: Path, stages: dict[str, StageConfig]) -> None:
    without_image = WEB.replace("image:\n  repository: ghcr.io/acme/web\n  tag: 1.0.0\n", "")
    assert report(tmp_path, stages, {"web.yaml": without_image}) == [
        issue(
            "apps/web.yaml:1",
            "image",
            "(not set)",
            "required",
            "image: {repository: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/go-todo, tag: 1.4.2}",
        )
    ]
    without_tag = WEB.replace("  tag: 1.0.0\n", "")
    assert report(tmp_path, stages, {"web.yaml": without_tag}) == [
        issue("apps/web.yaml:4", "image.tag", "(not set)", "required", "tag: 1.4.2")
    ]


@pytest.mark.parametrize(
    ("tag", "value", "rule"),
    [
        (
            "latest",
            "latest",
            "a tag that is set and not latest (SECURITY.md, Workloads; kustomize images owns it "
            "from here on): at most 128 letters, digits, '_', '.' or '-', not starting with '.' "
            "or '-'",
        ),
        # YAML reads 1.10 as the number 1.1: the tag must be quoted.
        ("1.10", "1.1", "must be a string (quote it in YAML)"),
    ],
)
def test_a_tag_that_is_not_one(
    tmp_path: Path, stages: dict[str, StageConfig], tag: str, value: str, rule: str
) -> None:
    text = WEB.replace("tag: 1.0.0", f"tag: {tag}")
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue("apps/web.yaml:5", "image.tag", value, rule, "tag: 1.4.2")
    ]


def test_a_host_outside_the_stages_domain(tmp_path: Path, stages: dict[str, StageConfig]) -> None:
    text = WEB + "    host: web.example.org\n"
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue(
            f"apps/web.yaml:{line(text, 'host:')}",
            "stages.dev.host",
            "web.example.org",
            "a host on stage dev is its domain dev.acme.example or under it: the stage's "
            "certificate and zone cover nothing else",
            "host: web.dev.acme.example",
        )
    ]


def test_a_host_on_a_stage_without_a_domain(tmp_path: Path, stages: dict[str, StageConfig]) -> None:
    text = WEB.replace("  dev:\n", "  local:\n") + "    host: web.dev.acme.example\n"
    [found] = issues_of(tmp_path / "apps", {"web.yaml": text}, stages)
    assert found.format() == issue(
        f"apps/web.yaml:{line(text, 'host:')}",
        "stages.local.host",
        "web.dev.acme.example",
        "stage local has no app domain (argosy:apps.domain of stacks/Pulumi.local.yaml), so "
        "no hosted zone or certificate: an app there has no host",
        found.example,
    )
    # The example shows the stage's entry without a host, so that writing it fixes the file.
    assert_example_fixes(tmp_path / "apps", {"web.yaml": text}, stages, found)


def test_a_file_named_differently_from_its_app(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    assert report(tmp_path, stages, {"api.yaml": WEB}) == [
        issue(
            "apps/api.yaml:1",
            "name",
            "web",
            "an app file is named after its app, so that its name is found by its file: rename "
            "the file to web.yaml, or name the app api",
            "name: api",
        )
    ]


FIELDS = (
    "name, team, image, port, healthPath, metricsPath, resources, stages, env, strategy, "
    "notifications, database, bucket, preSync, allowedNamespaces, runAsUser"
)


def test_an_unknown_field_suggests_the_close_one(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    text = WEB + "healtPath: /hz\n"
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue(
            f"apps/web.yaml:{line(text, 'healtPath')}",
            "healtPath",
            "/hz",
            f"unknown field; the fields here are: {FIELDS}",
            "healthPath: /healthz",
        )
    ]
    # A misspelt required field: the unknown one and the missing one, one example for both.
    text = WEB.replace("port: 8080", "prot: 8080")
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue("apps/web.yaml:1", "port", "(not set)", "required", "port: 8080"),
        issue(
            f"apps/web.yaml:{line(text, 'prot:')}",
            "prot",
            "8080",
            f"unknown field; the fields here are: {FIELDS}",
            "port: 8080",
        ),
    ]


def test_a_secret_variable_on_the_local_stage(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    text = WEB.replace("  dev:\n", "  local:\n") + "env:\n  KEY: {secret: web/api, key: token}\n"
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue(
            f"apps/web.yaml:{line(text, 'KEY:')}",
            "env.KEY",
            "{secret: web/api, key: token}",
            "stage local is local: it has no external-secrets to read Secrets Manager; an app "
            "reading secrets runs on AWS stages only",
            "KEY: value",
        )
    ]


def test_a_database_on_the_local_stage(tmp_path: Path, stages: dict[str, StageConfig]) -> None:
    text = WEB.replace("  dev:\n", "  local:\n") + "database: {}\n"
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue(
            f"apps/web.yaml:{line(text, 'database:')}",
            "database",
            "{}",
            "stage local is local (no AWS): an app with a database runs on AWS stages only",
            "stages: {dev: {replicas: 1}}",
        )
    ]


def test_a_team_the_stage_does_not_list(tmp_path: Path, stages: dict[str, StageConfig]) -> None:
    text = WEB.replace("team: todo", "team: search")
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue(
            "apps/web.yaml:2",
            "team",
            "search",
            "a team deploys to stage dev only if argosy:apps.teams of stacks/Pulumi.dev.yaml "
            "lists it (its AppProject and SSO groups)",
            "in stacks/Pulumi.dev.yaml: argosy:apps: {teams: {search: {groups: "
            "[search-developers]}}}",
        )
    ]


def test_prometheus_analysis_on_a_stage_without_prometheus(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    text = WEB + "strategy:\n  canary: {}\n  analysis: prometheus\n"
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue(
            f"apps/web.yaml:{line(text, 'analysis:')}",
            "strategy.analysis",
            "prometheus",
            "the Prometheus analysis queries the stage's workspace, and stage dev has none "
            "(argosy:apps.prometheus of stacks/Pulumi.dev.yaml)",
            "analysis: none",
        )
    ]


def test_cloudwatch_analysis_without_a_host(tmp_path: Path, stages: dict[str, StageConfig]) -> None:
    text = WEB + "strategy:\n  canary: {}\n  analysis: cloudwatch\n"
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue(
            f"apps/web.yaml:{line(text, 'analysis:')}",
            "strategy.analysis",
            "cloudwatch",
            "the CloudWatch analysis reads the ALB target group of a canary with ALB traffic "
            "routing, which on stage dev this app has not (it needs a host)",
            "analysis: none",
        )
    ]


def test_a_reserved_namespace_is_refused_with_its_own_rule(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    text = WEB.replace("name: web", "name: default")
    assert report(tmp_path, stages, {"default.yaml": text}) == [
        issue(
            "apps/default.yaml:1",
            "name",
            "default",
            # default is a valid DNS label: the rule it breaks is the namespace's.
            "an app runs in a namespace of its own, never default or a kube- namespace "
            "(SECURITY.md, Workloads)",
            "name: go-todo",
        )
    ]


def test_an_app_reads_only_its_own_secrets(tmp_path: Path, stages: dict[str, StageConfig]) -> None:
    # Every app on a stage shares its ClusterSecretStore and prefix (argosy/<stage>/): a name
    # outside the app's own would read another team's secret, here go-todo's database password.
    text = WEB + "env:\n  STOLEN: {secret: apps/go-todo/database, key: PGPASSWORD}\n"
    found = issues_of(tmp_path / "apps", {"web.yaml": text}, stages)
    assert [(i.file, i.line, i.path) for i in found] == [
        ("apps/web.yaml", line(text, "STOLEN"), "env.STOLEN")
    ], "an app file may name another app's secret"


@pytest.mark.parametrize(
    "name", ["argocd", "argo-rollouts", "argo-workflows", "external-secrets", "workflows"]
)
def test_an_app_never_takes_a_platform_namespace(
    tmp_path: Path, stages: dict[str, StageConfig], name: str
) -> None:
    # The app's namespace and service account are named after it: an app named
    # external-secrets would run the team's image as the platform's external-secrets service
    # account (its AWS identity), and its team's AppProject would reach that namespace.
    text = WEB.replace("name: web", f"name: {name}")
    found = issues_of(tmp_path / "apps", {f"{name}.yaml": text}, stages)
    assert [(i.file, i.line, i.path, i.value) for i in found] == [
        (f"apps/{name}.yaml", 1, "name", name)
    ], f"an app may be named {name}, a namespace of the platform on dev"


# --------------------------------------------------------------------------------------
# Examples written where they point


EXAMPLE_CASES: dict[str, str] = {
    "steps": WEB + "strategy:\n  canary:\n    steps: [20, 60s, 20, 120, -5s, 5d, 1.5m]\n",
    "unknown stage": WEB + "  qa:\n    replicas: 1\n",
    "missing image": WEB.replace("image:\n  repository: ghcr.io/acme/web\n  tag: 1.0.0\n", ""),
    "missing tag": WEB.replace("  tag: 1.0.0\n", ""),
    "host": WEB + "    host: web.example.org\n",
    "unknown field": WEB.replace("port: 8080", "prot: 8080"),
    "secret on local": WEB.replace("  dev:\n", "  local:\n")
    + "env:\n  KEY: {secret: web/api, key: token}\n",
    "database on local": WEB.replace("  dev:\n", "  local:\n") + "database: {}\n",
    "prometheus": WEB + "strategy:\n  canary: {}\n  analysis: prometheus\n",
    "cloudwatch": WEB + "strategy:\n  canary: {}\n  analysis: cloudwatch\n",
    "application name": WEB.replace("name: web", f"name: {'a' * 60}"),
}


@pytest.mark.parametrize("case", sorted(EXAMPLE_CASES))
def test_each_example_fixes_its_issue(
    tmp_path: Path, stages: dict[str, StageConfig], case: str
) -> None:
    text = EXAMPLE_CASES[case]
    name = yaml.safe_load(text)["name"]
    files = {f"{name}.yaml": text}
    found = issues_of(tmp_path / "apps", files, stages)
    assert found
    for each in found:
        assert_example_fixes(tmp_path / "apps", files, stages, each)


def test_the_file_name_and_uniqueness_examples(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    for files in ({"api.yaml": WEB}, {"web.yaml": WEB, "web2.yaml": WEB}):
        for each in issues_of(tmp_path / "apps", files, stages):
            assert_example_fixes(tmp_path / "apps", files, stages, each)


# --------------------------------------------------------------------------------------
# Every mistake at once, through the command line, and nothing written


BROKEN_WEB = textwrap.dedent(
    """\
    name: web
    team: todo
    image:
      repository: ghcr.io/acme/web
    port: 80
    resources:
      cpu: 100m
      memory: 128Mi
    stages:
      dev:
        replicas: 1
        host: web.example.org
      qa:
        replicas: 1
    strategy:
      canary:
        steps: [50, 30, 60s]
    """
)


def digest(root: Path) -> dict[str, str]:
    """Every file under ``root/gitops``, by its hash."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "gitops").rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of what render reads and writes: Pulumi.yaml, stacks/, apps/ and gitops/."""
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


@pytest.mark.parametrize("check", [False, True])
def test_every_mistake_of_every_file_at_once_and_nothing_written(
    argosy: Callable[..., Result], checkout: Path, check: bool
) -> None:
    (checkout / "apps" / "web.yaml").write_text(BROKEN_WEB)
    ledger = checkout / "apps" / "ledger.yaml"
    ledger.write_text(ledger.read_text().replace("tag: 2.0.3", "tag: latest"))
    ledger_tag = line(ledger.read_text(), "tag: latest")
    before = digest(checkout)

    result = argosy("render", *(["--check"] if check else []), cwd=checkout)
    assert result.exit_code == 2
    assert result.stdout == ""
    web = "apps/web.yaml"
    assert (
        result.stderr
        == "\n".join(
            [
                "6 configuration errors:",
                issue(
                    f"apps/ledger.yaml:{ledger_tag}",
                    "image.tag",
                    "latest",
                    "a tag that is set and not latest (SECURITY.md, Workloads; kustomize images "
                    "owns it from here on): at most 128 letters, digits, '_', '.' or '-', not "
                    "starting with '.' or '-'",
                    "tag: 1.4.2",
                ),
                issue(f"{web}:4", "image.tag", "(not set)", "required", "tag: 1.4.2"),
                issue(f"{web}:5", "port", "80", "must be at least 1024", "port: 8080"),
                issue(
                    f"{web}:12",
                    "stages.dev.host",
                    "web.example.org",
                    "a host on stage dev is its domain dev.acme.example or under it: the stage's "
                    "certificate and zone cover nothing else",
                    "host: web.dev.acme.example",
                ),
                issue(
                    f"{web}:13",
                    "stages.qa",
                    "qa",
                    "a stage with a stack file (stacks/Pulumi.<stage>.yaml): one of "
                    + KNOWN_STAGES,
                    "local: {replicas: 1}",
                ),
                issue(
                    f"{web}:17",
                    "strategy.canary.steps[1]",
                    "30",
                    "weight 30 is not above weight 50 of steps[0]: weights increase strictly from "
                    "step to step (R2)",
                    LADDER,
                ),
            ]
        )
        + "\n"
    )
    assert digest(checkout) == before
    assert not (checkout / "gitops" / "apps" / "web").exists()


# --------------------------------------------------------------------------------------
# The stage side: argosy:apps in a stack file


def with_apps(apps: dict[str, Any], *, production: bool = False) -> dict[str, Any]:
    return config(**{"argosy:apps": apps, "argosy:production": production})


def test_a_stack_files_canary_steps_with_their_line(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    shutil.copytree(REPO / "stacks", stacks)
    dev = stacks / "Pulumi.dev.yaml"
    document = yaml.safe_load(dev.read_text())
    document["config"]["argosy:apps"]["canarySteps"] = [20, "30s", 10, "-1s", 101, "5d", "1.5m"]
    dev.write_text(yaml.safe_dump(document, sort_keys=False))
    first = line(dev.read_text(), "canarySteps:") + 1

    def at(index: int) -> str:
        return f"stacks/Pulumi.dev.yaml:{first + index}"

    ladder = "canarySteps: [20, pause, 40, 60s, 60, 60s, 80, 60s]"
    with pytest.raises(ConfigInvalidError) as raised:
        stage_configs(stacks)
    assert [i.format() for i in raised.value.issues] == [
        issue(
            at(2),
            "argosy:apps.canarySteps[2]",
            "10",
            "weight 10 is not above weight 20 of steps[0]: weights increase strictly from step "
            "to step (R2)",
            ladder,
        ),
        issue(
            at(3),
            "argosy:apps.canarySteps[3]",
            "-1s",
            "pause duration '-1s' is negative: a pause is never negative (R1)",
            ladder,
        ),
        issue(at(4), "argosy:apps.canarySteps[4]", "101", f"weight 101 {WEIGHT_RULE}", ladder),
        issue(
            at(5),
            "argosy:apps.canarySteps[5]",
            "5d",
            f"pause duration '5d' {DURATION_RULE}",
            ladder,
        ),
        issue(
            at(6),
            "argosy:apps.canarySteps[6]",
            "1.5m",
            f"pause duration '1.5m' {DURATION_RULE}",
            ladder,
        ),
    ]


@pytest.mark.parametrize(
    ("apps", "production", "expected"),
    [
        (
            {"canarySteps": [20, "pause", 0, "60s"]},
            False,
            (
                "argosy:apps.canarySteps[2]",
                "0",
                f"weight 0 {WEIGHT_RULE}",
                "canarySteps: [20, pause, 40, 60s, 60, 60s, 80, 60s]",
            ),
        ),
        (
            {"syncWindows": [{"kind": "allow", "schedule": "0 8 * *", "duration": "9h"}]},
            False,
            (
                "argosy:apps.syncWindows[0].schedule",
                "0 8 * *",
                "five cron fields: minute hour day-of-month month day-of-week",
                "schedule: 0 8 * * 1-5",
            ),
        ),
        (
            {"syncWindows": [{"kind": "allow", "schedule": "0 8 * * 1-5", "duration": "0h"}]},
            False,
            (
                "argosy:apps.syncWindows[0].duration",
                "0h",
                "a whole number of hours or minutes above zero",
                "duration: 9h",
            ),
        ),
        (
            {"hostedZoneId": "Z01DEV0ACME0EXAMPLE00"},
            False,
            (
                "argosy:apps.domain",
                "(not set)",
                "a hosted zone serves the stage's domain: name it",
                "domain: dev.acme.example",
            ),
        ),
        (
            {"analysis": "prometheus"},
            False,
            (
                "argosy:apps.prometheus",
                "(not set)",
                "analysis prometheus queries the stage's workspace: turn it on",
                "prometheus: true",
            ),
        ),
        (
            {"prometheus": True, "analysis": "none"},
            True,
            (
                "argosy:apps.analysis",
                "none",
                "a production canary is gated by analysis: with none, a bad version reaches "
                "every user after the last pause",
                "analysis: prometheus",
            ),
        ),
        (
            {"prometheus": True},
            True,
            (
                "argosy:apps.analysis",
                "(not set)",
                "a production canary is gated by analysis: with none, a bad version reaches "
                "every user after the last pause",
                "analysis: prometheus",
            ),
        ),
        (
            {"analysis": "cloudwatch", "trafficRouting": "none"},
            False,
            (
                "argosy:apps.trafficRouting",
                "none",
                "the CloudWatch analysis reads the ALB target group that ALB traffic routing makes",
                "trafficRouting: alb",
            ),
        ),
    ],
)
def test_stage_settings_exact_messages(
    apps: dict[str, Any], production: bool, expected: tuple[str, str, str, str]
) -> None:
    # errors() also writes each example where it points and checks the error goes away.
    assert only_error(with_apps(apps, production=production)) == expected


def test_a_production_blue_green_needs_no_analysis() -> None:
    stage = validate_stage(
        "dev", with_apps({"strategy": "blueGreen"}, production=True), source=SOURCE
    )
    assert (stage.apps.strategy, stage.apps.analysis) == ("blueGreen", "none")


def test_a_domain_on_the_local_stage() -> None:
    values = {**LOCAL, "argosy:apps": {"domain": "local.acme.example"}}
    # only_error() also checks that the example, written where it points, is valid there.
    path, value, rule, _example = only_error(values, "local")
    assert (path, value, rule) == (
        "argosy:apps.domain",
        "local.acme.example",
        "the local stage has no load balancer controller or DNS: its apps have no host (reach "
        "them with kubectl port-forward)",
    )


def test_prometheus_on_the_local_stage() -> None:
    values = {**LOCAL, "argosy:apps": {"prometheus": True}}
    assert only_error(values, "local") == (
        "argosy:apps.prometheus",
        "true",
        "Amazon Managed Prometheus is an AWS service; the local stage has none",
        "prometheus: false",
    )


def test_a_team_name_that_is_not_a_label() -> None:
    values = with_apps({"teams": {"Todo": {"groups": ["todo-developers"]}}})
    path, value, rule, _example = only_error(values)
    assert (path, value, rule) == (
        "argosy:apps.teams.Todo",
        "Todo",
        "a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending "
        "with a letter or digit",
    )


def test_stage_canary_steps_that_are_not_a_list_are_one_mistake() -> None:
    found = errors(with_apps({"canarySteps": 20}))
    assert len(found) == 1, found
    assert found[0][:2] == ("argosy:apps.canarySteps", "20")


def test_every_stage_mistake_at_once() -> None:
    values = with_apps(
        {
            "hostedZoneId": "zone",
            "canarySteps": [50, 40],
            "syncWindows": [{"kind": "sometimes", "schedule": "daily", "duration": "9h"}],
            "teams": {"todo": {"groups": []}},
        }
    )
    assert [(p, v) for p, v, _, _ in errors(values)] == [
        ("argosy:apps.canarySteps[1]", "40"),
        ("argosy:apps.hostedZoneId", "zone"),
        ("argosy:apps.syncWindows[0].kind", "sometimes"),
        ("argosy:apps.syncWindows[0].schedule", "daily"),
        ("argosy:apps.teams.todo.groups", "[]"),
    ]


def test_an_aurora_instance_identifier_too_long_is_the_database_s(
    tmp_path: Path, stages: dict[str, StageConfig]
) -> None:
    # Aurora's instance is <cluster>-1: one character more than the cluster's identifier.
    name = "a" * 47
    text = textwrap.dedent(
        f"""\
        name: {name}
        team: todo
        image: {{repository: ghcr.io/acme/x, tag: 1.0.0}}
        port: 8080
        resources: {{cpu: 50m, memory: 64Mi}}
        stages:
          staging: {{replicas: 1}}
        database: {{}}
        """
    )
    assert report(tmp_path, stages, {f"{name}.yaml": text}) == [
        issue(
            f"apps/{name}.yaml:8",
            "database",
            "{}",
            f"on stage staging the database instance identifier is 'argosy-staging-{name}-1', "
            "64 characters: AWS takes at most 63; shorten the app's name by 1",
            f"name: {name[:-1]}",
        )
    ]
    # RDS has no instance suffix: the same name fits.
    postgres = text.replace("database: {}", "database: {engine: postgres}")
    assert issues_of(tmp_path / "rds", {f"{name}.yaml": postgres}, stages) == []


def test_a_secret_variable_s_mistakes(tmp_path: Path, stages: dict[str, StageConfig]) -> None:
    text = WEB + "env:\n  API_TOKEN: {secret: web/api, keys: token}\n  DB: {secret: 7}\n"
    assert report(tmp_path, stages, {"web.yaml": text}) == [
        issue(
            f"apps/web.yaml:{line(text, 'API_TOKEN')}",
            "env.API_TOKEN.key",
            "(not set)",
            "required",
            "API_TOKEN: {secret: web/api, key: token}",
        ),
        issue(
            f"apps/web.yaml:{line(text, 'API_TOKEN')}",
            "env.API_TOKEN.keys",
            "token",
            "unknown field; the fields here are: secret, key",
            "API_TOKEN: {secret: web/api, key: token}",
        ),
        issue(
            f"apps/web.yaml:{line(text, 'DB:')}",
            "env.DB.key",
            "(not set)",
            "required",
            "DB: {secret: web/api, key: token}",
        ),
        issue(
            f"apps/web.yaml:{line(text, 'DB:')}",
            "env.DB.secret",
            "7",
            "must be a string (quote it in YAML)",
            "DB: {secret: web/api, key: token}",
        ),
    ]
