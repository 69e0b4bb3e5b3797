"""The exception tree: one root, user errors apart from failures in step code."""

from __future__ import annotations

import inspect

import pytest

from cairn import exceptions
from cairn.exceptions import (
    CairnError,
    CairnUserError,
    ConcurrentUpdateError,
    DoesNotExistError,
    IntegrationError,
    PipelineRunFailedError,
    StepFailedError,
    StepTimeoutError,
    StoreError,
    StoreSchemaError,
)

USER_ERRORS = [
    "ConfigurationError", "EntityExistsError", "DoesNotExistError", "IllegalOperationError",
    "StackValidationError", "FlavorError", "IntegrationError", "ComponentNotRunningError",
    "PipelineDefinitionError", "MaterializerError", "StoreSchemaError", "ConcurrentUpdateError",
]  # fmt: skip


def all_errors() -> list[type[BaseException]]:
    return [
        obj
        for obj in vars(exceptions).values()
        if inspect.isclass(obj) and issubclass(obj, BaseException)
        and obj.__module__ == exceptions.__name__
    ]  # fmt: skip


def test_every_error_derives_from_the_root() -> None:
    assert all(issubclass(e, CairnError) for e in all_errors())


@pytest.mark.parametrize("name", USER_ERRORS)
def test_user_errors(name: str) -> None:
    assert issubclass(getattr(exceptions, name), CairnUserError)


def test_step_failures_are_not_user_errors_and_keep_the_cause() -> None:
    assert not issubclass(StepFailedError, CairnUserError)
    assert issubclass(StepTimeoutError, StepFailedError)
    try:
        try:
            raise ZeroDivisionError("inside the step")
        except ZeroDivisionError as exc:
            raise StepFailedError("trainer", "step 'trainer' failed") from exc
    except StepFailedError as err:
        assert err.step_name == "trainer"
        assert isinstance(err.__cause__, ZeroDivisionError)
        assert err.__cause__.__traceback__ is not None


def test_does_not_exist_is_a_key_error_with_a_plain_message() -> None:
    err = DoesNotExistError("No stack named 'x'.")
    assert isinstance(err, KeyError)
    assert str(err) == "No stack named 'x'."
    assert str(DoesNotExistError()) == ""


def test_store_errors() -> None:
    assert issubclass(StoreSchemaError, StoreError)
    assert issubclass(ConcurrentUpdateError, StoreError)
    assert not issubclass(StoreError, CairnUserError)
    assert issubclass(IntegrationError, exceptions.FlavorError)


def test_pipeline_run_failed_names_the_steps() -> None:
    err = PipelineRunFailedError("run failed", "run-1", ["a", "b"])
    assert (err.run_name, err.failed_steps, str(err)) == ("run-1", ["a", "b"], "run failed")
