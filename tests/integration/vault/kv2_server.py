"""A small HTTP server that speaks the Vault KV v2 calls Cairn's vault flavor makes.

No Vault server can be installed here, so the vault flavor is tested with its real
client library (hvac) against this server, on 127.0.0.1, up to the HTTP boundary:

* ``GET    /v1/<mount>/data/<path>``      read the latest version (404 when absent)
* ``POST   /v1/<mount>/data/<path>``      write a version (``options.cas``: 0 = must not exist)
* ``POST   /v1/<mount>/metadata/<path>``  set ``custom_metadata``
* ``LIST   /v1/<mount>/metadata/<dir>``   the keys under a folder (404 when none)
* ``DELETE /v1/<mount>/metadata/<path>``  delete every version and the metadata

Every request must carry ``X-Vault-Token: <token>`` (else 403), as Vault's do.
It records each request (method, path, headers, body) for the tests to inspect.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class KV2State:
    def __init__(self, token: str, mount: str = "secret") -> None:
        self.token = token
        self.mount = mount
        self.entries: dict[str, dict[str, Any]] = {}  # path -> {"data", "version", "custom"}
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.lock = threading.Lock()


def _handler(state: KV2State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _reply(self, code: int, body: Any = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with state.lock:
                state.requests.append((method, self.path, dict(self.headers), body))
                if self.headers.get("X-Vault-Token") != state.token:
                    self._reply(403, {"errors": ["permission denied"]})
                    return
                prefix = f"/v1/{state.mount}/"
                path = self.path.split("?", 1)[0]
                if not path.startswith(prefix):
                    self._reply(404, {"errors": ["no handler for route"]})
                    return
                kind, _, key = path[len(prefix) :].partition("/")
                self._kv(method, kind, key.strip("/"), json.loads(body) if body else {})

        def _kv(self, method: str, kind: str, key: str, body: dict[str, Any]) -> None:
            entry = state.entries.get(key)
            if (kind, method) == ("data", "GET"):
                if entry is None:
                    self._reply(404, {"errors": []})
                    return
                meta = {"version": entry["version"], "deletion_time": "", "destroyed": False,
                        "custom_metadata": entry["custom"] or None}  # fmt: skip
                self._reply(200, {"data": {"data": entry["data"], "metadata": meta}})
            elif (kind, method) in (("data", "POST"), ("data", "PUT")):
                cas = (body.get("options") or {}).get("cas")
                version = entry["version"] if entry else 0
                if cas is not None and cas != version:
                    self._reply(400, {"errors": ["check-and-set parameter did not match"]})
                    return
                custom = entry["custom"] if entry else {}
                state.entries[key] = {"data": body["data"], "version": version + 1,
                                      "custom": custom}  # fmt: skip
                self._reply(200, {"data": {"version": version + 1}})
            elif (kind, method) in (("metadata", "POST"), ("metadata", "PUT")):
                if entry is not None:
                    entry["custom"] = body.get("custom_metadata") or {}
                self._reply(204)
            elif (kind, method) == ("metadata", "LIST"):
                folder = key + "/" if key else ""
                rests = [k[len(folder) :] for k in state.entries if k.startswith(folder)]
                keys = sorted({r.split("/")[0] + ("/" if "/" in r else "") for r in rests})
                if not keys:
                    self._reply(404, {"errors": []})
                    return
                self._reply(200, {"data": {"keys": keys}})
            elif (kind, method) == ("metadata", "DELETE"):
                state.entries.pop(key, None)
                self._reply(204)
            else:
                self._reply(405, {"errors": [f"{method} {kind} not supported here"]})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PUT(self) -> None:
            self._route("PUT")

        def do_DELETE(self) -> None:
            self._route("DELETE")

        def do_LIST(self) -> None:
            self._route("LIST")

    return Handler


class KV2Server:
    """Run :func:`_handler` on 127.0.0.1 (a free port) in a thread; ``stop()`` ends it."""

    def __init__(self, token: str) -> None:
        self.state = KV2State(token)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> KV2Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
