"""Webhook mode: a stdlib WSGI server for Telegram's update POSTs. A request needs the secret
header (else 403); an update is answered 200 only once ``on_update`` has recorded it, 500 when it
could not be, so Telegram delivers it again (docs/scaling.md)."""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

__all__ = ["MAX_BODY_BYTES", "SECRET_HEADER", "make_webhook_app", "serve"]

log = logging.getLogger(__name__)

#: The header Telegram sends the secret token in.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Largest update body accepted.
MAX_BODY_BYTES = 1_000_000

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _reply(start_response: StartResponse, status: str, body: bytes = b"") -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def make_webhook_app(secret: str, on_update: Callable[[dict[str, Any]], None]) -> WsgiApp:
    """Return a WSGI app that checks the secret header and passes update dicts to ``on_update``."""
    if not secret:
        msg = "a webhook needs a secret token"
        raise ValueError(msg)
    expected = secret.encode()

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _reply(start_response, "405 Method Not Allowed")
        given = str(environ.get("HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN", "")).encode()
        if not hmac.compare_digest(given, expected):
            return _reply(start_response, "403 Forbidden", b"forbidden")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            return _reply(start_response, "413 Payload Too Large")
        try:
            update = json.loads(environ["wsgi.input"].read(length) or b"null")
        except ValueError:
            update = None
        if not isinstance(update, dict):
            return _reply(start_response, "400 Bad Request")
        try:
            on_update(update)
        except Exception:  # not recorded: no 200, so Telegram delivers it again
            log.exception("webhook update could not be recorded; Telegram will deliver it again")
            return _reply(start_response, "500 Internal Server Error")
        return _reply(start_response, "200 OK", b"ok")

    return app


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("webhook: " + format, *args)


def serve(host: str, port: int, app: WsgiApp) -> WSGIServer:
    """Serve ``app`` with :mod:`wsgiref` in a daemon thread (``esm-bot run --webhook``); stop it
    with ``shutdown()`` and ``server_close()``."""
    server = make_server(
        host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    threading.Thread(
        target=server.serve_forever, args=(0.1,), name="esm-webhook", daemon=True
    ).start()
    return server
