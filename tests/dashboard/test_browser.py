"""End-to-end: the dashboard in headless Chromium (Debian's package, driven by Playwright).

``cairn dashboard`` runs as a subprocess on 127.0.0.1 over runs recorded for real;
the browser opens the overview, follows a run while a step goes from running to
completed, opens a failed step's traceback and compares two runs. Screenshots of
each page are saved under ``build/test-artifacts/dashboard/`` (or
``$CAIRN_TEST_ARTIFACTS/dashboard/``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cairn.client import Client

from .conftest import Recorded, record_runs

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run"]  # fmt: skip
REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
TIMEOUT_MS = 30_000

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def artifacts_dir() -> Path:
    base = os.environ.get("CAIRN_TEST_ARTIFACTS")
    folder = (Path(base) if base else REPO / "build" / "test-artifacts") / "dashboard"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing: apt-get install chromium"
    if os.environ.get("CAIRN_REQUIRE_SERVERS") == "1" or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def server() -> Iterator[str]:
    """``cairn dashboard --port 0`` in a subprocess; its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cairn.cli.main", "dashboard", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert proc.stdout is not None
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        url = found.group(1) if found else None
        if not line and proc.poll() is not None:
            break
    try:
        assert url, "cairn dashboard printed no URL"
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


@pytest.fixture
def page() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            tab = context.new_page()
            tab.set_default_timeout(TIMEOUT_MS)
            yield tab
            context.close()
        finally:
            browser.close()


def shot(page: Any, name: str) -> Path:
    path = artifacts_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def recorded() -> Recorded:
    return record_runs()


def test_overview(server: str, page: Any, recorded: Recorded) -> None:
    page.goto(server + "/")
    page.wait_for_selector("#recent-runs tr[data-run='train-b']")
    stack = page.inner_text("#stack")
    assert "Stack 'default'" in stack and "metadata_store" in stack and "sqlite" in stack
    row = page.inner_text("#recent-runs tr[data-run='train-b']")
    assert "completed" in row and "1/3" in row  # one of three steps reused
    assert "failed" in page.inner_text("#recent-runs tr[data-run='broken']")
    shot(page, "overview")
    page.click("a[data-nav='runs']")
    page.wait_for_selector("tr[data-run='train-a']")
    page.select_option("select[name='status']", "failed")
    page.click("form.filters button")
    page.wait_for_url(re.compile(r"status=failed"))
    page.wait_for_selector("tr[data-run='broken']")
    assert page.locator("tr[data-run]").count() == 1
    assert page.inner_text("#range") == "1\u20131 of 1"
    shot(page, "runs-filtered")


def _start_gated_run(gate: Path) -> subprocess.Popen[str]:
    code = (
        "import sys, warnings; sys.path.insert(0, sys.argv[1]); warnings.simplefilter('ignore');"
        "from dashboard.pipelines import gated; gated(gate=sys.argv[2]).run(run_name='gated-run')"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, str(TESTS), str(gate)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_running_step_turns_completed(server: str, page: Any, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    proc = _start_gated_run(gate)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            runs = Client().list_runs(limit=1)
            if runs and "wait_for" in runs[0].refresh().steps:
                break
            time.sleep(0.2)
        page.goto(server + "/runs/gated-run")
        page.wait_for_selector("g.node[data-step='wait_for'][data-status='running']")
        assert page.get_attribute("g.node[data-step='finish']", "data-status") == "pending"
        assert page.get_attribute("g.node[data-step='begin']", "data-status") == "completed"
        shot(page, "run-running")
        gate.touch()
        page.wait_for_selector("g.node[data-step='wait_for'][data-status='completed']")
        page.wait_for_selector("g.node[data-step='finish'][data-status='completed']")
        page.wait_for_selector("h1 .badge[data-status='completed']")
        shot(page, "run-completed")
    finally:
        gate.touch()
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


def test_a_failed_steps_traceback(server: str, page: Any, recorded: Recorded) -> None:
    page.goto(server + "/runs/broken")
    page.wait_for_selector("g.node[data-step='explode'][data-status='failed']")
    assert page.get_attribute("g.node[data-step='prepare']", "data-status") == "completed"
    shot(page, "run-failed")
    page.click("g.node[data-step='explode']")
    page.wait_for_selector("#traceback")
    traceback = page.inner_text("#traceback")
    assert "Traceback (most recent call last)" in traceback
    assert "ValueError: cannot explode 3 things" in traceback
    assert page.inner_text("#step-name") == "explode"
    shot(page, "step-failed")


def test_compare_two_runs(server: str, page: Any, recorded: Recorded) -> None:
    page.goto(server + "/runs?pipeline=training")
    page.wait_for_selector("tr[data-run='train-a']")
    page.check("tr[data-run='train-a'] input.pick")
    page.check("tr[data-run='train-b'] input.pick")
    page.click("#compare-selected")
    page.wait_for_url(re.compile(r"/compare\?runs=train-b&runs=train-a"))
    lr = page.wait_for_selector("[data-section='Parameters'] tr[data-key='lr']")
    assert lr.get_attribute("data-differs") == "1" and "0.3" in lr.inner_text()
    rows = "[data-section='Parameters'] tr[data-key='rows']"
    assert page.get_attribute(rows, "data-differs") == "0"
    metric = "[data-section='Metrics'] tr[data-key='train.accuracy']"
    assert page.get_attribute(metric, "data-differs") == "1"
    cache = page.inner_text("[data-section='Cache reuse'] tr[data-key='load']")
    assert "reused" in cache and "ran" in cache
    shot(page, "compare")


def test_a_fan_out_is_collapsed_and_expands(server: str, page: Any, recorded: Recorded) -> None:
    page.goto(server + "/runs/fanned")
    group = page.wait_for_selector("g.node.group")
    assert (
        "\u00d76" in (group.text_content() or "")
        and page.locator("g.node[data-step^='square']").count() == 0
    )
    shot(page, "run-fanout")
    group.click()
    page.wait_for_selector("g.node[data-step='square_6']")
    assert page.locator("g.node[data-step^='square']").count() == 6


def test_step_and_artifact_pages(server: str, page: Any, recorded: Recorded) -> None:
    page.goto(server + "/runs/train-b")
    page.click("g.node[data-step='train']")
    page.wait_for_selector("#logs:has-text('training with lr=0.3')")
    assert "caching disabled" in page.inner_text("#cache-reason")
    shot(page, "step")
    page.click("a[href^='/steps/']:text-is('load')")  # the input's producer (in train-a)
    page.wait_for_selector("#step-name:text-is('load')")
    assert "train-a" in page.inner_text("main")
    page.click("table a[href^='/artifacts/']")
    page.wait_for_selector("#preview table")
    assert "5 rows x 2 columns" in page.inner_text("main")
    assert "train-b" in page.inner_text("main")  # lineage: used by both runs
    shot(page, "artifact")
