"""Health checks of local services: a TCP probe, an HTTP probe or a callable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cairn.services.process import port_in_use


@dataclass(frozen=True)
class HealthCheck:
    """How to tell that a service answers.

    Attributes:
        kind: ``"tcp"`` (something accepts connections on the port) or
            ``"http"`` (``GET path`` answers with a status below 500).
        path: the URL path of the HTTP probe.
        timeout: seconds one probe may take.
    """

    kind: str = "tcp"
    path: str = "/"
    timeout: float = 2.0

    def probe(self, host: str, port: int) -> bool:
        """Whether the service at ``host:port`` is healthy now."""
        if self.kind == "http":
            return http_ok(f"http://{_url_host(host)}:{port}{self.path}", self.timeout)
        return port_in_use(port, _connect_host(host))

    def to_dict(self) -> dict[str, object]:
        """JSON form, stored in the service's state file."""
        return {"kind": self.kind, "path": self.path, "timeout": self.timeout}

    @classmethod
    def from_dict(cls, data: dict[str, object] | None) -> HealthCheck:
        """Inverse of :meth:`to_dict` (a TCP probe when ``data`` is empty)."""
        if not data:
            return cls()
        return cls(str(data.get("kind", "tcp")), str(data.get("path", "/")),
                   float(str(data.get("timeout", 2.0))))  # fmt: skip


#: A custom health check: called with (host, port), true when healthy.
HealthCallable = Callable[[str, int], bool]


def _connect_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else host


def _url_host(host: str) -> str:
    host = _connect_host(host)
    return f"[{host}]" if ":" in host else host


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """Whether ``GET url`` answers with an HTTP status below 500."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (OSError, ValueError):
        return False
