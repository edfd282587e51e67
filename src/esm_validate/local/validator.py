"""The local validator: the rule engine as a :class:`~esm_validate.Validator` with counters."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from esm_validate._types import Assessment
from esm_validate.config import ValidationConfig

from .engine import VALIDATOR_VERSION, assess_checked
from .language import SUPPORTED_LANGUAGES, detect_language
from .rules import DEFAULT_RULES, LocalRule

__all__ = ["VALIDATOR_VERSION", "LocalValidator", "assess"]

_DEFAULT_CONFIG = ValidationConfig()


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"the report text must be a str, got {type(text).__name__}")
    return text


def _language(text: str, lang: str | None) -> str:
    if lang is None:
        return detect_language(text)
    if not isinstance(lang, str):
        raise TypeError(f"lang must be a str like 'ru' or 'en', or None; got {type(lang).__name__}")
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    # An unknown language (e.g. a Telegram client set to German) falls back to detection.
    return code if code in SUPPORTED_LANGUAGES else detect_language(text)


def _check_day(training_day: int | None) -> int | None:
    if training_day is None:
        return None
    if isinstance(training_day, bool) or not isinstance(training_day, int):
        raise TypeError(f"training_day must be an int or None, got {type(training_day).__name__}")
    return training_day


def assess(
    text: str,
    *,
    lang: str | None = None,
    training_day: int | None = None,
    config: ValidationConfig | None = None,
    rules: Sequence[LocalRule] = DEFAULT_RULES,
) -> Assessment:
    """Assess one report with ``rules`` under ``config`` (the engine behind :func:`validate`)."""
    text = _check_text(text)
    config = config if config is not None else _DEFAULT_CONFIG
    text = text[: config.max_length]
    return assess_checked(text, _language(text, lang), _check_day(training_day), config, rules)


@attrs.define
class LocalValidator:
    """The rule-based validator as a :class:`~esm_validate.Validator` (the fallback of every chain).

    Args:
        config: Settings (defaults follow the original MSE bot).
        rules: The rules to run; extend with ``DEFAULT_RULES + (MyRule(),)``.

    ``validate`` is pure apart from the counters that :meth:`stats` reports (guarded by a lock,
    so one instance may serve many threads).
    """

    config: ValidationConfig = attrs.field(factory=ValidationConfig)
    rules: tuple[LocalRule, ...] = attrs.field(default=DEFAULT_RULES, converter=tuple)
    _counts: Counter[str] = attrs.field(factory=Counter, init=False, repr=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    @rules.validator
    def _check_rules(
        self, _attr: attrs.Attribute[tuple[LocalRule, ...]], value: tuple[LocalRule, ...]
    ) -> None:
        for rule in value:
            if not isinstance(rule, LocalRule):
                raise TypeError(
                    f"{rule!r} is not a LocalRule: it needs a 'code' str and a "
                    "'check(report)' method"
                )

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        """Assess one report (``user_id`` is accepted for the Protocol; local rules ignore it)."""
        assessment = assess(
            text, lang=lang, training_day=training_day, config=self.config, rules=self.rules
        )
        with self._lock:
            self._counts["validations"] += 1
            self._counts[f"lang_{assessment.lang}"] += 1
            self._counts[f"quality_{assessment.quality}"] += 1
        return assessment

    def stats(self) -> Mapping[str, Any]:
        """Counters: ``validations``, ``lang_ru``/``lang_en``, ``quality_<label>``."""
        with self._lock:
            counts = dict(self._counts)
        counts.setdefault("validations", 0)
        return {"provider": "local", "version": VALIDATOR_VERSION, **counts}
