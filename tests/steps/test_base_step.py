"""``@step``: options, direct calls, tracing inside a pipeline, parameter checks."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel

from cairn import step
from cairn.exceptions import PipelineDefinitionError
from cairn.steps import BaseStep
from cairn.steps.tracing import OutputHandle, PipelineTracer, StepOutputs, tracing


class Config(BaseModel):
    depth: int = 3


@step
def produce() -> int:
    return 3


@step(name="trainer", enable_cache=False, retries=2, timeout=5.0)
def train(
    x: int, lr: float = 0.1, config: Config | None = None
) -> tuple[Annotated[int, "model"], Annotated[float, "accuracy"]]:
    return x, lr


def test_decorator_forms_and_options() -> None:
    assert isinstance(produce, BaseStep)
    assert produce.name == "produce"
    assert (train.name, train.enable_cache, train.retries, train.timeout) == (
        "trainer",
        False,
        2,
        5.0,
    )
    assert train.source.endswith(":train")


def test_outside_a_pipeline_a_step_is_a_plain_function() -> None:
    assert produce() == 3
    assert train(2, lr=0.5) == (2, 0.5)


def test_invalid_options_are_rejected() -> None:
    with pytest.raises(PipelineDefinitionError, match="retries"):
        step(retries=-1)(lambda: 1)
    with pytest.raises(PipelineDefinitionError, match="timeout"):
        step(timeout=0)(lambda: 1)
    with pytest.raises(PipelineDefinitionError, match="Unknown step option"):
        produce.with_options(colour="red")


def test_with_options_copies() -> None:
    other = produce.with_options(name="other", enable_cache=False)
    assert other.name == "other" and produce.name == "produce"


def test_traced_calls_return_handles_and_unique_names() -> None:
    tracer = PipelineTracer("p")
    with tracing(tracer):
        x = produce()
        outputs = train(x, lr=0.5)
        again = train(x)
    assert isinstance(x, OutputHandle) and x.output == "output"
    assert isinstance(outputs, StepOutputs)
    model, accuracy = outputs
    assert (model.output, accuracy.output) == ("model", "accuracy")
    assert outputs["accuracy"] == accuracy and outputs.model == model
    assert list(tracer.calls) == ["produce", "trainer", "trainer_2"]
    assert tracer.calls["trainer"].inputs == {"x": x}
    assert tracer.calls["trainer"].parameters == {"lr": 0.5, "config": None}
    assert tracer.calls["trainer_2"].parameters == {"lr": 0.1, "config": None}
    assert isinstance(again, StepOutputs)


def test_pydantic_parameters_are_recorded_as_json() -> None:
    tracer = PipelineTracer("p")
    with tracing(tracer):
        train(produce(), config=Config(depth=5))
        train(produce(), config={"depth": 7})
    assert tracer.calls["trainer"].parameters["config"] == {"depth": 5}
    assert tracer.calls["trainer_2"].parameters["config"] == {"depth": 7}


def _error_of(func: object) -> str:
    tracer = PipelineTracer("p")
    with tracing(tracer), pytest.raises(PipelineDefinitionError) as info:
        func()  # type: ignore[operator]
    return str(info.value)


def test_unknown_parameter_points_at_the_callers_line() -> None:
    message = _error_of(lambda: train(produce(), learning_rate=3))
    assert "test_base_step.py:" in message
    assert "learning_rate" in message and "x, lr, config" in message


def test_wrong_parameter_type() -> None:
    assert "expects float" in _error_of(lambda: train(produce(), lr="fast"))


def test_non_json_parameter() -> None:
    assert "not JSON data" in _error_of(lambda: train(produce(), config=object()))


def test_unknown_output_name() -> None:
    assert "has no output 'loss'" in _error_of(lambda: train(produce())["loss"])


def test_wrong_input_type() -> None:
    @step
    def text() -> str:
        return "a"

    message = _error_of(lambda: train(text()))
    assert "expects int" in message and "is str" in message


def test_passing_all_outputs_of_a_multi_output_step() -> None:
    @step
    def consume(x: int) -> int:
        return x

    assert "pick one" in _error_of(lambda: consume(train(produce())))


def test_handle_cannot_be_used_as_a_condition() -> None:
    assert "cannot be used in an `if`" in _error_of(lambda: bool(produce()))


def test_code_hash_follows_the_source_code() -> None:
    def make(body: int) -> BaseStep:
        namespace: dict[str, object] = {}
        exec(f"def f(x: int) -> int:\n    return x + {body}\n", namespace)
        return step(namespace["f"])  # type: ignore[arg-type]

    assert produce.code_hash == produce.code_hash
    assert len(produce.code_hash) == 64
    assert make(1).code_hash == make(1).code_hash  # no source file: bytecode and constants
    assert make(1).code_hash != make(2).code_hash
    assert produce.code_hash != train.code_hash
