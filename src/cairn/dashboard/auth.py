"""Token check: when the dashboard has a token, every request must carry it.

A request may carry it as ``Authorization: Bearer T``, as the
``cairn_dashboard_token`` cookie, or as ``?token=T`` (the URL the CLI prints):
a page opened that way sets the cookie and is redirected to the same URL
without the token, so it does not stay in the address bar or the history.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlencode

COOKIE = "cairn_dashboard_token"


def _matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class TokenMiddleware:
    """ASGI middleware refusing (401) every HTTP request without the token."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.requests import Request
        from starlette.responses import JSONResponse, RedirectResponse

        request = Request(scope)
        header = request.headers.get("authorization", "")
        bearer = header[7:].strip() if header[:7].lower() == "bearer " else None
        if _matches(bearer, self.token) or _matches(request.cookies.get(COOKIE), self.token):
            await self.app(scope, receive, send)
            return
        if _matches(request.query_params.get("token"), self.token):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
            response: Any = RedirectResponse(target, status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        response = JSONResponse(
            {"detail": "This dashboard needs its token: open the URL 'cairn dashboard' printed."},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
        await response(scope, receive, send)
