"""Parsing of free-form ``--param=value`` arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn.cli.params import parse_params
from cairn.exceptions import ConfigurationError
from cairn.stack.registry import CliText


def test_equals_and_space_forms_and_dashes() -> None:
    params = parse_params(["--path=/x", "--port", "80", "--tracking-uri=http://h"])
    assert params == {"path": "/x", "port": "80", "tracking_uri": "http://h"}
    assert all(isinstance(v, CliText) for v in params.values())


def test_value_with_equals_sign_and_empty_value() -> None:
    assert parse_params(["--q=a=b", "--e="]) == {"q": "a=b", "e": ""}


def test_value_from_file(tmp_path: Path) -> None:
    (tmp_path / "v").write_text("secret\n")
    assert parse_params([f"--token=@{tmp_path}/v"]) == {"token": "secret"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x"], "Unexpected argument 'x'"),
        (["-p=1"], "Unexpected argument '-p=1'"),
        (["--p"], "needs a value"),
        (["--p", "--q=1"], "needs a value"),
        (["--p=1", "--p=2"], "given twice"),
        (["--name=x"], "use 'cairn <type> rename'"),
        (["--9lives=1"], "is not a parameter name"),
    ],
)
def test_errors(args: list[str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse_params(args)
