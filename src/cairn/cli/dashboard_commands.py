"""``cairn dashboard``: serve the web UI (a thin command over :func:`cairn.dashboard.serve`)."""

from __future__ import annotations

import click


@click.command("dashboard")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any but loopback requires a token.",
)
@click.option(
    "--port",
    default=8237,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--stack",
    default=None,
    metavar="NAME",
    help="Show this stack's stores (default: the active stack).",
)
@click.option(
    "--token",
    default=None,
    envvar="CAIRN_DASHBOARD_TOKEN",
    help="Require this token (generated when --host is not loopback).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open it in a web browser.")
def dashboard(
    host: str, port: int, stack: str | None, token: str | None, open_browser: bool
) -> None:
    """Serve the read-only dashboard and print its URL (Ctrl-C stops it)."""
    from cairn.dashboard.server import serve

    serve(
        host,
        port,
        stack=stack,
        token=token,
        open_browser=open_browser,
        echo=lambda line: click.echo(line),
    )
