"""Read-only commands must not import heavy libraries (a ``sys.modules`` check, not timing).

Each command runs in a fresh interpreter; afterwards the list of heavy modules
that got imported must be empty.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from cairn.enums import StackComponentType

HEAVY = ("pydantic", "sqlalchemy", "alembic", "fsspec", "pandas", "numpy", "pyarrow", "yaml",
         "mlflow", "sklearn", "cloudpickle", "feast", "slack_sdk", "redis")  # fmt: skip

WRAPPER = """
import json, sys
from cairn.cli.main import main
try:
    main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted(m for m in json.loads(sys.argv[1]) if m in sys.modules)
print("@@" + json.dumps({"code": code, "heavy": heavy, "modules": sorted(sys.modules)}))
"""


def imported_by(*args: str, heavy: tuple[str, ...] = HEAVY) -> dict[str, object]:
    """Run ``cairn ARGS`` in a fresh interpreter; its exit code and what it imported."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, json.dumps(heavy), *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    last = [line for line in done.stdout.splitlines() if line.startswith("@@")]
    assert last, done.stderr
    result: dict[str, object] = json.loads(last[-1][2:])
    return result


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("stack", "list"),
        ("stack", "describe"),
        ("stack", "set", "default"),
        ("stack", "get"),
        ("artifact-store", "flavor", "list"),
        ("artifact-store", "list"),
        ("artifact-store", "describe"),
        ("artifact-store", "--help"),
        ("feature-store", "flavor", "list"),
        ("feature-store", "--help"),
        ("feature-store", "views", "--help"),
        ("alerter", "flavor", "list"),
    ],
)
def test_read_paths_import_no_heavy_module(args: tuple[str, ...]) -> None:
    result = imported_by(*args)
    assert result["code"] in (0, None)
    assert result["heavy"] == [], f"cairn {' '.join(args)} imported {result['heavy']}"


#: Standard-library modules that are slow to import and that no read path needs.
SLOW_STDLIB = ("tempfile", "shutil", "random", "lzma", "bz2", "zipfile", "email", "logging",
               "importlib.metadata", "importlib.resources", "asyncio", "subprocess")  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("stack", "list"),
        ("stack", "describe"),
        ("stack", "set", "default"),
        ("artifact-store", "flavor", "list"),
    ],
)
def test_read_paths_import_no_slow_stdlib_module(args: tuple[str, ...]) -> None:
    imported_by("stack", "list")  # the first run creates the database (migrations)
    result = imported_by(*args, heavy=SLOW_STDLIB)
    assert result["heavy"] == [], f"cairn {' '.join(args)} imported {result['heavy']}"


def test_help_imports_no_command_module() -> None:
    modules = imported_by("--help")["modules"]
    assert isinstance(modules, list)
    loaded = {m for m in modules if m.startswith("cairn.")}
    assert "cairn.cli.main" in loaded
    assert not loaded & {"cairn.cli.stack_commands", "cairn.cli.component_commands",
                         "cairn.cli.pipeline_commands", "cairn.stack.registry",
                         "cairn.store.registry_store"}  # fmt: skip
    assert "sqlite3" not in modules  # (json: the wrapper itself imports it)


def test_the_check_notices_a_heavy_import() -> None:
    """The wrapper really sees modules imported by a command (here: yaml by an export)."""
    result = imported_by("stack", "export", "default", "-")
    assert result["code"] in (0, None)
    assert result["heavy"] == ["yaml"]


#: What a read command over a SQLite metadata store must not import (issue 14).
READ_HEAVY = ("sqlalchemy", "alembic", "pydantic", "fsspec", "pandas", "numpy", "pyarrow",
              "cloudpickle", "yaml")  # fmt: skip

_RECORD_A_RUN = """
from cairn import pipeline, step

@step
def talk() -> int:
    print("hello from the step")
    return 1

@step
def use(x: int) -> int:
    return x + 1

@pipeline(name="weighed", enable_cache=False)
def weighed() -> None:
    use(talk())

print("@@" + weighed().run().name)
"""


@pytest.fixture
def recorded_run() -> str:
    """A run recorded on the default stack (SQLite metadata, local artifacts), by name."""
    done = subprocess.run(
        [sys.executable, "-c", _RECORD_A_RUN],
        capture_output=True, text=True, timeout=120, check=True,
        env={**__import__("os").environ, "CAIRN_QUIET": "1"},
    )  # fmt: skip
    return [line for line in done.stdout.splitlines() if line.startswith("@@")][-1][2:]


def test_read_commands_on_sqlite_import_neither_sqlalchemy_nor_pydantic(
    recorded_run: str,
) -> None:
    commands = [
        ("pipeline", "list"),
        ("pipeline", "list", "--output", "json"),
        ("pipeline", "runs", "list"),
        ("pipeline", "runs", "list", "--pipeline", "weighed", "--status", "completed"),
        ("pipeline", "runs", "list", "--output", "json"),
        ("pipeline", "runs", "describe", recorded_run),
        ("pipeline", "runs", "describe", recorded_run, "--output", "json"),
        ("pipeline", "runs", "logs", recorded_run),
        ("pipeline", "runs", "logs", recorded_run, "talk"),
    ]
    for args in commands:
        result = imported_by(*args, heavy=READ_HEAVY)
        assert result["code"] in (0, None), args
        assert result["heavy"] == [], f"cairn {' '.join(args)} imported {result['heavy']}"


def test_read_commands_show_what_the_full_client_shows(
    recorded_run: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from cairn.cli import pipeline_commands
    from cairn.cli.main import cli
    from cairn.client import Client
    from cairn.client.read_client import read_client

    fast = read_client()
    assert type(fast.metadata_store).__name__ == "SQLiteRunReader"
    outputs = []
    for client in (fast, Client()):
        monkeypatch.setattr(pipeline_commands, "_read_client", lambda client=client: client)
        runner = CliRunner()
        outputs.append(
            [
                runner.invoke(cli, list(args)).output
                for args in (
                    ("pipeline", "runs", "describe", recorded_run, "--output", "json"),
                    ("pipeline", "runs", "describe", recorded_run),
                    ("pipeline", "runs", "logs", recorded_run),
                    ("pipeline", "runs", "list", "--output", "json"),
                    ("pipeline", "list", "--output", "json"),
                )
            ]
        )
    assert outputs[0] == outputs[1]
    assert "hello from the step" in outputs[0][2]


_FIRST_RUN = """
import json, sys
from cairn import pipeline, step

@step
def make() -> dict:
    return {"a": [1, 2]}

@step
def count(data: dict) -> int:
    return len(data["a"])

@pipeline(name="first_in_this_process")
def first_in_this_process() -> None:
    count(make())

first_in_this_process().run()
first_in_this_process().run()  # and a second one, reused from the cache
heavy = sorted(m for m in ("sqlalchemy", "alembic") if m in sys.modules)
print("@@" + json.dumps(heavy))
unused = ("subprocess", "tarfile", "ctypes", "cairn.services.local_service",
          "cairn.orchestrators.process_pool", "cairn.secrets_managers.secret_schemas")
print("##" + json.dumps(sorted(m for m in unused if m in sys.modules)))
"""


def test_a_first_pipeline_run_on_sqlite_imports_neither_sqlalchemy_nor_alembic(
    recorded_run: str,
) -> None:
    """(The store exists: creating or upgrading its schema is Alembic's job.)"""
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_RUN],
        capture_output=True, text=True, timeout=120, check=True,
        env={**__import__("os").environ, "CAIRN_QUIET": "1"},
    )  # fmt: skip
    heavy = json.loads([ln for ln in done.stdout.splitlines() if ln.startswith("@@")][-1][2:])
    assert heavy == []
    # Neither what only processes mode, code shipping, services or secret schemas need.
    unused = json.loads([ln for ln in done.stdout.splitlines() if ln.startswith("##")][-1][2:])
    assert unused == []


_RECORD_CATALOG = """
from cairn import save_artifact
from cairn.client import Client

save_artifact([1], name="weights", tags=["raw"], run_metadata={"rows": 1})
save_artifact([1, 2], name="weights", tags=["clean"])
save_artifact(3, name="other")
store = Client().metadata_store
model = store.get_or_create_model("clf", tags=["t"])
store.create_model_version(model.id)
second = store.create_model_version(model.id)
store.set_model_version_stage(second.id, "production")
store.get_or_create_model("empty")

from cairn.execution.schedules import ScheduleStore
from cairn.models.schedule import Schedule

pipeline = store.get_or_create_pipeline("scheduled", {})
schedules = ScheduleStore(store)
for name, when in (("hourly", Schedule(cron_expression="0 * * * *")),
                   ("often", Schedule(interval=60))):
    made = schedules.create(name=name, pipeline_id=pipeline.id, stack_name="default",
                            orchestrator="default", schedule=when, start_time=3600.0,
                            source_root=".", run_options={}, spec={"name": "scheduled"})
schedules.claim(made.id, 3600.0, "often-1")
schedules.set_paused("hourly", True)

from cairn.stack import StackRegistry

manager = StackRegistry().active_secrets_manager()
manager.register_secret("db", {"password": "not shown"})
manager.register_secret("api", {"token": "t"})

from typing import Annotated
from cairn import pipeline, step

@step
def make() -> Annotated[int, "answer"]:
    return 42

@step
def use(x: int) -> int:
    return x

@pipeline(name="catalogued", enable_cache=False)
def catalogued() -> None:
    use(make())

catalogued().run()
"""

CATALOG_READS = [
    ("artifact", "list"),
    ("artifact", "list", "--output", "json"),
    ("artifact", "list", "weights", "--output", "json"),
    ("artifact", "list", "--tag", "raw", "--output", "json"),
    ("artifact", "list", "--tag", "ra"),  # a part of a tag is not the tag
    ("artifact", "versions", "weights"),
    ("artifact", "versions", "weights", "--tag", "clean", "--output", "json"),
    ("artifact", "versions", "nope"),
    ("artifact", "describe", "weights"),
    ("artifact", "describe", "weights:1", "--output", "json"),
    ("artifact", "describe", "answer", "--output", "json"),  # produced and used by a run
    ("artifact", "describe", "weights:9"),
    ("model", "list"),
    ("model", "list", "--output", "json"),
    ("model", "versions", "clf"),
    ("model", "versions", "clf", "--stage", "production", "--output", "json"),
    ("model", "describe", "clf"),
    ("model", "describe", "clf:production", "--output", "json"),
    ("model", "describe", "clf:9"),
    ("model", "describe", "nope"),
    ("pipeline", "schedules", "list", "--output", "json"),
    ("pipeline", "schedules", "list"),
    ("pipeline", "schedules", "describe", "hourly"),
    ("pipeline", "schedules", "describe", "often", "--output", "json"),
    ("pipeline", "schedules", "describe", "nope"),
    ("secret", "list"),
    ("secret", "list", "--output", "json"),
    ("secret", "get", "db"),
    ("secret", "get", "db", "--output", "json"),
    ("secret", "get", "api", "--reveal"),
    ("secret", "get", "db", "--reveal", "--output", "json"),
    ("secret", "get", "nope"),
    ("secret", "get", "not/a-name"),
]


@pytest.fixture
def catalog() -> None:
    """Artifact versions (with tags) and models (one version in production) on SQLite."""
    subprocess.run(
        [sys.executable, "-c", _RECORD_CATALOG],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip


def test_catalog_read_commands_on_sqlite_import_neither_sqlalchemy_nor_pydantic(
    catalog: None,
) -> None:
    for args in CATALOG_READS:
        result = imported_by(*args, heavy=READ_HEAVY)
        assert result["code"] in (0, 1, None), args  # 1: the error cases of the list
        assert result["heavy"] == [], f"cairn {' '.join(args)} imported {result['heavy']}"


#: The secret commands of CATALOG_READS: they read no runs, so not even the post-execution
#: client (``cairn.client``, ~8 ms) is theirs to import.
SECRET_READS = [args for args in CATALOG_READS if args[0] == "secret"]


def test_secret_read_commands_import_no_client(catalog: None) -> None:
    for args in SECRET_READS:
        result = imported_by(*args, heavy=("cairn.client",))
        assert result["code"] in (0, 1, None), args
        assert result["heavy"] == [], f"cairn {' '.join(args)} imported {result['heavy']}"


def _without_clock(output: str) -> object:
    """JSON output without ``next_run`` (computed from the clock at each call); text as is."""
    try:
        data = json.loads(output)
    except ValueError:
        return output
    rows = data if isinstance(data, list) else [data]
    for row in rows:
        if isinstance(row, dict):
            row.pop("next_run", None)
    return data


def test_catalog_read_commands_show_what_the_full_client_shows(
    catalog: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same output (text, JSON and errors) through the sqlite3 reader and the full store."""
    from click.testing import CliRunner

    from cairn.cli import artifact_commands, model_commands, schedule_commands, secret_commands
    from cairn.cli.main import cli
    from cairn.client import Client
    from cairn.client.read_client import read_client

    fast = read_client()
    assert type(fast.metadata_store).__name__ == "SQLiteRunReader"
    outputs = []
    for client in (fast, Client()):
        for module in (artifact_commands, model_commands):
            monkeypatch.setattr(module, "_read_client", lambda client=client: client)
        if client is fast:
            monkeypatch.setattr(schedule_commands, "_reader", lambda _name: fast.metadata_store)
        else:  # the ScheduleStore and the secrets manager of the built stack
            monkeypatch.setattr(schedule_commands, "_reader", lambda _name: None)
            monkeypatch.setattr(secret_commands, "_local_files", lambda _reg: None)
        runner = CliRunner()
        outputs.append([runner.invoke(cli, list(args)) for args in CATALOG_READS])
    fast_out, full_out = ([_without_clock(r.output) for r in found] for found in outputs)
    for args, a, b in zip(CATALOG_READS, fast_out, full_out, strict=True):
        assert a == b, args
    assert [r.exit_code for r in outputs[0]] == [r.exit_code for r in outputs[1]]
    shown: dict[tuple[str, ...], Any] = dict(zip(CATALOG_READS, fast_out, strict=True))
    listed = shown[("artifact", "list", "--output", "json")]
    assert [(n["name"], n["versions"]) for n in listed] == [
        ("answer", 1), ("catalogued::use::output", 1), ("other", 1), ("weights", 2)
    ]  # fmt: skip
    raw = shown[("artifact", "list", "--tag", "raw", "--output", "json")]
    assert [r["version"] for r in raw] == ["1"]
    answer = shown[("artifact", "describe", "answer", "--output", "json")]
    assert answer["produced_by"]["step"] == "make"
    assert [u["step"] for u in answer["used_by"]] == ["use"]
    models = shown[("model", "list", "--output", "json")]
    assert [(m["name"], m["versions"], m["production"]) for m in models] == [
        ("clf", 2, "2"),
        ("empty", 0, None),
    ]
    schedules = shown[("pipeline", "schedules", "list", "--output", "json")]
    assert [(r["name"], r["paused"], r["last_slot"]) for r in schedules] == [
        ("hourly", True, None),
        ("often", False, 3600.0),
    ]
    assert "paused" in str(shown[("pipeline", "schedules", "describe", "hourly")])
    assert "often-1" in str(
        shown[("pipeline", "schedules", "describe", "often", "--output", "json")]
    )
    assert "No schedule named 'nope'" in str(shown[("pipeline", "schedules", "describe", "nope")])
    assert shown[("secret", "list", "--output", "json")] == [
        {"name": "api", "secrets_manager": "default"},
        {"name": "db", "secrets_manager": "default"},
    ]
    assert shown[("secret", "get", "db", "--output", "json")]["values"] == {"password": "********"}
    assert shown[("secret", "get", "db", "--reveal", "--output", "json")]["values"] == {
        "password": "not shown"
    }
    hidden = [out for args, out in shown.items() if "--reveal" not in args]
    assert not any("not shown" in str(out) for out in hidden)
    assert "No secret named 'nope'" in str(shown[("secret", "get", "nope")])


def _fast_and_full(
    monkeypatch: pytest.MonkeyPatch,
    commands: list[tuple[str, ...]],
    full_path: tuple[object, str, object],
) -> tuple[list[Any], list[Any]]:
    """The results of ``commands`` (in-process) through the fast path, then through the full
    path (``full_path``: the object, attribute and stand-in that turn the fast path off)."""
    from click.testing import CliRunner

    from cairn.cli.main import cli

    fast = [CliRunner().invoke(cli, list(args)) for args in commands]
    with monkeypatch.context() as patched:
        patched.setattr(*full_path)
        full = [CliRunner().invoke(cli, list(args)) for args in commands]
    return fast, full


def _assert_same(fast: list[Any], full: list[Any], commands: list[tuple[str, ...]]) -> None:
    for args, a, b in zip(commands, fast, full, strict=True):
        assert (a.output, a.exit_code) == (b.output, b.exit_code), args


SECRET_GETS = [("secret", "get", "db"), ("secret", "get", "db", "--reveal", "--output", "json")]


def test_secret_get_fails_as_the_full_path_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing key, a file made with another key, a changed file, a file of another
    secret, no secrets manager: the same message and exit code, no value shown, and no
    pydantic imported on the way."""
    from cairn.cli import secret_commands
    from cairn.stack import StackRegistry

    manager = StackRegistry().active_secrets_manager()
    manager.register_secret("db", {"password": "not shown"})
    manager.register_secret("other", {"k": "v"})
    off = (secret_commands, "_local_files", lambda _reg: None)
    fast, full = _fast_and_full(monkeypatch, SECRET_GETS, off)
    _assert_same(fast, full, SECRET_GETS)
    assert "not shown" not in fast[0].output and "not shown" in fast[1].output
    key, files = manager.key_path, manager.secrets_dir
    key_bytes, db = key.read_bytes(), (files / "db.secret").read_bytes()
    broken = {
        "the key is missing": lambda: key.unlink(),
        "cannot be decrypted": lambda: key.write_bytes(b"A" * 43 + b"="),  # another key
        "holds another secret": lambda: (files / "db.secret").write_bytes(
            (files / "other.secret").read_bytes()
        ),
        "changed": lambda: (files / "db.secret").write_bytes(db[:-3] + b"AAA"),
    }
    for what, damage in broken.items():
        key.write_bytes(key_bytes)
        (files / "db.secret").write_bytes(db)
        damage()
        fast, full = _fast_and_full(monkeypatch, SECRET_GETS, off)
        _assert_same(fast, full, SECRET_GETS)
        assert all(r.exit_code == 1 and "not shown" not in r.output for r in fast), what
        result = imported_by("--debug", *SECRET_GETS[1], heavy=READ_HEAVY)
        assert (result["code"], result["heavy"]) == (1, []), what
    from click.testing import CliRunner

    from cairn.cli.main import cli

    # the active stack without a secrets manager: the full path's error
    made = CliRunner().invoke(cli, ["stack", "register", "bare", "-o", "default",
                                    "-a", "default", "-m", "default", "--set"])  # fmt: skip
    assert made.exit_code == 0, made.output
    fast, full = _fast_and_full(monkeypatch, SECRET_GETS, off)
    _assert_same(fast, full, SECRET_GETS)
    assert "has no secrets manager" in fast[0].output


@pytest.fixture
def scheduler_log() -> Any:
    """The default (local) orchestrator's scheduler log, with one line, as the full path
    finds it."""
    from cairn.enums import StackComponentType
    from cairn.stack import StackRegistry

    path = StackRegistry().get_component(StackComponentType.ORCHESTRATOR, "default").log_file
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_text("scheduler started\n", encoding="utf-8")
    return path


LOG_READS = [
    ("orchestrator", "logs", "default"),
    ("orchestrator", "logs", "nope"),
    ("artifact-store", "logs", "default"),
    ("secrets-manager", "logs", "default"),
]


def test_service_logs_import_no_pydantic(scheduler_log: Any) -> None:
    for args in LOG_READS:
        result = imported_by(*args, heavy=READ_HEAVY)
        assert result["code"] in (0, 1, None), args
        assert result["heavy"] == [], f"cairn {' '.join(args)} imported {result['heavy']}"


def test_service_logs_show_what_the_full_path_shows(
    scheduler_log: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cairn.stack import component_logs

    commands = LOG_READS
    off = (component_logs, "service_log_file", lambda *_args: (False, None))
    fast, full = _fast_and_full(monkeypatch, commands, off)
    _assert_same(fast, full, commands)
    assert fast[0].output == "scheduler started\n"
    assert "No orchestrator named 'nope'" in fast[1].output and fast[1].exit_code == 1
    scheduler_log.unlink()  # not started yet (or deprovisioned)
    fast, full = _fast_and_full(monkeypatch, commands, off)
    _assert_same(fast, full, commands)
    assert fast[0].output == "The orchestrator 'default' has no logs.\n"


#: Integration flavors that run a daemon here unless configured otherwise: each is
#: registered twice, ``<flavor>-here`` (its daemon's log has a line) and
#: ``<flavor>-away`` (the configuration that runs no daemon here).
DAEMON_FLAVORS = [
    (StackComponentType.ORCHESTRATOR, "ray", {"address": "127.0.0.1:6379"}),
    (StackComponentType.ORCHESTRATOR, "airflow", {"serve": False}),
    (StackComponentType.EXPERIMENT_TRACKER, "mlflow", {"tracking_uri": "http://mlflow:5000"}),
]
#: What reading their logs must not import: no pydantic, no flavor module, no library.
DAEMON_HEAVY = (*READ_HEAVY, "ray", "mlflow", "airflow", "cairn.integrations.ray.orchestrator",
                "cairn.integrations.airflow.orchestrator",
                "cairn.integrations.mlflow.experiment_tracker")  # fmt: skip


@pytest.fixture
def daemon_logs() -> list[tuple[str, ...]]:
    """The ``logs`` commands of the integration components registered as above."""
    from cairn.stack import StackRegistry

    registry, commands = StackRegistry(), []
    for ctype, flavor, away in DAEMON_FLAVORS:
        registry.register_component(ctype, f"{flavor}-here", flavor, {})
        registry.register_component(ctype, f"{flavor}-away", flavor, away)
        log = registry.get_component(ctype, f"{flavor}-here").log_file
        assert log is not None
        log.parent.mkdir(parents=True)
        log.write_text(f"{flavor} started\n", encoding="utf-8")
        commands += [(ctype.cli_name, "logs", f"{flavor}-{where}") for where in ("here", "away")]
    return commands


def test_integration_daemon_logs_import_neither_pydantic_nor_their_library(
    daemon_logs: list[tuple[str, ...]],
) -> None:
    for args in daemon_logs:
        result = imported_by(*args, heavy=DAEMON_HEAVY)
        assert result["code"] in (0, None), args
        assert result["heavy"] == [], f"cairn {' '.join(args)} imported {result['heavy']}"


def test_integration_daemon_logs_show_what_the_full_path_shows(
    daemon_logs: list[tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cairn.stack import component_logs

    off = (component_logs, "service_log_file", lambda *_args: (False, None))
    fast, full = _fast_and_full(monkeypatch, daemon_logs, off)
    _assert_same(fast, full, daemon_logs)
    assert [r.output for r in fast[::2]] == [f"{f} started\n" for _, f, _ in DAEMON_FLAVORS]
    assert all(r.output.endswith("has no logs.\n") for r in fast[1::2])
    from cairn.stack import StackRegistry

    registry = StackRegistry()
    for ctype, flavor, _ in DAEMON_FLAVORS:  # not started yet (or deprovisioned)
        log = registry.get_component(ctype, f"{flavor}-here").log_file
        assert log is not None
        log.unlink()
    fast, full = _fast_and_full(monkeypatch, daemon_logs, off)
    _assert_same(fast, full, daemon_logs)
    assert all(r.output.endswith("has no logs.\n") for r in fast)


#: The wrapper, with Ctrl-C raising KeyboardInterrupt even where the parent ignores SIGINT.
_INTERRUPTIBLE = "import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"


def test_service_logs_follow_through_the_fast_path(scheduler_log: Any) -> None:
    """``-f`` prints the log, then what is appended, until Ctrl-C; without pydantic."""
    import signal
    import threading

    follower = subprocess.Popen(
        [sys.executable, "-c", _INTERRUPTIBLE + WRAPPER, json.dumps(READ_HEAVY),
         "orchestrator", "logs", "default", "-f"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    watchdog = threading.Timer(60, follower.kill)  # a hang fails the test, never blocks it
    watchdog.start()
    try:
        assert follower.stdout is not None
        assert follower.stdout.readline() == "scheduler started\n"
        with scheduler_log.open("a", encoding="utf-8") as log:
            log.write("a slot was due\n")
        assert follower.stdout.readline() == "a slot was due\n"
        follower.send_signal(signal.SIGINT)
        rest, _ = follower.communicate(timeout=30)
    finally:
        watchdog.cancel()
        if follower.poll() is None:
            follower.kill()
            follower.wait()
    last = [line for line in rest.splitlines() if line.startswith("@@")]
    result = json.loads(last[-1][2:])
    assert result["code"] in (0, None) and result["heavy"] == []


FLAVOR_DESCRIBES = [
    ("orchestrator", "flavor", "describe", "local"),
    ("metadata-store", "flavor", "describe", "sqlite", "--output", "json"),
    ("orchestrator", "flavor", "describe", "ray"),
    ("experiment-tracker", "flavor", "describe", "mlflow", "--output", "json"),
    ("orchestrator", "flavor", "describe", "no-such-flavor"),
]


def test_flavor_describe_imports_neither_pydantic_nor_the_flavor() -> None:
    for args in FLAVOR_DESCRIBES[:-1]:
        result = imported_by(*args, heavy=DAEMON_HEAVY)
        assert result["code"] in (0, None), args
        assert result["heavy"] == [], f"cairn {' '.join(args)} imported {result['heavy']}"


def test_flavor_describe_shows_what_the_flavor_class_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    from cairn.stack import flavor_param_table

    off = (flavor_param_table, "known_parameters", lambda *_args: None)
    fast, full = _fast_and_full(monkeypatch, FLAVOR_DESCRIBES, off)
    _assert_same(fast, full, FLAVOR_DESCRIBES)
    assert "tracking_uri" in fast[3].output and fast[4].exit_code == 1
