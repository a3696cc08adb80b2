"""``python -m argosy plan``: exit codes, output shapes, determinism, rendered files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from argosy import cli
from argosy.manifests.argo_schemas import check_argo_manifest, check_manifest
from argosy.plan.engine import ProgramRun
from argosy.plan.mocks import PlanMocks
from argosy.plan.monitor import REDACTED
from argosy.policy.rules import CheckReport, Finding
from tests.conftest import EXAMPLE_STACKS, REPO, load_example
from tests.example_apps import app_applications, app_key_names, apps_on, team_projects

#: The clusters the hub's Argo CD manages: its own and its spokes'.
REGISTERED = ("dev", "hub", "prod", "staging")

RESOURCE_KEYS = {
    "urn",
    "id",
    "type",
    "name",
    "custom",
    "parent",
    "provider",
    "dependencies",
    "protect",
    "retainOnDelete",
    "deletedWith",
    "ignoreChanges",
    "inputs",
}


@pytest.fixture
def argosy(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the CLI in-process from the repository root."""
    monkeypatch.chdir(REPO)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli.app, list(args))

    return invoke


@pytest.fixture
def no_planning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any stack gets as far as running the program."""

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("a stack was planned although its config is invalid")

    monkeypatch.setattr(cli, "plan_stack", refuse)


def test_prod_plan_shows_what_the_issue_asks(argosy: Callable[..., Result]) -> None:
    result = argosy("plan", "--stack", "prod", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {"stack", "project", "outputs", "resources"} <= document.keys()
    assert (document["stack"], document["project"]) == ("prod", "argosy")
    for resource in document["resources"]:
        assert resource.keys() == RESOURCE_KEYS
    by_type: dict[str, list[dict[str, Any]]] = {}
    for resource in document["resources"]:
        by_type.setdefault(resource["type"], []).append(resource)

    [provider] = by_type["pulumi:providers:aws"]
    assert json.loads(provider["inputs"]["allowedAccountIds"]) == ["444444444444"]
    assert json.loads(provider["inputs"]["assumeRoles"])[0]["roleArn"] == (
        "arn:aws:iam::444444444444:role/argosy-deploy"
    )
    provider_ref = f"{provider['urn']}::{provider['id']}"
    aws_resources = [r for r in document["resources"] if r["type"].startswith("aws:")]
    assert aws_resources and all(r["provider"] == provider_ref for r in aws_resources)

    [cluster] = by_type["aws:eks/cluster:Cluster"]
    inputs = cluster["inputs"]
    assert inputs["encryptionConfig"]["resources"] == ["secrets"]
    assert inputs["encryptionConfig"]["provider"]["keyArn"].startswith(
        "arn:aws:kms:eu-west-1:444444444444:key/"
    )
    assert inputs["enabledClusterLogTypes"] == [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    ]
    assert inputs["vpcConfig"]["endpointPublicAccess"] is False
    assert inputs["vpcConfig"]["endpointPrivateAccess"] is True
    assert inputs["accessConfig"]["authenticationMode"] == "API"
    assert cluster["protect"] is True
    # Issue 6: keys with explicit policies, all protected in production; no Kubernetes API;
    # a flow log; every log group encrypted with retention, the audit ones retained.
    keys = by_type["aws:kms/key:Key"]
    # Secrets, logs, EBS; the Argo Workflows artifacts' (issue 8); each app database's and
    # bucket's own (issue 9).
    assert sorted(key["name"] for key in keys) == sorted(
        [
            "prod-controllers-artifacts",
            "prod-eks-secrets",
            "prod-encryption-ebs",
            "prod-encryption-logs",
            *app_key_names("prod"),
        ]
    )
    assert all(key["protect"] is True and json.loads(key["inputs"]["policy"]) for key in keys)
    assert not [r for r in document["resources"] if "kubernetes" in r["type"]]
    [flow_log] = by_type["aws:ec2/flowLog:FlowLog"]
    assert flow_log["inputs"]["logDestinationType"] == "cloud-watch-logs"
    groups = by_type["aws:cloudwatch/logGroup:LogGroup"]
    assert sorted(g["inputs"]["name"] for g in groups) == [
        "/aws/eks/argosy-prod/cluster",
        "/aws/vpc/argosy-prod/flow-logs",
    ]
    for group in groups:
        assert group["inputs"]["kmsKeyId"].startswith("arn:aws:kms:eu-west-1:444444444444:key/")
        assert group["inputs"]["retentionInDays"] == 365 if "eks" in group["name"] else 90
        assert group["retainOnDelete"] is True

    private = {
        s["id"]
        for s in by_type["aws:ec2/subnet:Subnet"]
        if s["inputs"]["tags"].get("kubernetes.io/role/internal-elb") == "1"
    }
    templates = {t["id"]: t for t in by_type["aws:ec2/launchTemplate:LaunchTemplate"]}
    for group in by_type["aws:eks/nodeGroup:NodeGroup"]:
        assert set(group["inputs"]["subnetIds"]) == private
        template = templates[group["inputs"]["launchTemplate"]["id"]]
        assert template["inputs"]["metadataOptions"]["httpTokens"] == "required"
        assert template["inputs"]["metadataOptions"]["httpPutResponseHopLimit"] == 1

    assert len(by_type["aws:iam/openIdConnectProvider:OpenIdConnectProvider"]) == 1
    [coredns] = [a for a in by_type["aws:eks/addon:Addon"] if a["inputs"]["addonName"] == "coredns"]
    group_urns = {g["urn"] for g in by_type["aws:eks/nodeGroup:NodeGroup"]}
    assert group_urns <= set(coredns["dependencies"])
    assert document["checks"]["findings"] == []


def test_several_stacks_give_an_array(argosy: Callable[..., Result]) -> None:
    result = argosy("plan", "--stack", "dev", "--stack", "local", "--json")
    assert result.exit_code == 0, result.stderr
    assert [d["stack"] for d in json.loads(result.stdout)] == ["dev", "local"]


def prod_summary(rules: str) -> str:
    """prod's summary line, its apps' part derived from the app catalog; ``rules`` ends it."""
    apps = apps_on("prod")
    databases = [a for a in apps if a.database]
    buckets = [a for a in apps if a.bucket]
    # The counts below are an Aurora database's.
    assert all(a.engine == "aurora-postgresql" for a in databases)
    # Its foundation, the hub Argo CD's access entry (ArgoCdAccess: 2 resources) and the
    # controllers' AWS side (ControllersAws: identities, artifact bucket, Karpenter's): 116
    # resources in 20 components, 6 protected, 19 outputs. Then the apps' (StageApps; prod
    # adopts its zone, runs Prometheus): the random provider (for the passwords), the
    # certificate (certificate, validation record, validation), Prometheus (workspace,
    # scraper, analysis role and its policy, secret and its version; the workspace
    # protected); per database, 10 (key and alias, subnet group, security group and its
    # rule, password, cluster and instance, secret and its version; key, cluster and instance
    # protected); per bucket, 11 and its versioning (key and alias, bucket, ownership, public
    # access block, encryption, policy, lifecycle; the role, its policy and its Pod Identity
    # association, in a ServiceAccountRole; key and bucket protected); 3 DNS outputs.
    resources = (
        116
        + (1 if databases else 0)
        + 3
        + 6
        + 10 * len(databases)
        + sum(11 + int(a.versioned) for a in buckets)
    )
    components = 20 + 1 + len(buckets)
    protected = 6 + 1 + 3 * len(databases) + 2 * len(buckets)
    return (
        f"prod: {resources} resources in {components} components, {protected} protected, "
        f"5 retained on delete, 22 outputs; {rules}"
    )


def test_human_output(argosy: Callable[..., Result]) -> None:
    result = argosy("plan", "--all")
    assert result.exit_code == 0, result.stderr
    for stack in EXAMPLE_STACKS:
        assert f"{stack} (argosy) · " in result.stdout
    lines = result.stdout.splitlines()
    assert prod_summary("32 rules passed") in lines
    # hub: its foundation, the controllers' AWS side, Argo CD (ManagedArgoCd) and what Argo
    # CD reads (Registrations: every stage's Applications): 146 resources; and the app
    # catalog's team projects and app Applications.
    hub = 146 + len(team_projects(REGISTERED)) + len(app_applications(REGISTERED))
    assert (
        f"hub: {hub} resources in 19 components, 6 protected, 5 retained on delete, "
        "19 outputs; 32 rules passed"
    ) in lines
    # local: Argo CD, its own registration, project, baseline and the Argo controllers (8
    # resources); and its apps' projects and Applications.
    local = 8 + len(team_projects(["local"])) + len(app_applications(["local"]))
    assert (
        f"local: {local} resources in 3 components, 0 protected, 0 retained on delete, "
        "2 outputs; 32 rules passed"
    ) in lines
    assert "protected: prod-eks, prod-eks-secrets" in result.stdout


def test_invalid_config_lists_every_mistake_and_plans_nothing(
    argosy: Callable[..., Result], tmp_path: Path, no_planning: None
) -> None:
    config = load_example("prod")
    config["config"]["argosy:aws"]["accountId"] = 44
    config["config"]["argosy:network"]["vpcCidr"] = "10.40.0.0/8"
    config["config"]["argosy:cluster"]["nodeGroups"][0]["maxSize"] = 1
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    result = argosy("plan", "--config-file", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("3 configuration errors:\n")
    line = path.read_text().splitlines().index("    accountId: 44") + 1
    assert f"{path}:{line}: argosy:aws.accountId = 44" in result.stderr
    assert "argosy:network.vpcCidr = 10.40.0.0/8" in result.stderr
    assert "argosy:cluster.nodeGroups[0].maxSize = 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_stacks_are_checked_against_each_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_planning: None
) -> None:
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "stacks").mkdir()
    dev = load_example("dev")
    qa = load_example("dev")
    qa["config"]["argosy:network"]["vpcCidr"] = "10.20.64.0/18"
    for stack, document in (("dev", dev), ("qa", qa)):
        (tmp_path / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.app, ["plan", "--all"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "2 configuration errors:"
    qa_lines = (tmp_path / "stacks" / "Pulumi.qa.yaml").read_text().splitlines()
    line = qa_lines.index("    accountId: '222222222222'") + 1
    assert f"stacks/Pulumi.qa.yaml:{line}: argosy:aws.accountId = '222222222222'" in result.stderr
    assert "stage dev (stacks/Pulumi.dev.yaml) uses 222222222222 too" in result.stderr
    assert "argosy:network.vpcCidr = 10.20.64.0/18" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan",), "error: name a stack with --stack NAME, or plan every stack with --all"),
        (
            ("plan", "--stack", "qa"),
            "error: no stack file for stack 'qa' at stacks/Pulumi.qa.yaml;"
            " stacks with files: dev, hub, local, prod, staging",
        ),
        (
            ("plan", "--all", "--config-file", "stacks/Pulumi.dev.yaml"),
            "error: --all plans the stacks in the stack config directory; --config-file plans "
            "the files given: use one or the other",
        ),
        (
            ("plan", "--stack", "dev", "--stack", "hub", "--config-file", "stacks/Pulumi.dev.yaml"),
            "error: --config-file plans one stack: give at most one --stack with it",
        ),
        (
            (
                "plan",
                "--stack",
                "dev",
                "--config-file",
                "stacks/Pulumi.dev.yaml",
                "--config-file",
                "stacks/Pulumi.hub.yaml",
            ),
            "error: --stack names the stack of a single --config-file; 2 files are given "
            "(stacks/Pulumi.dev.yaml, stacks/Pulumi.hub.yaml): drop --stack, each file's name "
            "gives its stack (Pulumi.<stack>.yaml)",
        ),
        (
            (
                "plan",
                "--config-file",
                "stacks/Pulumi.dev.yaml",
                "--config-file",
                "tests/fixtures/broken/cross-stage/Pulumi.dev.yaml",
            ),
            "error: --config-file stacks/Pulumi.dev.yaml and "
            "tests/fixtures/broken/cross-stage/Pulumi.dev.yaml are both stack dev; plan them in "
            "separate runs",
        ),
        (
            ("plan", "--config-file", "stacks/Pulumi.dev.yaml", "--config-file", "dev.yaml"),
            "error: cannot tell the stack from dev.yaml: with several --config-file, name each "
            "file Pulumi.<stack>.yaml",
        ),
        (
            (
                "bootstrap",
                "--stack",
                "dev",
                "--dry-run",
                "--config-file",
                "stacks/Pulumi.dev.yaml",
                "--config-file",
                "stacks/Pulumi.hub.yaml",
            ),
            "error: bootstrap acts on one stack: give --config-file once, not 2 times "
            "(stacks/Pulumi.dev.yaml, stacks/Pulumi.hub.yaml)",
        ),
        (
            (
                "doctor",
                "--stack",
                "dev",
                "--config-file",
                "stacks/Pulumi.dev.yaml",
                "--config-file",
                "stacks/Pulumi.hub.yaml",
            ),
            "error: doctor acts on one stack: give --config-file once, not 2 times "
            "(stacks/Pulumi.dev.yaml, stacks/Pulumi.hub.yaml)",
        ),
        (
            ("plan", "--config-file", "stacks/settings.yaml"),
            "error: cannot tell the stack from settings.yaml; add --stack NAME",
        ),
    ],
)
def test_usage_errors(argosy: Callable[..., Result], args: tuple[str, ...], message: str) -> None:
    result = argosy(*args)
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_several_config_files_plan_each(argosy: Callable[..., Result], tmp_path: Path) -> None:
    """A repeated --config-file is planned too, its stack named by its file."""
    for stack in ("dev", "staging"):
        (tmp_path / stack).mkdir()
        shutil.copy(REPO / "stacks" / f"Pulumi.{stack}.yaml", tmp_path / stack)
    result = argosy(
        "plan",
        "--config-file",
        str(tmp_path / "dev" / "Pulumi.dev.yaml"),
        "--config-file",
        str(tmp_path / "staging" / "Pulumi.staging.yaml"),
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    assert [d["stack"] for d in json.loads(result.stdout)] == ["dev", "staging"]


def test_config_file_from_anywhere(argosy: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "team-settings.yaml"
    path.write_text((REPO / "stacks" / "Pulumi.staging.yaml").read_text())
    result = argosy("plan", "--stack", "staging", "--config-file", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["stack"] == "staging"


def test_more_zones_than_the_region_has_is_a_config_error(
    argosy: Callable[..., Result], tmp_path: Path, no_planning: None
) -> None:
    config = load_example("dev")
    config["config"]["argosy:network"]["azCount"] = 5  # eu-west-1 has three zones
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump(config))
    line = path.read_text().splitlines().index("    azCount: 5") + 1
    result = argosy("plan", "--config-file", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        "1 configuration error:\n"
        f"{path}:{line}: argosy:network.azCount = 5\n"
        "    rule: region eu-west-1 offers 3 availability zones to a new account "
        "(argosy/config/regions.py); azCount must not be more than 3\n"
        "    example: azCount: 3\n"
    )


def test_program_failure_is_one_clear_line(
    argosy: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure only the program meets: here, an account that sees fewer zones than the
    region table (the table holds what a new account sees; older accounts may differ)."""
    answer = PlanMocks._availability_zones

    def two_zones(self: PlanMocks, args: Mapping[str, Any]) -> dict[str, Any]:
        zones = answer(self, args)
        return {**zones, "names": zones["names"][:2], "zoneIds": zones["zoneIds"][:2]}

    monkeypatch.setattr(PlanMocks, "_availability_zones", two_zones)
    config = load_example("dev")
    config["config"]["argosy:network"]["azCount"] = 3
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump(config))
    result = argosy("plan", "--config-file", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: stack dev: the program failed: ValueError: region eu-west-1 offers 2 "
        "availability zones to this account (eu-west-1a, eu-west-1b); "
        "argosy:network.azCount asks for 3",
        "(run again with --debug for the traceback)",
    ]
    debug = argosy("plan", "--config-file", str(path), "--debug")
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert "pick_zone" in debug.stderr


def test_out_writes_manifests_and_plans(argosy: Callable[..., Result], tmp_path: Path) -> None:
    result = argosy("plan", "--all", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    # Only the hub declares Kubernetes objects (rule P2): what Argo CD reads, in its namespace.
    # The local stage installs Argo CD's chart, whose release and values are written too.
    local_release = "local/helm/argocd/argocd.yaml"
    registered = [
        "hub/kubernetes/argocd/appproject-platform.yaml",
        "hub/kubernetes/argocd/secret-repository-karpenter.yaml",
        *(f"hub/kubernetes/argocd/secret-cluster-{s}.yaml" for s in REGISTERED),
        *(f"hub/kubernetes/argocd/application-baseline-{s}.yaml" for s in REGISTERED),
        # Every add-on's Application for every stage, its chart pinned and its values inline.
        *(
            f"hub/kubernetes/argocd/application-{addon}-{s}.yaml"
            for s in REGISTERED
            for addon in (
                "argo-events",
                "argo-rollouts",
                "argo-workflows",
                "aws-load-balancer-controller",
                "external-dns",
                "external-secrets",
            )
        ),
        "hub/kubernetes/argocd/application-karpenter-prod.yaml",
        # The app catalog's: a project per team and stage, an Application per app and stage.
        *(f"hub/kubernetes/argocd/appproject-{p}.yaml" for p in team_projects(REGISTERED)),
        *(f"hub/kubernetes/argocd/application-{a}.yaml" for a in app_applications(REGISTERED)),
    ]
    # The local stage declares its own: its registration, project, baseline and the Argo
    # controllers (no AWS-only add-on), and its apps' projects and Applications.
    local_objects = [
        "local/kubernetes/argocd/appproject-platform.yaml",
        "local/kubernetes/argocd/secret-cluster-local.yaml",
        *(
            f"local/kubernetes/argocd/application-{name}-local.yaml"
            for name in ("argo-events", "argo-rollouts", "argo-workflows", "baseline")
        ),
        *(f"local/kubernetes/argocd/appproject-{p}.yaml" for p in team_projects(["local"])),
        *(f"local/kubernetes/argocd/application-{a}.yaml" for a in app_applications(["local"])),
    ]
    assert files == sorted(
        [
            *(f"{s}/plan.json" for s in EXAMPLE_STACKS),
            *registered,
            *local_objects,
            local_release,
        ]
    )
    release = yaml.safe_load((tmp_path / local_release).read_text())
    assert (release["chart"], release["namespace"]) == ("argo-cd", "argocd")
    assert release["values"]["global"]["image"]["tag"] == "v3.4.7"
    assert json.loads((tmp_path / "prod/plan.json").read_text())["stack"] == "prod"
    hub_plan = json.loads((tmp_path / "hub/plan.json").read_text())
    # Each file is the object the plan declares, and valid for the hub's Kubernetes version.
    declared = {
        (r["inputs"]["kind"], r["inputs"]["metadata"]["name"]): r["inputs"]
        for r in hub_plan["resources"]
        if r["type"].startswith("kubernetes:")
    }
    assert len(declared) == len(registered)
    project = yaml.safe_load((tmp_path / registered[0]).read_text())
    assert project == declared[("AppProject", "platform")]
    check_argo_manifest(project)  # strict: a misspelt field fails
    for stage in REGISTERED:
        baseline = yaml.safe_load(
            (tmp_path / f"hub/kubernetes/argocd/application-baseline-{stage}.yaml").read_text()
        )
        assert baseline == declared[("Application", f"baseline-{stage}")]
        check_argo_manifest(baseline)
        assert baseline["spec"]["source"]["path"] == f"gitops/clusters/{stage}/baseline"
    for stage in REGISTERED:
        secret = yaml.safe_load(
            (tmp_path / f"hub/kubernetes/argocd/secret-cluster-{stage}.yaml").read_text()
        )
        assert secret == declared[("Secret", f"cluster-{stage}")]
        # stringData is a secret Output, redacted in every plan file; the rest is in clear.
        assert secret["stringData"] == REDACTED
        check_manifest(
            {
                **secret,
                "stringData": {
                    "name": stage,
                    "server": secret["metadata"]["annotations"]["aws_cluster_arn"],
                    "project": "platform",
                },
            },
            "1.36",
        )


def test_two_plans_are_byte_identical(argosy: Callable[..., Result], tmp_path: Path) -> None:
    first = argosy("plan", "--all", "--json", "--out", str(tmp_path / "a"))
    second = argosy("plan", "--all", "--json", "--out", str(tmp_path / "b"))
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    for path in sorted((tmp_path / "a").rglob("*.*")):
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert path.read_bytes() == twin.read_bytes(), path


def test_separate_processes_agree(tmp_path: Path) -> None:
    """L1 across processes: hash seeds, import order and thread timing change nothing."""
    outputs = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "argosy", "plan", "--all", "--json"],
            cwd=REPO,
            capture_output=True,
            text=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


def test_exit_status_of_the_real_command(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("config:\n  argosy:role: workload\n")
    done = subprocess.run(
        [sys.executable, "-m", "argosy", "plan", "--config-file", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines()[0] == "4 configuration errors:"


def test_rule_findings_fail_the_plan(
    argosy: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(run: ProgramRun, config: object) -> CheckReport:
        cluster = next(r for r in run.resources if r.type == "aws:eks/cluster:Cluster")
        finding = Finding(rule="E1", urn=cluster.urn, message="production endpoint is public")
        return CheckReport(passed=(), findings=(finding,))

    monkeypatch.setattr(cli, "check_run", broken)
    result = argosy("plan", "--stack", "prod")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: the program declares what the security rules forbid:\n"
        "  E1 prod-eks: production endpoint is public\n"
    )
    assert prod_summary("1 rule finding") in result.stdout.splitlines()


def test_config_reference_command(argosy: Callable[..., Result]) -> None:
    result = argosy("config-reference")
    assert result.exit_code == 0
    assert result.stdout.startswith("<!-- config-reference:begin")
