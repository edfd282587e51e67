"""A fake Telegram Bot API server for tests: real HTTP on 127.0.0.1, stdlib only.

A real :class:`telebot.TeleBot` talks to it over loopback once ``telebot.apihelper.API_URL`` is
set to :attr:`FakeTelegram.api_url`. It speaks the
parts of the Bot API the project uses: ``getMe``, ``getUpdates`` long polling (``offset``
confirms, ``timeout``, ``limit``; waiting polls are released on :meth:`FakeTelegram.stop`),
``sendMessage``, ``editMessageText``, ``editMessageReplyMarkup``, ``answerCallbackQuery``,
``sendDocument`` (multipart), ``sendChatAction``, ``setWebhook``, ``deleteWebhook``,
``setMyCommands`` and ``deleteMyCommands``. A wrong token gets 401, an unknown method 404, and
:meth:`FakeTelegram.fail_next` makes the next calls of a method fail with 429
(``parameters.retry_after``, ``Retry-After`` header optional), 403, 5xx or anything else.
:meth:`FakeTelegram.block` makes every later send to a chat fail with 403, like a participant
who blocked the bot. :meth:`FakeTelegram.hold_next` holds one call open until the test releases
it (to act, say cut the database line, while the bot waits for that call).

Usage::

    with FakeTelegram() as fake:
        telebot.apihelper.API_URL = fake.api_url
        fake.push_message(42, "/start")
        calls = fake.wait_sent("sendMessage", 1)
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs

__all__ = ["BOT_USER", "DEFAULT_TOKEN", "Failure", "FakeTelegram", "Gate", "SentCall"]

DEFAULT_TOKEN = "123456:TEST-token-not-secret"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "ESM test bot", "username": "esm_test_bot"}
#: Methods whose calls are recorded in :attr:`FakeTelegram.sent` (what the bot *did*).
OUTGOING = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "sendDocument",
        "sendChatAction",
        "setMyCommands",
        "deleteMyCommands",
        "setWebhook",
        "deleteWebhook",
    }
)


@attrs.frozen
class SentCall:
    """One successful outgoing call: method, parameters (JSON decoded), time received."""

    method: str
    params: dict[str, Any]
    at: float

    @property
    def chat_id(self) -> int | None:
        """The ``chat_id`` parameter as an int, if any."""
        value = self.params.get("chat_id")
        return None if value is None else int(value)

    @property
    def text(self) -> str:
        """The ``text`` (or ``caption``) parameter, or ``""``."""
        return str(self.params.get("text", self.params.get("caption", "")))


@attrs.define
class Gate:
    """A call held at the server (see :meth:`FakeTelegram.hold_next`) until :meth:`release`."""

    method: str
    match: Callable[[dict[str, Any]], bool]
    reached: threading.Event = attrs.field(factory=threading.Event)
    released: threading.Event = attrs.field(factory=threading.Event)

    def release(self) -> None:
        """Let the held call go on (it is then answered as usual)."""
        self.released.set()


@attrs.frozen
class Failure:
    """A queued failure for one method: HTTP status, description, optional retry_after."""

    status: int
    description: str
    retry_after: int | None = None
    header: bool = True


class FakeTelegram:
    """A Bot API server on ``127.0.0.1:<free port>``; see the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        poll_cap: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.poll_cap = poll_cap
        self.clock = clock
        self.sent: list[SentCall] = []
        self.calls: list[tuple[str, float]] = []
        self.failed: list[tuple[str, int]] = []
        self.documents: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._failures: dict[str, list[Failure]] = {}
        self._blocked: set[int] = set()
        self._gates: list[Gate] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._closed = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-telegram",
            daemon=True,
        )

    # lifecycle
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` — what ``TELEGRAM_API_URL`` should be set to."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """The value for ``telebot.apihelper.API_URL``."""
        return self.base_url + "/bot{0}/{1}"

    @property
    def file_url(self) -> str:
        """The value for ``telebot.apihelper.FILE_URL``."""
        return self.base_url + "/file/bot{0}/{1}"

    def start(self) -> FakeTelegram:
        """Serve in a daemon thread; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release every waiting long poll, then shut the server down and close its socket."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            for gate in self._gates:
                gate.release()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # test-side API
    def push_raw_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any update object (an ``update_id`` is added); returns it."""
        with self._cond:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def user(self, user_id: int, language_code: str = "en") -> dict[str, Any]:
        """A Telegram User object for a participant."""
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
            "language_code": language_code,
        }

    def make_message(
        self, chat_id: int, text: str | None = None, *, user_id: int | None = None, **extra: Any
    ) -> dict[str, Any]:
        """A Message from a participant in a private chat (``user_id`` defaults to chat_id)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self.user(user_id if user_id is not None else chat_id),
            "chat": {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"},
            "date": int(time.time()),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(extra)
        return message

    def push_message(
        self, chat_id: int, text: str, *, user_id: int | None = None, **extra: Any
    ) -> dict[str, Any]:
        """Queue a text message (a ``bot_command`` entity is added for ``/commands``)."""
        message = self.make_message(chat_id, text, user_id=user_id, **extra)
        return self.push_raw_update({"message": message})

    def push_callback(
        self,
        chat_id: int,
        message: dict[str, Any] | int | None,
        data: str,
        *,
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a callback query (a pressed inline button) on a bot message or message_id."""
        if isinstance(message, int) or message is None:
            message = {
                "message_id": message if isinstance(message, int) else next(self._message_ids),
                "from": BOT_USER,
                "chat": {"id": chat_id, "type": "private"},
                "date": int(time.time()),
                "text": "...",
            }
        query = {
            "id": str(next(self._message_ids)),
            "from": self.user(user_id if user_id is not None else chat_id),
            "message": message,
            "chat_instance": str(chat_id),
            "data": data,
        }
        return self.push_raw_update({"callback_query": query})

    def fail_next(
        self,
        method: str,
        status: int,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        header: bool = True,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with HTTP ``status``."""
        text = description or {
            401: "Unauthorized",
            403: "Forbidden: bot was blocked by the user",
            429: f"Too Many Requests: retry after {retry_after}",
        }.get(status, "Internal Server Error" if status >= 500 else "Bad Request")
        with self._cond:
            queue = self._failures.setdefault(method, [])
            queue.extend(Failure(status, text, retry_after, header) for _ in range(times))

    def hold_next(
        self, method: str, match: Callable[[dict[str, Any]], bool] = lambda _params: True
    ) -> Gate:
        """Hold the next call of ``method`` whose parameters ``match`` before answering it.

        The returned :class:`Gate`'s ``reached`` is set when the call arrives; the call is
        answered normally once the test calls :meth:`Gate.release` (or the server stops).
        """
        gate = Gate(method, match)
        with self._cond:
            self._gates.append(gate)
        return gate

    def block(self, chat_id: int) -> None:
        """From now on every send to ``chat_id`` fails with 403 (the user blocked the bot)."""
        with self._cond:
            self._blocked.add(chat_id)

    def wait_sent(
        self,
        method: str,
        count: int,
        timeout: float = 30.0,
        *,
        chat_id: int | None = None,
    ) -> list[SentCall]:
        """Wait until at least ``count`` calls of ``method`` (to ``chat_id``) were recorded.

        The ceiling is generous: the wait ends as soon as the calls are there, and a bot thread
        on a loaded 2-core CI machine can take seconds for its first validation."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self.sent_calls(method, chat_id=chat_id)
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.params.get("chat_id"), c.text[:60]) for c in self.sent]
                    msg = f"expected {count} {method} to {chat_id}, got {len(found)}; sent: {seen}"
                    raise AssertionError(msg)
                self._cond.wait(left)

    def sent_calls(
        self, method: str | None = None, *, chat_id: int | None = None
    ) -> list[SentCall]:
        """Recorded calls, optionally filtered by method and chat."""
        with self._cond:
            return [
                c
                for c in self.sent
                if (method is None or c.method == method)
                and (chat_id is None or c.chat_id == chat_id)
            ]

    def texts(self, chat_id: int) -> list[str]:
        """Texts of every sendMessage / editMessageText to ``chat_id``, in order."""
        return [
            c.text
            for c in self.sent_calls(chat_id=chat_id)
            if c.method in {"sendMessage", "editMessageText"}
        ]

    def pending_updates(self) -> int:
        """How many updates are not yet confirmed by the bot."""
        with self._cond:
            return len(self._updates)

    def iter_sent(self) -> Iterator[SentCall]:
        """A snapshot iterator over :attr:`sent`."""
        with self._cond:
            return iter(list(self.sent))

    # server side
    def _dispatch(
        self, method: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any], Failure | None]:
        gate = self._gate_for(method, params)
        if gate is not None:
            gate.reached.set()
            gate.released.wait(60)
        with self._cond:
            self.calls.append((method, self.clock()))
            queue = self._failures.get(method)
            failure = queue.pop(0) if queue else None
            chat = params.get("chat_id")
            if failure is None and method.startswith("send") and _as_int(chat) in self._blocked:
                failure = Failure(403, "Forbidden: bot was blocked by the user")
            if failure is not None:
                self.failed.append((method, failure.status))
        if failure is not None:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, body, failure
        api = getattr(self, f"_api_{method}", None)
        if api is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, None
        result = api(params)
        if method in OUTGOING:
            with self._cond:
                self.sent.append(SentCall(method, params, self.clock()))
                self._cond.notify_all()
        return 200, {"ok": True, "result": result}, None

    def _gate_for(self, method: str, params: dict[str, Any]) -> Gate | None:
        with self._cond:
            for gate in self._gates:
                if gate.method == method and not gate.reached.is_set() and gate.match(params):
                    gate.reached.set()
                    return gate
        return None

    def _api_getMe(self, _params: dict[str, Any]) -> Any:
        return BOT_USER

    def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = _as_int(params.get("offset", 0)) or 0
        limit = min(_as_int(params.get("limit", 100)) or 100, 100)
        timeout = float(params.get("timeout", 0) or 0)
        deadline = time.monotonic() + min(timeout, self.poll_cap)
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self._updates[:limit])

    def _message(self, params: dict[str, Any], **fields: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": _as_int(params.get("message_id")) or next(self._message_ids),
            "from": BOT_USER,
            "chat": {"id": _as_int(params.get("chat_id")) or 0, "type": "private"},
            "date": int(time.time()),
        }
        if "text" in params:
            message["text"] = str(params["text"])
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        message.update(fields)
        return message

    def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        return self._message({k: v for k, v in params.items() if k != "message_id"})

    def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        return self._message(params)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        return self._message(params)

    def _api_sendDocument(self, params: dict[str, Any]) -> Any:
        upload = params.get("document")
        with self._cond:
            self.documents.append(params)
        name = upload["filename"] if isinstance(upload, dict) else "document"
        document = {
            "file_id": f"doc{len(self.documents)}",
            "file_unique_id": "u",
            "file_name": name,
        }
        return self._message(params, document=document, caption=params.get("caption", ""))

    def _api_answerCallbackQuery(self, _params: dict[str, Any]) -> Any:
        return True

    def _api_sendChatAction(self, _params: dict[str, Any]) -> Any:
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        return True

    def _api_deleteWebhook(self, _params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    def _api_setMyCommands(self, _params: dict[str, Any]) -> Any:
        return True

    def _api_deleteMyCommands(self, _params: dict[str, Any]) -> Any:
        return True

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                """Disable Nagle: headers and body go out in separate writes (no 40 ms stalls)."""
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                """Silence the default stderr access log."""

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                parts = url.path.strip("/").split("/")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if len(parts) != 2 or not parts[0].startswith("bot"):
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                if parts[0][3:] != fake.token:
                    self._reply(
                        401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                    )
                    return
                params = _parse_params(url.query, self.headers.get("Content-Type", ""), body)
                status, payload, failure = fake._dispatch(parts[1], params)
                headers = {}
                if failure is not None and failure.header and failure.retry_after is not None:
                    headers["Retry-After"] = str(failure.retry_after)
                self._reply(status, payload, headers)

            def _reply(
                self, status: int, payload: Any, headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:
                    pass

        return Handler


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _decode(value: str) -> Any:
    """JSON-decode nested objects (``reply_markup`` comes as a JSON string); scalars stay str."""
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = {
        k: _decode(v) for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True)
    }
    if not body:
        return params
    if content_type.startswith("application/json"):
        params.update(json.loads(body))
    elif content_type.startswith("application/x-www-form-urlencoded"):
        form = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
        params.update({k: _decode(v) for k, v in form})
    elif content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        parser = email.parser.BytesParser(policy=email.policy.HTTP)
        message = parser.parsebytes(head + body)
        for part in message.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                params[name] = {"filename": filename, "content": payload}
            else:
                params[name] = _decode(payload.decode())
    return params
