"""The one place a step runs, whatever the orchestrator.

For one step of a run, :meth:`StepRunner.run` does, in order:

1. find the step's input artifacts (outputs of upstream steps of the same run);
2. compute the cache key (:mod:`cairn.execution.cache`) and record the step run;
3. if caching is enabled and an earlier step run has the same key, link its
   outputs and finish as ``cached`` (recording why);
4. otherwise load the inputs through their materializers, call
   ``prepare_step_run`` on the stack's components, call the function with the
   step context set (honouring ``timeout``; retrying up to ``retries`` times),
   call ``cleanup_step_run``, save each output atomically through its
   materializer, register the artifacts and the logged metadata, and finish as
   ``completed`` -- or ``failed`` with the user's traceback, raising
   :class:`~cairn.exceptions.StepFailedError`.

Timeouts in thread mode: Python cannot stop a thread. A step that overruns its
``timeout`` is recorded as failed with :class:`~cairn.exceptions.StepTimeoutError`
and the run fails; the overrunning call keeps running in a daemon thread until
it returns (its result is discarded) or the process exits. In process mode the
orchestrator kills the step's process.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cairn.enums import ExecutionStatus, StackComponentType
from cairn.exceptions import CairnError, RunNotRunningError, StepFailedError, StepTimeoutError
from cairn.execution.cache import cache_key, cache_setting
from cairn.execution.catalog_runtime import register_outputs, reuse_outputs
from cairn.execution.log_capture import capture_logs
from cairn.execution.sources import MAIN_ALIAS, load_step_function
from cairn.execution.step_call import call_with_timeout, failed, model_parameters, split_outputs
from cairn.execution.step_context import StepContext, reset_step_context, set_step_context
from cairn.materializers.artifact_io import WrittenArtifact, write_artifact
from cairn.materializers.registry import load_materializer, materializer_for

if TYPE_CHECKING:
    from cairn.materializers.base_materializer import BaseMaterializer
    from cairn.metadata_stores.base_metadata_store import BaseMetadataStore
    from cairn.models.pipeline_spec import PipelineDeployment, StepSpec
    from cairn.models.run_records import ArtifactRecord, StepRunRecord
    from cairn.stack.stack import Stack

_OPTIONAL_HOOKS = {StackComponentType.STEP_OPERATOR, StackComponentType.EXPERIMENT_TRACKER}
_UNCHECKED = frozenset({"typing:Any", "builtins:object"})


def run_folder(stack: Stack, deployment: PipelineDeployment) -> str:
    """The run's own folder of the artifact store: everything the run writes is inside it."""
    return stack.artifact_store.join("runs", deployment.run_id)


def artifact_uri(stack: Stack, deployment: PipelineDeployment, step: str, output: str) -> str:
    """Where output ``output`` of ``step`` of a run is stored."""
    return stack.artifact_store.join("runs", deployment.run_id, step, output)


class StepRunner:
    """Runs steps of one recorded run (thread-safe: one runner serves all worker threads).

    Args:
        deployment: the run's deployment.
        stack: the stack the run uses.
        live_steps: step functions by step name, when the pipeline was compiled in
            this process (else they are imported from the spec's import paths).
    """

    def __init__(
        self,
        deployment: PipelineDeployment,
        stack: Stack,
        live_steps: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        self.deployment = deployment
        self.stack = stack
        self.store: BaseMetadataStore = stack.metadata_store
        self._functions = dict(live_steps or {})
        self._outputs: dict[str, dict[str, ArtifactRecord]] = {}
        self._types: dict[str, type] = {}
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        store = stack.artifact_store
        self._store_id = f"{store.FLAVOR}:{store.path}"

    # ------------------------------------------------------------ inputs
    def _step_outputs(self, step_name: str) -> dict[str, ArtifactRecord]:
        with self._lock:
            known = self._outputs.get(step_name)
        if known is not None:
            return known
        for record in self.store.get_step_runs(self.deployment.run_id):
            if record.name == step_name and record.status in (
                ExecutionStatus.COMPLETED,
                ExecutionStatus.CACHED,
            ):
                outputs = self.store.get_step_outputs(record.id)
                with self._lock:
                    self._outputs[step_name] = outputs
                return outputs
        raise CairnError(
            f"Step '{step_name}' of run '{self.deployment.run_name}' has not completed, so its "
            "outputs cannot be used yet."
        )

    def input_artifacts(self, step: StepSpec) -> dict[str, ArtifactRecord]:
        """The artifacts bound to the inputs of ``step``, by argument name."""
        artifacts: dict[str, ArtifactRecord] = {}
        for arg, source in step.inputs.items():
            outputs = self._step_outputs(source.step)
            try:
                artifacts[arg] = outputs[source.output]
            except KeyError as exc:
                raise CairnError(
                    f"Step '{source.step}' recorded no output '{source.output}' "
                    f"(needed by step '{step.name}')."
                ) from exc
        for arg, artifact_id in self.deployment.external_artifacts.get(step.name, {}).items():
            artifacts[arg] = self.store.get_artifact(artifact_id)  # resolved when the run started
        return artifacts

    def _load_inputs(self, artifacts: Mapping[str, ArtifactRecord]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        store = self.stack.artifact_store
        for arg, artifact in artifacts.items():
            data_type = self._declared_type(artifact.data_type)
            materializer = _materializer_class(artifact.materializer)
            values[arg] = materializer(artifact.uri, store).load(data_type)
        return values

    def cancel(self) -> None:
        """The run was cancelled: steps still running in threads of this process save no
        output when their function returns (Python cannot stop a thread)."""
        self._cancelled.set()

    # ------------------------------------------------------------ run
    def run(self, step_name: str) -> StepRunRecord:
        """Run one step (or reuse its cached outputs) and record everything.

        Raises:
            StepFailedError: the step's code raised (after all retries) or timed out.
        """
        step = self.deployment.step(step_name)
        inputs = self.input_artifacts(step)
        key = cache_key(step, {arg: a.content_hash for arg, a in inputs.items()}, self._store_id)
        enabled, origin = cache_setting(self.deployment, step_name)
        with self.store.batch():  # one transaction: record, cache check, inputs
            record = self.store.create_step_run(
                self.deployment.run_id,
                step_name,
                cache_key=key,
                parameters=step.parameters,
                code_hash=step.code_hash,
            )
            if enabled:
                reused = self._try_cache(record, step, key)
                if reused is not None:
                    return reused
                reason = f"no earlier completed step run has cache key {key[:12]}"
            else:
                reason = f"caching disabled by {origin}"
            for arg, artifact in inputs.items():
                self.store.record_input(record.id, arg, artifact.id)
        return self._execute(record, step, inputs, reason)

    def reuse_cached(self, step_name: str) -> StepRunRecord | None:
        """Record step ``step_name`` as reused from the cache if it can be, else ``None``.

        Orchestrators whose dispatch starts a worker call this first, so that a
        step whose outputs are reused never starts one. Nothing is recorded when
        the step cannot be reused (the worker's :meth:`run` checks again).
        """
        step = self.deployment.step(step_name)
        enabled, _ = cache_setting(self.deployment, step_name)
        if not enabled:
            return None
        inputs = self.input_artifacts(step)
        key = cache_key(step, {arg: a.content_hash for arg, a in inputs.items()}, self._store_id)
        prior = self.store.find_cached_step(key)
        if prior is None or set(self.store.get_step_outputs(prior.id)) != set(step.outputs):
            return None
        try:
            with self.store.batch():
                record = self.store.create_step_run(
                    self.deployment.run_id,
                    step_name,
                    cache_key=key,
                    parameters=step.parameters,
                    code_hash=step.code_hash,
                )
                reused = self._try_cache(record, step, key)
                if reused is None:  # it went away meanwhile: record nothing
                    raise _NotReused
        except _NotReused:
            return None
        return reused

    def _try_cache(self, record: StepRunRecord, step: StepSpec, key: str) -> StepRunRecord | None:
        prior = self.store.find_cached_step(key)
        if prior is None:
            return None
        outputs = self.store.get_step_outputs(prior.id)
        if set(outputs) != set(step.outputs):
            return None
        for name, artifact in outputs.items():
            self.store.link_output(record.id, name, artifact.id)
        reuse_outputs(self.store, self.deployment, step, outputs, prior.id, record.id)
        source = prior.cached_from or prior.id
        reason = f"reused outputs of step run {source} (same cache key {key[:12]})"
        finished = self.store.finish_step_run(
            record.id,
            ExecutionStatus.CACHED,
            cached=True,
            cache_reason=reason,
            cached_from=source,
            record=record,
        )
        with self._lock:
            self._outputs[step.name] = outputs
        return finished

    def _execute(
        self,
        record: StepRunRecord,
        step: StepSpec,
        inputs: Mapping[str, ArtifactRecord],
        reason: str,
    ) -> StepRunRecord:
        ending = _Ending(reason)
        if step.hooks:
            self._call_hooks(step, record.id, None, start=True)
        with capture_logs() as logs:
            while True:
                ending.attempts += 1
                context = self._context(step, record, ending.attempts)
                try:
                    written = self._attempt(step, inputs, context)
                except StepFailedError as exc:
                    if ending.attempts <= step.retries and not isinstance(exc, StepTimeoutError):
                        continue
                    ending.logs_uri = self._save_logs(step, logs.getvalue())
                    self._record_failure(record, exc, ending)
                    if step.hooks:
                        self._call_hooks(step, record.id, exc)
                    raise
                ending.logs_uri = self._save_logs(step, logs.getvalue())
                finished = self._record_success(record, step, written, context, ending)
                if step.hooks:
                    self._call_hooks(step, record.id, None)
                return finished

    def _call_hooks(
        self, step: StepSpec, step_run_id: str, error: BaseException | None, start: bool = False
    ) -> None:
        """The step's ``on_start`` hook, or its end hooks (see :mod:`cairn.execution.hooks`)."""
        from cairn.execution.hooks import HookContext, call_end_hooks, call_hook, user_exception

        context = HookContext(
            "on_start" if start else "on_end",
            self.deployment.pipeline.name,
            functools.partial(self.store.get_run, self.deployment.run_id),
            functools.partial(self.store.get_step_run, step_run_id),
            None if error is None else user_exception(error),
            self.stack,
            step_name=step.name,
        )
        if not start:
            call_end_hooks(step.hooks, context)
        elif "on_start" in step.hooks:
            call_hook(step.hooks["on_start"], context)

    def _save_logs(self, step: StepSpec, text: str) -> str | None:
        """Store what the step printed (nothing when it printed nothing); return the URI."""
        if not text:
            return None
        store = self.stack.artifact_store
        uri = store.join("runs", self.deployment.run_id, ".logs", f"{step.name}.txt")
        try:
            store.makedirs(uri.rsplit("/", 1)[0])
            with store.open(uri, "w") as f:
                f.write(text)
        except OSError:  # logs are a convenience: never fail a step for them
            return None
        return uri

    def _context(self, step: StepSpec, record: StepRunRecord, attempt: int) -> StepContext:
        uris = {o: artifact_uri(self.stack, self.deployment, step.name, o) for o in step.outputs}
        return StepContext(
            step_name=step.name,
            run_name=self.deployment.run_name,
            run_id=self.deployment.run_id,
            pipeline_name=self.deployment.pipeline.name,
            step_run_id=record.id,
            stack=self.stack,
            output_uris=uris,
            attempt=attempt,
            model_version_id=self.deployment.model_versions.get(step.name),
            artifact_names={o: spec.artifact_name or o for o, spec in step.outputs.items()},
        )

    def _function(self, step: StepSpec) -> Callable[..., Any]:
        func = self._functions.get(step.name)
        if func is None:
            func = self._functions[step.name] = load_step_function(step)
        return func

    def _attempt(
        self, step: StepSpec, inputs: Mapping[str, ArtifactRecord], context: StepContext
    ) -> dict[str, WrittenArtifact]:
        try:
            func = self._function(step)
            kwargs = {**self._parameters(step, func), **self._load_inputs(inputs)}
        except Exception as exc:
            raise StepFailedError(step.name, f"Step '{step.name}' could not start: {exc}") from exc
        token = set_step_context(context)
        try:
            result = self._call_with_hooks(step, func, kwargs, context)
        finally:
            reset_step_context(token)
        try:
            if self._cancelled.is_set():  # a thread that outlived its cancelled run writes nothing
                raise StepFailedError(
                    step.name, f"Step '{step.name}' ended after its run was cancelled."
                )
            return self._save_outputs(step, result, context)
        except StepFailedError:
            raise
        except Exception as exc:
            raise StepFailedError(
                step.name, f"Step '{step.name}' could not save its outputs: {exc}"
            ) from exc

    def _hook_components(self, step: StepSpec) -> list[Any]:
        out = []
        for ctype, component in self.stack.components.items():
            if ctype not in _OPTIONAL_HOOKS:
                out.append(component)
        if step.experiment_tracker and self.stack.experiment_tracker is not None:
            out.append(self.stack.experiment_tracker)
        return out

    @staticmethod
    def _parameters(step: StepSpec, func: Callable[..., Any]) -> dict[str, Any]:
        """Parameters as the function expects them (pydantic models rebuilt from JSON)."""
        values = dict(step.parameters)
        if not values:
            return values
        for name, model in model_parameters(func).items():
            if name in values and isinstance(values[name], dict):
                values[name] = model.model_validate(values[name])
        return values

    def _call_with_hooks(
        self,
        step: StepSpec,
        func: Callable[..., Any],
        kwargs: dict[str, Any],
        context: StepContext,
    ) -> Any:
        """Call the step between ``prepare_step_run`` and ``cleanup_step_run`` of components."""
        from cairn.models.run_info import StepRunInfo

        components = self._hook_components(step)
        info = StepRunInfo(
            run_id=context.run_id,
            run_name=context.run_name,
            pipeline_name=context.pipeline_name,
            stack_name=self.stack.name,
            step_name=step.name,
            step_run_id=context.step_run_id,
            attempt=context.attempt,
        )
        prepared = []
        ok = False
        try:
            for component in components:
                component.prepare_step_run(info)
                prepared.append(component)
            if step.timeout is not None:
                result = call_with_timeout(step, func, kwargs, context)
            else:
                result = func(**kwargs)
            ok = True
            return result
        except StepFailedError:
            raise
        except (Exception, KeyboardInterrupt, SystemExit) as exc:  # the step's own code
            raise failed(step.name, exc) from exc
        finally:
            for component in reversed(prepared):
                component.cleanup_step_run(info, not ok)

    # ------------------------------------------------------------ outputs
    def _save_outputs(
        self, step: StepSpec, result: Any, context: StepContext
    ) -> dict[str, WrittenArtifact]:
        values = split_outputs(step, result)
        for name, value in values.items():
            self._check_type(step, name, value)
        written: dict[str, WrittenArtifact] = {}
        root = run_folder(self.stack, self.deployment)
        for name, value in values.items():
            spec = step.outputs[name]
            materializer = self._materializer(spec.type, spec.materializer, value)
            uri = context.output_uris[name]
            written[name] = write_artifact(
                self.stack.artifact_store, uri, materializer, value, inside=root
            )
        return written

    def _declared_type(self, source: str) -> type:
        found = self._types.get(source)
        if found is None:
            from cairn.materializers.artifact_io import resolve_data_type

            name = source
            if name.startswith("__main__:") and MAIN_ALIAS in sys.modules:
                name = MAIN_ALIAS + name[len("__main__") :]
            found = self._types[source] = resolve_data_type(name)
        return found

    def _check_type(self, step: StepSpec, output: str, value: Any) -> None:
        """The value of an output must be of its declared type (``Any``: not checked).

        Raises:
            StepFailedError: naming the step, the output, the declared and actual type.
        """
        declared = step.outputs[output].type
        if declared in _UNCHECKED:
            return
        expected = self._declared_type(declared)
        if expected is object or isinstance(value, expected):
            return
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            return
        raise StepFailedError(
            step.name,
            f"Step '{step.name}' returned a {type(value).__module__}.{type(value).__qualname__} "
            f"for output '{output}', which is declared as {declared.replace(':', '.')}: return "
            "a value of the declared type, or change the annotation.",
        )

    @staticmethod
    def _materializer(declared: str, source: str, value: Any) -> type[BaseMaterializer]:
        if declared in ("typing:Any", "builtins:object"):
            return materializer_for(type(value))
        return _materializer_class(source)

    def _record_success(
        self,
        record: StepRunRecord,
        step: StepSpec,
        written: Mapping[str, WrittenArtifact],
        context: StepContext,
        ending: _Ending,
    ) -> StepRunRecord:
        outputs: dict[str, ArtifactRecord] = {}
        with self.store.batch():  # one transaction: artifacts, metadata, completion
            for name, artifact in written.items():
                outputs[name] = self.store.register_artifact(
                    record.id,
                    name,
                    artifact.uri,
                    artifact.data_type,
                    artifact.materializer,
                    size=artifact.size,
                    content_hash=artifact.content_hash,
                    properties=artifact.properties,
                )
            for key, value in context.metadata.items():
                self.store.log_metadata(record.id, key, value)
            register_outputs(self.store, self.deployment, step, outputs, context)
            finished = self.store.finish_step_run(
                record.id,
                ExecutionStatus.COMPLETED,
                cache_reason=ending.reason,
                attempts=ending.attempts,
                logs_uri=ending.logs_uri,
                record=record,
            )
        with self._lock:
            self._outputs[step.name] = outputs
        return finished

    def _record_failure(self, record: StepRunRecord, exc: StepFailedError, ending: _Ending) -> None:
        cause = exc.__cause__ or exc
        text = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
        # If the run ended meanwhile (cancelled, or its process died), nothing is recorded.
        with contextlib.suppress(RunNotRunningError):
            self.store.finish_step_run(
                record.id,
                ExecutionStatus.FAILED,
                cache_reason=ending.reason,
                error=f"{exc}\n{text}",
                attempts=ending.attempts,
                logs_uri=ending.logs_uri,
            )


class _NotReused(Exception):
    """Rolls back a cache reuse whose origin went away between the check and the write."""


@dataclass
class _Ending:
    """How a step run ends: why it was not cached, attempts made, where its logs are."""

    reason: str
    attempts: int = 0
    logs_uri: str | None = None


@functools.lru_cache(maxsize=256)
def _materializer_class(source: str) -> type[BaseMaterializer]:
    """The materializer class of an import path (imported once per process)."""
    return load_materializer(source)
