"""``programme serve``: a live proof in the browser.

A local web page shows the brochure (or a proof, or the handouts) page by page, as
images rendered from the real PDF, and follows every saved change: the builder thread
(:mod:`.builder`) rebuilds with the fast incremental build and renders only the pages that
changed (:mod:`.pages`); the web application (:mod:`.app`, Starlette served by uvicorn)
pushes the new state to every open page as a server-sent event, and the page swaps the
images that changed without moving the reader. Who last changed each film's file is read
from git without running git (:mod:`.sources`).

The server listens on 127.0.0.1 unless told otherwise, answers only its own routes, and
stops cleanly on Ctrl-C (the open event streams are closed, the builder is stopped, the
page images are deleted).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
import socket
import threading
from pathlib import Path
from typing import Callable

from .builder import DEFAULT_OUTPUT, KINDS, Builder

__all__ = ["KINDS", "DEFAULT_OUTPUT", "LiveProof", "PortUnavailable", "serve"]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
STOP_WAIT = 5.0   # seconds a stop waits for a build that is running


class PortUnavailable(Exception):
    """The address cannot be listened on (in use, not this machine's, no permission)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: a free port)."""
    host = host.strip("[]")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise PortUnavailable(f"cannot listen on {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        hint = "; choose another with --port" if exc.errno in (98, 48, 10048) else ""
        raise PortUnavailable(f"cannot listen on {host} port {port}: {exc.strerror}{hint}") \
            from None
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


class LiveProof:
    """The server and the builder together: :meth:`run` serves until :meth:`stop` (which
    Ctrl-C and SIGTERM call) and then cleans up. ``build=False`` serves what the builder
    already has without starting its thread (tests)."""

    def __init__(self, builder: Builder, sock: socket.socket, host: str = "127.0.0.1",
                 build: bool = True):
        import uvicorn

        from .app import Hub, make_app

        self.builder, self.sock, self.build = builder, sock, build
        self.url = url_of(sock)
        self.hub = Hub()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        allowed = None   # on loopback, only requests naming it (no DNS rebinding)
        if is_loopback(host):
            allowed = sorted({f"[{h}]" if ":" in h else h
                              for h in (*LOOPBACK_NAMES, host.strip("[]"))})
        app = make_app(builder, self.hub, allowed_hosts=allowed, lifespan=self._lifespan)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                timeout_graceful_shutdown=3)
        self.server = _server_class()(config, self.stop)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app):
        loop = self.loop = asyncio.get_running_loop()

        def publish(state: dict) -> None:
            try:
                loop.call_soon_threadsafe(self.hub.publish, state)
            except RuntimeError:   # the loop has closed: shutting down
                pass

        self.builder.publish = publish
        self.hub.publish(self.builder.state())
        if self.build:
            self.thread = threading.Thread(target=self.builder.run, args=(self.stopping,),
                                           daemon=True, name="programme-serve-builder")
            self.thread.start()
        if self.stopping.is_set():   # stopped while starting
            self._stop_in_loop()
        yield
        self.stopping.set()
        self.hub.close()

    def stop(self) -> None:
        """Stop serving: safe from a signal handler or any thread."""
        self.stopping.set()
        loop = self.loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._stop_in_loop)
            except RuntimeError:   # the loop has already closed
                pass

    def _stop_in_loop(self) -> None:
        self.hub.close()            # ends the open event streams
        self.server.should_exit = True

    def run(self) -> None:
        try:
            self.server.run(sockets=[self.sock])
        finally:
            self.stopping.set()
            if self.thread is not None:
                self.thread.join(timeout=0.5 if self.server.force_exit else STOP_WAIT)
                if self.thread.is_alive():   # a build is running: it writes its PDF
                    # atomically, so leaving it unfinished keeps the last good one
                    self.builder.echo("left the build that was running unfinished; the last "
                                      "good PDF is kept")
            self.builder.images.close()
            self.sock.close()


def serve(content_dir: Path, kind: str = "brochure", layout: str | Path | None = None,
          host: str = "127.0.0.1", port: int = 8000, output: Path | None = None,
          echo: Callable[[str], None] = print) -> None:
    """Serve the live proof until Ctrl-C (or SIGTERM)."""
    from ..problems import display_path

    sock = listen(host, port)
    if kind == "brochure":
        _warm_up(Path(content_dir))
    live = LiveProof(Builder(content_dir, kind, layout, output, echo=echo), sock, host)
    what = {"brochure": "the brochure", "proof": "a proof of every film",
            "handout": "the box-office handouts"}[kind]
    echo(f"serving {what} of {display_path(Path(content_dir))} at {live.url} "
         "(Ctrl-C to stop)")
    if not is_loopback(host):
        echo(f"warning: listening on {host}: anyone who can reach this machine can see the "
             "pages")
    live.run()
    echo("stopped")


def _warm_up(content_dir: Path) -> None:
    """Start the fast build's fork server now, with Ctrl-C ignored: it and the workers
    forked from it inherit that, so a Ctrl-C in the terminal (sent to every process of the
    command) stops the server without breaking a build that is running into a slow
    one-document fallback, nor printing the fork server's traceback. The workers end with
    the command."""
    from ..build import project_folder
    from ..fastbuild import warm_up

    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        warm_up(project_folder(content_dir))
    except Exception:  # noqa: BLE001 - only an optimisation; the build starts it itself
        pass
    finally:
        signal.signal(signal.SIGINT, previous)


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, stopping on the first Ctrl-C without re-raising it afterwards
        (the command ends normally: "stopped"); a second Ctrl-C forces the exit."""

        def __init__(self, config, on_exit: Callable[[], None]):
            super().__init__(config)
            self._on_exit = on_exit

        def handle_exit(self, sig, frame) -> None:
            self._on_exit()
            if self.should_exit and sig == signal.SIGINT:
                # asked twice: go now, without uvicorn's report of the cancelled lifespan
                logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
                self.force_exit = True
            else:
                self.should_exit = True

    return Server
