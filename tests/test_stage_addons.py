"""EKS add-on versions: looked up for the cluster's Kubernetes version unless pinned.

The plan's mocks answer ``aws:eks/getAddonVersion:getAddonVersion`` from
``argosy.plan.mocks.ADDON_VERSIONS`` and record every invoke (``ProgramRun.invokes``); a mocks
subclass here also keeps each lookup's arguments, to tell which add-on was looked up.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi.runtime.mocks import MockCallArgs

from argosy.config.source import encode_for_program, read_stack_file
from argosy.config.validate import AwsStageConfig, validate_stage
from argosy.plan.engine import project_program, run_program
from argosy.plan.mocks import ADDON_VERSIONS, PlanMocks
from argosy.plan.planner import Project, check_run, mocks_for
from argosy.policy.graph import PlanGraph
from tests.conftest import AWS_EXAMPLE_STACKS, Planned, load_example

LOOKUP = "aws:eks/getAddonVersion:getAddonVersion"
ADDONS = ("eks-pod-identity-agent", "vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver")


class LookupRecordingMocks(PlanMocks):
    """The plan's mocks, keeping the arguments of every add-on version lookup."""

    def __init__(self, base: PlanMocks) -> None:
        super().__init__(stack=base.stack, aws=base.aws)
        self.lookups: list[dict[str, Any]] = []

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        if args.token == LOOKUP:
            self.lookups.append(dict(args.args))
        return super().call(args)


def plan_recording(
    project: Project, path: Path, stack: str
) -> tuple[Planned, list[dict[str, Any]]]:
    """Plan the stack file at ``path`` as the plan does, with the lookups' arguments."""
    stack_file = read_stack_file(path, stack=stack, display=path.name)
    config = validate_stage(stack, stack_file.config, source=stack_file.source)
    mocks = LookupRecordingMocks(mocks_for(config))
    encoded, secret_keys = encode_for_program(stack_file.config)
    run = run_program(
        project_program(project.root),
        project=project.name,
        stack=stack,
        mocks=mocks,
        config=encoded,
        secret_keys=secret_keys,
        root_directory=project.root,
    )
    planned = Planned(
        config=config, run=run, graph=PlanGraph.of(run), checks=check_run(run, config)
    )
    return planned, mocks.lookups


@pytest.fixture
def plan_addons(
    project: Project, tmp_path: Path
) -> Callable[..., tuple[Planned, list[dict[str, Any]]]]:
    """Plan an example stack with its cluster changed: version and pinned add-ons."""

    def plan(
        stack: str, *, version: str | None = None, pinned: dict[str, str] | None = None
    ) -> tuple[Planned, list[dict[str, Any]]]:
        document = copy.deepcopy(load_example(stack))
        cluster = document["config"]["argosy:cluster"]
        if version is not None:
            cluster["version"] = version
        if pinned is not None:
            cluster["addonVersions"] = pinned
        path = tmp_path / f"Pulumi.{stack}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return plan_recording(project, path, stack)

    return plan


def versions(plan: Planned) -> dict[str, str]:
    return {
        str(a.inputs["addonName"]): str(a.inputs["addonVersion"])
        for a in plan.graph.of_type("aws:eks/addon:Addon")
    }


def lookups_of(plan: Planned) -> int:
    return sum(1 for token, _ in plan.run.invokes if token == LOOKUP)


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_examples_run_kubernetes_1_36(planned: Callable[[str], Planned], stack: str) -> None:
    plan = planned(stack)
    config = plan.config
    assert isinstance(config, AwsStageConfig)
    assert config.cluster.version == "1.36"
    assert plan.one("aws:eks/cluster:Cluster").inputs["version"] == "1.36"
    assert {g.inputs["version"] for g in plan.graph.of_type("aws:eks/nodeGroup:NodeGroup")} == {
        "1.36"
    }
    assert plan.run.outputs["kubernetesVersion"] == "1.36"
    assert plan.checks.findings == ()


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_unpinned_versions_come_from_the_lookup(
    planned: Callable[[str], Planned], stack: str
) -> None:
    plan = planned(stack)
    # No example pins a version: each of the five add-ons was looked up once, through the
    # stage's provider, and declares what the lookup answered for Kubernetes 1.36.
    assert versions(plan) == {name: ADDON_VERSIONS[(name, "1.36")] for name in ADDONS}
    assert lookups_of(plan) == 5
    provider = plan.one("pulumi:providers:aws")
    assert {ref.rsplit("::", 1)[0] for token, ref in plan.run.invokes if token == LOOKUP} == {
        provider.urn
    }


def test_each_lookup_asks_for_the_most_recent_version_of_one_addon(
    plan_addons: Callable[..., tuple[Planned, list[dict[str, Any]]]],
) -> None:
    plan, lookups = plan_addons("prod")
    assert sorted((a["addonName"], a["kubernetesVersion"], a["mostRecent"]) for a in lookups) == [
        (name, "1.36", True) for name in sorted(ADDONS)
    ]
    assert lookups_of(plan) == len(lookups) == 5


@pytest.mark.parametrize("version", ["1.34", "1.35"])
def test_a_cluster_upgrade_moves_unpinned_addons_along(
    plan_addons: Callable[..., tuple[Planned, list[dict[str, Any]]]], version: str
) -> None:
    plan, lookups = plan_addons("staging", version=version)
    assert plan.checks.findings == ()
    assert plan.one("aws:eks/cluster:Cluster").inputs["version"] == version
    assert {a["kubernetesVersion"] for a in lookups} == {version}
    assert versions(plan) == {name: ADDON_VERSIONS[(name, version)] for name in ADDONS}
    # kube-proxy follows the control plane's minor version: 1.36's build is not declared.
    assert versions(plan)["kube-proxy"] != ADDON_VERSIONS[("kube-proxy", "1.36")]
    assert versions(plan)["kube-proxy"].startswith(f"v{version}.")


def test_1_35_to_1_36_changes_the_plan(
    plan_addons: Callable[..., tuple[Planned, list[dict[str, Any]]]],
    planned: Callable[[str], Planned],
) -> None:
    older, _ = plan_addons("dev", version="1.35")
    newer = planned("dev")
    changed = {
        name: (old, versions(newer)[name])
        for name, old in versions(older).items()
        if old != versions(newer)[name]
    }
    assert changed == {"kube-proxy": ("v1.35.3-eksbuild.13", "v1.36.0-eksbuild.14")}
    older_34, _ = plan_addons("dev", version="1.34")
    assert versions(older_34)["coredns"] == "v1.13.2-eksbuild.11"
    assert versions(newer)["coredns"] == "v1.14.3-eksbuild.3"


def test_a_pinned_version_is_used_as_is_and_not_looked_up(
    plan_addons: Callable[..., tuple[Planned, list[dict[str, Any]]]],
) -> None:
    pinned = {"coredns": "v1.12.4-eksbuild.1", "vpc-cni": "v1.20.0-eksbuild.1"}
    plan, lookups = plan_addons("prod", pinned=pinned)
    assert plan.checks.findings == ()
    assert versions(plan) == {
        "eks-pod-identity-agent": ADDON_VERSIONS[("eks-pod-identity-agent", "1.36")],
        "vpc-cni": "v1.20.0-eksbuild.1",
        "kube-proxy": ADDON_VERSIONS[("kube-proxy", "1.36")],
        "coredns": "v1.12.4-eksbuild.1",
        "aws-ebs-csi-driver": ADDON_VERSIONS[("aws-ebs-csi-driver", "1.36")],
    }
    assert sorted(a["addonName"] for a in lookups) == [
        "aws-ebs-csi-driver",
        "eks-pod-identity-agent",
        "kube-proxy",
    ]
    assert lookups_of(plan) == 3


def test_every_addon_pinned_makes_no_lookup(
    plan_addons: Callable[..., tuple[Planned, list[dict[str, Any]]]],
) -> None:
    pinned = {name: f"v9.9.{i}-eksbuild.1" for i, name in enumerate(ADDONS)}
    plan, lookups = plan_addons("hub", pinned=pinned)
    assert versions(plan) == pinned
    assert lookups == []
    assert lookups_of(plan) == 0
    # The other invokes still happen (zones, through the same provider).
    assert [token for token, _ in plan.run.invokes] == [
        "aws:index/getAvailabilityZones:getAvailabilityZones"
    ]


@pytest.mark.parametrize("stack", AWS_EXAMPLE_STACKS)
def test_every_addon_is_preserved_and_overwrites_conflicts(
    planned: Callable[[str], Planned], stack: str
) -> None:
    addons = planned(stack).graph.of_type("aws:eks/addon:Addon")
    assert sorted(a.inputs["addonName"] for a in addons) == sorted(ADDONS)
    for addon in addons:
        assert addon.inputs["preserve"] is True, addon.name
        assert addon.inputs["resolveConflictsOnCreate"] == "OVERWRITE", addon.name
        assert addon.inputs["resolveConflictsOnUpdate"] == "OVERWRITE", addon.name
