"""The Airflow DAG file of a Cairn pipeline (plain text; Airflow is not imported here).

One ``BashOperator`` per step runs the step's command line (``python -m
cairn.entrypoints.step ...``: the shared step runner, reading the run's deployment),
downstream of the steps it depends on. A first task, ``cairn_start``, prints the id
of the Cairn run the DAG run belongs to (pushed to XCom, read by every step task):

* a DAG run started by Cairn now (``airflow dags test ... --conf``) finds the run
  id in its ``conf``;
* a scheduled DAG run creates its Cairn run (``python -m
  cairn.integrations.airflow.runs start``), and a last task, ``cairn_end``
  (trigger rule ``all_done``), finishes it from its steps' records.

Every value written into the file is a Python literal made by ``repr`` (names,
paths and commands from the user never become code); the commands are quoted with
``shlex`` and end with a space (a command ending in ``.sh`` would otherwise be
read as a template file by Airflow).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: Task id of the first task (it prints the Cairn run id).
START_TASK = "cairn_start"
#: Task id of the last task of a scheduled DAG.
END_TASK = "cairn_end"
#: The Jinja expression of the Cairn run id, in the step tasks' commands.
RUN_ID_TEMPLATE = "{{ ti.xcom_pull(task_ids='" + START_TASK + "') }}"
#: The Cairn run id given in the DAG run's ``conf`` (runs started by Cairn now).
CONF_RUN_ID_TEMPLATE = "{{ dag_run.conf['cairn_run_id'] }}"
#: The DAG run's time as POSIX seconds (scheduled runs: their slot).
SLOT_TEMPLATE = "{{ (logical_date or dag_run.run_after).timestamp() }}"
#: The only Jinja expressions written into commands; anything else is kept from Jinja.
TEMPLATES = (RUN_ID_TEMPLATE, CONF_RUN_ID_TEMPLATE, SLOT_TEMPLATE)
_TEMPLATE = re.compile("|".join(re.escape(t) for t in TEMPLATES))

_TASK_ID = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class DagSchedule:
    """When a scheduled DAG runs (from a Cairn schedule)."""

    cron_expression: str | None
    interval_seconds: float | None
    start_time: float
    end_time: float | None
    catchup: bool


def dag_id(kind: str, name: str) -> str:
    """``cairn.<kind>.<name>`` with characters Airflow refuses replaced by ``_``."""
    return _TASK_ID.sub("_", f"cairn.{kind}.{name}")[:250]


def task_ids(step_names: Sequence[str]) -> dict[str, str]:
    """An Airflow task id for each step (unique, allowed characters only)."""
    used = {START_TASK, END_TASK}
    out: dict[str, str] = {}
    for name in step_names:
        base = _TASK_ID.sub("_", name)[:240] or "step"
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate)
        out[name] = candidate
    return out


def _literal(text: str) -> str:
    """``text`` shell-quoted, and kept from Jinja when it holds template markers."""
    quoted = shlex.quote(text)
    if not any(mark in text for mark in ("{{", "{%", "{#")):
        return quoted
    if "endraw" in text:
        raise ValueError(f"Cannot put {text!r} into an Airflow command.")
    return "{% raw %}" + quoted + "{% endraw %}"


def _quote(arg: str) -> str:
    found = _TEMPLATE.search(arg)
    if found is None:
        return _literal(arg)
    head, tail = arg[: found.start()], arg[found.end() :]
    parts = [_literal(head) if head else "", f'"{found.group()}"', _quote(tail) if tail else ""]
    return "".join(parts)


def bash(argv: Sequence[str]) -> str:
    """A shell command line for ``argv``; the parts in ``TEMPLATES`` are left for Jinja."""
    return " ".join(_quote(arg) for arg in argv) + " "


def _schedule_args(schedule: DagSchedule | None) -> list[str]:
    if schedule is None:
        return ["schedule=None", "start_date=_dt.datetime(2020, 1, 1, tzinfo=_dt.timezone.utc)",
                "catchup=False"]  # fmt: skip
    when = (repr(schedule.cron_expression) if schedule.cron_expression is not None
            else f"_dt.timedelta(seconds={schedule.interval_seconds!r})")  # fmt: skip
    args = [f"schedule={when}", f"start_date={_moment(schedule.start_time)}",
            f"catchup={schedule.catchup!r}"]  # fmt: skip
    if schedule.end_time is not None:
        args.append(f"end_date={_moment(schedule.end_time)}")
    return args


def _moment(timestamp: float) -> str:
    return f"_dt.datetime.fromtimestamp({timestamp!r}, _dt.timezone.utc)"


def render(
    *,
    dag: str,
    description: str,
    start_command: Sequence[str],
    step_commands: Mapping[str, Sequence[str]],
    upstream: Mapping[str, Sequence[str]],
    cwd: str,
    schedule: DagSchedule | None = None,
    end_command: Sequence[str] | None = None,
) -> str:
    """The source of a DAG file.

    Args:
        dag: the DAG id.
        description: shown by Airflow.
        start_command: argv of the ``cairn_start`` task (its last output line is the run id).
        step_commands: argv of each step's task (``RUN_ID_TEMPLATE`` where the run id goes).
        upstream: the steps each step runs after.
        cwd: the folder the tasks run in (the pipeline's modules are imported from it).
        schedule: when the DAG runs by itself (None: only when triggered).
        end_command: argv of the ``cairn_end`` task (scheduled DAGs).
    """
    ids = task_ids(list(step_commands))
    lines = [
        f'"""Generated by Cairn: {description} (rewritten by Cairn; do not edit)."""',
        "import datetime as _dt",
        "",
        "from airflow.providers.standard.operators.bash import BashOperator",
        "from airflow.sdk import DAG",
        "",
        "with DAG(",
        f"    dag_id={dag!r},",
        f"    description={description!r},",
        *(f"    {arg}," for arg in _schedule_args(schedule)),
        "    max_active_runs=1,",
        "    is_paused_upon_creation=False,",
        "    tags=['cairn'],",
        ") as dag:",
        f"    _cwd = {cwd!r}",
        f"    start = BashOperator(task_id={START_TASK!r}, "
        f"bash_command={bash(start_command)!r}, cwd=_cwd, do_xcom_push=True)",
    ]
    variables = {name: f"t{i}" for i, name in enumerate(step_commands)}
    for name, argv in step_commands.items():
        lines.append(f"    {variables[name]} = BashOperator(task_id={ids[name]!r}, "
                     f"bash_command={bash(argv)!r}, cwd=_cwd, do_xcom_push=False)")  # fmt: skip
    for name in step_commands:
        ups = [variables[u] for u in upstream.get(name, ()) if u in variables] or ["start"]
        lines.append(f"    [{', '.join(ups)}] >> {variables[name]}")
    if end_command is not None:
        lines.append(f"    end = BashOperator(task_id={END_TASK!r}, "
                     f"bash_command={bash(end_command)!r}, cwd=_cwd, "
                     "trigger_rule='all_done')")  # fmt: skip
        leaves = [variables[n] for n in step_commands
                  if not any(n in upstream.get(m, ()) for m in step_commands)]  # fmt: skip
        lines.append(f"    [{', '.join(leaves or ['start'])}] >> end")
    return "\n".join(lines) + "\n"


__all__ = [
    "CONF_RUN_ID_TEMPLATE",
    "END_TASK",
    "RUN_ID_TEMPLATE",
    "SLOT_TEMPLATE",
    "START_TASK",
    "TEMPLATES",
    "DagSchedule",
    "bash",
    "dag_id",
    "render",
    "task_ids",
]
