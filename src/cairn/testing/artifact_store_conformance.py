"""What every artifact store flavor must do: the whole file API, on its own storage."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from cairn.testing._helpers import expect_error
from cairn.testing.stack_component_conformance import StackComponentConformance


class ArtifactStoreConformance(StackComponentConformance):
    """Conformance suite for an artifact store flavor.

    Implement :meth:`make_store`. Each test works in a fresh folder under the
    store's ``path`` (``self.root``) and removes it afterwards. Set
    ``ATOMIC_RENAME = False`` for stores whose rename is copy-and-delete (object
    stores); the test that a reader never sees a half-replaced file is skipped.

    Other switches: ``TRANSACTIONAL_WRITES`` (a file whose ``with`` block fails
    never appears: object stores), ``STREAMS`` (large files are written and read
    without holding them in memory: false for an in-memory filesystem) and
    ``SHARED_ACROSS_PROCESSES`` (another process sees the same files: false for
    an in-memory filesystem). ``LARGE_FILE_SIZE`` is the size of the large-file
    tests, in bytes.
    """

    ATOMIC_RENAME: bool = True
    TRANSACTIONAL_WRITES: bool = False
    STREAMS: bool = True
    SHARED_ACROSS_PROCESSES: bool = True
    LARGE_FILE_SIZE: int = 96 * 1024 * 1024

    def make_store(self) -> Any:
        """Return a configured artifact store of the flavor under test."""
        raise NotImplementedError("implement make_store() in your test class")

    def make_component(self) -> Any:
        return self.make_store()

    def setup_method(self, method: Any = None) -> None:
        super().setup_method(method)
        self.store = self._component()
        self.root = self.store.join(f"conformance-{uuid.uuid4().hex[:12]}")
        self.store.makedirs(self.root)

    def teardown_method(self, method: Any = None) -> None:
        store = getattr(self, "store", None)
        if store is not None and store.exists(self.root):
            store.rmtree(self.root)
        super().teardown_method(method)

    def p(self, *parts: str) -> str:
        """A path under this test's folder."""
        return "/".join([self.root.rstrip("/"), *parts])

    def write(self, path: str, data: bytes = b"data") -> str:
        with self.store.open(path, "wb") as f:
            f.write(data)
        return path

    def read(self, path: str) -> bytes:
        with self.store.open(path, "rb") as f:
            data: bytes = f.read()
        return data

    # ------------------------------------------------------------ open
    def test_open_binary_round_trip(self) -> None:
        self.write(self.p("a.bin"), b"\x00\x01payload")
        assert self.read(self.p("a.bin")) == b"\x00\x01payload"

    def test_open_text_round_trip(self) -> None:
        with self.store.open(self.p("a.txt"), "w") as f:
            f.write("héllo\n")
        with self.store.open(self.p("a.txt"), "r") as f:
            assert f.read() == "héllo\n"

    def test_open_for_writing_creates_parent_folders(self) -> None:
        self.write(self.p("x", "y", "z.bin"))
        assert self.store.isdir(self.p("x", "y"))

    def test_open_missing_file_raises(self) -> None:
        with expect_error(FileNotFoundError):
            self.store.open(self.p("missing"), "rb")

    # ------------------------------------------------------------ folders
    def test_exists_and_isdir(self) -> None:
        self.write(self.p("f"))
        self.store.makedirs(self.p("d"))
        assert self.store.exists(self.p("f")) and not self.store.isdir(self.p("f"))
        assert self.store.exists(self.p("d")) and self.store.isdir(self.p("d"))
        assert not self.store.exists(self.p("nothing"))
        assert not self.store.isdir(self.p("nothing"))

    def test_makedirs_nested_and_exist_ok(self) -> None:
        self.store.makedirs(self.p("a", "b", "c"))
        self.store.makedirs(self.p("a", "b", "c"), exist_ok=True)
        assert self.store.isdir(self.p("a", "b", "c"))
        with expect_error(FileExistsError):
            self.store.makedirs(self.p("a", "b", "c"), exist_ok=False)

    def test_listdir_returns_sorted_names(self) -> None:
        self.write(self.p("b.txt"))
        self.write(self.p("a.txt"))
        self.write(self.p("sub", "inner.txt"))
        assert self.store.listdir(self.root) == ["a.txt", "b.txt", "sub"]
        assert self.store.listdir(self.p("sub")) == ["inner.txt"]

    # ------------------------------------------------------------ delete
    def test_remove_deletes_one_file(self) -> None:
        self.write(self.p("keep"))
        self.write(self.p("gone"))
        self.store.remove(self.p("gone"))
        assert self.store.listdir(self.root) == ["keep"]

    def test_rmtree_deletes_a_folder_and_its_content(self) -> None:
        self.write(self.p("t", "a"))
        self.write(self.p("t", "s", "b"))
        self.store.rmtree(self.p("t"))
        assert not self.store.exists(self.p("t"))

    # ------------------------------------------------------------ rename
    def test_rename_file(self) -> None:
        self.write(self.p("src"), b"1")
        self.store.rename(self.p("src"), self.p("dst"))
        assert not self.store.exists(self.p("src"))
        assert self.read(self.p("dst")) == b"1"

    def test_rename_refuses_to_replace_without_overwrite(self) -> None:
        self.write(self.p("src"), b"new")
        self.write(self.p("dst"), b"old")
        with expect_error(FileExistsError):
            self.store.rename(self.p("src"), self.p("dst"))
        assert self.read(self.p("dst")) == b"old"
        assert self.read(self.p("src")) == b"new"

    def test_rename_with_overwrite_replaces_a_file(self) -> None:
        self.write(self.p("src"), b"new")
        self.write(self.p("dst"), b"old")
        self.store.rename(self.p("src"), self.p("dst"), overwrite=True)
        assert self.read(self.p("dst")) == b"new"
        assert not self.store.exists(self.p("src"))

    def test_rename_folder(self) -> None:
        self.write(self.p("tmp", "one"), b"1")
        self.write(self.p("tmp", "sub", "two"), b"2")
        self.store.rename(self.p("tmp"), self.p("final"))
        assert not self.store.exists(self.p("tmp"))
        assert self.read(self.p("final", "one")) == b"1"
        assert self.read(self.p("final", "sub", "two")) == b"2"

    def test_rename_never_shows_a_reader_a_missing_or_partial_file(self) -> None:
        if not self.ATOMIC_RENAME:
            return
        versions = [bytes([65 + i]) * 65536 for i in range(20)]
        self.write(self.p("dst"), versions[0])
        seen: list[bytes] = []
        errors: list[BaseException] = []
        done = threading.Event()

        def reader() -> None:
            while not done.is_set():
                try:
                    seen.append(self.read(self.p("dst")))
                except BaseException as exc:
                    errors.append(exc)
                    return

        thread = threading.Thread(target=reader)
        thread.start()
        try:
            for i, data in enumerate(versions[1:], start=1):
                self.write(self.p(f"tmp{i}"), data)
                self.store.rename(self.p(f"tmp{i}"), self.p("dst"), overwrite=True)
        finally:
            done.set()
            thread.join()
        assert not errors, errors
        assert all(data in versions for data in seen)
        assert self.read(self.p("dst")) == versions[-1]

    # ------------------------------------------------------------ inspect
    def test_glob(self) -> None:
        self.write(self.p("a.csv"))
        self.write(self.p("b.csv"))
        self.write(self.p("c.txt"))
        found = self.store.glob(self.p("*.csv"))
        assert [f.rsplit("/", 1)[-1] for f in found] == ["a.csv", "b.csv"]

    def test_stat_and_size(self) -> None:
        self.write(self.p("f"), b"12345")
        info = self.store.stat(self.p("f"))
        assert info["size"] == 5
        assert info["type"] == "file"
        assert self.store.size(self.p("f")) == 5
        with expect_error(FileNotFoundError):
            self.store.stat(self.p("missing"))

    def test_walk(self) -> None:
        self.write(self.p("w", "a"))
        self.write(self.p("w", "s", "b"))
        walked = {
            root.rstrip("/").rsplit("/", 1)[-1]: (sorted(dirs), sorted(files))
            for root, dirs, files in self.store.walk(self.p("w"))
        }
        assert walked == {"w": (["s"], ["a"]), "s": ([], ["b"])}

    # ------------------------------------------------------------ copy
    def test_copyfile(self) -> None:
        self.write(self.p("src"), b"copy me")
        self.store.copyfile(self.p("src"), self.p("dst"))
        assert self.read(self.p("dst")) == b"copy me"
        assert self.read(self.p("src")) == b"copy me"

    def test_copyfile_refuses_to_replace_without_overwrite(self) -> None:
        self.write(self.p("src"), b"new")
        self.write(self.p("dst"), b"old")
        with expect_error(FileExistsError):
            self.store.copyfile(self.p("src"), self.p("dst"))
        assert self.read(self.p("dst")) == b"old"
        self.store.copyfile(self.p("src"), self.p("dst"), overwrite=True)
        assert self.read(self.p("dst")) == b"new"

    # ------------------------------------------------------------ config
    def test_path_is_under_a_supported_scheme(self) -> None:
        from cairn.artifact_stores.base_artifact_store import check_scheme

        assert check_scheme(self.store.path, self.store.SUPPORTED_SCHEMES) == self.store.path

    # ------------------------------------------------------------ large files
    def test_large_file_round_trip_streams(self) -> None:
        """A large buffer written in one call and read with ``readinto`` is never
        held a second time in memory (peak Python allocations < half its size)."""
        import hashlib
        import os
        import tracemalloc

        size = self.LARGE_FILE_SIZE
        data = os.urandom(size)
        path = self.p("large.bin")
        tracemalloc.start()
        try:
            with self.store.open(path, "wb") as f:
                f.write(memoryview(data))
            _, write_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert self.store.size(path) == size
        expected = hashlib.sha256(data).hexdigest()
        del data
        into = bytearray(size)
        tracemalloc.start()
        try:
            with self.store.open(path, "rb") as f:
                got = f.readinto(into)
            _, read_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert got == size
        assert hashlib.sha256(into).hexdigest() == expected
        if self.STREAMS:
            assert write_peak < size // 2, f"writing held {write_peak} bytes for {size}"
            assert read_peak < size // 2, f"reading held {read_peak} bytes for {size}"

    def test_large_file_read_in_chunks(self) -> None:
        import hashlib
        import os

        data = os.urandom(self.LARGE_FILE_SIZE // 4 + 12345)
        self.write(self.p("chunks.bin"), data)
        digest = hashlib.sha256()
        with self.store.open(self.p("chunks.bin"), "rb") as f:
            while chunk := f.read(1024 * 1024 + 7):
                digest.update(chunk)
        assert digest.hexdigest() == hashlib.sha256(data).hexdigest()

    # ------------------------------------------------------------ commit point
    def test_failed_write_block_never_looks_complete(self) -> None:
        """On transactional stores a ``with`` block that fails leaves no file."""
        if not self.TRANSACTIONAL_WRITES:
            return
        import os

        path = self.p("failed.bin")
        try:
            with self.store.open(path, "wb") as f:
                f.write(os.urandom(self.LARGE_FILE_SIZE // 4))
                raise RuntimeError("interrupted")
        except RuntimeError:
            pass
        assert not self.store.exists(path)
        try:
            with self.store.open(self.p("failed.txt"), "w") as t:
                t.write("half")
                raise RuntimeError("interrupted")
        except RuntimeError:
            pass
        assert not self.store.exists(self.p("failed.txt"))

    def test_failed_artifact_write_leaves_nothing(self) -> None:
        from cairn.exceptions import MaterializerError
        from cairn.materializers.artifact_io import write_artifact
        from cairn.testing._artifact_store_checks import FailingMaterializer

        uri = self.p("artifacts", "out")
        with expect_error(MaterializerError):
            write_artifact(self.store, uri, FailingMaterializer, b"payload")
        assert not self.store.exists(uri)
        parent = self.p("artifacts")
        left = self.store.listdir(parent) if self.store.exists(parent) else []
        assert left == [], left

    def test_interrupted_artifact_write_never_looks_complete(self) -> None:
        """A process killed while saving an artifact never leaves a complete-looking file.

        The metadata record is what commits an artifact (the killed writer never
        made one). On transactional stores the file being uploaded when the process
        died does not exist at all; the one closed before it does.
        """
        if not self.SHARED_ACROSS_PROCESSES:
            return
        uri = self.p("artifacts", "killed")
        done = self._in_child(
            "from cairn.testing._artifact_store_checks import write_interrupted\n"
            "write_interrupted(store, args[0], args[1])\n",
            uri,
            self.LARGE_FILE_SIZE // 2,
        )
        assert done.returncode == 3, done.stderr
        names = [p.rsplit("/", 1)[-1] for p in self._files_under(self.p("artifacts"))]
        assert "complete.bin" in names, names
        if self.TRANSACTIONAL_WRITES:
            assert "data.bin" not in names, names
        else:  # a partial file may exist: it must not have the full size
            half = self.LARGE_FILE_SIZE // 4
            if "data.bin" in names:
                assert self.store.size(f"{uri}/data.bin") <= half

    def _files_under(self, folder: str) -> list[str]:
        if not self.store.exists(folder):
            return []
        return [f"{root}/{name}" for root, _, files in self.store.walk(folder) for name in files]

    def _in_child(self, code: str, *args: Any) -> Any:
        """Run ``code`` in a new Python process with ``store`` and ``args`` defined."""
        import subprocess
        import sys

        import cloudpickle

        prelude = (
            "import sys, cloudpickle\nstore, args = cloudpickle.loads(sys.stdin.buffer.read())\n"
        )
        payload = cloudpickle.dumps((self.store, list(args)))
        return subprocess.run(
            [sys.executable, "-c", prelude + code],
            input=payload,
            capture_output=True,
            timeout=300,
        )

    # ------------------------------------------------------------ pipelines
    def test_pipeline_artifacts_are_read_back_by_another_process(self) -> None:
        """A pipeline on a stack with this store; a second process loads its outputs."""
        if not self.SHARED_ACROSS_PROCESSES:
            return
        import json
        import os
        import subprocess
        import sys

        from cairn.testing._artifact_store_checks import (
            READ_BACK,
            conformance_numbers,
            use_store_in_a_stack,
        )

        stack = use_store_in_a_stack(self.store, self.root)
        run = conformance_numbers(n=100).run(run_name=f"conformance-{uuid.uuid4().hex[:8]}")
        assert str(run.status) == "completed"
        env = {**os.environ, "CAIRN_ACTIVE_STACK": stack}
        done = subprocess.run(
            [sys.executable, "-c", READ_BACK, run.name],
            capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        assert seen["status"] == "completed"
        uri, value = seen["outputs"]["total"]["output"]
        assert value == sum(i * i for i in range(100))
        assert uri.startswith(self.root.rstrip("/") + "/")
        uri, numbers = seen["outputs"]["make_numbers"]["output"]
        assert numbers == [i * i for i in range(100)] and self.store.exists(uri)
