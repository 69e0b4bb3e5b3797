"""``@pipeline``: parameters, tracing, compilation and definition errors."""

from __future__ import annotations

import warnings
from typing import Annotated, Any, ClassVar

import pytest

from cairn import pipeline, step
from cairn.exceptions import PipelineDefinitionError
from cairn.materializers import BaseMaterializer
from cairn.models.pipeline_spec import InputSpec, PipelineSpec, StepSpec
from cairn.pipelines import ConfiguredPipeline


@step
def load() -> list[int]:
    return [1, 2, 3]


@step(enable_cache=False)
def train(
    data: list[int], lr: float = 0.1
) -> tuple[Annotated[dict[str, float], "model"], Annotated[float, "accuracy"]]:
    return {"lr": lr}, 0.9


@step
def report(model: dict[str, float], accuracy: float) -> None:
    pass


@pipeline
def training(lr: float = 0.1) -> None:
    data = load()
    model, accuracy = train(data, lr=lr)
    report(model, accuracy)
    train(data, lr=0.2)


def test_configure_and_compile() -> None:
    configured = training(lr=0.05)
    assert isinstance(configured, ConfiguredPipeline)
    spec = configured.compile()
    assert spec.name == "training" and spec.parameters == {"lr": 0.05}
    assert list(spec.steps) == ["load", "train", "report", "train_2"]
    assert spec.steps["train"].parameters == {"lr": 0.05}
    assert spec.steps["train_2"].parameters == {"lr": 0.2}
    assert spec.steps["train"].inputs == {"data": InputSpec(step="load", output="output")}
    assert spec.steps["report"].upstream == ["train"]
    assert list(spec.steps["train"].outputs) == ["model", "accuracy"]
    assert spec.steps["train"].enable_cache is False
    assert spec.steps["load"].source == f"{__name__}:load"


def test_spec_json_round_trip() -> None:
    spec = training().compile()
    again = PipelineSpec.model_validate_json(spec.model_dump_json())
    assert again == spec
    assert again.topological_order() == ["load", "train", "train_2", "report"] or (
        again.topological_order().index("report") > again.topological_order().index("train")
    )


def test_pipeline_options() -> None:
    @pipeline(name="custom", enable_cache=False)
    def p() -> None:
        load()

    spec = p().compile()
    assert (spec.name, spec.enable_cache) == ("custom", False)


def test_unknown_pipeline_parameter_points_at_caller() -> None:
    with pytest.raises(PipelineDefinitionError, match=r"test_pipeline\.py:\d+.*learning_rate"):
        training(learning_rate=1)


def test_step_parameter_overrides_from_config() -> None:
    spec = training().compile({"train_2": {"lr": 0.7}})
    assert spec.steps["train_2"].parameters == {"lr": 0.7}
    with pytest.raises(PipelineDefinitionError, match="no step 'nope'"):
        training().compile({"nope": {"lr": 1}})
    with pytest.raises(PipelineDefinitionError, match="no parameter 'data'"):
        training().compile({"train": {"data": [1]}})


def test_empty_pipeline_is_an_error() -> None:
    @pipeline
    def empty() -> None:
        pass

    with pytest.raises(PipelineDefinitionError, match="calls no step"):
        empty().compile()


def test_error_inside_pipeline_function_names_the_pipeline() -> None:
    @pipeline
    def broken() -> None:
        load()
        raise RuntimeError("oops")

    with pytest.raises(PipelineDefinitionError, match="raised while it was traced"):
        broken().compile()


def test_handle_from_another_pipeline_is_an_error() -> None:
    leaked: list[Any] = []

    @pipeline
    def first() -> None:
        leaked.append(load())

    @pipeline
    def second() -> None:
        train(leaked[0])

    first().compile()
    with pytest.raises(PipelineDefinitionError, match="not part of pipeline 'second'"):
        second().compile()


def test_cycle_is_detected() -> None:
    def node(name: str, upstream: list[str]) -> StepSpec:
        return StepSpec(name=name, source="m:f", code_hash="x", upstream=upstream)

    spec = PipelineSpec(name="p", steps={"a": node("a", ["b"]), "b": node("b", ["a"])})
    with pytest.raises(PipelineDefinitionError, match="cycle"):
        spec.validate_dag()


def test_after_orders_steps_without_data() -> None:
    @pipeline
    def ordered() -> None:
        first = load()
        load(after=first)

    spec = ordered().compile()
    assert spec.steps["load_2"].upstream == ["load"]


class IntOnly(BaseMaterializer):
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (int,)
    AUTO_REGISTER = False  # only used through materializers=

    def load(self, data_type: type) -> Any:
        return 0

    def save(self, data: Any) -> None:
        pass


def test_materializer_that_does_not_handle_the_type() -> None:
    @step(materializers={"output": IntOnly})
    def text() -> str:
        return "a"

    @pipeline
    def p() -> None:
        text()

    with pytest.raises(PipelineDefinitionError, match=r"does not handle builtins\.str"):
        p().compile()


def test_materializer_for_unknown_output_and_non_materializer() -> None:
    @step(materializers={"nope": IntOnly})
    def number() -> int:
        return 1

    @step(materializers=dict)  # type: ignore[arg-type]
    def other() -> int:
        return 1

    with pytest.raises(PipelineDefinitionError, match="unknown output"):
        pipeline(lambda: number())().compile()
    with pytest.raises(PipelineDefinitionError, match="not a subclass"):
        pipeline(lambda: other())().compile()


def test_custom_materializer_is_recorded() -> None:
    @step(materializers=IntOnly)
    def number() -> int:
        return 1

    spec = pipeline(lambda: number())().compile()
    assert spec.steps["number"].outputs["output"].materializer == IntOnly.source()


def test_unregistered_type_falls_back_to_pickle_with_warning() -> None:
    class Thing:
        pass

    @step
    def thing() -> Thing:
        return Thing()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spec = pipeline(lambda: thing())().compile()
    assert "cloudpickle" in spec.steps["thing"].outputs["output"].materializer
    assert any("cloudpickle" in str(w.message) for w in caught)
