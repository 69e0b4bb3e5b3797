"""Local emulators of cloud storage, for tests, benchmarks and examples.

Each context manager starts the maintained emulator of one service as a child
process bound to 127.0.0.1 on a free port, yields what a client needs to reach
it, and stops the process on exit (also when the block fails):

* :func:`moto_s3` -- moto's S3 server (``pip install 'moto[server]'``);
* :func:`azurite_blob` -- azurite's blob service (``npm install azurite``);
* :func:`gcs_emulator` -- ``gcp-storage-emulator`` (``pip install gcp-storage-emulator``).

Nothing here talks to the internet; the emulators keep their data in memory
(or in a temporary folder that is removed).

Example:
    >>> with moto_s3() as endpoint:  # doctest: +SKIP
    ...     store = S3ArtifactStore(name="s3", path="s3://bucket/cairn",
    ...                             endpoint_url=endpoint, key="k", secret="s")
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_MOTO = """
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
"""

_GCS = """
import sys
from gcp_storage_emulator.server import create_server
server = create_server("127.0.0.1", int(sys.argv[1]), in_memory=True, default_bucket=None)
server.start()
print(sys.argv[1], flush=True)
sys.stdin.read()
server.stop()
"""

#: The well-known development account of azurite (public, documented by Microsoft).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the emulator exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"the emulator did not listen on 127.0.0.1:{port} in {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop an emulator: close its stdin (the Python ones exit), then terminate, then kill."""
    try:
        if process.stdin is not None and not process.stdin.closed:
            with contextlib.suppress(OSError):
                process.stdin.close()
        for stop in (None, process.terminate, process.kill):
            if stop is not None:
                stop()
            try:
                process.wait(timeout=10)
                return
            except subprocess.TimeoutExpired:
                continue
    finally:
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def _python_emulator(code: str, *args: str, timeout: float = 60.0) -> Iterator[int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GOOGLE_"))}
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        if not line.isdigit():
            raise RuntimeError(f"the emulator did not start (exit code {process.poll()})")
        port = int(line)
        _wait_for_port(port, process, timeout)
        yield port
    finally:
        _stop(process)


@contextmanager
def moto_s3() -> Iterator[str]:
    """Run moto's S3 server; yield its endpoint URL (``http://127.0.0.1:PORT``)."""
    with _python_emulator(_MOTO) as port:
        yield f"http://127.0.0.1:{port}"


@contextmanager
def gcs_emulator() -> Iterator[str]:
    """Run ``gcp-storage-emulator`` in memory; yield its endpoint URL."""
    port = free_port()
    with _python_emulator(_GCS, str(port)) as port:
        yield f"http://127.0.0.1:{port}"


def azurite_command() -> list[str] | None:
    """The command that starts azurite's blob service, or None if it is not installed.

    Looked up in ``$CAIRN_AZURITE``, then ``node_modules/.bin`` of the current
    folder and its parents, then ``PATH``.
    """
    explicit = os.environ.get("CAIRN_AZURITE")
    if explicit:
        return [explicit]
    for folder in [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[3]]:
        candidate = folder / "node_modules" / ".bin" / "azurite-blob"
        if candidate.exists():
            return [str(candidate)]
    found = shutil.which("azurite-blob")
    return [found] if found else None


@contextmanager
def azurite_blob(timeout: float = 60.0) -> Iterator[str]:
    """Run azurite's blob service; yield a connection string for it.

    Raises:
        FileNotFoundError: azurite is not installed (``npm install azurite``).
    """
    command = azurite_command()
    if command is None:
        raise FileNotFoundError("azurite is not installed: npm install azurite (Node 20+)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="cairn-azurite-") as data:
        process = subprocess.Popen(
            [*command, "--blobHost", "127.0.0.1", "--blobPort", str(port),
             "--location", data, "--skipApiVersionCheck", "--disableTelemetry", "--loose",
             "--silent"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_for_port(port, process, timeout)
            yield (
                f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
                f"AccountKey={AZURITE_KEY};"
                f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
            )
        finally:
            _stop(process)
