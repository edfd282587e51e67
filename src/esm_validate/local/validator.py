"""The local validator: the rule engine as a :class:`~esm_validate.Validator` with counters."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

import attrs

from esm_validate._types import Assessment
from esm_validate.config import ValidationConfig

from .engine import VALIDATOR_VERSION, assess
from .rules import DEFAULT_RULES, LocalRule

__all__ = ["VALIDATOR_VERSION", "LocalValidator", "assess"]


@attrs.define
class LocalValidator:
    """The rule-based validator as a :class:`~esm_validate.Validator` (the fallback of every chain).

    Args:
        config: Settings (defaults follow the seed).
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
