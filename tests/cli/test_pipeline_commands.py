"""``cairn pipeline`` commands."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from cairn.cli.main import cli
from cairn.client import Client

PIPELINE_FILE = textwrap.dedent(
    """
    from cairn import pipeline, step

    @step
    def numbers(n: int = 3) -> list[int]:
        return list(range(n))

    @step
    def total(values: list[int], scale: int = 1) -> int:
        return sum(values) * scale

    @pipeline
    def summing(n: int = 3) -> None:
        total(numbers(n=n))

    if __name__ == "__main__":
        raise SystemExit("must not run when imported by the CLI")
    """
)


def _invoke(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(cli, ["pipeline", *args], input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "summing.py"
    path.write_text(PIPELINE_FILE)
    return path


def test_run_with_config_then_list_describe_delete(tmp_path: Path) -> None:
    path = _write(tmp_path)
    config = tmp_path / "config.yaml"
    config.write_text(
        "parameters: {n: 5}\nsteps:\n  total:\n    parameters: {scale: 10}\n"
        "enable_cache: false\nrun_name: cli-run\n"
    )
    output = _invoke("run", str(path), "-c", str(config))
    assert "cli-run" in output and "completed" in output
    run = Client().get_run("cli-run")
    assert run.steps["total"].outputs["output"].load() == 100
    assert run.steps["total"].record.cache_reason.startswith("caching disabled by run")

    assert "summing" in _invoke("list")
    assert json.loads(_invoke("list", "--output", "json"))[0]["name"] == "summing"
    listed = json.loads(_invoke("runs", "list", "--pipeline", "summing", "--output", "json"))
    assert [r["name"] for r in listed] == ["cli-run"]
    assert "cli-run" in _invoke("runs", "list", "--status", "completed")
    assert "No runs." in _invoke("runs", "list", "--status", "failed")

    described = json.loads(_invoke("runs", "describe", "cli-run", "--output", "json"))
    assert {s["name"] for s in described["steps"]} == {"numbers", "total"}
    text = _invoke("runs", "describe", "cli-run")
    assert "total" in text and "cached" in text.lower()

    assert "Deleted run 'cli-run'" in _invoke("runs", "delete", "cli-run", "-y")
    assert Client().list_runs() == []


def test_delete_asks_for_confirmation(tmp_path: Path) -> None:
    _invoke("run", str(_write(tmp_path)))
    name = Client().list_runs()[0].name
    result = CliRunner().invoke(cli, ["pipeline", "runs", "delete", name], input="n\n")
    assert result.exit_code == 1
    assert len(Client().list_runs()) == 1


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("colour: red\n")
    result = CliRunner().invoke(cli, ["pipeline", "run", str(path), "-c", str(bad)])
    assert result.exit_code == 1 and "Unknown key(s) colour" in result.output
    result = CliRunner().invoke(cli, ["pipeline", "run", str(path), "--pipeline", "nope"])
    assert result.exit_code == 1 and "defines no pipeline 'nope'" in result.output
    result = CliRunner().invoke(cli, ["pipeline", "runs", "describe", "missing"])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_failing_run_shows_the_step_traceback(tmp_path: Path) -> None:
    path = tmp_path / "failing.py"
    path.write_text(
        "from cairn import pipeline, step\n"
        "@step\n"
        "def boom() -> int:\n"
        "    raise ValueError('bad input')\n"
        "@pipeline\n"
        "def failing() -> None:\n"
        "    boom()\n"
    )
    result = CliRunner().invoke(cli, ["pipeline", "run", str(path)])
    assert result.exit_code == 1
    assert "ValueError: bad input" in result.output and "raise ValueError" in result.output
