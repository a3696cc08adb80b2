"""Benchmark of the offline plan (a benchmark, not a test: it asserts nothing).

For every example stack: wall time of planning it (median and best of several runs, after a
warm-up), peak Python memory while planning (tracemalloc), the number of resources, and the
ratio of the plan time to two floors, each registering the same number of resources in the
same process under the same mocks and recording monitor:

- the bare mock floor: ``pulumi.CustomResource`` with one trivial input, what the SDK's mock
  machinery costs at the least;
- the typed floor: ``aws.ec2.Subnet`` with trivial inputs, what a provider-generated resource
  class costs the SDK (it resolves a future per declared output property and records a stack
  trace per registration, whatever the program does).

``--profile`` adds where a plan's time goes, by package.

Run: ``.venv/bin/python -m bench.plan_benchmark [--runs N] [--profile]``
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import platform
import pstats
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from argosy.plan.engine import run_program
from argosy.plan.mocks import AwsContext, PlanMocks
from argosy.plan.planner import (
    Project,
    ValidStack,
    find_project,
    plan_stack,
    requested_stacks,
    validate_requests,
)

REPO = Path(__file__).resolve().parents[1]


def bare_floor(count: int) -> Callable[[], None]:
    """Register ``count`` custom resources with one trivial input each."""

    def program() -> None:
        for i in range(count):
            pulumi.CustomResource("bench:index:Thing", f"thing-{i}", {"value": i})

    return program


def typed_floor(count: int) -> Callable[[], None]:
    """Register a provider and ``count - 1`` subnets with trivial inputs."""

    def program() -> None:
        provider = aws.Provider("bench", region="eu-west-1")
        for i in range(count - 1):
            aws.ec2.Subnet(
                f"subnet-{i}",
                vpc_id="vpc-0",
                cidr_block="10.0.0.0/24",
                opts=pulumi.ResourceOptions(provider=provider),
            )

    return program


@dataclass(frozen=True)
class Timing:
    """Wall times of repeated runs, and the peak traced memory of one of them."""

    median_ms: float
    best_ms: float
    peak_mib: float


def timed(action: Callable[[], object], runs: int) -> Timing:
    """Time ``action`` ``runs`` times after a warm-up; trace memory in one extra run."""
    action()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return Timing(
        median_ms=statistics.median(seconds) * 1000,
        best_ms=min(seconds) * 1000,
        peak_mib=peak / 2**20,
    )


#: The floors run in an account of their own: they measure the SDK, not a stage.
FLOOR_ACCOUNT = AwsContext(
    account_id="999999999999",
    region="eu-west-1",
    deploy_role_arn="arn:aws:iam::999999999999:role/bench",
)


def floor_run(project: Project, stack: str, program: Callable[[], None]) -> object:
    """Run a floor program under the same kind of mocks and monitor as a plan."""
    return run_program(
        program,
        project=project.name,
        stack=stack,
        mocks=PlanMocks(stack=stack, aws=FLOOR_ACCOUNT),
        config={},
    )


def profile_shares(project: Project, stacks: list[ValidStack], runs: int) -> dict[str, float]:
    """Share of plan time (own time of functions) by the package the function lives in."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        for stack in stacks:
            plan_stack(project, stack)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    groups = {
        "argosy (config, builders, plan engine, mocks)": ("/argosy/",),
        "components": ("/components/",),
        "pulumi_aws / pulumi_kubernetes": ("/pulumi_aws/", "/pulumi_kubernetes/"),
        "pulumi SDK": ("/pulumi/",),
        "asyncio": ("/asyncio/",),
    }
    shares: dict[str, float] = dict.fromkeys([*groups, "stdlib and builtins"], 0.0)
    total = 0.0
    for (filename, _, _), entry in stats.items():
        own = entry[2]
        total += own
        group = next(
            (name for name, marks in groups.items() if any(m in filename for m in marks)),
            "stdlib and builtins",
        )
        shares[group] += own
    return {name: 100 * value / total for name, value in shares.items()}


def main() -> None:
    """Plan every example stack and print one row per stack, then the totals."""
    parser = argparse.ArgumentParser(description="Benchmark of the offline plan.")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per measurement")
    parser.add_argument("--profile", action="store_true", help="where the time goes")
    args = parser.parse_args()

    project = find_project(REPO)
    started = time.perf_counter()
    stacks: list[ValidStack] = validate_requests(
        requested_stacks(project, stacks=[], all_stacks=True, config_file=None, cwd=REPO)
    )
    validation_ms = (time.perf_counter() - started) * 1000

    print(f"python {platform.python_version()} on {platform.machine()}, {args.runs} runs each")
    print(f"validating {len(stacks)} stack files: {validation_ms:.1f} ms (first run)")
    print(
        f"{'stack':<8} {'resources':>9} {'plan ms':>15} {'bare floor':>15} {'typed floor':>15} "
        f"{'ratio bare':>10} {'ratio typed':>11} {'peak MiB':>8}"
    )
    totals = {"plan": 0.0, "bare": 0.0, "typed": 0.0}
    resources = 0
    for stack in stacks:
        count = len(plan_stack(project, stack).resources) - 1  # without the Stack itself
        name = stack.request.stack
        plan = timed(functools.partial(plan_stack, project, stack), args.runs)
        bare = timed(functools.partial(floor_run, project, name, bare_floor(count)), args.runs)
        typed = timed(functools.partial(floor_run, project, name, typed_floor(count)), args.runs)
        totals["plan"] += plan.median_ms
        totals["bare"] += bare.median_ms
        totals["typed"] += typed.median_ms
        resources += count
        print(
            f"{name:<8} {count:>9} "
            f"{plan.median_ms:>7.1f} ({plan.best_ms:>5.1f}) "
            f"{bare.median_ms:>7.1f} ({bare.best_ms:>5.1f}) "
            f"{typed.median_ms:>7.1f} ({typed.best_ms:>5.1f}) "
            f"{plan.median_ms / bare.median_ms:>10.2f} {plan.median_ms / typed.median_ms:>11.2f} "
            f"{plan.peak_mib:>8.1f}"
        )
    print(
        f"{'all':<8} {resources:>9} {totals['plan']:>15.1f} {totals['bare']:>15.1f} "
        f"{totals['typed']:>15.1f} {totals['plan'] / totals['bare']:>10.2f} "
        f"{totals['plan'] / totals['typed']:>11.2f}"
    )
    print("times are medians, best run in parentheses")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MiB (includes the imported SDKs)")
    if args.profile:
        print("share of plan time by package (own time, cProfile):")
        for name, share in profile_shares(project, stacks, 3).items():
            print(f"  {share:5.1f}%  {name}")


if __name__ == "__main__":
    main()
