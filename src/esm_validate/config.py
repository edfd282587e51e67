"""Settings of the local golden-standard validator (defaults: the original MSE bot's settings).

Everything is a frozen attrs value checked on construction, so a bad setting fails early with a
clear message instead of producing odd scores later.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

__all__ = ["ComponentWeights", "QualityThresholds", "ValidationConfig"]


def _unit_interval(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a number in 0..1, got {value!r}")


def _score_value(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError(f"{attribute.name} must be an int in 0..100, got {value!r}")


def _positive_int(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be a non-negative int, got {value!r}")


@attrs.frozen
class QualityThresholds:
    """Score boundaries, strictly rising (the original MSE bot's: ``unacceptable`` 30 ... 90)."""

    unacceptable: int = attrs.field(default=30, validator=_score_value)
    poor: int = attrs.field(default=40, validator=_score_value)
    acceptable: int = attrs.field(default=60, validator=_score_value)
    good: int = attrs.field(default=70, validator=_score_value)
    excellent: int = attrs.field(default=80, validator=_score_value)
    pristine: int = attrs.field(default=90, validator=_score_value)

    def __attrs_post_init__(self) -> None:
        values = attrs.astuple(self)
        if any(a >= b for a, b in itertools.pairwise(values)):
            raise ValueError(
                "quality thresholds must rise strictly "
                f"(unacceptable < poor < acceptable < good < excellent < pristine), got {values!r}"
            )


@attrs.frozen
class ComponentWeights:
    """Weights of the five score components; they must sum to 1 (within 0.001).

    ``consistency`` is "consistency between answers" in the original MSE bot. A single report has
    no history, so the local validator scores it as internal consistency (hedging, inferred
    experience).
    """

    specificity: float = attrs.field(default=0.25, validator=_unit_interval)
    moment_focus: float = attrs.field(default=0.30, validator=_unit_interval)
    sensory_detail: float = attrs.field(default=0.20, validator=_unit_interval)
    consistency: float = attrs.field(default=0.15, validator=_unit_interval)
    brevity: float = attrs.field(default=0.10, validator=_unit_interval)

    def __attrs_post_init__(self) -> None:
        total = sum(attrs.astuple(self))
        if abs(total - 1.0) > 1e-3:
            raise ValueError(f"component weights must sum to 1, got {total:.3f}")


def _pass_marks(
    value: Mapping[int, int] | Iterable[tuple[int, int]],
) -> tuple[tuple[int, int], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((day, mark) for day, mark in items))


def _check_pass_marks(
    _inst: object,
    _attr: attrs.Attribute[tuple[tuple[int, int], ...]],
    value: tuple[tuple[int, int], ...],
) -> None:
    if not value:
        raise ValueError("training_pass_marks must name at least one day")
    for day, mark in value:
        if isinstance(day, bool) or not isinstance(day, int) or day < 1:
            raise ValueError(f"training day must be an int >= 1, got {day!r}")
        if isinstance(mark, bool) or not isinstance(mark, int) or not 0 <= mark <= 100:
            raise ValueError(f"pass mark for day {day} must be an int in 0..100, got {mark!r}")


@attrs.frozen
class ValidationConfig:
    """How the local validator judges reports.

    Attributes:
        strict_mode: Judge harder: every penalty counts 1.5 times, day-1 leniency is off (issues
            keep their full severity), and reports need ``min_words + 2`` words.
        use_golden_standard: Apply Hurlburt's DES criteria (moment, generalisation, theorising,
            hedging, behaviour, form of thinking, ...). When False only the basic checks run
            (empty, too short, evasive answer); phenomena are still detected.
        thresholds: Quality boundaries (see :class:`QualityThresholds`).
        weights: Weights of the score components (see :class:`ComponentWeights`).
        training_pass_marks: Score a report needs on each training day (original MSE bot: 40, 60,
            70).
        quality_threshold: The overall pass mark after training (original MSE bot: 70).
        default_training_day: The day used when none is given (3: judge as a trained participant).
        min_length: Fewer non-space characters than this make a report ``too_short``.
        min_words: Fewer words than this make a report ``too_short``.
        max_length: Only the first ``max_length`` characters are analysed (a DES note is a line or
            two; this bounds the work on pasted megabytes). Spans still point into the text.
        address: How Russian feedback tips and praise address the participant: ``"formal"``
            («вы», the default) or ``"informal"`` («ты»). English is the same either way.
    """

    strict_mode: bool = False
    use_golden_standard: bool = True
    thresholds: QualityThresholds = attrs.field(factory=QualityThresholds)
    weights: ComponentWeights = attrs.field(factory=ComponentWeights)
    training_pass_marks: tuple[tuple[int, int], ...] = attrs.field(
        default=((1, 40), (2, 60), (3, 70)), converter=_pass_marks, validator=_check_pass_marks
    )
    quality_threshold: int = attrs.field(default=70, validator=_score_value)
    default_training_day: int = attrs.field(default=3)
    min_length: int = attrs.field(default=10, validator=_positive_int)
    min_words: int = attrs.field(default=3, validator=_positive_int)
    max_length: int = attrs.field(default=8000)
    address: Literal["formal", "informal"] = attrs.field(default="formal")

    @address.validator
    def _check_address(self, _attr: attrs.Attribute[str], value: str) -> None:
        if value not in ("formal", "informal"):
            raise ValueError(f"address must be 'formal' or 'informal', got {value!r}")

    @max_length.validator
    def _check_max_length(self, _attr: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 100:
            raise ValueError(f"max_length must be an int >= 100, got {value!r}")

    @default_training_day.validator
    def _check_default_day(self, _attr: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"default_training_day must be an int >= 1, got {value!r}")

    @property
    def last_training_day(self) -> int:
        """The highest day that has its own pass mark."""
        return self.training_pass_marks[-1][0]

    def effective_day(self, training_day: int | None) -> int:
        """Clamp a training day to the configured range (None: :attr:`default_training_day`)."""
        day = self.default_training_day if training_day is None else training_day
        first = self.training_pass_marks[0][0]
        return max(first, min(day, self.last_training_day))

    def pass_mark(self, training_day: int | None = None) -> int:
        """The score needed on ``training_day`` (after the last training day: the last mark)."""
        day = self.effective_day(training_day)
        mark = self.quality_threshold
        for known_day, known_mark in self.training_pass_marks:
            if known_day <= day:
                mark = known_mark
        return mark

    @property
    def penalty_factor(self) -> float:
        """How much every penalty is multiplied by (1.5 in strict mode)."""
        return 1.5 if self.strict_mode else 1.0

    @property
    def required_words(self) -> int:
        """Words a report needs to avoid ``too_short``."""
        return self.min_words + 2 if self.strict_mode else self.min_words
