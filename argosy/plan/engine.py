"""Run a Pulumi program in-process under the SDK's mock monitor, and record what it declares.

The sequence mirrors the Pulumi Automation API's inline program host: reset the runtime
settings, hand over the stack's config as the CLI would, then ``run_in_stack`` the program on
a fresh event loop. Each run happens in a copied ``contextvars`` context, because the SDK
keeps its settings (root stack, config, monitor) in context variables: stacks planned one
after another in one process never see each other's state.
"""

from __future__ import annotations

import asyncio
import contextvars
import graphlib
import logging
import runpy
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings
from pulumi.runtime.mocks import MockEngine, Mocks, MockSettings
from pulumi.runtime.stack import run_in_stack

from argosy.plan.monitor import RecordingMonitor, Registration

STACK_TYPE = "pulumi:pulumi:Stack"
#: Worker threads answering registrations; more do not help under the GIL.
_WORKERS = 4


class ProgramFailedError(Exception):
    """The program raised while it was being planned.

    Attributes:
        stack: The stack being planned.
        cause: The exception the program raised.
    """

    def __init__(self, stack: str, cause: BaseException) -> None:
        self.stack = stack
        self.cause = cause
        root = root_cause(cause)
        super().__init__(f"stack {stack}: the program failed: {type(root).__name__}: {root}")


def root_cause(error: BaseException) -> BaseException:
    """The innermost cause of ``error``.

    The SDK re-raises an error from an ``apply`` wrapped once per layer ("While processing
    resource …"), naming whichever resource failed first, which varies from run to run; the
    innermost error is the one that explains, and it reads the same every time.
    """
    seen = {id(error)}
    while error.__cause__ is not None and id(error.__cause__) not in seen:
        error = error.__cause__
        seen.add(id(error))
    return error


@dataclass(frozen=True, kw_only=True)
class LogRecord:
    """A message the program logged through ``pulumi.log``."""

    severity: str
    message: str


@dataclass(frozen=True, kw_only=True)
class ProgramRun:
    """What one program run declared.

    Attributes:
        stack: The stack name.
        project: The project name.
        resources: Every registration, in a deterministic dependency order.
        outputs: The stack's exported outputs, secrets redacted.
        invokes: ``(token, provider reference)`` of every invoke, in call order.
        logs: What the program logged, in order.
        seconds: Wall time of the run.
    """

    stack: str
    project: str
    resources: tuple[Registration, ...]
    outputs: Mapping[str, Any]
    invokes: tuple[tuple[str, str], ...]
    logs: tuple[LogRecord, ...] = field(default=())
    seconds: float = 0.0


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.records: list[LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(
            LogRecord(severity=record.levelname.lower(), message=record.getMessage())
        )


def order_resources(resources: Iterable[Registration]) -> tuple[Registration, ...]:
    """Sort so that everything a resource needs comes before it; ties broken by URN.

    A resource needs its parent, its provider, its dependencies and its deletedWith target.
    The order is therefore a valid creation order and is the same on every run, whatever
    order the asynchronous registrations happened to arrive in.
    """
    by_urn = {r.urn: r for r in resources}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for resource in by_urn.values():
        needs = {
            resource.parent,
            resource.provider_urn,
            resource.deleted_with,
            *resource.dependencies,
        }
        sorter.add(resource.urn, *sorted(n for n in needs if n is not None and n in by_urn))
    sorter.prepare()
    ordered: list[Registration] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        ordered.extend(by_urn[urn] for urn in ready)
        sorter.done(*ready)
    return tuple(ordered)


def run_program(
    program: Callable[[], None],
    *,
    project: str,
    stack: str,
    mocks: Mocks,
    config: Mapping[str, str],
    secret_keys: Sequence[str] = (),
    root_directory: Path | None = None,
) -> ProgramRun:
    """Run ``program`` as stack ``stack`` under ``mocks``; return what it registered.

    Raises:
        ProgramFailedError: the program (or a mock it called) raised.
    """
    monitor = RecordingMonitor(mocks)
    collector = _Collect()
    logger = logging.getLogger(f"argosy.plan.{stack}")
    logger.propagate = False
    # The SDK logs a debug line per registration step; formatting them costs ~5% of a plan.
    logger.setLevel(logging.INFO)
    logger.handlers = [collector]
    started = time.perf_counter()
    failure: list[BaseException] = []

    def run() -> None:
        settings.reset_options(
            project=project,
            stack=stack,
            root_directory=str(root_directory) if root_directory else None,
            preview=False,
            organization="organization",
        )
        features = set(monitor.GetDeploymentInfo(None).supportedFeatures)  # type: ignore[no-untyped-call]
        settings.configure(
            MockSettings(  # type: ignore[no-untyped-call]
                monitor=monitor,
                monitor_features=features,
                engine=MockEngine(logger),
                project=project,
                stack=stack,
                root_directory=str(root_directory) if root_directory else None,
                dry_run=False,
                organization="organization",
                callbacks=None,
            )
        )
        runtime_config.set_all_config(dict(config), list(secret_keys))
        _run_on_fresh_loop(program, failure)

    contextvars.copy_context().run(run)
    if failure:
        raise ProgramFailedError(stack, failure[0]) from failure[0]
    stack_urn = next((r.urn for r in monitor.registrations if r.type == STACK_TYPE), None)
    outputs = monitor.outputs_by_urn.get(stack_urn, {}) if stack_urn else {}
    invokes = tuple(getattr(mocks, "invokes", ()))
    return ProgramRun(
        stack=stack,
        project=project,
        resources=order_resources(monitor.registrations),
        outputs=dict(sorted(outputs.items())),
        invokes=invokes,
        logs=tuple(collector.records),
        seconds=time.perf_counter() - started,
    )


def _run_on_fresh_loop(program: Callable[[], None], failure: list[BaseException]) -> None:
    """Run the program on a new event loop whose worker threads are cleaned up after it.

    The SDK answers registrations on the loop's default executor, and each worker thread
    opens an event loop of its own; they are closed here so none is left to the garbage
    collector (which would complain about it after the plan finished).
    """
    thread_loops: list[asyncio.AbstractEventLoop] = []
    lock = threading.Lock()

    def open_thread_loop() -> None:
        thread_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(thread_loop)
        with lock:
            thread_loops.append(thread_loop)

    executor = ThreadPoolExecutor(max_workers=_WORKERS, initializer=open_thread_loop)
    loop = asyncio.new_event_loop()
    loop.set_default_executor(executor)
    loop.set_exception_handler(_quiet_after_failure)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(run_in_stack(program))
    except BaseException as exc:
        failure.append(exc)
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        executor.shutdown(wait=True)
        for thread_loop in thread_loops:
            thread_loop.close()
        loop.close()
        asyncio.set_event_loop(None)


def _quiet_after_failure(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Drop asyncio's reports of failed outputs nobody awaited.

    When one resource input fails, every output built on it fails too; asyncio reports each
    of those on stderr as "exception was never retrieved". The run reports the failure once,
    so the echoes are dropped; anything else goes to asyncio's default handler.
    """
    if "never retrieved" in str(context.get("message", "")):
        return
    loop.default_exception_handler(context)


def project_program(root: Path) -> Callable[[], None]:
    """The project's own ``__main__.py``, run as the Pulumi Python language host runs it."""
    main = root / "__main__.py"

    def program() -> None:
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        runpy.run_path(str(main), run_name="__main__")

    return program
