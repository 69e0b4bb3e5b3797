"""The dashboard's JSON API over real recorded runs: every endpoint, filters, errors, secrets."""

from __future__ import annotations

import time
from typing import Any

import pytest

from cairn.client import Client
from cairn.enums import ExecutionStatus, StackComponentType
from cairn.stack.registry import StackRegistry

from .conftest import Recorded

V1 = "/api/v1"


def get(api: Any, path: str, status: int = 200) -> Any:
    resp = api.get(V1 + path)
    assert resp.status_code == status, resp.text
    return resp.json()


def test_info(api: Any) -> None:
    info = get(api, "/info")
    assert info["api"] == "v1" and info["read_only"] is True and info["stack"] == "default"
    assert "failed" in info["statuses"]


def test_stacks_and_the_current_stack(api: Any) -> None:
    stacks = get(api, "/stacks")
    assert [s["name"] for s in stacks] == ["default"]
    types = {c["type"] for c in stacks[0]["components"]}
    assert {"orchestrator", "artifact_store", "metadata_store"} <= types
    current = get(api, "/stack")
    assert current["name"] == "default" and current["active"] is True
    assert {c["state"] for c in current["components"]} == {"running"}
    assert get(api, "/stacks/default")["uuid"] == current["uuid"]
    assert "nope" in get(api, "/stacks/nope", 404)["detail"]


def test_pipelines(api: Any) -> None:
    pipelines = {p["name"]: p for p in get(api, "/pipelines")}
    assert set(pipelines) == {"training", "failing", "fanout"}
    assert pipelines["training"]["run_count"] == 2
    assert sorted(pipelines["training"]["step_names"]) == ["load", "report", "train"]
    assert get(api, "/pipelines/training")["id"] == pipelines["training"]["id"]
    assert get(api, f"/pipelines/{pipelines['fanout']['id']}")["name"] == "fanout"
    get(api, "/pipelines/unknown", 404)


def test_run_list_newest_first_with_step_counts(api: Any) -> None:
    page = get(api, "/runs")
    assert page["total"] == 4 and page["limit"] == 50 and page["offset"] == 0
    assert [r["name"] for r in page["items"]] == ["fanned", "broken", "train-b", "train-a"]
    second = page["items"][2]
    assert second["stack"] == "default" and second["status"] == "completed"
    assert second["steps_total"] == 3 and second["steps_reused"] == 1
    assert second["step_counts"] == {"cached": 1, "completed": 2}


def test_run_list_filters_and_pages(api: Any, recorded: Recorded) -> None:
    assert get(api, "/runs?pipeline=training")["total"] == 2
    assert [r["name"] for r in get(api, "/runs?status=failed")["items"]] == ["broken"]
    assert get(api, "/runs?stack=default")["total"] == 4
    assert get(api, "/runs?stack=other")["total"] == 0
    after = recorded.second.created
    assert [r["name"] for r in get(api, f"/runs?created_after={after}")["items"]] == [
        "fanned", "broken", "train-b"]  # fmt: skip
    assert get(api, f"/runs?created_before={after}")["total"] == 1
    page = get(api, "/runs?limit=2&offset=1")
    assert [r["name"] for r in page["items"]] == ["broken", "train-b"] and page["total"] == 4
    both = get(api, "/runs?pipeline=training&status=completed&stack=default")
    assert both["total"] == 2


@pytest.mark.parametrize(
    "query", ["status=bogus", "limit=0", "limit=100000", "offset=-1", "created_after=nan"]
)
def test_bad_run_filters_are_refused(api: Any, query: str) -> None:
    assert api.get(f"{V1}/runs?{query}").status_code == 422


def test_unknown_pipeline_filter_is_404(api: Any) -> None:
    get(api, "/runs?pipeline=nope", 404)


def test_run_detail_with_dag(api: Any, recorded: Recorded) -> None:
    run = get(api, "/runs/train-b")
    assert run["id"] == recorded.second.id and run["parameters"] == {"lr": 0.3, "rows": 5}
    assert [s["name"] for s in run["steps"]] == ["load", "train", "report"]
    assert {s["name"]: s["status"] for s in run["steps"]}["load"] == "cached"
    assert {(e["source"], e["target"]) for e in run["edges"]} == {
        ("load", "train"), ("train", "report")}  # fmt: skip
    assert all(s["source"].endswith((":load", ":train", ":report")) for s in run["steps"])
    assert get(api, f"/runs/{recorded.second.id}")["name"] == "train-b"
    get(api, "/runs/nope", 404)


def test_a_fan_out_keeps_its_step_function(api: Any) -> None:
    run = get(api, "/runs/fanned")
    squares = [s for s in run["steps"] if s["source"].endswith(":square")]
    assert len(squares) == 6
    assert sum(1 for e in run["edges"] if e["target"] == "total") == 6


def test_failed_run_shows_the_traceback(api: Any) -> None:
    run = get(api, "/runs/broken")
    assert run["status"] == "failed" and "cannot explode 3 things" in run["error"]
    step = next(s for s in run["steps"] if s["name"] == "explode")
    detail = get(api, f"/steps/{step['id']}")
    assert detail["status"] == "failed"
    assert (
        "Traceback" in detail["error"] and "ValueError: cannot explode 3 things" in detail["error"]
    )


def test_step_detail_cache_reason_inputs_outputs_metadata(api: Any) -> None:
    run = get(api, "/runs/train-b")
    steps = {s["name"]: s for s in run["steps"]}
    load = get(api, f"/steps/{steps['load']['id']}")
    assert load["cached"] is True and "same cache key" in load["cache_reason"]
    assert load["cached_from"] and load["cache_key"]
    train = get(api, f"/steps/{steps['train']['id']}")
    assert train["parameters"] == {"lr": 0.3} and train["run_name"] == "train-b"
    assert train["metadata"] == {"accuracy": 0.8, "epochs": 3}
    data = train["inputs"]["data"]
    assert data["producer_step"] == "load" and data["data_type"].endswith(":DataFrame")
    assert data["producer_run_id"] == get(api, "/runs/train-a")["id"]  # reused from train-a
    assert set(train["outputs"]) == {"weights", "accuracy"}
    get(api, "/steps/nope", 404)


def test_step_logs_follow_by_offset(api: Any) -> None:
    run = get(api, "/runs/train-b")
    train = next(s for s in run["steps"] if s["name"] == "train")
    chunk = get(api, f"/steps/{train['id']}/logs")
    assert chunk["text"] == "training with lr=0.3 on 5 rows\n" and chunk["finished"] is True
    again = get(api, f"/steps/{train['id']}/logs?offset={chunk['next_offset']}")
    assert again["text"] == "" and again["next_offset"] == chunk["next_offset"]
    assert get(api, f"/steps/{train['id']}/logs?offset=9")["text"] == "with lr=0.3 on 5 rows\n"
    get(api, "/steps/nope/logs", 404)


def _outputs(api: Any, step: str, run: str = "train-b") -> dict[str, Any]:
    steps = {s["name"]: s for s in get(api, f"/runs/{run}")["steps"]}
    outputs: dict[str, Any] = get(api, f"/steps/{steps[step]['id']}")["outputs"]
    return outputs


def test_artifact_detail_and_lineage(api: Any) -> None:
    data = _outputs(api, "load")["output"]
    artifact = get(api, f"/artifacts/{data['id']}")
    assert artifact["producer"]["run"] == "train-a" and artifact["size"] > 0
    assert sorted(c["run"] for c in artifact["consumers"]) == ["train-a", "train-b"]
    assert {c["input_name"] for c in artifact["consumers"]} == {"data"}
    get(api, "/artifacts/nope", 404)
    get(api, "/artifacts/nope/preview", 404)


def test_previews_by_type(api: Any) -> None:
    frame = get(api, f"/artifacts/{_outputs(api, 'load')['output']['id']}/preview")
    assert frame["kind"] == "dataframe" and frame["shape"] == [5, 2]
    assert [c["name"] for c in frame["columns"]] == ["x", "y"] and frame["rows"][1] == [1, 2.0]
    outputs = _outputs(api, "train")
    array = get(api, f"/artifacts/{outputs['weights']['id']}/preview")
    assert array["kind"] == "array" and array["shape"] == [3, 4] and array["dtype"] == "float64"
    assert len(array["sample"]) == 12
    number = get(api, f"/artifacts/{outputs['accuracy']['id']}/preview")
    assert number == {**number, "kind": "number", "value": 0.8}
    text = get(api, f"/artifacts/{_outputs(api, 'report')['output']['id']}/preview")
    assert text["kind"] == "text" and text["value"].startswith("accuracy 0.8")


def test_compare_two_runs_marks_differences(api: Any) -> None:
    c = get(api, "/compare?runs=train-a&runs=train-b")
    assert [r["name"] for r in c["runs"]] == ["train-a", "train-b"]
    params = {row["key"]: row for row in c["parameters"]}
    assert params["lr"]["values"] == [0.1, 0.3] and params["lr"]["differs"] is True
    assert params["rows"]["differs"] is False
    metrics = {row["key"]: row for row in c["metrics"]}
    assert (
        metrics["train.accuracy"]["values"] == [0.6, 0.8] and metrics["train.accuracy"]["differs"]
    )
    assert metrics["train.epochs"]["differs"] is False
    cached = {row["key"]: row["values"] for row in c["cached"]}
    assert cached["load"] == [False, True]
    outputs = {row["key"]: row for row in c["outputs"]}
    assert outputs["load.output"]["differs"] is False and outputs["train.weights"]["differs"]
    assert {row["key"] for row in c["durations"]} == {"load", "train", "report"}


def test_compare_runs_of_different_pipelines(api: Any) -> None:
    c = get(api, "/compare?runs=train-a&runs=fanned")
    assert [r["pipeline"] for r in c["runs"]] == ["training", "fanout"]
    lr = next(row for row in c["parameters"] if row["key"] == "lr")
    assert lr["values"] == [0.1, None] and lr["differs"] is True
    get(api, "/compare?runs=train-a&runs=nope", 404)
    assert api.get(f"{V1}/compare").status_code == 422


def test_the_api_is_read_only(api: Any) -> None:
    for method in ("post", "put", "patch", "delete"):
        assert getattr(api, method)(f"{V1}/runs/train-a").status_code == 405
    assert get(api, "/runs")["total"] == 4


def test_openapi_document_lists_the_endpoints(api: Any) -> None:
    doc = api.get("/openapi.json").json()
    paths = set(doc["paths"])
    assert {f"{V1}/stacks", f"{V1}/pipelines", f"{V1}/runs", f"{V1}/runs/{{name_or_id}}",
            f"{V1}/steps/{{step_id}}", f"{V1}/compare"} <= paths  # fmt: skip
    assert all(p.startswith(V1) for p in paths)  # the pages are not API


def test_pages_and_assets_come_from_the_package(api: Any) -> None:
    for path in ("/", "/runs", "/pipelines", "/compare", "/runs/x", "/steps/x", "/artifacts/x"):
        resp = api.get(path)
        assert resp.status_code == 200 and '<main id="main">' in resp.text
        assert "http" not in resp.text.split("<body>")[0].replace("http-equiv", "")
        assert "default-src 'self'" in resp.headers["content-security-policy"]
    for asset in ("app.js", "app.css", "vendor/dagre.min.js"):
        assert api.get(f"/static/{asset}").status_code == 200
    assert api.get("/static/../app.py").status_code == 404


def _secret_stack() -> None:
    reg = StackRegistry()
    reg.register_component(StackComponentType.EXPERIMENT_TRACKER, "tracker", "mlflow",
                           {"tracking_uri": "http://127.0.0.1:1", "tracking_password": "hunter2",
                            "tracking_username": "alice-secret-name"})  # fmt: skip
    reg.register_stack("tracked", {
        StackComponentType.ORCHESTRATOR: "default", StackComponentType.ARTIFACT_STORE: "default",
        StackComponentType.METADATA_STORE: "default",
        StackComponentType.EXPERIMENT_TRACKER: "tracker"})  # fmt: skip


def test_no_endpoint_returns_a_secret(api: Any, recorded: Recorded) -> None:
    _secret_stack()
    ms = Client().metadata_store
    pipeline = ms.get_or_create_pipeline("leaky", {})
    run = ms.create_run(pipeline.id, "leaky-run", parameters={"api_token": "tok-123456"},
                        stack_snapshot={"name": "tracked", "components": {"x": {"config": {
                            "password": "pw-98765", "url": "ok"}}}})  # fmt: skip
    bodies = [api.get(V1 + p).text for p in (
        "/stacks", "/stacks/tracked", "/runs", "/runs/leaky-run",
        "/compare?runs=leaky-run&runs=train-a")]  # fmt: skip
    for body in bodies:
        for secret in ("hunter2", "alice-secret-name", "tok-123456", "pw-98765"):
            assert secret not in body
    tracked = get(api, "/stacks/tracked")
    tracker = next(c for c in tracked["components"] if c["type"] == "experiment_tracker")
    assert tracker["config"]["tracking_password"] == "********"
    assert get(api, "/runs/leaky-run")["stack_snapshot"]["components"]["x"]["config"]["url"] == "ok"
    assert get(api, "/runs?stack=tracked")["items"][0]["id"] == run.id


def test_runs_written_while_serving_show_up(api: Any) -> None:
    ms = Client().metadata_store
    pipeline = ms.get_or_create_pipeline("live", {"steps": {"a": {"source": "m:a"}}})
    run = ms.create_run(pipeline.id, "live-run", stack_snapshot={"name": "default"})
    assert [s["status"] for s in get(api, "/runs/live-run")["steps"]] == ["pending"]
    step = ms.create_step_run(run.id, "a")
    assert [s["status"] for s in get(api, "/runs/live-run")["steps"]] == ["running"]
    time.sleep(0.01)
    ms.finish_step_run(step.id, ExecutionStatus.COMPLETED)
    assert [s["status"] for s in get(api, "/runs/live-run")["steps"]] == ["completed"]
