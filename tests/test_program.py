"""The program as `pulumi up` runs it: config arrives from the CLI, not from the file."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockResourceArgs

from argosy.config import eks_versions
from argosy.config.source import encode_for_program, read_stack_file
from argosy.plan.engine import ProgramFailedError, project_program, run_program
from argosy.plan.mocks import AwsContext, PlanMocks
from tests.conftest import REPO, load_example


class CountingMocks(PlanMocks):
    def __init__(self) -> None:
        super().__init__(
            stack="prod",
            aws=AwsContext(
                account_id="444444444444",
                region="eu-west-1",
                deploy_role_arn="arn:aws:iam::444444444444:role/argosy-deploy",
            ),
        )
        self.registered: list[str] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args.name)
        return super().new_resource(args)


def run_with(config: dict[str, Any], mocks: PlanMocks) -> Any:
    encoded, secret_keys = encode_for_program(config)
    return run_program(
        project_program(REPO),
        project="argosy",
        stack="prod",
        mocks=mocks,
        config=encoded,
        secret_keys=secret_keys,
        root_directory=REPO,
    )


def test_invalid_config_stops_the_program_before_any_resource() -> None:
    config = load_example("prod")["config"]
    config["argosy:cluster"]["endpoint"] = {
        "publicAccess": True,
        "publicAccessCidrs": ["0.0.0.0/0"],
    }
    config["argosy:clustr"] = {}
    mocks = CountingMocks()
    with pytest.raises(ProgramFailedError) as caught:
        run_with(config, mocks)
    assert isinstance(caught.value.cause, pulumi.RunError)
    # The CLI prints a RunError's message alone, without a traceback.
    assert str(caught.value.cause) == (
        "3 configuration errors:\n"
        "stacks/Pulumi.prod.yaml: argosy:cluster.endpoint.publicAccess = true\n"
        "    rule: a production API endpoint is private only (CIS EKS 5.4.2); reach it through "
        "the VPC, a VPN or a bastion\n"
        "    example: publicAccess: false\n"
        "stacks/Pulumi.prod.yaml: argosy:cluster.endpoint.publicAccessCidrs[0] = 0.0.0.0/0\n"
        "    rule: the public endpoint must not be open to the whole internet; list the ranges "
        "that need it (office, VPN, CI egress)\n"
        "    example: publicAccessCidrs: [203.0.113.0/24]\n"
        "stacks/Pulumi.prod.yaml: argosy:clustr = {}\n"
        "    rule: unknown key; argosy reads: argosy:role, argosy:production, argosy:aws, "
        "argosy:network, argosy:cluster, argosy:access, argosy:tags, argosy:argocd, "
        "argosy:addons, argosy:apps, argosy:bootstrap, argosy:backend, argosy:kubernetes\n"
        "    example: argosy:cluster: {version: "
        f'"{eks_versions.newest_version()}", nodeGroups: [{{name: system, instanceTypes: '
        "[m7g.large], minSize: 2, desiredSize: 3, maxSize: 6}]}"
    )
    assert mocks.registered == []


def test_warnings_reach_the_pulumi_log() -> None:
    config = load_example("prod")["config"]
    config["argosy:network"]["natGateways"] = "single"
    run = run_with(config, CountingMocks())
    assert [(log.severity, log.message) for log in run.logs] == [
        (
            "warning",
            "warning: stacks/Pulumi.prod.yaml: argosy:network.natGateways = single\n"
            "    rule: production with one NAT gateway loses egress from every private subnet "
            "when its zone fails\n"
            "    example: natGateways: per-az",
        )
    ]


def test_the_real_stack_file_plans_through_the_program() -> None:
    stack_file = read_stack_file(REPO / "stacks" / "Pulumi.prod.yaml", stack="prod")
    mocks = CountingMocks()
    run = run_with(dict(stack_file.config), mocks)
    assert len(mocks.registered) == len(
        [r for r in run.resources if r.type != "pulumi:pulumi:Stack"]
    )
    assert run.outputs["clusterName"] == "argosy-prod"
