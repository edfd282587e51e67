"""The backends' pure logic through the ``transport=`` seam: ``httpx.MockTransport``, no socket.

What each backend sends (URL, headers, payload shape) and how it reads what comes back (answers,
statuses, broken bodies, transport failures). The same backends against real loopback servers,
with retries, hangs and connections closed mid-body, are in ``test_ai_backends.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from esm_validate import (
    AnthropicBackend,
    BackendAuthError,
    BackendTimeout,
    ChatBackend,
    MalformedAIResponse,
    OpenAIBackend,
    OpenAICompatibleBackend,
    PermanentBackendError,
    TransientBackendError,
)
from esm_validate._backends._base import HttpBackend

KEY = "sk-test-SECRET-0123456789abcdef"
PROVIDERS = ("openai", "anthropic", "compatible")
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"score": {"type": "integer"}, "note": {"type": "string"}},
    "required": ["score"],
}
ANSWER = {"score": 77, "quality": "good", "phenomena": ["inner_speech"]}

Handler = Callable[[httpx.Request], httpx.Response]


def ok_body(provider: str, answer: Any = ANSWER) -> dict[str, Any]:
    """A 200 body in the provider's wire format carrying ``answer``."""
    if provider == "anthropic":
        block = {"type": "tool_use", "id": "t1", "name": "record_assessment", "input": answer}
        return {"content": [block], "stop_reason": "tool_use"}
    content = answer if isinstance(answer, str) else json.dumps(answer)
    return {"choices": [{"message": {"content": content}, "finish_reason": "stop"}]}


class Recorder:
    """A MockTransport handler: records each request and answers with ``reply(request)``."""

    def __init__(self, reply: Handler) -> None:
        self.reply = reply
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.reply(request)

    @property
    def payload(self) -> Any:
        return json.loads(self.requests[-1].content)


def make(provider: str, handler: Handler) -> HttpBackend:
    transport = httpx.MockTransport(handler)
    if provider == "openai":
        return OpenAIBackend(KEY, "gpt-test", "https://api.example.test/v1", transport=transport)
    if provider == "anthropic":
        return AnthropicBackend(KEY, "claude-test", "https://api.example.test", transport=transport)
    return OpenAICompatibleBackend(
        "http://127.0.0.1:9/v1", "llama-test", api_key=KEY, transport=transport
    )


@pytest.fixture(name="call")
def _call() -> Iterator[Callable[[str, Handler], Any]]:
    """``call(provider, handler)``: one ``complete()`` through a mock transport."""
    backends: list[HttpBackend] = []

    def call(provider: str, handler: Handler) -> Any:
        backend = make(provider, handler)
        backends.append(backend)
        return backend.complete("system text", "user text", SCHEMA, timeout=5.0)

    yield call
    for backend in backends:
        backend.close()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_answer_comes_back_and_the_request_has_the_provider_shape(
    provider: str, call: Callable[[str, Handler], Any]
) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=ok_body(provider)))

    assert call(provider, recorder) == ANSWER

    (request,) = recorder.requests
    payload = recorder.payload
    assert request.method == "POST"
    if provider == "anthropic":
        assert str(request.url) == "https://api.example.test/v1/messages"
        assert request.headers["x-api-key"] == KEY
        assert payload["system"] == "system text"
        assert payload["tools"][0]["input_schema"] == SCHEMA
        assert payload["tool_choice"]["name"] == payload["tools"][0]["name"]
        return
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert payload["messages"] == [
        {"role": "system", "content": "system text"},
        {"role": "user", "content": "user text"},
    ]
    if provider == "openai":
        assert str(request.url) == "https://api.example.test/v1/chat/completions"
        schema = payload["response_format"]["json_schema"]
        assert schema["strict"] is True
        assert schema["schema"]["required"] == ["score", "note"]  # strict: all listed
        assert schema["schema"]["properties"]["note"]["type"] == ["string", "null"]
    else:
        assert str(request.url) == "http://127.0.0.1:9/v1/chat/completions"
        assert payload["response_format"] == {"type": "json_object"}
        assert payload["stream"] is False


@pytest.mark.parametrize("provider", ["openai", "compatible"])
def test_json_inside_prose_fences_and_think_blocks_is_found(
    provider: str, call: Callable[[str, Handler], Any]
) -> None:
    text = "<think>score 10?</think>Here:\n```json\n" + json.dumps(ANSWER) + "\n```"

    answer = call(provider, lambda request: httpx.Response(200, json=ok_body(provider, text)))

    assert answer == ANSWER


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, BackendAuthError),
        (403, BackendAuthError),
        (400, PermanentBackendError),
        (404, PermanentBackendError),
        (500, TransientBackendError),
        (503, TransientBackendError),
        (529, TransientBackendError),
    ],
)
def test_a_status_becomes_a_typed_error_without_the_key(
    provider: str, status: int, error: type[Exception], call: Callable[[str, Handler], Any]
) -> None:
    body = {"error": {"message": f"bad thing; your key {KEY} was seen", "type": "x"}}

    with pytest.raises(error) as caught:
        call(provider, lambda request: httpx.Response(status, json=body))

    assert f"HTTP {status}" in str(caught.value)
    assert caught.value.status == status  # type: ignore[attr-defined]
    assert KEY not in str(caught.value)
    assert type(caught.value) is error


@pytest.mark.parametrize("provider", PROVIDERS)
def test_429_carries_the_servers_retry_after(
    provider: str, call: Callable[[str, Handler], Any]
) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"retry-after": "7"}, json={"error": "slow down"})

    with pytest.raises(TransientBackendError) as caught:
        call(provider, reply)

    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    "content",
    [b"<html>gateway</html>", b"", b'{"choices": []}', b'{"content": "nope"}'],
    ids=["html", "empty", "no-choices", "wrong-shape"],
)
def test_a_2xx_that_is_not_an_answer_is_malformed(
    provider: str, content: bytes, call: Callable[[str, Handler], Any]
) -> None:
    with pytest.raises(MalformedAIResponse):
        call(provider, lambda request: httpx.Response(200, content=content))


@pytest.mark.parametrize("provider", ["openai", "compatible"])
@pytest.mark.parametrize(
    "choice",
    [
        {"message": {"content": "{}", "refusal": "I can't"}, "finish_reason": "stop"},
        {"message": {"content": '{"score": 7'}, "finish_reason": "length"},
        {"message": {"content": "{}"}, "finish_reason": "content_filter"},
        {"message": {"content": "no json here"}, "finish_reason": "stop"},
    ],
    ids=["refusal", "cut-off", "filtered", "prose"],
)
def test_a_chat_reply_without_a_usable_answer_is_malformed(
    provider: str, choice: dict[str, Any], call: Callable[[str, Handler], Any]
) -> None:
    with pytest.raises(MalformedAIResponse):
        call(provider, lambda request: httpx.Response(200, json={"choices": [choice]}))


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (httpx.ConnectError("refused"), TransientBackendError),
        (httpx.RemoteProtocolError("closed early"), TransientBackendError),
        (httpx.ReadTimeout("slow"), BackendTimeout),
        (httpx.ConnectTimeout("slow"), BackendTimeout),
    ],
    ids=["connect", "protocol", "read-timeout", "connect-timeout"],
)
def test_a_transport_failure_becomes_a_typed_error(
    provider: str,
    failure: httpx.HTTPError,
    error: type[Exception],
    call: Callable[[str, Handler], Any],
) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        raise failure

    with pytest.raises(error):
        call(provider, reply)


def test_a_redirect_is_not_followed() -> None:
    """A 3xx means a wrong base URL: one request, a permanent error, nothing sent elsewhere."""
    recorder = Recorder(
        lambda request: httpx.Response(301, headers={"location": "https://elsewhere.test/"})
    )
    backend = make("openai", recorder)

    with backend, pytest.raises(PermanentBackendError):
        backend.complete("s", "u", SCHEMA, timeout=5.0)

    assert len(recorder.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_backend_with_a_transport_is_a_chat_backend(provider: str) -> None:
    with make(provider, lambda request: httpx.Response(200, json=ok_body(provider))) as backend:
        assert isinstance(backend, ChatBackend)
        assert KEY not in repr(backend)
