"""Reading inputs and outputs of step functions from their annotations."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from cairn.exceptions import PipelineDefinitionError
from cairn.steps.step_signature import analyse, is_compatible, parse_outputs, type_source


def test_single_return_is_named_output() -> None:
    assert parse_outputs(int, "x") == {"output": int}


def test_annotated_return_names_the_output() -> None:
    assert parse_outputs(Annotated[int, "count"], "x") == {"count": int}


def test_tuple_of_annotated_gives_several_outputs() -> None:
    hint = tuple[Annotated[dict, "model"], Annotated[float, "accuracy"]]
    assert parse_outputs(hint, "x") == {"model": dict, "accuracy": float}


def test_plain_tuple_is_one_output() -> None:
    assert parse_outputs(tuple[int, str], "x") == {"output": tuple[int, str]}


def test_none_return_has_no_output() -> None:
    assert parse_outputs(None, "x") == {}


def test_duplicate_output_names_are_an_error() -> None:
    hint = tuple[Annotated[int, "a"], Annotated[int, "a"]]
    with pytest.raises(PipelineDefinitionError, match="used twice"):
        parse_outputs(hint, "f.py:3")


def test_partly_named_tuple_is_an_error() -> None:
    with pytest.raises(PipelineDefinitionError, match="name every member"):
        parse_outputs(tuple[Annotated[int, "a"], int], "f.py:3")


def test_analyse_reads_parameters_defaults_and_outputs() -> None:
    def f(data: list[int], lr: float = 0.1) -> Annotated[float, "score"]:
        return 0.0

    sig = analyse(f)
    assert sig.parameters == {"data": list[int], "lr": float}
    assert sig.defaults == {"lr": 0.1}
    assert sig.outputs == {"score": float}


def test_var_args_are_rejected_with_location() -> None:
    def f(*args: int) -> int:
        return 0

    with pytest.raises(PipelineDefinitionError, match=r"test_step_signature\.py:\d+"):
        analyse(f)


def test_unannotated_function_has_one_untyped_output() -> None:
    def f(x):  # type: ignore[no-untyped-def]
        return x

    assert analyse(f).outputs == {"output": Any}


@pytest.mark.parametrize(
    ("provided", "expected", "ok"),
    [
        (int, float, True),
        (bool, int, True),
        (str, int, False),
        (dict, Any, True),
        (int, int | None, True),
        (str, int | None, False),
        (list[int], list[int], True),
    ],
)
def test_compatibility(provided: Any, expected: Any, ok: bool) -> None:
    assert is_compatible(provided, expected) is ok


def test_type_source() -> None:
    assert type_source(int) == "builtins:int"
    assert type_source(list[int]) == "builtins:list"
    assert type_source(Any) == "typing:Any"
