"""Bad input gets one sentence and changes nothing; the run experience commands."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cairn.cli.main import cli
from cairn.client import Client
from cairn.stack import StackRegistry
from cli.helpers import fail, invoke, snapshot


def test_version_flag() -> None:
    from cairn import __version__

    assert invoke("--version").output.strip() == f"cairn {__version__}"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("stack", "register", "s2", "-o", "default", "-a", "default", "-a", "x",
          "-m", "default"), "given 2 times (default, x)"),
        (("orchestrator", "update", "default", "--max_parallelism=true"), "valid integer"),
        (("orchestrator", "update", "default", "--max_parallelism=" + "9" * 400), "less than"),
        (("orchestrator", "update", "default", "--bogus=1"),
         "valid: failure_policy, max_parallelism, mode"),
        (("artifact-store", "register", "dn", "--flavor=local", "--path=/dev/null/x"),
         "/dev/null is not a folder"),
        (("metadata-store", "register", "m", "--flavor=sqlite", "--uri=/dev/null/x.db"),
         "/dev/null is not a folder"),
        (("pipeline", "runs", "list", "--offset", "9" * 40), "--offset"),
    ],
)  # fmt: skip
def test_bad_options_are_one_line_and_change_nothing(args: tuple[str, ...], words: str) -> None:
    before = snapshot()
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in (1, 2), result.output  # 2: click's usage errors
    err = result.output
    assert words in err
    assert "unexpected" not in err and "Traceback" not in err
    assert snapshot() == before


def test_binary_and_huge_parameter_files(tmp_path: Path) -> None:
    binary = tmp_path / "bin.dat"
    binary.write_bytes(bytes(range(256)) * 10)
    huge = tmp_path / "huge.txt"
    huge.write_text("x" * (2 * 1024 * 1024))
    before = snapshot()
    assert "not UTF-8 text" in fail("artifact-store", "register", "b", "-f", "local",
                                    f"--path=@{binary}")  # fmt: skip
    assert "larger than 1024 KiB" in fail("artifact-store", "register", "b", "-f", "local",
                                          f"--path=@{huge}")  # fmt: skip
    assert snapshot() == before


def test_yaml_imports_deep_binary_or_with_duplicate_keys(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 5000)
    dup = tmp_path / "dup.yaml"
    dup.write_text("components: {}\ncomponents: {}\n")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 100)
    before = snapshot()
    assert "nested more than" in fail("stack", "import", "x", str(deep))
    assert "'components' is given twice" in fail("stack", "import", "y", str(dup))
    assert "not UTF-8 text" in fail("stack", "import", "z", str(binary))
    assert snapshot() == before


def test_relative_sqlite_uri_is_resolved_at_registration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    invoke("metadata-store", "register", "rel", "--flavor=sqlite", "--uri=sub/meta.db")
    monkeypatch.chdir("/")
    data = json.loads(invoke("metadata-store", "describe", "rel", "--output", "json").output)
    assert data["config"]["uri"] == str(tmp_path / "sub" / "meta.db")


def test_config_folder_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "not-a-folder"
    target.write_text("")
    monkeypatch.setenv("CAIRN_CONFIG_DIR", str(target))
    assert "is a file, not a folder" in fail("stack", "list")


def test_read_only_config_folder_still_reads(tmp_path: Path) -> None:
    """A healthy registry on a read-only mount: list works, a change says why it cannot."""
    import subprocess
    import sys

    invoke("stack", "list")
    config = Path(os.environ["CAIRN_CONFIG_DIR"])
    mount = tmp_path / "ro"
    mount.mkdir()
    done = subprocess.run(["mount", "--bind", str(config), str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot make a read-only bind mount here: {done.stderr.decode().strip()}")
    try:
        remount = ["mount", "-o", "remount,bind,ro", str(mount)]
        assert subprocess.run(remount, capture_output=True).returncode == 0
        env = {**os.environ, "CAIRN_CONFIG_DIR": str(mount)}
        cli = [sys.executable, "-m", "cairn.cli.main"]
        listed = subprocess.run([*cli, "stack", "list"], env=env, capture_output=True, text=True)
        assert listed.returncode == 0, listed.stderr
        assert "default" in listed.stdout
        change = [*cli, "stack", "register", "z", "-o", "default", "-a", "default", "-m", "default"]
        changed = subprocess.run(change, env=env, capture_output=True, text=True)
        assert changed.returncode == 1
        assert "read-only here" in changed.stderr and "move it" not in changed.stderr
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("def broken(:\n    pass\n", ":1: syntax error"),
        (
            "import no_such_module_xyz\n",
            ":1: importing the pipeline file raised ModuleNotFoundError",
        ),
        ("import sys\nsys.exit(4)\n", "called sys.exit(4)"),
    ],
)
def test_pipeline_files_that_cannot_be_imported(tmp_path: Path, source: str, words: str) -> None:
    script = tmp_path / "bad_pipeline.py"
    script.write_text(source)
    err = fail("pipeline", "run", str(script))
    assert words in err and str(script) in err


def test_flavor_describe_lists_every_parameter() -> None:
    out = invoke("orchestrator", "flavor", "describe", "local").output
    assert "max_parallelism" in out and "int" in out and "8" in out
    assert "how many steps may run at once" in out
    data = json.loads(
        invoke("orchestrator", "flavor", "describe", "local", "--output", "json").output
    )
    by_name = {p["name"]: p for p in data["parameters"]}
    assert by_name["mode"]["default"] == "'threads'" and by_name["mode"]["secret"] is False
    assert "flavor describe" in invoke("orchestrator", "register", "--help").output
    assert "Runs steps on this machine" in invoke("orchestrator", "flavor", "list").output


PIPELINE = textwrap.dedent(
    """
    from cairn import log_metadata, pipeline, step

    @step
    def talk() -> int:
        print("hello from talk")
        log_metadata(score=0.5)
        return 1

    @step
    def crash(x: int) -> int:
        raise ValueError("deep cause here")

    @pipeline
    def chatty() -> None:
        crash(talk())
    """
)


def test_runs_describe_shows_causes_and_logs_prints_output(tmp_path: Path) -> None:
    script = tmp_path / "chatty_pipeline.py"
    script.write_text(PIPELINE)
    invoke("pipeline", "run", str(script), "--quiet", code=1)
    run = Client().list_runs()[0]
    out = invoke("pipeline", "runs", "describe", run.name).output
    assert "Traceback (most recent call last)" in out and "deep cause here" in out
    assert "metadata score: 0.5" in out
    assert "cache: " in out and "output output: " in out
    logs = invoke("pipeline", "runs", "logs", run.name).output
    assert "==> talk (completed) <==" in logs and "hello from talk" in logs
    one = invoke("pipeline", "runs", "logs", run.name, "talk", "-f").output
    assert "hello from talk" in one and "crash" not in one
    assert "there are: crash, talk" in fail("pipeline", "runs", "logs", run.name, "nope")


def test_missing_step_or_output_lists_the_names(tmp_path: Path) -> None:
    script = tmp_path / "chatty_pipeline.py"
    script.write_text(PIPELINE)
    invoke("pipeline", "run", str(script), "--quiet", code=1)
    run = Client().list_runs()[0]
    with pytest.raises(KeyError, match="there are: crash, talk"):
        run.steps["nope"]
    with pytest.raises(KeyError, match="there are: output"):
        run.steps["talk"].outputs["nope"]


def test_artifact_store_clean_removes_only_unreferenced_folders() -> None:
    from cairn import pipeline, step

    @step
    def one() -> int:
        return 1

    @pipeline
    def small() -> None:
        one()

    run = small().run()
    store = StackRegistry().get_stack().artifact_store
    kept = run.steps["one"].outputs["output"].uri
    crashed = store.join("runs", run.id, "one", "half_written")
    legacy = store.join("runs", run.id, "one", "output.tmp-abc123")
    foreign = store.join("runs", "not-a-run-of-this-store", "s", "o")
    for folder in (crashed, legacy, foreign):
        os.makedirs(folder)
        Path(folder, "data").write_text("partial")
    dry = invoke("artifact-store", "clean", "--dry-run").output
    assert f"would remove {crashed}" in dry and os.path.isdir(crashed)
    out = invoke("artifact-store", "clean").output
    assert "Removed 2 unreferenced folder(s)" in out and "does not know" in out
    assert not os.path.exists(crashed) and not os.path.exists(legacy)
    assert os.path.isdir(foreign) and os.path.isdir(kept)
    assert run.steps["one"].outputs["output"].load() == 1


def test_runs_delete_removes_the_run_folder_but_keeps_shared_artifacts() -> None:
    from cairn import pipeline, step

    @step
    def one() -> int:
        return 1

    @pipeline
    def shared() -> None:
        one()

    first = shared().run(run_name="first")
    second = shared().run(run_name="second")  # reuses first's output from cache
    store = StackRegistry().get_stack().artifact_store
    uri = first.steps["one"].outputs["output"].uri
    Path(store.join("runs", first.id, "stray")).write_text("left by a crash")
    invoke("pipeline", "runs", "delete", "first", "-y")
    assert os.path.isdir(uri) and not os.path.exists(store.join("runs", first.id, "stray"))
    assert Client().get_run("second").steps["one"].outputs["output"].load() == 1
    invoke("pipeline", "runs", "delete", "second", "-y")
    assert not os.path.exists(store.join("runs", first.id))
    assert second.id


def test_flavor_module_that_calls_sys_exit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "exiting_flavor.py").write_text("import sys\nsys.exit(7)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    before = snapshot()
    err = fail("artifact-store", "flavor", "register", "exiting_flavor.Store")
    assert "sys.exit(7)" in err and "Traceback" not in err
    assert snapshot() == before


def test_quiet_applies_to_that_command_only(tmp_path: Path) -> None:
    script = tmp_path / "chatty_pipeline.py"
    script.write_text(PIPELINE)
    invoke("pipeline", "run", str(script), "--quiet", code=1)
    assert "CAIRN_QUIET" not in os.environ
