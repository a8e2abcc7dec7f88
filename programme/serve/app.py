"""The live proof's web application (Starlette): a fixed set of routes, nothing by path.

    /                     the page (static/index.html, with app.js and style.css)
    /state.json           everything the page shows, as JSON (builder.Builder.state)
    /events               server-sent events: the state again after every change
    /page/N.png           the image of page N of the last good build
    /brochure.pdf         the last good PDF (proof.pdf, handout.pdf for the other kinds)
    /source/festival.yaml, /source/films/NAME.yaml, /source/layout/PATH
                          a content or layout file, read-only, with line numbers; only
                          files found by listing the content folder and the layout's folder
                          (keys of a table: the request's path is never opened)

No part of a request's path reaches the file system: page numbers and names are looked up
in what the builder holds, and anything else is 404. Only GET (and HEAD) is answered.
"""

from __future__ import annotations

import asyncio
import html
import json
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (FileResponse, HTMLResponse, JSONResponse, PlainTextResponse,
                                 Response, StreamingResponse)
from starlette.routing import Route

from ..problems import display_path
from .builder import Builder

KEEPALIVE = 15.0   # seconds between comments on an idle event stream
STATIC = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
}


def _static(name: str) -> str:
    return (resources.files(__package__) / "static" / name).read_text("utf-8")


class Hub:
    """The open event streams. :meth:`publish` (on the event loop) wakes them all; each
    sends the newest state, so a slow browser skips states rather than queueing them."""

    def __init__(self):
        self.state: dict = {}
        self.text = "{}"
        self.version = 0
        self.closed = False
        self._event = asyncio.Event()
        self.clients = 0

    def publish(self, state: dict) -> None:
        self.state = state
        self.text = json.dumps(state, separators=(",", ":"))
        self.version += 1
        self._wake()

    def close(self) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def stream(self, request: Request):
        self.clients += 1
        try:
            seen = -1
            yield "retry: 1000\n\n"
            while not self.closed:
                if self.version != seen:
                    seen = self.version
                    yield f"event: state\ndata: {self.text}\n\n"
                    continue
                event = self._event
                try:
                    await asyncio.wait_for(event.wait(), KEEPALIVE)
                except asyncio.TimeoutError:
                    if await request.is_disconnected():
                        return
                    yield ": keep-alive\n\n"
        finally:
            self.clients -= 1


def make_app(builder: Builder, hub: Hub, allowed_hosts: list[str] | None = None,
             lifespan=None) -> Starlette:
    index = _static("index.html")
    static = {name: _static(name) for name in STATIC}

    def headers(extra: dict | None = None) -> dict:
        return {**SECURITY_HEADERS, **(extra or {})}

    async def home(request: Request) -> Response:
        return HTMLResponse(index, headers=headers({"Cache-Control": "no-cache"}))

    async def asset(request: Request) -> Response:
        name = request.url.path.lstrip("/")
        return Response(static[name], media_type=STATIC[name],
                        headers=headers({"Cache-Control": "no-cache"}))

    async def state(request: Request) -> Response:
        return JSONResponse(hub.state or builder.state(),
                            headers=headers({"Cache-Control": "no-store"}))

    async def events(request: Request) -> Response:
        return StreamingResponse(hub.stream(request), media_type="text/event-stream",
                                 headers=headers({"Cache-Control": "no-store",
                                                  "X-Accel-Buffering": "no"}))

    async def page(request: Request) -> Response:
        number = request.path_params["number"]
        image = builder.images.get(number)
        if image is None:
            return _not_found()
        return FileResponse(image.path, media_type="image/png",
                            headers=headers({"Cache-Control": "no-cache",
                                             "ETag": f'"{image.pixels}"'}))

    async def pdf(request: Request) -> Response:
        path = builder.pdf()
        if path is None:
            return _not_found()
        return FileResponse(path, media_type="application/pdf",
                            headers=headers({"Cache-Control": "no-cache",
                                             "Content-Disposition":
                                                 f'inline; filename="{builder.download_name}"'}))

    async def source(request: Request) -> Response:
        key = request.path_params["name"]
        for prefix in ("films/", "layout/"):
            if request.url.path.startswith(f"/source/{prefix}"):
                key = prefix + key
        found = builder.source(key)
        if found is None:
            return _not_found()
        return HTMLResponse(await asyncio.to_thread(_source_page, builder, *found),
                            headers=headers({"Cache-Control": "no-store"}))

    routes = [
        Route("/", home),
        *(Route(f"/{name}", asset) for name in STATIC),
        Route("/state.json", state),
        Route("/events", events),
        Route("/page/{number:int}.png", page),
        Route(f"/{builder.download_name}", pdf),
        Route("/source/{name:str}", source),
        Route("/source/films/{name:str}", source),
        Route("/source/layout/{name:path}", source),   # a key, looked up: not a path
    ]
    middleware = []
    if allowed_hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    async def not_found(request, exc) -> Response:
        return _not_found()

    async def not_allowed(request, exc) -> Response:
        return PlainTextResponse("method not allowed", 405, headers=SECURITY_HEADERS)

    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                     exception_handlers={404: not_found, 405: not_allowed})


def _not_found() -> Response:
    return PlainTextResponse("not found", status_code=404, headers=SECURITY_HEADERS)


def _source_page(builder: Builder, path: Path, base: Path) -> str:
    """A content or layout file as an HTML page: line numbers that can be linked to
    (#L12). Read only if it is a regular file whose real path is inside ``base``."""
    from ..yamlfile import MAX_BYTES, Unreadable, read_bounded

    shown = display_path(path)
    try:
        text = read_bounded(path, MAX_BYTES, base).decode("utf-8", "replace")
        body = "\n".join(
            f'<tr id="L{n}"><td class="n"><a href="#L{n}">{n}</a></td>'
            f'<td class="t">{html.escape(line) or " "}</td></tr>'
            for n, line in enumerate(text.splitlines(), 1))
        body = f"<table class=\"source\">{body}</table>"
    except (Unreadable, OSError) as exc:
        body = f'<p class="error">cannot read {html.escape(shown)}: {html.escape(str(exc))}</p>'
    change = builder.last_changes.last_change(path).describe()
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<title>{html.escape(shown)}</title><link rel="stylesheet" href="/style.css">'
            f'</head><body class="source-page"><header><a href="/">← pages</a> '
            f'<strong>{html.escape(shown)}</strong> <span class="muted">'
            f'{html.escape(change)} · {html.escape(str(Path(path).resolve()))}</span></header>'
            f'{body}</body></html>')
