"""The AI validator: local pass for context, prompt, retried backend call, checked answer, merge.

How the two results combine (documented in ``docs/ai.md``):

* score, quality (re-derived from the AI score, so the label always matches), phenomena, feedback
  and strengths come from the AI (no strengths when the AI gives none: the local ones are not a
  fallback, they may praise what the model found wanting);
* issues follow the AI's order and messages; when the local rules found the same code, their
  evidence span and severity are kept; issues only the rules found are appended with severity INFO
  and ``evidence_only=True``, so no evidence is lost but the AI decides the main issue (with no AI
  issue there is no main issue);
* ``source="ai"``, ``provider`` and ``model`` name the backend, ``version`` names the prompt and
  schema versions (plus the local rules' version).

On failure it raises the typed error (a :class:`~esm_validate.BackendError`); falling back to
local validation is the job of the fallback layer around it. An empty report never reaches the
AI: the local result is returned as it is.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from esm_validate._closing import ClosesOnExit
from esm_validate._errors import (
    BackendError,
    BackendTimeout,
    EsmValidateError,
    MalformedAIResponse,
    PermanentBackendError,
    TransientBackendError,
)
from esm_validate._types import Assessment, Issue, Severity, quality_from_score
from esm_validate.local import validate as validate_locally
from esm_validate.protocols import ChatBackend, Clock, LocalFunction, Sleep, Validator

from .answer import AIAnswer, parse_answer
from .breaker import CircuitBreaker
from .config import AIConfig
from .prompt import PROMPT_VERSION, SCHEMA_VERSION, Prompt, build_prompt
from .retry import RetryPolicy

__all__ = ["AIValidator", "merge"]

_log = logging.getLogger("esm_validate.ai")


def merge(
    local: Assessment, answer: AIAnswer, *, provider: str, model: str, lang: str
) -> Assessment:
    """Combine the local assessment with a checked AI answer (rules in the module docstring)."""
    local_by_code = {issue.code: issue for issue in local.issues}
    issues: list[Issue] = []
    for ai_issue in answer.issues:
        evidence = local_by_code.get(ai_issue.code)
        severity = ai_issue.severity or (evidence.severity if evidence else Severity.WARNING)
        issues.append(
            Issue(
                code=ai_issue.code,
                message=ai_issue.message or (evidence.message if evidence else ""),
                severity=severity,
                span=evidence.span if evidence else None,
            )
        )
    ai_codes = {issue.code for issue in answer.issues}
    issues.extend(
        Issue(i.code, i.message, Severity.INFO, span=i.span, evidence_only=True)
        for i in local.issues
        if i.code not in ai_codes
    )
    version = f"{PROMPT_VERSION}+{SCHEMA_VERSION}" + (f"+{local.version}" if local.version else "")
    return Assessment(
        score=answer.score,
        quality=quality_from_score(answer.score),
        phenomena=answer.phenomena,
        issues=tuple(issues),
        feedback=answer.feedback,
        lang=lang,
        source="ai",
        strengths=answer.strengths,
        provider=provider,
        model=model,
        version=version,
    )


_QUOTE_WINDOW = 16


def _withhold_quotes(exc: BackendError, text: str) -> None:
    """Replace the message of *exc* if it quotes the report (some servers echo their input)."""
    message = str(exc)
    window = min(_QUOTE_WINDOW, len(text.strip()))
    if window < 8:  # too short to tell a quote from a coincidence, and too short to matter
        return
    if any(message[i : i + window] in text for i in range(len(message) - window + 1)):
        status = f" HTTP {exc.status}" if exc.status else ""
        exc.args = (f"{type(exc).__name__}{status} (message withheld: it quoted the report)",)


class AIValidator(ClosesOnExit):
    """A :class:`~esm_validate.Validator` asking a language model through a :class:`ChatBackend`.

    Args:
        backend: The model provider (anything satisfying :class:`ChatBackend`).
        config: Timeouts, retries, budget and size caps.
        local: The local validation function or Validator used for context (default:
            :func:`esm_validate.validate`).
        clock: Monotonic clock for the budget.
        sleep: Called for waits between attempts.
        rng: Source of backoff jitter.

    Thread-safe: one instance may serve many threads (the built-in backends share one pooled
    HTTP client). Use it as a context manager, or call :meth:`close`, to release the client.
    """

    def __init__(
        self,
        backend: ChatBackend,
        *,
        config: AIConfig | None = None,
        local: LocalFunction | Validator | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        for attribute in ("provider", "model", "complete"):
            if not hasattr(backend, attribute):
                raise TypeError(f"backend lacks {attribute!r}: it must satisfy ChatBackend")
        self.backend = backend
        self.config = config if config is not None else AIConfig()
        self.provider: str = str(backend.provider)
        self.model: str = str(backend.model)
        self._local = self._local_function(local)
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {
            "ai_requests": 0,
            "ai_successes": 0,
            "ai_failures": 0,
            "ai_attempts": 0,
            "ai_retries": 0,
            "ai_truncated_reports": 0,
            "ai_short_circuits": 0,
            "local_only": 0,
        }
        self._failures_by_reason: dict[str, int] = {}
        self._latency_total = 0.0
        self._breaker = CircuitBreaker(
            clock=clock,
            failures=self.config.breaker_failures,
            cooldown=self.config.breaker_cooldown,
            retry_after_cap=self.config.retry_after_cap,
            max_pause=self.config.breaker_max_pause,
        )
        self._policy = RetryPolicy(
            config=self.config,
            sleep=sleep,
            clock=clock,
            rng=rng if rng is not None else random.Random(),
            on_retry=self._count_retry,
        )

    @staticmethod
    def _local_function(local: LocalFunction | Validator | None) -> LocalFunction:
        if local is None:
            return validate_locally
        if not callable(local) or isinstance(local, Validator):  # an object with .validate()
            validator = local

            def run(
                text: str, *, lang: str | None = None, training_day: int | None = None
            ) -> Assessment:
                return validator.validate(text, lang=lang, training_day=training_day)

            return run
        return local

    @property
    def cache_identity(self) -> tuple[str, str, str, str]:
        """(provider, model, PROMPT_VERSION, SCHEMA_VERSION): what a cache key must include."""
        return (self.provider, self.model, PROMPT_VERSION, SCHEMA_VERSION)

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        """Assess one report with the AI.

        Raises:
            TypeError: *text* is not a string.
            esm_validate.BackendError: The AI failed (after retries, within the budget): a
                :class:`~esm_validate.BackendTimeout`, :class:`~esm_validate.TransientBackendError`,
                :class:`~esm_validate.PermanentBackendError`,
                :class:`~esm_validate.BackendAuthError`
                or :class:`~esm_validate.MalformedAIResponse`; its ``fallback_reason`` says which.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        local = self._local(text, lang=lang, training_day=training_day)
        if not text.strip():
            self._bump("local_only")
            return local
        lang = local.lang  # the local pass normalises the language (and detects it when None)
        prompt = build_prompt(
            text,
            lang=lang,
            training_day=training_day,
            local=local,
            max_chars=self.config.max_report_chars,
        )
        if prompt.truncated:
            self._bump("ai_truncated_reports")
        paused = self._breaker.check()
        if paused is not None:
            self._bump("ai_short_circuits")
            raise paused
        started = self._clock()
        self._bump("ai_requests")
        try:
            data = self._call(prompt, deadline=started + self.config.total_budget)
            answer = parse_answer(data)
        except BackendError as exc:
            _withhold_quotes(exc, text)
            self._record_failure(exc)
            raise
        self._breaker.record_success()
        with self._lock:
            self._counts["ai_successes"] += 1
            self._latency_total += max(0.0, self._clock() - started)
        return merge(local, answer, provider=self.provider, model=self.model, lang=lang)

    def _call(self, prompt: Prompt, *, deadline: float) -> Mapping[str, Any]:
        def attempt() -> Mapping[str, Any]:
            remaining = deadline - self._clock()
            if remaining < max(self.config.min_attempt_time, 1e-3):
                raise BackendTimeout(
                    f"{self.provider}: the {self.config.total_budget:.1f} s budget ran out"
                )
            self._bump("ai_attempts")
            return self.backend.complete(
                prompt.system,
                prompt.user,
                prompt.schema,
                timeout=min(self.config.timeout, remaining),
            )

        try:
            return self._policy.call(attempt, deadline=deadline)
        except EsmValidateError as exc:
            if isinstance(exc, BackendError):
                raise
            raise TransientBackendError(f"{self.provider}: {type(exc).__name__}") from None
        except Exception as exc:
            _log.debug("backend %s raised %s", self.provider, type(exc).__name__, exc_info=True)
            raise TransientBackendError(
                f"{self.provider}: the backend raised {type(exc).__name__}"
            ) from None

    def _count_retry(self, _attempt: int, _exc: BaseException, _wait: float) -> None:
        self._bump("ai_retries")

    def _bump(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1

    def _record_failure(self, exc: BackendError) -> None:
        reason = exc.fallback_reason
        with self._lock:
            self._counts["ai_failures"] += 1
            self._failures_by_reason[reason] = self._failures_by_reason.get(reason, 0) + 1
        level = logging.INFO
        if isinstance(exc, PermanentBackendError) and not isinstance(exc, MalformedAIResponse):
            level = logging.ERROR  # a key, quota or request problem: someone must act
        _log.log(level, "AI validation failed (%s): %s", reason, exc)
        trips = self._breaker.trips
        self._breaker.record_failure(exc)
        if self._breaker.trips > trips:
            _log.warning(
                "AI calls paused for %.0f s after %s; reports get local feedback meanwhile",
                self._breaker.remaining(),
                reason,
            )

    def stats(self) -> Mapping[str, Any]:
        """Return counters: requests, successes, failures by reason, attempts, retries, latency."""
        with self._lock:
            counts = dict(self._counts)
            by_reason = dict(self._failures_by_reason)
            latency = self._latency_total
        successes = counts["ai_successes"]
        return {
            "provider": self.provider,
            "model": self.model,
            **counts,
            "ai_failures_by_reason": by_reason,
            "avg_ai_latency_ms": (latency / successes * 1000.0) if successes else 0.0,
            "ai_paused_for_s": self._breaker.remaining(),
            "ai_pauses": self._breaker.trips,
        }

    def close(self) -> None:
        """Release the backend's HTTP client (if it has a ``close()``)."""
        close: Callable[[], object] | None = getattr(self.backend, "close", None)
        if callable(close):
            close()

    def __repr__(self) -> str:
        """Show provider and model only (never a key)."""
        return f"AIValidator(provider={self.provider!r}, model={self.model!r})"
