"""The dashboard's ASGI application: the JSON API, the pages and their static files.

Example:
    >>> from cairn.client import Client
    >>> from cairn.dashboard import create_app
    >>> app = create_app(Client())          # serve with uvicorn.run(app)

Every asset comes from the package (``static/``); nothing is fetched from the
internet. The pages are one HTML shell whose script (``static/app.js``) reads
the API; the DAG is laid out by the vendored dagre library
(``static/vendor/dagre.min.js``, MIT licence beside it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from cairn.dashboard.api import router
from cairn.dashboard.data import DashboardData
from cairn.exceptions import CairnError, ConfigurationError, DoesNotExistError

if TYPE_CHECKING:
    from cairn.client import Client

STATIC = Path(__file__).parent / "static"
#: The page routes; each serves the HTML shell, whose script renders the page.
PAGES = (
    "/",
    "/runs",
    "/pipelines",
    "/compare",
    "/runs/{ident}",
    "/steps/{ident}",
    "/artifacts/{ident}",
)
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _error_handlers(app: FastAPI) -> None:
    def handler(status: int) -> Any:
        async def handle(request: Request, exc: Exception) -> JSONResponse:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            return JSONResponse({"detail": first}, status_code=status)

        return handle

    app.add_exception_handler(DoesNotExistError, handler(404))
    app.add_exception_handler(ConfigurationError, handler(400))
    app.add_exception_handler(CairnError, handler(503))


def _pages(app: FastAPI) -> None:
    shell = (STATIC / "index.html").read_text(encoding="utf-8")

    async def page() -> HTMLResponse:
        return HTMLResponse(shell)

    for path in PAGES:
        app.add_api_route(
            path, page, methods=["GET"], include_in_schema=False, response_class=HTMLResponse
        )


def create_app(
    client: Client | None = None, *, token: str | None = None, stack_name: str | None = None
) -> FastAPI:
    """The dashboard over ``client`` (by default the active stack's).

    Args:
        client: the client to read through.
        token: when given, every request must carry it (see :mod:`cairn.dashboard.auth`).
        stack_name: the stack's name to show (by default the client's stack).
    """
    from cairn import __version__
    from cairn.client import Client

    client = client or Client()
    app = FastAPI(
        title="Cairn dashboard",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        description="Read-only API over Cairn's stacks, pipelines, runs, steps and artifacts.",
    )
    app.state.data = DashboardData(client)
    app.state.stack_name = stack_name or client.stack.name
    app.include_router(router)
    _error_handlers(app)
    _pages(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        for key, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    if token:
        from cairn.dashboard.auth import TokenMiddleware

        app.add_middleware(TokenMiddleware, token=token)
    return app
