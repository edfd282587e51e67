"""One contract suite for every AI backend, over real httpx against loopback LLM servers.

Each test runs four times: OpenAIBackend against an OpenAI-format server, AnthropicBackend against
an Anthropic-format server, and OpenAICompatibleBackend against Ollama- and vLLM-format servers.
Sleeps between retries go to a fake clock, so nothing really waits (hangs use a 0.2 s timeout).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from esm_validate import (
    AIConfig,
    AIValidator,
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
from esm_validate._ai.prompt import PROMPT_VERSION, SCHEMA_VERSION
from esm_validate._backends._base import HttpBackend
from tests.llm_servers import FLAVORS, LLMServer, good_answer

pytestmark = pytest.mark.integration

KEY = "sk-test-SECRET-0123456789abcdef"
REPORT = "At the beep I was innerly saying 'where are my keys?' in my own voice, a bit anxious."
# Generous per-attempt timeout so a loaded machine never turns a quick answer into a timeout;
# the hang tests use their own 0.2 s timeout.
FAST = AIConfig(timeout=3.0, connect_timeout=3.0, total_budget=25.0)
#: The first attempt hangs and is cut after ``timeout``; the retry must be answered within it,
#: which a loaded 2-core machine did not always manage in 0.2 s (vllm flavor, main at a97aa52).
HANG = AIConfig(timeout=2.0, connect_timeout=2.0, total_budget=25.0)


def make_backend(server: LLMServer, *, key: str = KEY) -> HttpBackend:
    """The backend class that speaks *server*'s flavor, pointed at it."""
    if server.flavor == "openai":
        return OpenAIBackend(key, model="gpt-test", base_url=server.base_url)
    if server.flavor == "anthropic":
        return AnthropicBackend(key, model="claude-test", base_url=server.base_url)
    return OpenAICompatibleBackend(server.base_url, "local-model", api_key=key)


@pytest.fixture(name="server", params=FLAVORS)
def _server(request: pytest.FixtureRequest) -> Iterator[LLMServer]:
    with LLMServer(request.param) as server:
        yield server


@pytest.fixture(name="backend")
def _backend(server: LLMServer) -> Iterator[HttpBackend]:
    backend = make_backend(server)
    yield backend
    backend.close()


@pytest.fixture(name="validator")
def _validator(backend: HttpBackend, fake_clock: Any) -> AIValidator:
    return AIValidator(
        backend, config=FAST, clock=fake_clock, sleep=fake_clock.sleep, rng=random.Random(7)
    )


def user_payload(server: LLMServer, index: int = 0) -> Mapping[str, Any]:
    """The JSON body of the *index*-th request the server received."""
    body = server.requests[index].json
    assert isinstance(body, dict)
    return body


class TestSuccess:
    def test_answer_becomes_an_ai_assessment(self, server: LLMServer, validator: AIValidator):
        """A valid answer is returned as an Assessment that names the backend and versions."""
        a = validator.validate(REPORT, training_day=2, lang="en")

        assert a.source == "ai"
        assert a.score == 82
        assert a.quality == "excellent"
        assert frozenset({"inner_speech"}) == a.phenomena
        assert a.issue_codes[0] == "hedging"
        assert validator.provider == a.provider
        assert validator.model == a.model
        assert PROMPT_VERSION in a.version
        assert SCHEMA_VERSION in a.version
        assert server.request_count() == 1

    def test_request_uses_the_provider_wire_format(self, server: LLMServer, validator: AIValidator):
        """Path, auth headers and the structured-output request match the provider's API."""
        validator.validate(REPORT, training_day=1)
        request = server.requests[0]
        body = user_payload(server)

        assert server.endpoint == request.path
        assert "application/json" in request.headers["content-type"]
        if server.flavor == "anthropic":
            assert request.headers["x-api-key"] == KEY
            assert request.headers["anthropic-version"] == "2023-06-01"
            assert "authorization" not in request.headers
            assert {"type": "tool", "name": "record_assessment"}.items() <= body[
                "tool_choice"
            ].items()
            assert body["tools"][0]["input_schema"]["required"] == [
                "score",
                "quality",
                "phenomena",
                "issues",
                "feedback",
            ]
            assert isinstance(body["max_tokens"], int)
            user_text = body["messages"][0]["content"]
        else:
            assert f"Bearer {KEY}" == request.headers["authorization"]
            fmt = body["response_format"]
            if server.flavor == "openai":
                assert fmt["type"] == "json_schema"
                assert fmt["json_schema"]["strict"] is True
                schema = fmt["json_schema"]["schema"]
                assert sorted(schema["properties"]) == sorted(schema["required"])
                assert schema["additionalProperties"] is False
            else:
                assert fmt == {"type": "json_object"}
            assert [m["role"] for m in body["messages"]] == ["system", "user"]
            user_text = body["messages"][1]["content"]
        assert body["temperature"] == 0
        system_text = (
            body["system"] if server.flavor == "anthropic" else body["messages"][0]["content"]
        )
        assert REPORT not in system_text
        assert REPORT in user_text

    def test_satisfies_the_protocol(self, backend: HttpBackend):
        """Every built-in backend is a ChatBackend, and its repr hides the key."""
        assert isinstance(backend, ChatBackend)
        assert KEY not in repr(backend)

    def test_think_blocks_and_code_fences_are_stripped(
        self, server: LLMServer, validator: AIValidator
    ):
        """A reasoning prefix and a fenced JSON answer (local models) still parse."""
        import json

        text = (
            "<think>The user wants JSON.</think>\n```json\n" + json.dumps(good_answer()) + "\n```"
        )
        server.script(server.text(text))

        assert validator.validate(REPORT).score == 82


class TestRetries:
    def test_500_twice_then_success(
        self, server: LLMServer, validator: AIValidator, fake_clock: Any
    ):
        """Two 500s are retried with exponential backoff plus jitter, then the answer arrives."""
        server.script(server.error(500, "boom"), server.error(502, "bad gateway"), server.success())

        a = validator.validate(REPORT)

        assert a.score == 82
        assert server.request_count() == 3
        assert len(fake_clock.sleeps) == 2
        assert 1.0 <= fake_clock.sleeps[0] <= 2.0
        assert 2.0 <= fake_clock.sleeps[1] <= 3.0
        assert validator.stats()["ai_retries"] == 2

    def test_429_waits_the_retry_after_header(
        self, server: LLMServer, validator: AIValidator, fake_clock: Any
    ):
        """A 429 with Retry-After: 3 makes the injected sleep wait exactly 3 s."""
        server.script(
            server.error(429, "slow down", kind="rate_limit_error", headers={"Retry-After": "3"}),
            server.success(),
        )

        assert validator.validate(REPORT).score == 82
        assert fake_clock.sleeps == [3.0]

    def test_retry_after_ms_is_preferred(
        self, server: LLMServer, validator: AIValidator, fake_clock: Any
    ):
        """retry-after-ms (OpenAI) is read before retry-after."""
        server.script(
            server.error(429, "slow", headers={"retry-after-ms": "250", "Retry-After": "9"}),
            server.success(),
        )

        validator.validate(REPORT)

        assert fake_clock.sleeps == [0.25]

    def test_retry_after_beyond_the_cap_gives_up_at_once(
        self, server: LLMServer, validator: AIValidator, fake_clock: Any
    ):
        """A Retry-After above the cap (10 s) ends the call at once: no sleep, one request."""
        server.script(server.error(429, "later", headers={"Retry-After": "120"}))

        with pytest.raises(TransientBackendError) as info:
            validator.validate(REPORT)

        assert info.value.retry_after == 120.0
        assert info.value.fallback_reason == "ai_unavailable"
        assert fake_clock.sleeps == []
        assert server.request_count() == 1

    def test_529_overloaded_is_retried(self, server: LLMServer, validator: AIValidator):
        """Anthropic's 529 (and any 5xx) counts as transient."""
        server.script(server.error(529, "overloaded", kind="overloaded_error"), server.success())

        assert validator.validate(REPORT).source == "ai"
        assert server.request_count() == 2

    def test_three_failures_raise_the_last_error(
        self, server: LLMServer, validator: AIValidator, fake_clock: Any
    ):
        """After max_attempts the last typed error is raised (not a tenacity RetryError)."""
        server.script(*(server.error(503, "down") for _ in range(3)))

        with pytest.raises(TransientBackendError) as info:
            validator.validate(REPORT)

        assert info.value.status == 503
        assert server.request_count() == 3
        assert len(fake_clock.sleeps) == 2
        assert validator.stats()["ai_failures_by_reason"] == {"ai_unavailable": 1}

    def test_x_should_retry_false_is_obeyed(self, server: LLMServer, validator: AIValidator):
        """A server that says x-should-retry: false is not retried, even on a 500."""
        server.script(server.error(500, "no", headers={"x-should-retry": "false"}))

        with pytest.raises(PermanentBackendError):
            validator.validate(REPORT)
        assert server.request_count() == 1


class TestPermanentErrors:
    def test_401_is_an_auth_error_without_retry(
        self, server: LLMServer, validator: AIValidator, fake_clock: Any
    ):
        """401 raises BackendAuthError once, and the key is not in the message."""
        server.script(
            server.error(401, f"Incorrect API key provided: {KEY}", kind="invalid_api_key")
        )

        with pytest.raises(BackendAuthError) as info:
            validator.validate(REPORT)

        assert info.value.fallback_reason == "ai_auth"
        assert info.value.status == 401
        assert KEY not in str(info.value)
        assert server.request_count() == 1
        assert fake_clock.sleeps == []

    @pytest.mark.parametrize("status", [400, 403, 404])
    def test_client_errors_are_not_retried(
        self, server: LLMServer, validator: AIValidator, status: int
    ):
        """400, 403 and 404 are raised at once; 403 as an auth error."""
        server.script(server.error(status, "nope"))

        with pytest.raises(PermanentBackendError) as info:
            validator.validate(REPORT)

        assert status == info.value.status
        assert (status == 403) == isinstance(info.value, BackendAuthError)
        assert server.request_count() == 1

    def test_server_error_message_reaches_the_exception(
        self, server: LLMServer, validator: AIValidator
    ):
        """Every error shape is read: OpenAI/vLLM objects (vLLM's integer code), Ollama's string."""
        server.script(server.error(404, "model 'llama9' not found, try pulling it first"))

        with pytest.raises(PermanentBackendError) as info:
            validator.validate(REPORT)

        assert "model 'llama9' not found" in str(info.value)
        assert "HTTP 404" in str(info.value)


def test_insufficient_quota_429_is_not_retried(fake_clock: Any):
    """OpenAI's 429 insufficient_quota is billing, not a rate limit: raised at once."""
    with LLMServer("openai") as server:
        server.script(
            server.error(429, "quota", kind="insufficient_quota", code="insufficient_quota")
        )
        validator = AIValidator(
            make_backend(server), config=FAST, clock=fake_clock, sleep=fake_clock.sleep
        )

        with pytest.raises(PermanentBackendError) as info:
            validator.validate(REPORT)

        assert "insufficient_quota" in str(info.value)
        assert server.request_count() == 1
        validator.close()


class TestBadAnswers:
    def test_hang_past_the_timeout_is_a_backend_timeout(
        self, server: LLMServer, backend: HttpBackend, fake_clock: Any
    ):
        """A server that never answers raises BackendTimeout after the 0.2 s attempt timeout."""
        server.default = server.hang()
        validator = AIValidator(
            backend,
            config=AIConfig(timeout=0.2, max_attempts=1),
            clock=fake_clock,
            sleep=fake_clock.sleep,
        )
        started = time.monotonic()

        with pytest.raises(BackendTimeout) as info:
            validator.validate(REPORT)

        # generous for a loaded machine; without the timeout the call would hang until release
        assert time.monotonic() - started < 10.0
        assert info.value.fallback_reason == "ai_timeout"
        server.release()

    def test_a_timeout_is_retried(self, server: LLMServer, backend: HttpBackend, fake_clock: Any):
        """A hanging attempt is retried, and the next answer is used."""
        server.script(server.hang(), server.success())
        validator = AIValidator(backend, config=HANG, clock=fake_clock, sleep=fake_clock.sleep)

        assert validator.validate(REPORT).source == "ai"
        assert server.request_count() >= 2
        assert len(fake_clock.sleeps) == server.request_count() - 1
        server.release()

    def test_malformed_json_body_is_not_retried(self, server: LLMServer, validator: AIValidator):
        """A 200 whose body is not JSON raises MalformedAIResponse once."""
        server.script(server.malformed_body())

        with pytest.raises(MalformedAIResponse) as info:
            validator.validate(REPORT)

        assert info.value.fallback_reason == "ai_invalid_answer"
        assert server.request_count() == 1

    @pytest.mark.parametrize(
        "bad",
        [
            {"score": "high"},
            {"score": 150},
            {"quality": "superb"},
            {"phenomena": "inner_speech"},
            {"issues": [{"code": "hedging"}]},
            {"feedback": 42},
            {"feedback": ""},
        ],
        ids=[
            "score-str",
            "score-range",
            "quality",
            "phenomena-str",
            "issue-msg",
            "fb-int",
            "fb-empty",
        ],
    )
    def test_wrong_types_are_malformed(
        self, server: LLMServer, validator: AIValidator, bad: dict[str, Any]
    ):
        """An answer with a wrong type, range or enum raises MalformedAIResponse, not retried."""
        server.script(server.success(good_answer(**bad)))

        with pytest.raises(MalformedAIResponse):
            validator.validate(REPORT)
        assert server.request_count() == 1

    def test_prose_instead_of_json_is_malformed(self, server: LLMServer, validator: AIValidator):
        """Free text with no JSON object is an invalid answer."""
        server.script(server.text("The report looks fine to me!"))

        with pytest.raises(MalformedAIResponse):
            validator.validate(REPORT)

    def test_refusal_is_malformed(self, server: LLMServer, validator: AIValidator):
        """A refusal (OpenAI refusal field, Anthropic stop_reason, prose) is an invalid answer."""
        server.script(server.refusal())

        with pytest.raises(MalformedAIResponse):
            validator.validate(REPORT)
        assert server.request_count() == 1

    def test_cut_off_answer_is_malformed(self, server: LLMServer, validator: AIValidator):
        """finish_reason length / stop_reason max_tokens is an invalid answer, never used."""
        server.script(server.cut_off())

        with pytest.raises(MalformedAIResponse) as info:
            validator.validate(REPORT)

        assert "cut off" in str(info.value)

    def test_connection_closed_mid_body_is_transient_and_retried(
        self, server: LLMServer, validator: AIValidator
    ):
        """A body cut short by a closed connection is a transient error; the retry succeeds."""
        server.script(server.close_mid_body(), server.success())

        assert validator.validate(REPORT).source == "ai"
        assert server.request_count() == 2

    def test_connection_closed_every_time_raises_transient(
        self, server: LLMServer, validator: AIValidator
    ):
        """Mid-body closes on every attempt end in TransientBackendError (ai_unavailable)."""
        server.default = server.close_mid_body()

        with pytest.raises(TransientBackendError) as info:
            validator.validate(REPORT)

        assert not isinstance(info.value, BackendTimeout)
        assert info.value.fallback_reason == "ai_unavailable"


def test_connection_refused_is_transient(fake_clock: Any):
    """Nothing listening: a TransientBackendError after the retries, quickly."""
    server = LLMServer("openai")
    url = server.base_url
    server.close()
    backend = OpenAIBackend(KEY, base_url=url)
    validator = AIValidator(backend, config=FAST, clock=fake_clock, sleep=fake_clock.sleep)

    with pytest.raises(TransientBackendError) as info:
        validator.validate(REPORT)

    assert "connection failed" in str(info.value)
    assert validator.stats()["ai_attempts"] == 3
    validator.close()


def test_secrets_and_report_never_reach_logs(
    server: LLMServer, validator: AIValidator, caplog: pytest.LogCaptureFixture
):
    """Across success, retries and an auth failure, neither the key nor the report is logged."""
    caplog.set_level(logging.DEBUG)
    server.script(
        server.error(500, f"internal error for key {KEY}"),
        server.success(),
        server.error(401, f"bad key {KEY}"),
    )
    validator.validate(REPORT)
    with pytest.raises(BackendAuthError) as info:
        validator.validate(REPORT)

    assert caplog.records, "retries and failures are logged"
    assert KEY not in caplog.text
    assert "where are my keys" not in caplog.text
    assert KEY not in repr(info.value.args)


def test_many_threads_share_one_validator(server: LLMServer, validator: AIValidator):
    """Sixteen threads validating at once all get AI answers; counters add up."""
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            for _ in range(5):
                a = validator.validate(REPORT)
                with lock:
                    results.append(a.source)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    assert results == ["ai"] * 80
    assert server.request_count() == 80
    assert validator.stats()["ai_successes"] == 80


def test_close_and_context_manager(server: LLMServer):
    """close() releases the client: a closed backend cannot send again."""
    backend = make_backend(server)
    with AIValidator(backend) as validator:
        validator.validate(REPORT)

    with pytest.raises(Exception):  # noqa: B017 - httpx refuses to send on a closed client
        backend.complete("s", "u", {}, timeout=1.0)


def test_error_that_quotes_the_report_is_withheld(
    server: LLMServer, validator: AIValidator, caplog: pytest.LogCaptureFixture
):
    """A server error echoing the report does not carry the report into the exception or logs."""
    caplog.set_level(logging.DEBUG)
    server.script(server.error(400, f"invalid content: {REPORT[:60]}"))

    with pytest.raises(PermanentBackendError) as info:
        validator.validate(REPORT)

    assert "where are my keys" not in str(info.value)
    assert "withheld" in str(info.value)
    assert "where are my keys" not in caplog.text


def test_redirect_is_a_permanent_error(server: LLMServer, validator: AIValidator):
    """Redirects are not followed (a key must not travel elsewhere): a 3xx is a config error."""
    server.script(server.error(307, "moved", headers={"Location": "http://example.invalid/"}))

    with pytest.raises(PermanentBackendError) as info:
        validator.validate(REPORT)

    assert info.value.status == 307
    assert server.request_count() == 1
