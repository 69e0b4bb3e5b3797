"""The execution plan every orchestrator reuses: ready queue, failure policy, routing.

:func:`run_plan` walks a run's DAG: a step is dispatched as soon as all its
upstream steps ended well, with at most ``executor.max_in_flight`` steps in
flight. Each dispatch goes

- to the stack's step operator when the step names one (run on a plan thread
  that waits for ``operator.launch``);
- else to the orchestrator's :class:`StepExecutor` (``submit``).

When dispatching starts a worker (a process, a Ray task: ``starts_workers``),
the cache is checked first in this process (``launcher.reuse_cached``), so a
step whose outputs are reused never starts one. Steps retry inside the shared
step runner (``@step(retries=...)``), wherever they run.

Failure policy (``failure_policy`` of the orchestrator): ``stop`` starts no new
step after the first failure (running ones are waited for); ``continue`` keeps
running every step that does not depend on a failed one. A step whose worker
failed before recording anything (it could not start, its process died) is
recorded as failed with the worker's error. Ctrl-C cancels what is in flight
(``executor.cancel``) and raises :class:`~cairn.exceptions.RunCancelledError`.

Where the plan's bookkeeping runs: by default in the caller's thread, woken by
each completed future. An executor with ``dispatch_on_completion`` (the local
orchestrator's) lets the thread that completes a step's future record its end
and dispatch what it releases, under the plan's lock; the caller's thread then
only waits for the end (and for Ctrl-C). A chain of steps then runs on one worker
thread with no hand-over between threads per step.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import queue
import threading
import traceback
from collections import deque
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from cairn.exceptions import PipelineRunFailedError, RunCancelledError, StepFailedError

if TYPE_CHECKING:
    from cairn.models.pipeline_spec import PipelineDeployment, StepSpec
    from cairn.orchestrators.base_orchestrator import StepLauncher
    from cairn.stack.stack import Stack

#: How often the plan wakes up while waiting (Ctrl-C is seen within this time).
WAIT_SLICE = 0.25


class StepExecutor:
    """The primitives an orchestrator flavor implements for one run.

    ``submit`` starts one step and returns a future that ends when the step's
    worker ends (its exception: the step failed); ``wait`` returns the futures of
    ``futures`` that are done (at most ``timeout`` seconds); ``cancel`` stops a
    step in flight; ``close`` frees what the run held.

    Attributes:
        max_in_flight: how many steps may be in flight at once.
        starts_workers: whether ``submit`` starts a worker (then cached steps are
            recorded before dispatch and never submitted).
        dispatch_on_completion: whether the plan may record a step's end and
            dispatch the steps it releases in the thread that completes its future
            (set by executors whose futures complete on their own threads and whose
            ``submit`` may be called from them). The plan's thread is then not woken
            for every step, which saves two thread hand-overs a step.
    """

    max_in_flight: int = 8
    starts_workers: bool = False
    dispatch_on_completion: bool = False

    def submit(self, step: StepSpec) -> cf.Future[Any]:
        """Start ``step``; the future's exception says it failed."""
        raise NotImplementedError

    def wait(self, futures: Collection[cf.Future[Any]], timeout: float) -> set[cf.Future[Any]]:
        """The done futures among ``futures`` (waits at most ``timeout`` s for one)."""
        done, _ = cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return done

    def cancel(self, step_name: str, future: cf.Future[Any]) -> None:
        """Stop the step in flight (best effort)."""
        future.cancel()

    def close(self) -> None:
        """Free the run's resources (threads, connections)."""


class ThreadPool:
    """Daemon worker threads that run callables and complete futures.

    Threads start as needed up to the number of tasks in flight and are reused;
    being daemons, a cancelled run never waits for them at exit. The first task a
    worker thread submits while it finishes one (``dispatch_on_completion``) runs next
    on that very thread, so a chain stays on one thread however many threads are idle.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._tasks: queue.SimpleQueue[tuple[Callable[[], Any], cf.Future[Any]] | None]
        self._tasks = queue.SimpleQueue()
        self._threads = 0
        self._busy = 0
        self._lock = threading.Lock()
        #: per worker thread: ``finishing`` (completing a task's future, whose callbacks
        #: may submit more) and ``next`` (the task it then runs itself)
        self._worker = threading.local()

    def submit(self, fn: Callable[[], Any]) -> cf.Future[Any]:
        """Run ``fn`` on a worker thread; its future holds the result or exception."""
        future: cf.Future[Any] = cf.Future()
        local = self._worker
        keep = getattr(local, "finishing", False) and local.next is None
        with self._lock:
            self._busy += 1
            start = not keep and self._threads < self._busy
            if start:
                self._threads += 1
        if keep:
            local.next = (fn, future)
            return future
        if start:
            threading.Thread(
                target=self._work, name=f"{self._name}-{self._threads}", daemon=True
            ).start()
        self._tasks.put((fn, future))
        return future

    def _work(self) -> None:
        local = self._worker
        local.next, local.finishing = None, False
        while True:
            task, local.next = local.next, None
            if task is None:
                task = self._tasks.get()
            if task is None:
                return
            fn, future = task
            if not future.set_running_or_notify_cancel():
                with self._lock:
                    self._busy -= 1
                continue
            try:
                result = fn()
            except BaseException as exc:  # handed to the plan
                self._finish(future.set_exception, exc)
            else:
                self._finish(future.set_result, result)

    def _finish(self, complete: Callable[[Any], None], value: Any) -> None:
        """Free this thread, then complete the future: the first step its callbacks
        dispatch (``dispatch_on_completion``) is kept for this very thread."""
        with self._lock:
            self._busy -= 1
        self._worker.finishing = True
        try:
            complete(value)
        finally:
            self._worker.finishing = False

    def close(self) -> None:
        """Let idle threads end (busy ones end after their task)."""
        with self._lock:
            count, self._threads = self._threads, 0
        for _ in range(count):
            self._tasks.put(None)


_SHARED: dict[str, tuple[int, ThreadPool]] = {}
_SHARED_LOCK = [threading.Lock()]  # a forked child gets a new one (the parent's may be held)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _SHARED_LOCK.__setitem__(0, threading.Lock()))


def shared_thread_pool(name: str) -> ThreadPool:
    """The process's :class:`ThreadPool` called ``name``, shared by every run in it (its
    idle threads wait for the next run's steps instead of being started anew per run;
    a forked child makes its own). Callers never close it."""
    pid = os.getpid()
    with _SHARED_LOCK[0]:
        found = _SHARED.get(name)
        if found is None or found[0] != pid:
            found = _SHARED[name] = (pid, ThreadPool(name))
    return found[1]


def run_plan(
    executor: StepExecutor,
    deployment: PipelineDeployment,
    stack: Stack,
    launcher: StepLauncher,
    failure_policy: str = "stop",
) -> None:
    """Run every step of ``deployment`` (see the module docs).

    Raises:
        PipelineRunFailedError: a step failed.
        RunCancelledError: Ctrl-C.
    """
    plan = _Plan(executor, deployment, stack, launcher, failure_policy)
    try:
        plan.run()
    except KeyboardInterrupt as exc:
        plan.cancel()
        raise RunCancelledError(
            f"Run '{deployment.run_name}' was cancelled.", deployment.run_name
        ) from exc
    finally:
        plan.close()
    if plan.failures:
        raise run_failed(deployment.run_name, plan.failures)


class _Plan:
    def __init__(
        self,
        executor: StepExecutor,
        deployment: PipelineDeployment,
        stack: Stack,
        launcher: StepLauncher,
        failure_policy: str,
    ) -> None:
        self.executor = executor
        self.deployment = deployment
        self.stack = stack
        self.launcher = launcher
        self.keep_going = failure_policy == "continue"
        self.failures: list[tuple[str, BaseException]] = []
        self.in_flight: dict[cf.Future[Any], str] = {}
        self._operator_pool: ThreadPool | None = None
        self._waiting: dict[str, set[str]] = {}
        self._downstream: dict[str, list[str]] = {}
        self._ready: deque[str] = deque()
        self._limit = 1
        # dispatch on completion (see StepExecutor.dispatch_on_completion)
        self._lock = threading.RLock()
        self._finished = threading.Event()
        self._done: deque[cf.Future[Any]] = deque()
        self._pumping = False
        self._stopped = False
        self._callback_error: BaseException | None = None

    # ------------------------------------------------------------ dispatch
    def _dispatch(self, step: StepSpec) -> cf.Future[Any] | None:
        """Start ``step``; ``None`` when its outputs were reused from the cache."""
        operator = step.step_operator
        if (operator or self.executor.starts_workers) and self.launcher.reuse_cached(step.name):
            return None
        if operator:
            if self._operator_pool is None:
                self._operator_pool = ThreadPool("cairn-step-operator")
            return self._operator_pool.submit(lambda: self._launch_on_operator(step))
        return self.executor.submit(step)

    def _launch_on_operator(self, step: StepSpec) -> None:
        operator = self.stack.step_operator
        if operator is None:
            raise StepFailedError(step.name, f"Stack has no step operator for '{step.name}'.")
        operator.launch(step.name, self.launcher.step_command(step.name), dict(os.environ))

    # ------------------------------------------------------------ loop
    def run(self) -> None:
        spec = self.deployment.pipeline
        self._waiting = {name: set(step.upstream) for name, step in spec.steps.items()}
        self._downstream = spec.downstream()
        self._ready = deque(name for name in spec.topological_order() if not self._waiting[name])
        self._limit = max(1, self.executor.max_in_flight)
        if self.executor.dispatch_on_completion:
            self._run_on_completion()
            return
        while self._ready or self.in_flight:
            self._fill()
            if not self.in_flight:
                break
            for future in self.executor.wait(list(self.in_flight), WAIT_SLICE):
                self._complete(future)

    def _fill(self) -> None:
        """Dispatch ready steps while the failure policy and the in-flight limit allow."""
        steps = self.deployment.pipeline.steps
        ready = self._ready
        while (
            ready
            and not self._stopped
            and (self.keep_going or not self.failures)
            and len(self.in_flight) < self._limit
        ):
            name = ready.popleft()
            self.launcher.step_starting(name)
            future = self._dispatch(steps[name])
            if future is None:  # reused from the cache: its children may start
                self.launcher.step_ended(name)
                ready.extend(self._released(name))
                continue
            self.in_flight[future] = name
            if self.executor.dispatch_on_completion:
                future.add_done_callback(self._on_done)

    def _complete(self, future: cf.Future[Any]) -> None:
        """Record how the step of ``future`` ended and release its children."""
        name = self.in_flight.pop(future)
        error = future.exception() if not future.cancelled() else RunCancelledError(
            f"Step '{name}' was cancelled.", self.deployment.run_name
        )  # fmt: skip
        if error is not None:
            self.launcher.step_failed(name, error)
            self.launcher.step_ended(name)
            self.failures.append((name, error))
            return
        self.launcher.step_ended(name)
        self._ready.extend(self._released(name))

    # --------------------------------------------- dispatch on completion
    def _run_on_completion(self) -> None:
        """The plan's thread dispatches the first steps, then only waits (Ctrl-C);
        each step's end is recorded, and what it releases dispatched, by the
        thread that completed its future (under the plan's lock)."""
        with self._lock:
            try:
                self._pump()
            except BaseException:
                self._stopped = True  # steps already dispatched release nothing more
                raise
        while not self._finished.wait(WAIT_SLICE):
            pass
        if self._callback_error is not None:
            raise self._callback_error

    def _on_done(self, future: cf.Future[Any]) -> None:
        with self._lock:
            if self._stopped:  # cancelled: the run is recorded as such, nothing more
                return
            self._done.append(future)
            if self._pumping:  # completed inside a dispatch on this thread: handled there
                return
            try:
                self._pump()
            except BaseException as exc:  # raised in the plan's thread
                self._callback_error = exc
                self._stopped = True
                self._finished.set()

    def _pump(self) -> None:
        """Record the completed futures and dispatch until nothing changes (lock held)."""
        self._pumping = True
        try:
            while True:
                while self._done:
                    self._complete(self._done.popleft())
                self._fill()
                if not self._done:
                    break
        finally:
            self._pumping = False
        if not self.in_flight:
            self._finished.set()

    def _released(self, name: str) -> list[str]:
        out = []
        for child in self._downstream[name]:
            self._waiting[child].discard(name)
            if not self._waiting[child]:
                out.append(child)
        return out

    def cancel(self) -> None:
        with self._lock:
            self._stopped = True
        for future, name in list(self.in_flight.items()):
            with contextlib.suppress(Exception):  # best effort: the run is recorded as cancelled
                self.executor.cancel(name, future)

    def close(self) -> None:
        if self._operator_pool is not None:
            self._operator_pool.close()
        self.executor.close()


def _describe(error: BaseException) -> str:
    cause = error.__cause__ if isinstance(error, StepFailedError) else None
    if cause is None:
        return str(error)
    text = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
    return f"{error}\n\n{text}"


def run_failed(run_name: str, failures: list[tuple[str, BaseException]]) -> PipelineRunFailedError:
    """The error of a run whose steps ``failures`` failed (names and causes)."""
    names = [name for name, _ in failures]
    details = "\n".join(_describe(error) for _, error in failures)
    error = PipelineRunFailedError(
        f"Pipeline run '{run_name}' failed in step(s) {', '.join(names)}:\n{details}",
        run_name,
        names,
    )
    error.__cause__ = failures[0][1]
    return error
