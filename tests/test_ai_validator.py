"""Pure-logic units of the AI validator: merging, the retry policy, Retry-After and error mapping.

These use in-process fake backends (plain classes that import nothing from esm_validate, as a
researcher's own backend would); the wire formats are covered by test_ai_backends.py.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Mapping
from typing import Any

import pytest

from esm_validate import (
    AIConfig,
    AIValidator,
    Assessment,
    BackendAuthError,
    BackendTimeout,
    ChatBackend,
    Issue,
    MalformedAIResponse,
    PermanentBackendError,
    Severity,
    TransientBackendError,
)
from esm_validate._ai.answer import parse_answer
from esm_validate._ai.retry import RetryPolicy, is_retryable
from esm_validate._ai.validator import merge
from esm_validate._backends._http import error_for_status, parse_retry_after
from tests.llm_servers import good_answer


class ScriptedBackend:
    """A researcher's backend: no esm_validate imports, answers or raises from a script."""

    provider = "mine"
    model = "tiny-1"

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[float] = []
        self.closed = False

    def complete(
        self, system: str, user: str, schema: Mapping[str, Any], *, timeout: float
    ) -> Mapping[str, Any]:
        self.calls.append(timeout)
        outcome = self.outcomes.pop(0) if self.outcomes else good_answer()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def close(self) -> None:
        self.closed = True


def local(text: str, *, lang: str | None = None, training_day: int | None = None) -> Assessment:
    """A fixed local result with evidence for 'hedging' and a local-only 'generalization'."""
    return Assessment(
        score=40,
        quality="poor",
        phenomena=frozenset({"feeling"}),
        issues=(
            Issue("hedging", "local hedging", Severity.ERROR, span=(10, 18)),
            Issue("generalization", "local generalization", Severity.WARNING, span=(0, 6)),
        ),
        feedback="local feedback",
        lang=lang or "ru",
        strengths=("local strength",),
        version="rules-1",
    )


def make(backend: Any, fake_clock: Any, **config: Any) -> AIValidator:
    """An AIValidator on the fake clock."""
    return AIValidator(
        backend,
        config=AIConfig(**config),
        local=local,
        clock=fake_clock,
        sleep=fake_clock.sleep,
        rng=random.Random(1),
    )


class TestMerge:
    def test_ai_decides_and_local_evidence_is_kept(self):
        """AI score, feedback, phenomena win; shared codes keep local spans; local-only: INFO."""
        answer = parse_answer(
            good_answer(score=64, quality="fair", issues=[{"code": "hedging", "message": "AI msg"}])
        )
        a = merge(local("x"), answer, provider="p", model="m", lang="ru")

        assert (a.score, a.quality, a.source, a.provider, a.model) == (64, "fair", "ai", "p", "m")
        assert a.phenomena == frozenset({"inner_speech"})
        assert a.issue_codes == ("hedging", "generalization")
        assert a.issues[0] == Issue("hedging", "AI msg", Severity.ERROR, span=(10, 18))
        assert a.issues[1].severity is Severity.INFO
        assert a.issues[1].span == (0, 6)
        assert [i.evidence_only for i in a.issues] == [False, True]
        assert a.main_issue == a.issues[0]
        assert a.feedback.startswith("Good:")
        assert a.version.endswith("+rules-1")

    def test_quality_follows_the_score(self):
        """A label that disagrees with the score is replaced by the score's label."""
        answer = parse_answer(good_answer(score=95, quality="poor"))

        assert merge(local("x"), answer, provider="p", model="m", lang="en").quality == "pristine"

    def test_no_local_strengths_when_ai_gives_none(self):
        """The model's strengths are the strengths: none from the model, none at all."""
        answer = parse_answer(good_answer(strengths=[]))

        assert merge(local("x"), answer, provider="p", model="m", lang="en").strengths == ()

    def test_no_main_issue_when_ai_names_none(self):
        """Local-only issues stay as evidence but are never the main issue."""
        answer = parse_answer(good_answer(issues=[]))
        a = merge(local("x"), answer, provider="p", model="m", lang="en")

        assert a.issue_codes == ("hedging", "generalization")
        assert all(i.evidence_only and i.severity is Severity.INFO for i in a.issues)
        assert a.main_issue is None


class TestValidator:
    def test_own_backend_without_imports_satisfies_the_protocol(self, fake_clock: Any):
        """A plain class with provider, model and complete() works and is a ChatBackend."""
        backend = ScriptedBackend()
        a = make(backend, fake_clock).validate("At the beep: 'go left'.", lang="en")

        assert isinstance(backend, ChatBackend)
        assert (a.source, a.provider, a.model, a.lang) == ("ai", "mine", "tiny-1", "en")

    def test_empty_report_never_reaches_the_ai(self, fake_clock: Any):
        """A blank report is judged locally without a call."""
        backend = ScriptedBackend()
        validator = make(backend, fake_clock)
        a = validator.validate("   \n")

        assert a.source == "local"
        assert backend.calls == []
        assert validator.stats()["local_only"] == 1

    def test_non_text_is_a_clear_type_error(self, fake_clock: Any):
        """Passing bytes or None is a TypeError naming the type."""
        with pytest.raises(TypeError, match="bytes"):
            make(ScriptedBackend(), fake_clock).validate(b"hi")  # type: ignore[arg-type]

    def test_object_without_complete_is_refused(self):
        """Something that is not a ChatBackend is refused at construction."""
        with pytest.raises(TypeError, match="ChatBackend"):
            AIValidator(object())  # type: ignore[arg-type]

    def test_foreign_exceptions_become_transient_errors(self, fake_clock: Any):
        """A researcher's backend raising ValueError is retried, then reported as transient."""
        backend = ScriptedBackend(ValueError("k"), ValueError("k"), ValueError("k"))

        with pytest.raises(TransientBackendError, match="ValueError"):
            make(backend, fake_clock).validate("text")
        assert len(backend.calls) == 3

    def test_programming_errors_are_not_retried(self, fake_clock: Any):
        """A TypeError inside a backend is not retried (it will not heal)."""
        backend = ScriptedBackend(TypeError("bug"))

        with pytest.raises(TransientBackendError):
            make(backend, fake_clock).validate("text")
        assert len(backend.calls) == 1

    def test_attempt_timeout_is_clamped_to_the_budget(self, fake_clock: Any):
        """Each attempt gets min(timeout, time left); no attempt starts after the budget."""
        backend = ScriptedBackend(TransientBackendError("x"), TransientBackendError("x"))
        validator = make(
            backend, fake_clock, timeout=10.0, total_budget=12.0, backoff_initial=1.0, jitter=0.0
        )
        validator.validate("text")

        assert backend.calls == [10.0, 10.0, 9.0]
        assert fake_clock.sleeps == [1.0, 2.0]

    def test_wait_beyond_the_budget_stops_with_the_last_error(self, fake_clock: Any):
        """When waits would overrun the budget, the retries stop with the last error."""
        backend = ScriptedBackend(TransientBackendError("a", retry_after=4.0), good_answer())
        validator = make(backend, fake_clock, total_budget=3.0, retry_after_cap=5.0)

        with pytest.raises(TransientBackendError):
            validator.validate("text")
        assert fake_clock.sleeps == []

    def test_malformed_and_auth_are_raised_once(self, fake_clock: Any):
        """Invalid answers and auth errors are not retried; stats count them by reason."""
        backend = ScriptedBackend({"score": "x"}, BackendAuthError("nope", status=401))
        validator = make(backend, fake_clock)

        with pytest.raises(MalformedAIResponse):
            validator.validate("one")
        with pytest.raises(BackendAuthError):
            validator.validate("two")

        stats = validator.stats()
        assert len(backend.calls) == 2
        assert stats["ai_failures_by_reason"] == {"ai_invalid_answer": 1, "ai_auth": 1}
        assert stats["ai_requests"] == 2

    def test_close_and_context_manager_close_the_backend(self, fake_clock: Any):
        """Leaving the with-block closes the backend."""
        backend = ScriptedBackend()
        with make(backend, fake_clock) as validator:
            validator.validate("x")

        assert backend.closed


class TestRetryPolicy:
    def test_backoff_doubles_with_jitter_and_cap(self, fake_clock: Any):
        """Waits are initial*2^(n-1) capped at backoff_max, plus 0..jitter."""
        policy = RetryPolicy(
            config=AIConfig(backoff_initial=1.0, backoff_max=3.0, jitter=0.5),
            sleep=fake_clock.sleep,
            clock=fake_clock,
            rng=random.Random(3),
        )
        waits = [policy.backoff(n) for n in (1, 2, 3, 4)]

        for wait, base in zip(waits, (1.0, 2.0, 3.0, 3.0), strict=True):
            assert base <= wait <= base + 0.5

    @pytest.mark.parametrize(
        ("exc", "expected"),
        [
            (TransientBackendError("x"), True),
            (BackendTimeout("x"), True),
            (PermanentBackendError("x"), False),
            (BackendAuthError("x"), False),
            (MalformedAIResponse("x"), False),
            (ConnectionError(), True),
            (TypeError(), False),
            (KeyboardInterrupt(), False),
        ],
    )
    def test_is_retryable(self, exc: BaseException, expected: bool):
        """Only transient failures (and unknown ordinary exceptions) are retried."""
        assert is_retryable(exc) is expected


class TestRetryAfter:
    def test_seconds_ms_and_date(self):
        """Seconds, milliseconds and an HTTP-date (against an injected wall clock) are read."""
        now = 1_700_000_000.0
        date = email.utils.formatdate(now + 7, usegmt=True)

        assert parse_retry_after({"Retry-After": "2.5"}) == 2.5
        assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
        assert parse_retry_after({"Retry-After": date}, now=lambda: now) == pytest.approx(7.0)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("-5", 0.0), ("1e12", 86_400.0), ("soon", None), ("inf", None), ("", None)],
    )
    def test_odd_values(self, value: str, expected: float | None):
        """Negative waits become 0, absurd ones are capped, unreadable ones ignored."""
        assert parse_retry_after({"Retry-After": value}) == expected

    def test_absent(self):
        """No header, no wait."""
        assert parse_retry_after({}) is None


class TestErrorMapping:
    @pytest.mark.parametrize(
        ("status", "body", "kind"),
        [
            (401, b'{"error": {"message": "bad"}}', BackendAuthError),
            (403, b"", BackendAuthError),
            (402, b'{"type": "error", "error": {"type": "billing_error"}}', PermanentBackendError),
            (400, b'{"error": "bad request"}', PermanentBackendError),
            (408, b"", TransientBackendError),
            (409, b"", TransientBackendError),
            (429, b'{"error": {"code": "rate_limit_exceeded"}}', TransientBackendError),
            (429, b'{"error": {"code": "insufficient_quota"}}', PermanentBackendError),
            (500, b"<html>oops</html>", TransientBackendError),
            (529, b'{"error": {"type": "overloaded_error"}}', TransientBackendError),
            (599, b"", TransientBackendError),
        ],
    )
    def test_status_table(self, status: int, body: bytes, kind: type[Exception]):
        """Each status maps to the class of the table in docs/ai.md (and nothing stricter)."""
        exc = error_for_status("p", status, {}, body)

        assert type(exc) is kind
        assert exc.status == status

    def test_key_like_text_is_redacted(self):
        """The key and anything key-like in a server message are removed."""
        secret = "sk-proj-abcdefghijklmnop"
        body = b'{"error": {"message": "Incorrect API key provided: sk-proj-abcdefghijklmnop."}}'
        exc = error_for_status("openai", 401, {"x-request-id": "req_1"}, body, secrets=(secret,))

        assert secret not in str(exc)
        assert "[redacted]" in str(exc)
        assert "req_1" in str(exc)

    def test_vllm_integer_code_is_not_repeated(self):
        """vLLM's integer code equal to the status is not shown twice."""
        body = b'{"error": {"message": "bad", "type": "BadRequestError", "code": 400}}'

        assert str(error_for_status("compatible", 400, {}, body)) == (
            "compatible: HTTP 400 BadRequestError: bad"
        )


class TestChatCompletionShapes:
    def test_tool_call_arguments_are_read(self):
        """A server that answers through a tool call (content null) still gives the answer."""
        from esm_validate._backends._chat import answer_from_chat_completion

        body = {
            "choices": [
                {
                    "finish_reason": "tool_calls",
                    "message": {
                        "content": None,
                        "tool_calls": [{"function": {"name": "x", "arguments": '{"a": 1}'}}],
                    },
                }
            ]
        }

        assert answer_from_chat_completion("p", body) == {"a": 1}

    @pytest.mark.parametrize(
        "body",
        [None, {}, {"choices": []}, {"choices": ["x"]}, {"choices": [{"message": "x"}]}],
    )
    def test_broken_shapes_are_malformed(self, body: Any):
        """Replies without a usable first choice are invalid answers."""
        from esm_validate._backends._chat import answer_from_chat_completion

        with pytest.raises(MalformedAIResponse):
            answer_from_chat_completion("p", body)

    def test_content_parts_are_joined(self):
        """Content given as a list of text parts is joined before parsing."""
        from esm_validate._backends._chat import answer_from_chat_completion

        body = {"choices": [{"message": {"content": [{"type": "text", "text": '{"b": 2}'}]}}]}

        assert answer_from_chat_completion("p", body) == {"b": 2}


class TestBreaker:
    def test_repeated_failures_pause_ai_calls(self, fake_clock: Any):
        """After N failed reports the AI is not called for the cooldown; then it is tried again."""
        down = [BackendTimeout("slow")] * 6  # 2 reports x 3 attempts
        backend = ScriptedBackend(*down)
        validator = make(backend, fake_clock, breaker_failures=2, breaker_cooldown=30.0)
        for _ in range(2):
            with pytest.raises(BackendTimeout):
                validator.validate("a report about the moment")
        calls = len(backend.calls)

        with pytest.raises(BackendTimeout) as info:
            validator.validate("a report about the moment")

        assert len(backend.calls) == calls  # not called while paused
        assert info.value.fallback_reason == "ai_timeout"
        assert 0 < info.value.retry_after <= 30.0
        assert validator.stats()["ai_short_circuits"] == 1
        assert validator.stats()["ai_pauses"] == 1

        fake_clock.advance(31)
        assert validator.validate("a report about the moment").source == "ai"
        assert validator.stats()["ai_paused_for_s"] == 0.0

    def test_one_failure_after_a_pause_pauses_again(self, fake_clock: Any):
        """When the pause ends, a single further failure opens the breaker again."""
        backend = ScriptedBackend(*[PermanentBackendError("400")] * 3)
        validator = make(backend, fake_clock, breaker_failures=2, breaker_cooldown=10.0)
        for _ in range(2):
            with pytest.raises(PermanentBackendError):
                validator.validate("x report")
        fake_clock.advance(11)
        with pytest.raises(PermanentBackendError):
            validator.validate("x report")  # the probe fails

        with pytest.raises(PermanentBackendError, match="paused"):
            validator.validate("x report")
        assert len(backend.calls) == 3

    def test_rejected_key_pauses_at_once_and_keeps_its_reason(self, fake_clock: Any):
        """A 401 pauses AI calls immediately; the paused calls still say ai_auth."""
        backend = ScriptedBackend(BackendAuthError("bad key", status=401))
        validator = make(backend, fake_clock)
        with pytest.raises(BackendAuthError):
            validator.validate("x report")

        with pytest.raises(BackendAuthError) as info:
            validator.validate("x report")

        assert info.value.fallback_reason == "ai_auth"
        assert info.value.status == 401
        assert len(backend.calls) == 1

    def test_long_retry_after_pauses_for_that_long(self, fake_clock: Any):
        """A Retry-After beyond the cap pauses calls for the asked time (capped by max pause)."""
        backend = ScriptedBackend(TransientBackendError("later", status=429, retry_after=120.0))
        validator = make(backend, fake_clock)
        with pytest.raises(TransientBackendError):
            validator.validate("x report")

        with pytest.raises(TransientBackendError) as info:
            validator.validate("x report")

        assert info.value.retry_after == pytest.approx(120.0)
        fake_clock.advance(121)
        assert validator.validate("x report").source == "ai"

    def test_invalid_answers_do_not_pause(self, fake_clock: Any):
        """Bad answers mean the server is up: they never open the breaker."""
        backend = ScriptedBackend(*[{"score": "x"}] * 3)
        validator = make(backend, fake_clock, breaker_failures=1)
        for _ in range(3):
            with pytest.raises(MalformedAIResponse):
                validator.validate("x report")

        assert validator.validate("x report").source == "ai"
        assert validator.stats()["ai_pauses"] == 0

    def test_zero_disables_the_breaker(self, fake_clock: Any):
        """breaker_failures=0 never pauses, even after a rejected key."""
        backend = ScriptedBackend(BackendAuthError("k", status=401), good_answer())
        validator = make(backend, fake_clock, breaker_failures=0)
        with pytest.raises(BackendAuthError):
            validator.validate("x report")

        assert validator.validate("x report").source == "ai"


def test_local_may_be_any_object_with_validate(fake_clock: Any):
    """A local validator object (no stats(), not callable) is used through its validate()."""

    class Rules:
        def validate(self, text: str, **kwargs: Any) -> Assessment:
            return local(text, lang="en")

    validator = AIValidator(
        ScriptedBackend(), local=Rules(), clock=fake_clock, sleep=fake_clock.sleep
    )
    a = validator.validate("At the beep I heard 'hurry'.")

    assert a.source == "ai"
    assert a.issue_codes[-1] == "generalization"  # the object's local-only issue was merged
