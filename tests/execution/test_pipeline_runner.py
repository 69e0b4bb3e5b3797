"""Running pipelines on the default stack: records, caching, options, failures, retries."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

import pytest
from pydantic import BaseModel

from cairn import get_step_context, log_metadata, pipeline, step
from cairn.enums import ExecutionStatus, StackComponentType
from cairn.exceptions import (
    CairnUserError,
    ComponentNotRunningError,
    ConfigurationError,
    PipelineRunFailedError,
)
from cairn.experiment_trackers import BaseExperimentTracker
from cairn.metadata_stores import BaseMetadataStore
from cairn.models.run_info import PipelineRunInfo, StepRunInfo
from cairn.stack import StackRegistry
from cairn.stack.flavor_registry import register_custom_flavor
from cairn.stack.stack_component import RuntimeOption

EVENTS: list[tuple[str, Any]] = []
ATTEMPTS: dict[str, int] = {}


class Settings(BaseModel):
    depth: int = 2


@step
def source(n: int = 3) -> list[int]:
    return list(range(n))


@step
def train(
    data: list[int], lr: float = 0.1, settings: Settings | None = None
) -> tuple[Annotated[dict[str, Any], "model"], Annotated[float, "accuracy"]]:
    context = get_step_context()
    EVENTS.append(("context", (context.step_name, context.run_name, sorted(context.output_uris))))
    assert settings is None or isinstance(settings, Settings)
    log_metadata(accuracy=0.75, note="ok")
    depth = settings.depth if settings else 0
    return {"lr": lr, "n": len(data), "depth": depth}, 0.75


@pipeline
def training(lr: float = 0.1) -> None:
    data = source()
    train(data, lr=lr)


def _store() -> BaseMetadataStore:
    return StackRegistry().get_stack().metadata_store


def _steps(run_id: str) -> dict[str, Any]:
    return {s.name: s for s in _store().get_step_runs(run_id)}


def test_run_records_steps_artifacts_and_metadata() -> None:
    EVENTS.clear()
    run = training(lr=0.5).run(run_name="first")
    assert run.status == ExecutionStatus.COMPLETED and run.name == "first"
    assert run.parameters == {"lr": 0.5}
    store = _store()
    steps = _steps(run.id)
    assert {n: s.status for n, s in steps.items()} == {
        "source": ExecutionStatus.COMPLETED,
        "train": ExecutionStatus.COMPLETED,
    }
    outputs = store.get_step_outputs(steps["train"].id)
    assert set(outputs) == {"model", "accuracy"}
    assert outputs["model"].content_hash
    inputs = store.get_step_inputs(steps["train"].id)
    assert inputs["data"].id == store.get_step_outputs(steps["source"].id)["output"].id
    metadata = store.get_metadata(steps["train"].id)
    assert metadata["accuracy"].value == 0.75 and metadata["note"].value == "ok"
    assert ("context", ("train", "first", ["accuracy", "model"])) in EVENTS
    assert steps["train"].parameters == {"lr": 0.5, "settings": None}


def test_second_run_is_cached_and_says_why() -> None:
    first = training().run()
    second = training().run()
    steps = _steps(second.id)
    assert all(s.status == ExecutionStatus.CACHED and s.cached for s in steps.values())
    assert "reused outputs of step run" in steps["train"].cache_reason
    assert steps["train"].cached_from == _steps(first.id)["train"].id
    assert "no earlier completed step run" in _steps(first.id)["train"].cache_reason


def test_changed_parameter_reruns_only_affected_steps() -> None:
    training(lr=0.1).run()
    run = training(lr=0.2).run()
    steps = _steps(run.id)
    assert steps["source"].status == ExecutionStatus.CACHED
    assert steps["train"].status == ExecutionStatus.COMPLETED


def test_run_enable_cache_false_overrides_everything() -> None:
    training().run()
    run = training().run(enable_cache=False)
    steps = _steps(run.id)
    assert all(s.status == ExecutionStatus.COMPLETED for s in steps.values())
    assert steps["train"].cache_reason == "caching disabled by run(enable_cache=...)"


def test_step_setting_beats_pipeline_setting() -> None:
    @step(enable_cache=True)
    def cached_one() -> int:
        return 1

    @step
    def plain(x: int) -> int:
        return x

    @pipeline(enable_cache=False)
    def p() -> None:
        plain(cached_one())

    p().run()
    steps = _steps(p().run().id)
    assert steps["cached_one"].status == ExecutionStatus.CACHED
    assert steps["plain"].cache_reason == "caching disabled by @pipeline(enable_cache=...)"


def test_pydantic_parameters_reach_the_step_as_models() -> None:
    @pipeline
    def p() -> None:
        train(source(), settings=Settings(depth=5))

    run = p().run()
    store = _store()
    model = store.get_step_outputs(_steps(run.id)["train"].id)["model"]
    from cairn.materializers import load_artifact

    artifact_store = StackRegistry().get_stack().artifact_store
    loaded = load_artifact(artifact_store, model.uri, model.materializer, dict)
    assert loaded["depth"] == 5


@step
def explode(data: list[int]) -> int:
    raise ValueError("the data is bad")


@step
def after_explode(x: int) -> int:
    EVENTS.append(("after", x))
    return x


def test_failure_marks_step_and_run_failed_with_user_traceback() -> None:
    EVENTS.clear()

    @pipeline
    def failing() -> None:
        after_explode(explode(source()))

    with pytest.raises(PipelineRunFailedError) as info:
        failing().run(run_name="bad")
    message = str(info.value)
    assert info.value.failed_steps == ["explode"]
    assert "ValueError: the data is bad" in message
    assert 'raise ValueError("the data is bad")' in message  # the user's traceback
    run = _store().get_run("bad")
    assert run.status == ExecutionStatus.FAILED
    steps = _steps(run.id)
    assert steps["explode"].status == ExecutionStatus.FAILED
    assert "the data is bad" in (steps["explode"].error or "")
    assert "after_explode" not in steps and ("after", 0) not in EVENTS


@step(retries=2)
def flaky() -> int:
    ATTEMPTS["flaky"] = ATTEMPTS.get("flaky", 0) + 1
    if ATTEMPTS["flaky"] < 3:
        raise RuntimeError("transient")
    return ATTEMPTS["flaky"]


@step(retries=1)
def always_fails() -> int:
    ATTEMPTS["always"] = ATTEMPTS.get("always", 0) + 1
    raise RuntimeError("permanent")


def test_retries_then_success_records_attempts() -> None:
    ATTEMPTS.clear()
    run = pipeline(lambda: flaky())().run(enable_cache=False)
    record = _steps(run.id)["flaky"]
    assert record.status == ExecutionStatus.COMPLETED and record.attempts == 3


def test_retries_exhausted_fail_the_run() -> None:
    ATTEMPTS.clear()
    with pytest.raises(PipelineRunFailedError, match="permanent"):
        pipeline(lambda: always_fails())().run(enable_cache=False)
    assert ATTEMPTS["always"] == 2


RELEASE = threading.Event()


@step(timeout=0.2)
def too_slow() -> int:
    RELEASE.wait(10)
    return 1


def test_timeout_fails_the_step_in_thread_mode() -> None:
    RELEASE.clear()
    try:
        with pytest.raises(PipelineRunFailedError, match=r"timeout of 0\.2 s") as info:
            pipeline(lambda: too_slow())().run(run_name="slow")
    finally:
        RELEASE.set()
    assert info.value.failed_steps == ["too_slow"]
    steps = _steps(_store().get_run("slow").id)
    assert steps["too_slow"].status == ExecutionStatus.FAILED
    assert "StepTimeoutError" in (steps["too_slow"].error or "") or "timeout" in (
        steps["too_slow"].error or ""
    )


def test_step_context_outside_a_step() -> None:
    with pytest.raises(CairnUserError, match="only inside a step"):
        get_step_context()
    with pytest.raises(CairnUserError):
        log_metadata(x=1)


# ---------------------------------------------------------------- runtime options
class OptionTracker(BaseExperimentTracker):
    """A component declaring runtime options and recording the hooks it receives."""

    FLAVOR: ClassVar[str] = "option_tracker"
    RUNTIME_OPTIONS: ClassVar[Mapping[str, RuntimeOption]] = {
        "runtime_param_1": RuntimeOption(description="a number", type="int"),
        "another_param": RuntimeOption(description="a name"),
    }
    running: bool = True

    def prepare_pipeline_deployment(
        self, pipeline: Any, stack: Any, runtime_configuration: Mapping[str, Any]
    ) -> None:
        EVENTS.append(("prepare", (pipeline.name, dict(runtime_configuration))))

    def prepare_step_run(self, info: StepRunInfo) -> None:
        assert info.step_name == get_step_context().step_name
        EVENTS.append(("prepare_step", info.step_name))

    def cleanup_step_run(self, info: StepRunInfo, failed: bool) -> None:
        EVENTS.append(("cleanup_step", None))

    def cleanup_pipeline_run(self, info: PipelineRunInfo, failed: bool) -> None:
        EVENTS.append(("cleanup_pipeline", None))

    @property
    def is_running(self) -> bool:
        return self.running


def _use_tracker_stack(running: bool = True) -> None:
    registry = StackRegistry()
    register_custom_flavor(
        registry.store, StackComponentType.EXPERIMENT_TRACKER, f"{__name__}:OptionTracker"
    )
    registry.register_component(
        StackComponentType.EXPERIMENT_TRACKER, "tracker", "option_tracker", {"running": running}
    )
    default = registry.store.get_stack("default").components
    registry.register_stack(
        "with_tracker",
        {**default, StackComponentType.EXPERIMENT_TRACKER: "tracker"},
        activate=True,
    )


def test_runtime_options_reach_prepare_pipeline_deployment() -> None:
    EVENTS.clear()
    _use_tracker_stack()

    @step(experiment_tracker="tracker")
    def tracked() -> int:
        return 1

    run = pipeline(name="opts")(lambda: tracked())().run(runtime_param_1=3, another_param="luna")
    assert ("prepare", ("opts", {"runtime_param_1": 3, "another_param": "luna"})) in EVENTS
    assert ("prepare_step", "tracked") in EVENTS and ("cleanup_step", None) in EVENTS
    assert EVENTS[-1] == ("cleanup_pipeline", None)
    assert _store().get_run(run.id).runtime_options == {
        "runtime_param_1": 3,
        "another_param": "luna",
    }


def test_unknown_runtime_option_lists_accepted_ones() -> None:
    _use_tracker_stack()
    with pytest.raises(ConfigurationError) as info:
        training().run(runtime_param_2=1)
    message = str(info.value)
    assert "runtime_param_2" in message
    assert "another_param (tracker)" in message and "runtime_param_1 (tracker)" in message
    assert "run_name, enable_cache, schedule" in message


def test_unknown_runtime_option_on_the_default_stack() -> None:
    with pytest.raises(ConfigurationError, match="Unknown runtime option"):
        training().run(colour="red")


def test_component_not_running_asks_for_stack_up() -> None:
    _use_tracker_stack(running=False)
    with pytest.raises(ComponentNotRunningError, match="cairn stack up"):
        training().run()
    assert _store().list_runs() == []


def test_step_naming_a_missing_experiment_tracker() -> None:
    @step(experiment_tracker="nope")
    def tracked() -> int:
        return 1

    with pytest.raises(CairnUserError, match="experiment tracker 'nope'"):
        pipeline(lambda: tracked())().run()


@step
def chatty(tag: str) -> int:
    print(f"hello from {tag}")
    import sys

    print(f"warning from {tag}", file=sys.stderr)
    return 1


@step
def silent() -> int:
    return 2


def test_each_step_keeps_what_it_printed() -> None:
    @pipeline(enable_cache=False)
    def p() -> None:
        chatty("a")
        chatty("b")
        silent()

    run = p().run()
    steps = run.steps
    assert steps["chatty"].logs() == "hello from a\nwarning from a\n"
    assert steps["chatty_2"].logs() == "hello from b\nwarning from b\n"
    assert steps["silent"].logs() == "" and steps["silent"].record.logs_uri is None


def test_logs_of_a_failed_step_are_kept() -> None:
    @step
    def noisy_failure() -> int:
        print("about to fail")
        raise RuntimeError("nope")

    with pytest.raises(PipelineRunFailedError):
        pipeline(lambda: noisy_failure())().run(run_name="noisy")
    from cairn.client import Client

    assert Client().get_run("noisy").steps["noisy_failure"].logs() == "about to fail\n"


def test_one_heartbeat_thread_beats_for_every_running_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    from cairn.execution import pipeline_runner

    class Store:
        def __init__(self) -> None:
            self.beats: list[str] = []
            self.lock = threading.Lock()

        def heartbeat(self, run_id: str) -> None:
            with self.lock:
                self.beats.append(run_id)

    monkeypatch.setattr(pipeline_runner, "HEARTBEAT_SECONDS", 0.02)
    beats = pipeline_runner._Heartbeats()
    store = Store()
    first, second = beats.add(store, "a"), beats.add(store, "b")  # type: ignore[arg-type]
    deadline = time.monotonic() + 10
    while not {"a", "b"} <= set(store.beats) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert {"a", "b"} <= set(store.beats)
    first.set()
    time.sleep(0.1)  # a beat under way when it stopped may still land
    with store.lock:
        store.beats.clear()
    deadline = time.monotonic() + 10
    while store.beats.count("b") < 2 and time.monotonic() < deadline:
        time.sleep(0.01)  # two more beats of the run still going
    with store.lock:
        assert "a" not in store.beats and store.beats.count("b") >= 2
    second.set()
