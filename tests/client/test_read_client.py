"""The read commands' client: sqlite3 only when the active stack allows, else the full one."""

from __future__ import annotations

from cairn import pipeline, step
from cairn.client import Client
from cairn.client.read_client import LocalFiles, read_client
from cairn.enums import StackComponentType as T
from cairn.stack.registry import StackRegistry
from cairn.store.records import FlavorRecord


@step
def one() -> int:
    print("one says hi")
    return 1


@pipeline(name="read_client_pipeline", enable_cache=False)
def simple() -> None:
    one()


def test_before_any_run_it_is_the_full_client() -> None:
    client = read_client()
    assert type(client.metadata_store).__name__ != "SQLiteRunReader"
    assert client.list_pipelines() == []


def test_default_stack_reads_with_sqlite3_and_sees_the_same() -> None:
    run = simple().run()
    fast = read_client()
    assert type(fast.metadata_store).__name__ == "SQLiteRunReader"
    assert isinstance(fast.artifact_store, LocalFiles)
    view, full = fast.get_run(run.name), Client().get_run(run.name)
    assert view.to_dict() == full.to_dict()
    assert view.steps["one"].logs() == full.steps["one"].logs() == "one says hi\n"
    assert view.steps["one"].outputs["output"].load() == 1  # the full artifact store's


def test_a_registered_flavor_named_sqlite_gets_the_full_client() -> None:
    simple().run()
    assert type(read_client().metadata_store).__name__ == "SQLiteRunReader"
    source = "cairn.metadata_stores:SQLiteMetadataStore"
    StackRegistry().store.register_flavor(
        FlavorRecord(T.METADATA_STORE, "sqlite", source), overwrite=True
    )
    assert type(read_client().metadata_store).__name__ != "SQLiteRunReader"
