"""Local HTTP servers that speak the wire formats of real LLM providers, for tests.

One :class:`LLMServer` per test, on ``127.0.0.1`` with a free port, serving in a daemon thread. Its
*flavor* picks the wire format:

========== ================================ ==============================================
flavor     endpoint                         errors look like
========== ================================ ==============================================
openai     POST /v1/chat/completions        {"error": {"message", "type", "param", "code"}}
anthropic  POST /v1/messages                {"type": "error", "error": {"type", "message"}}
ollama     POST /v1/chat/completions        {"error": "<string>"} (the native Ollama shape)
vllm       POST /v1/chat/completions        {"error": {..., "code": <int status>}}
========== ================================ ==============================================

Replies are scripted: :meth:`LLMServer.script` queues :class:`Reply` objects, one per request, in
order; when the queue is empty :attr:`LLMServer.default` answers (a valid assessment unless set
otherwise), or :meth:`LLMServer.respond_with` installs a function of the request. Builders on the
server make replies in its flavor's format, so one test can run against every flavor::

    with LLMServer("anthropic") as server:
        server.script(server.error(500, "boom"), server.error(500, "boom"), server.success())
        backend = AnthropicBackend("test-key", base_url=server.base_url)
        ...
        assert len(server.requests) == 3
        assert server.requests[0].headers["x-api-key"] == "test-key"

Faults: :meth:`LLMServer.hang` (block until :meth:`LLMServer.release`, the given seconds, or
shutdown), :meth:`LLMServer.close_mid_body` (promise N bytes, send half, close), malformed JSON,
refusals, cut-off answers (``finish_reason: length`` / ``stop_reason: max_tokens``), wrong types.
Every request is recorded (:class:`RecordedRequest`: method, path, headers, raw body, parsed JSON).
The server is thread-safe, so load tests may send many requests at once.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs

__all__ = ["FLAVORS", "LLMServer", "RecordedRequest", "Reply", "good_answer"]

FLAVORS = ("openai", "anthropic", "ollama", "vllm")
_TOOL_NAME = "record_assessment"


def good_answer(**overrides: Any) -> dict[str, Any]:
    """Return a valid answer object (the schema's five fields plus strengths), with *overrides*."""
    answer: dict[str, Any] = {
        "score": 82,
        "quality": "excellent",
        "phenomena": ["inner_speech"],
        "issues": [{"code": "hedging", "message": "Drop the 'probably'."}],
        "feedback": "Good: you caught the exact words. Next time skip the 'probably'.",
        "strengths": ["names the words of the inner speech"],
    }
    answer.update(overrides)
    return answer


@attrs.frozen
class Reply:
    """One scripted response.

    Attributes:
        status: HTTP status.
        body: Bytes sent as the body (a str is UTF-8 encoded; a dict/list is JSON-encoded).
        headers: Extra response headers.
        hang: Seconds to block before answering (None: none; ``float("inf")``: until released).
        close_mid_body: Announce the full Content-Length, send half the body, close the socket.
    """

    status: int = 200
    body: bytes | str | Mapping[str, Any] | list[Any] = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)
    hang: float | None = None
    close_mid_body: bool = False

    def body_bytes(self) -> bytes:
        """Return the body as bytes."""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


@attrs.frozen
class RecordedRequest:
    """A request the server received."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        """The body parsed as JSON (None when it is not JSON)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class LLMServer:
    """A fake LLM provider on 127.0.0.1 (see the module docstring).

    Args:
        flavor: One of :data:`FLAVORS`.
        model: Model name echoed in replies.
    """

    def __init__(self, flavor: str = "openai", *, model: str = "test-model") -> None:
        if flavor not in FLAVORS:
            raise ValueError(f"flavor must be one of {FLAVORS}, got {flavor!r}")
        self.flavor = flavor
        self.model = model
        self.requests: list[RecordedRequest] = []
        self.default: Reply = self.success()
        self._queue: deque[Reply] = deque()
        self._responder: Callable[[RecordedRequest], Reply] | None = None
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._closed = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"llm-{flavor}",
            daemon=True,
        )
        self._thread.start()

    # addresses
    @property
    def port(self) -> int:
        """The TCP port."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """A backend's ``base_url``: ``.../v1`` for chat flavors, the root for Anthropic."""
        root = f"http://127.0.0.1:{self.port}"
        return root if self.flavor == "anthropic" else f"{root}/v1"

    @property
    def endpoint(self) -> str:
        """The path answered: ``/v1/messages`` or ``/v1/chat/completions``."""
        return "/v1/messages" if self.flavor == "anthropic" else "/v1/chat/completions"

    # scripting
    def script(self, *replies: Reply) -> LLMServer:
        """Queue *replies*, answered one per request in order."""
        with self._lock:
            self._queue.extend(replies)
        return self

    def respond_with(self, responder: Callable[[RecordedRequest], Reply] | None) -> None:
        """Answer every request (after the queue is empty) with ``responder(request)``."""
        with self._lock:
            self._responder = responder

    def release(self) -> None:
        """Let every hanging request (and future hangs) go on at once."""
        self._released.set()

    def request_count(self) -> int:
        """Number of requests received so far."""
        with self._lock:
            return len(self.requests)

    # reply builders in this flavor's wire format
    def success(self, answer: Mapping[str, Any] | None = None, **headers: str) -> Reply:
        """A 200 carrying *answer* (default :func:`good_answer`) the way this flavor returns it."""
        data = dict(answer) if answer is not None else good_answer()
        if self.flavor == "anthropic":
            return Reply(200, self._anthropic_message([self._tool_block(data)]), dict(headers))
        return self.text(json.dumps(data, ensure_ascii=False), headers=dict(headers))

    def text(
        self,
        content: str,
        *,
        finish_reason: str = "stop",
        refusal: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """A 200 answering free text (chat: ``message.content``; Anthropic: a text block)."""
        if self.flavor == "anthropic":
            stop = {"length": "max_tokens"}.get(finish_reason, "end_turn")
            block = {"type": "text", "text": content}
            return Reply(
                200, self._anthropic_message([block], stop_reason=stop), dict(headers or {})
            )
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if self.flavor == "openai":
            message["refusal"] = refusal
        body = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "finish_reason": finish_reason, "message": message}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
        return Reply(200, body, dict(headers or {}))

    def refusal(self) -> Reply:
        """A 200 where the model refuses (OpenAI ``refusal``; Anthropic ``stop_reason``)."""
        if self.flavor == "anthropic":
            block = {"type": "text", "text": "I can't help with that."}
            return Reply(200, self._anthropic_message([block], stop_reason="refusal"))
        if self.flavor == "openai":
            return self.text("", refusal="I can't help with that.")
        # Local servers have no refusal field: the model just says no in prose.
        return self.text("I'm sorry, I can't help with that request.")

    def cut_off(self) -> Reply:
        """A 200 whose answer was cut at the token limit (``length`` / ``max_tokens``)."""
        partial = json.dumps(good_answer())[:40]
        if self.flavor == "anthropic":
            block = {"type": "tool_use", "id": "toolu_1", "name": _TOOL_NAME, "input": {}}
            return Reply(200, self._anthropic_message([block], stop_reason="max_tokens"))
        return self.text(partial, finish_reason="length")

    def malformed_body(self) -> Reply:
        """A 200 whose body is not JSON at all."""
        return Reply(200, b'{"choices": [ this is not json', {"Content-Type": "application/json"})

    def error(
        self,
        status: int,
        message: str = "error",
        *,
        kind: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """An error response in this flavor's shape (*kind* is the error ``type``)."""
        if self.flavor == "anthropic":
            kind = kind or _ANTHROPIC_TYPES.get(status, "api_error")
            body: Any = {
                "type": "error",
                "error": {"type": kind, "message": message},
                "request_id": "req_test",
            }
        elif self.flavor == "ollama":
            body = {"error": message}
        elif self.flavor == "vllm":
            body = {
                "error": {
                    "message": message,
                    "type": kind or "BadRequestError",
                    "param": None,
                    "code": status,
                }
            }
        else:
            body = {
                "error": {
                    "message": message,
                    "type": kind or "api_error",
                    "param": None,
                    "code": code,
                }
            }
        return Reply(status, body, dict(headers or {}))

    def hang(self, seconds: float = float("inf")) -> Reply:
        """A success held back *seconds* (default: until :meth:`release` or shutdown)."""
        return attrs.evolve(self.success(), hang=seconds)

    def close_mid_body(self) -> Reply:
        """A 200 that announces its full length, sends half, and closes the connection."""
        return attrs.evolve(self.success(), close_mid_body=True)

    # lifecycle
    def close(self) -> None:
        """Release hanging requests and stop the server."""
        self._closed.set()
        self._released.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LLMServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # internals
    def _anthropic_message(
        self, content: list[dict[str, Any]], stop_reason: str = "tool_use"
    ) -> dict[str, Any]:
        return {
            "id": "msg_test",
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 10},
        }

    @staticmethod
    def _tool_block(data: Mapping[str, Any]) -> dict[str, Any]:
        return {"type": "tool_use", "id": "toolu_test", "name": _TOOL_NAME, "input": dict(data)}

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.popleft()
            responder = self._responder
        if responder is not None:
            return responder(request)
        return self.default

    def _wait(self, seconds: float) -> None:
        if seconds == float("inf"):
            self._released.wait()
        else:
            self._released.wait(timeout=seconds)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = -1  # headers and body leave in one write (no delayed-ACK stalls)
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = RecordedRequest(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=raw,
                )
                if self.path.split("?")[0] != server.endpoint:
                    reply = server.error(404, f"no route {self.path}", kind="not_found_error")
                    with server._lock:
                        server.requests.append(request)
                else:
                    reply = server._next_reply(request)
                try:
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

            def _send(self, reply: Reply) -> None:
                if reply.hang is not None:
                    server._wait(reply.hang)
                    if server._closed.is_set():
                        self.close_connection = True
                        return
                body = reply.body_bytes()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if reply.close_mid_body:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self.wfile.write(body)

        return Handler


_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
