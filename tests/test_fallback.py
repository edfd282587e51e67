"""FallbackValidator: every library failure becomes local feedback with the right reason."""

from __future__ import annotations

import logging

import attrs
import pytest

import esm_validate
from esm_validate import (
    BackendAuthError,
    BackendError,
    BackendTimeout,
    FallbackValidator,
    FunctionValidator,
    MalformedAIResponse,
    PermanentBackendError,
    RateLimitExceeded,
    TransientBackendError,
)
from tests.layer_fakes import FakeAI, ai_assessment

REPORT = "At the beep I was saying to myself 'where are the keys' — a secret-looking sentence."


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (BackendError("boom", status=500), "ai_unavailable"),
        (TransientBackendError("503", status=503), "ai_unavailable"),
        (PermanentBackendError("400", status=400), "ai_unavailable"),
        (BackendTimeout("slow"), "ai_timeout"),
        (BackendAuthError("401", status=401), "ai_auth"),
        (MalformedAIResponse("not json"), "ai_invalid_answer"),
    ],
)
def test_backend_errors_fall_back_with_reason(error, reason) -> None:
    """Each backend error gives the local assessment with its fallback_reason, no retry_after."""
    fallback = FallbackValidator(FakeAI([error]))

    answer = fallback.validate(REPORT, user_id="1", training_day=2, lang="en")
    local = esm_validate.validate(REPORT, lang="en", training_day=2)

    assert answer == attrs.evolve(local, fallback_reason=reason)
    assert answer.source == "local"
    assert answer.retry_after is None
    assert fallback.stats()["fallbacks_by_reason"] == {reason: 1}


def test_rate_limit_sets_retry_after() -> None:
    """A refusal by the limiter falls back with rate_limited and says when AI resumes."""
    fallback = FallbackValidator(FakeAI([RateLimitExceeded(42.5, user_id="9")]))

    answer = fallback.validate(REPORT, user_id="9")

    assert (answer.fallback_reason, answer.retry_after) == ("rate_limited", 42.5)


def test_success_passes_through_untouched(caplog) -> None:
    """The primary's answer is returned as is, and nothing is logged."""
    expected = ai_assessment()
    fallback = FallbackValidator(FakeAI([expected]))

    with caplog.at_level(logging.DEBUG, logger="esm_validate"):
        answer = fallback.validate(REPORT)

    assert answer is expected
    assert caplog.records == []
    assert fallback.stats()["fallbacks"] == 0


@pytest.mark.parametrize("error", [TypeError("bug"), KeyError("bug"), ZeroDivisionError()])
def test_programming_errors_propagate(error) -> None:
    """A bug is not hidden behind a fallback."""
    fallback = FallbackValidator(FakeAI([error]))

    with pytest.raises(type(error)):
        fallback.validate(REPORT)


def test_logs_once_at_warning_without_text_user_or_key(caplog) -> None:
    """One WARNING per failure, naming the error and status, never the report, user or key."""
    error = BackendAuthError("401 for key sk-live-SECRET and text " + REPORT, status=401)
    fallback = FallbackValidator(FakeAI([error], provider="openai"))

    with caplog.at_level(logging.DEBUG, logger="esm_validate"):
        fallback.validate(REPORT, user_id="user-31337")

    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    message = caplog.records[0].getMessage()
    assert "BackendAuthError" in message
    assert "ai_auth" in message
    assert "401" in message
    assert "openai" in message
    for secret in ("sk-live-SECRET", "where are the keys", "user-31337"):
        assert secret not in caplog.text


def test_custom_fallback_function_and_validator() -> None:
    """The fallback may be a plain function or any validator (which receives the user id)."""

    def constant(text: str, *, lang: str | None = None, training_day: int | None = None):
        return attrs.evolve(ai_assessment(10), source="local", feedback=f"{lang}/{training_day}")

    by_function = FallbackValidator(FakeAI([BackendError("x")]), constant)
    other = FakeAI([ai_assessment(33)])
    by_validator = FallbackValidator(FakeAI([BackendError("x")]), other)

    assert by_function.validate("t", lang="ru", training_day=3).feedback == "ru/3"
    assert by_validator.validate("t", user_id="5").score == 33
    assert other.calls[0]["user_id"] == "5"
    assert isinstance(FallbackValidator(FakeAI()).fallback, FunctionValidator)


def test_fallback_counts_by_reason_and_closes_both() -> None:
    """stats() counts fallbacks by reason; close() reaches primary and fallback."""
    primary = FakeAI([BackendTimeout("t"), BackendTimeout("t"), RateLimitExceeded(1.0)])
    secondary = FakeAI([ai_assessment()])
    fallback = FallbackValidator(primary, secondary)
    for _ in range(3):
        fallback.validate("x")
    fallback.close()

    assert fallback.stats()["fallbacks_by_reason"] == {"ai_timeout": 2, "rate_limited": 1}
    assert fallback.stats()["fallbacks"] == 3
    assert primary.closed
    assert secondary.closed


def test_rejects_a_non_validator_fallback() -> None:
    """A fallback that is neither a validator nor callable is a clear TypeError."""
    with pytest.raises(TypeError, match="validator or a function"):
        FallbackValidator(FakeAI(), 42)  # type: ignore[arg-type]
