"""Settings of the AI validator: timeouts, retries, budget, size caps."""

from __future__ import annotations

import math
from typing import Any

import attrs

from esm_validate._errors import ConfigurationError

__all__ = ["AIConfig"]


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"AIConfig.{attribute.name} must be a number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ConfigurationError(f"AIConfig.{attribute.name} must be > 0, got {value!r}")


def _non_negative(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"AIConfig.{attribute.name} must be a number, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ConfigurationError(f"AIConfig.{attribute.name} must be >= 0, got {value!r}")


def _count(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"AIConfig.{attribute.name} must be an int >= 1, got {value!r}")


def _count_or_zero(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"AIConfig.{attribute.name} must be an int >= 0, got {value!r}")


def _temperature(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    _non_negative(_inst, attribute, value)
    if value > 2:
        raise ConfigurationError(f"AIConfig.temperature must be in 0..2, got {value!r}")


@attrs.frozen
class AIConfig:
    """How the AI validator calls a backend.

    Attributes:
        timeout: Seconds per attempt (``ESM_AI_TIMEOUT``); clamped to what is left of the budget.
        connect_timeout: Seconds to open a connection.
        max_attempts: Attempts per report, the first included (1 = no retry).
        backoff_initial: Wait before the first retry; doubles each retry, up to ``backoff_max``.
        backoff_max: Longest backoff wait.
        jitter: A random 0..jitter seconds added to each backoff wait.
        retry_after_cap: Longest Retry-After honoured; beyond it, give up at once.
        total_budget: Seconds for the whole call, attempts and waits included.
        min_attempt_time: An attempt is not started with less than this left of the budget.
        max_report_chars: Reports longer than this are cut before they are sent (with a note).
        max_output_tokens: Output token limit sent to the model.
        temperature: Sampling temperature sent to the model.
        breaker_failures: Consecutive failed reports after which AI calls pause (0: never pause).
        breaker_cooldown: Seconds AI calls pause after those failures or a rejected key.
        breaker_max_pause: Longest pause, even when the server's Retry-After asks for more.
    """

    timeout: float = attrs.field(default=10.0, validator=_positive)
    connect_timeout: float = attrs.field(default=5.0, validator=_positive)
    max_attempts: int = attrs.field(default=3, validator=_count)
    backoff_initial: float = attrs.field(default=1.0, validator=_non_negative)
    backoff_max: float = attrs.field(default=8.0, validator=_non_negative)
    jitter: float = attrs.field(default=1.0, validator=_non_negative)
    retry_after_cap: float = attrs.field(default=10.0, validator=_non_negative)
    total_budget: float = attrs.field(default=25.0, validator=_positive)
    min_attempt_time: float = attrs.field(default=0.05, validator=_non_negative)
    max_report_chars: int = attrs.field(default=4000, validator=_count)
    max_output_tokens: int = attrs.field(default=1024, validator=_count)
    temperature: float = attrs.field(default=0.0, validator=_temperature)
    breaker_failures: int = attrs.field(default=5, validator=_count_or_zero)
    breaker_cooldown: float = attrs.field(default=30.0, validator=_non_negative)
    breaker_max_pause: float = attrs.field(default=300.0, validator=_non_negative)
