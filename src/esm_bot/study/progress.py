"""Training-day progression as a pure function: one closed day in, the next state out.

A training day passes when at least ``min_reports_per_day`` beeps were answered and their average
quality (each beep at its best attempt) reaches the day's pass mark. A day falling short is repeated
(``max_day_repeats`` times, once by default); after that the participant moves on anyway, so
nobody is stuck. A day on which no beep was delivered at all (paused, or every beep cancelled) does
not count. After the last training day comes sampling; after ``sampling_days`` counted sampling
days the study is complete.
"""

from __future__ import annotations

import enum
import statistics
from collections.abc import Sequence

import attrs

from esm_bot.domain.config import StudyConfig
from esm_bot.domain.models import ParticipantStatus

__all__ = ["DayOutcome", "DayResult", "Progress", "close_day"]


class DayOutcome(enum.StrEnum):
    """How a closed day changed the participant's progress."""

    #: A training day reached its pass mark.
    PASSED = "passed"
    #: A training day fell short; it is repeated.
    REPEAT = "repeat"
    #: A training day fell short again (repeats used up); the participant moves on.
    ADVANCED = "advanced"
    #: A sampling day was counted.
    SAMPLED = "sampled"
    #: Nothing was delivered that day; it does not count.
    SKIPPED = "skipped"


@attrs.frozen
class Progress:
    """The part of a participant's state that closed days change.

    Attributes:
        status: Training, sampling or completed.
        training_day: Current training day (1-based; the last one + 1 after training).
        day_repeats: How often the current training day has been repeated.
        study_day: Counted days so far + 1.
        training_completed: True once training is over.
        sampling_days_done: Counted sampling days.
    """

    status: ParticipantStatus
    training_day: int
    day_repeats: int
    study_day: int
    training_completed: bool
    sampling_days_done: int


@attrs.frozen
class DayResult:
    """What closing one day found.

    Attributes:
        outcome: How progress changed.
        training_day: The training day it was (0 for a sampling day).
        average: Average best-attempt score of the answered beeps, or None without any.
        answered: Beeps answered.
        delivered: Beeps delivered.
        pass_mark: The mark the day needed (training days), else None.
    """

    outcome: DayOutcome
    training_day: int
    average: float | None
    answered: int
    delivered: int
    pass_mark: int | None


def close_day(
    config: StudyConfig, progress: Progress, scores: Sequence[int], delivered: int
) -> tuple[DayResult, Progress]:
    """Close one day given its answered beeps' best *scores* and how many beeps were *delivered*.

    Pure and deterministic: the same day and state always give the same result.
    """
    average = round(statistics.fmean(scores), 1) if scores else None
    if delivered == 0 and not scores:
        training_day = progress.training_day if progress.status is ParticipantStatus.TRAINING else 0
        return DayResult(DayOutcome.SKIPPED, training_day, None, 0, 0, None), progress
    if progress.status is ParticipantStatus.TRAINING:
        return _close_training_day(config, progress, scores, average, delivered)
    done = progress.sampling_days_done + 1
    status = (
        ParticipantStatus.COMPLETED if done >= config.sampling_days else ParticipantStatus.SAMPLING
    )
    result = DayResult(DayOutcome.SAMPLED, 0, average, len(scores), delivered, None)
    return result, attrs.evolve(
        progress, status=status, sampling_days_done=done, study_day=progress.study_day + 1
    )


def _close_training_day(
    config: StudyConfig,
    progress: Progress,
    scores: Sequence[int],
    average: float | None,
    delivered: int,
) -> tuple[DayResult, Progress]:
    day = progress.training_day
    mark = config.pass_mark(day)
    passed = len(scores) >= config.min_reports_per_day and (average or 0) >= mark
    study_day = progress.study_day + 1
    if not passed and progress.day_repeats < config.max_day_repeats:
        result = DayResult(DayOutcome.REPEAT, day, average, len(scores), delivered, mark)
        return result, attrs.evolve(
            progress, day_repeats=progress.day_repeats + 1, study_day=study_day
        )
    outcome = DayOutcome.PASSED if passed else DayOutcome.ADVANCED
    result = DayResult(outcome, day, average, len(scores), delivered, mark)
    next_day = day + 1
    if next_day > config.training_days:
        status = (
            ParticipantStatus.SAMPLING if config.sampling_days > 0 else ParticipantStatus.COMPLETED
        )
        return result, attrs.evolve(
            progress,
            status=status,
            training_day=next_day,
            day_repeats=0,
            study_day=study_day,
            training_completed=True,
        )
    return result, attrs.evolve(progress, training_day=next_day, day_repeats=0, study_day=study_day)
