"""Run the dashboard: bind, print the URL, serve with uvicorn until interrupted.

Binding an address other than loopback requires a token: the one given, or
one generated here and printed once with the URL.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from cairn.exceptions import ConfigurationError, IntegrationError

if TYPE_CHECKING:
    from cairn.client import Client


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def dashboard_token(host: str, token: str | None) -> str | None:
    """The token to require: ``token``; or a new one when ``host`` is not loopback."""
    if token is not None and not token.strip():
        raise ConfigurationError("The dashboard token is empty: give a non-empty --token.")
    if token is None and not is_loopback(host):
        return secrets.token_urlsafe(24)
    return token


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise ConfigurationError(
            f"Cannot listen on {host}:{port} ({exc.strerror}): choose another --port or --host."
        ) from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket, host: str, token: str | None) -> str:
    """The URL to open (with ``?token=`` when a token is required)."""
    port = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def _client(stack: str | None) -> Client:
    from cairn.client import Client

    if stack is None:
        return Client()
    from cairn.stack.registry import StackRegistry

    return Client(StackRegistry().get_stack(stack))


def serve(
    host: str = "127.0.0.1",
    port: int = 8237,
    *,
    stack: str | None = None,
    token: str | None = None,
    open_browser: bool = False,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve the dashboard until interrupted.

    Args:
        host: address to bind (loopback by default; any other needs a token).
        port: port to bind (0: any free port).
        stack: read this stack's stores instead of the active stack's.
        token: require this token (generated when binding beyond loopback without one).
        open_browser: open the URL in a web browser.
        echo: where to print the URL.
    """
    try:
        import uvicorn

        from cairn.dashboard.app import create_app
    except ImportError as exc:
        raise IntegrationError(
            f"The dashboard needs {exc.name or 'its web framework'}: "
            "pip install 'cairn[dashboard]'."
        ) from exc
    required = dashboard_token(host, token)
    client = _client(stack)
    app = create_app(client, token=required, stack_name=client.stack.name)
    sock = bind(host, port)
    url = url_of(sock, host, required)
    echo(f"Cairn dashboard for stack '{client.stack.name}': {url}")
    if required and token is None:
        echo("A token was generated for this address; it is shown only in the URL above.")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
