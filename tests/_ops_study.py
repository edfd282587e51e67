"""A small simulated DES study, written through a real store, for the operations tests.

Participants, beeps (planned with ``plan_day``) and reports are stored with the store's own
methods; every score, quality, phenomenon and issue code comes from ``esm_validate.validate`` on
generated texts (nothing is hand-scored). Participants get better over the training days the way
real ones do: the share of precise, momentary reports grows with the day.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

import attrs

import esm_validate
from esm_bot.domain.models import (
    Beep,
    BeepStatus,
    Participant,
    ParticipantStatus,
    Report,
    beep_id,
    new_id,
)
from esm_bot.domain.schedule import plan_day
from esm_bot.study.analytics import PRACTICE_INDEX_BASE

POOR = {
    "en": (
        "Nothing special, as usual.",
        "I always think about work in the mornings, usually I plan the day.",
        "I was working on my laptop.",
        "Probably I was thinking about dinner, I guess.",
        "I felt stressed because the exam is tomorrow and I am always nervous before exams.",
        "ok",
    ),
    "ru": (
        "Ничего особенного, всё как обычно.",
        "Я всегда по утрам думаю о работе, обычно планирую день.",
        "Я работал за ноутбуком.",
        "Наверное, я думал об ужине.",
        "Я нервничал, потому что завтра экзамен, я всегда волнуюсь перед экзаменами.",
        "норм",
    ),
}
GOOD = {
    "en": (
        'At the moment of the beep I was saying to myself in my inner voice "where did I put '
        'the keys?", quickly and a bit annoyed.',
        "At the beep I saw in my mind a vivid image of a red door, blurred at the edges, and felt "
        "a tightness in my chest.",
        "Right at the beep I was paying attention to the cold smooth surface of the cup against "
        "my fingertips.",
        "At the beep there was a wordless sense of wondering whether the train had left; no "
        "words, no images.",
    ),
    "ru": (
        "В момент сигнала я говорил себе внутренним голосом: «где же ключи?» — быстро, "
        "с раздражением.",
        "В момент сигнала я видел в воображении яркую картинку красной двери, размытой по краям, "
        "и чувствовал сжатие в груди.",
        "Прямо в момент сигнала я обращал внимание на холодную гладкую поверхность чашки под "
        "пальцами.",
        "В момент сигнала было бессловесное ощущение вопроса, ушёл ли поезд; без слов, без "
        "образов.",
    ),
}
ZONES = ("Europe/Moscow", "America/New_York", "Asia/Kathmandu", "UTC", "Europe/Berlin")
PASS_MARKS = {1: 40, 2: 60, 3: 70}


@attrs.frozen
class SimulatedStudy:
    """What the simulation wrote, for assertions."""

    participant_ids: tuple[str, ...]
    telegram_ids: tuple[int, ...]
    beeps: int
    reports: int
    practice_reports: int

    @property
    def messages_without_beep(self) -> int:
        """Messages written when no beep was open (one per simulated study)."""
        return 1


def _report(
    participant: Participant,
    beep: Beep | None,
    text: str,
    at: dt.datetime,
    attempt: int,
    training_day: int | None,
) -> Report:
    assessment = esm_validate.validate(text, lang=participant.lang, training_day=training_day)
    latency = None if beep is None else (at - beep.scheduled_at).total_seconds()
    return Report(
        id=new_id(),
        participant_id=participant.id,
        beep_id=None if beep is None else beep.id,
        text=text,
        received_at=at,
        dedup_key=f"tg:{participant.chat_id}:{new_id()}",
        attempt=attempt,
        latency_s=latency,
        late=bool(latency is not None and latency > 15 * 60),
        score=assessment.score,
        quality=assessment.quality,
        phenomena=tuple(sorted(assessment.phenomena)),
        issue_codes=assessment.issue_codes,
        feedback=assessment.feedback,
        source=assessment.source,
        fallback_reason=assessment.fallback_reason,
        validator_version=assessment.version or esm_validate.__version__,
        validation_ms=0.1,
        assessment=assessment.to_dict(),
    )


def simulate_study(
    store: Any,
    *,
    participants: int = 4,
    days: int = 4,
    beeps_per_day: int = 4,
    seed: int = 7,
    start: dt.date = dt.date(2026, 5, 4),
    zones: Sequence[str] = ZONES,
) -> SimulatedStudy:
    """Write a small study into ``store``; return what was written."""
    rng = random.Random(seed)
    ids: list[str] = []
    telegram_ids: list[int] = []
    n_beeps = n_reports = n_practice = 0
    for i in range(participants):
        lang = "ru" if i % 2 == 0 else "en"
        telegram_id = 900_000_000 + 1_000 * (i + 1) + 7
        person = store.add_participant(
            Participant(
                id=new_id(),
                created_at=dt.datetime(2026, 5, 3, 12, 0, tzinfo=dt.UTC),
                telegram_id=telegram_id,
                chat_id=telegram_id,
                lang=lang,
                tz=zones[i % len(zones)],
                beeps_per_day=beeps_per_day,
                status=ParticipantStatus.TRAINING,
                training_start_date=start,
                current_training_day=1,
            )
        )
        ids.append(person.id)
        telegram_ids.append(telegram_id)
        skill = 0.15 + 0.1 * i
        day_scores: dict[int, list[int]] = {}
        for day_number in range(1, days + 1):
            day = start + dt.timedelta(days=day_number - 1)
            training = day_number <= 3
            times = plan_day(
                day,
                person.tz,
                dt.time(9, 0),
                dt.time(21, 0),
                beeps_per_day,
                min_gap=dt.timedelta(minutes=45),
                rng=rng,
            )
            answer_rate = 0.9 - 0.05 * day_number
            good_rate = min(0.95, skill + 0.25 * (day_number - 1))
            for index, when in enumerate(times):
                answered = rng.random() < answer_rate
                beep = Beep(
                    id=beep_id(person.id, day, index),
                    participant_id=person.id,
                    local_date=day,
                    index=index,
                    scheduled_at=when,
                    status=BeepStatus.ANSWERED if answered else BeepStatus.EXPIRED,
                    study_day=day_number,
                    training=training,
                    tz=person.tz,
                    sent_at=when,
                    expires_at=when + dt.timedelta(minutes=15),
                    answered_at=when + dt.timedelta(seconds=60) if answered else None,
                )
                store.upsert_beeps([beep])
                n_beeps += 1
                if not answered:
                    continue
                pool = GOOD if rng.random() < good_rate else POOR
                text = rng.choice(pool[lang])
                late = rng.random() < 0.1
                at = when + dt.timedelta(
                    seconds=rng.randint(960, 1800) if late else rng.randint(20, 600)
                )
                first = _report(person, beep, text, at, 1, day_number if training else None)
                store.add_report(first)
                n_reports += 1
                day_scores.setdefault(day_number, []).append(first.score or 0)
                if training and (first.score or 0) < PASS_MARKS[day_number]:
                    retry_text = rng.choice(GOOD[lang])
                    retry_at = at + dt.timedelta(seconds=90)
                    store.add_report(_report(person, beep, retry_text, retry_at, 2, day_number))
                    n_reports += 1
        # One planned beep still in the future: not due, so not in compliance.
        future_day = start + dt.timedelta(days=days)
        store.upsert_beeps(
            [
                Beep(
                    id=beep_id(person.id, future_day, 0),
                    participant_id=person.id,
                    local_date=future_day,
                    index=0,
                    scheduled_at=dt.datetime.combine(future_day, dt.time(12), dt.UTC),
                    study_day=days + 1,
                    tz=person.tz,
                )
            ]
        )
        n_beeps += 1
        averages = {d: sum(s) / len(s) for d, s in day_scores.items() if s}
        completed = averages.get(3, 0) >= PASS_MARKS[3]
        store.update_participant(
            person.id,
            current_training_day=3,
            training_completed=completed,
            status=ParticipantStatus.SAMPLING if completed else ParticipantStatus.TRAINING,
            average_data_quality=sum(averages.values()) / max(1, len(averages)),
        )
        if i == 0:  # a practice beep with its report, and a message when no beep was open
            practice_at = dt.datetime.combine(start, dt.time(8, 30), dt.UTC)
            practice = Beep(
                id=beep_id(person.id, start, PRACTICE_INDEX_BASE),
                participant_id=person.id,
                local_date=start,
                index=PRACTICE_INDEX_BASE,
                scheduled_at=practice_at,
                status=BeepStatus.ANSWERED,
                study_day=0,
                tz=person.tz,
                sent_at=practice_at,
                answered_at=practice_at + dt.timedelta(minutes=1),
            )
            store.upsert_beeps([practice])
            n_beeps += 1
            at = practice_at + dt.timedelta(minutes=1)
            store.add_report(_report(person, practice, GOOD[lang][0], at, 1, 1))
            store.add_report(
                Report(
                    id=new_id(),
                    participant_id=person.id,
                    beep_id=None,
                    text="hello, is the study still on?",
                    received_at=practice_at + dt.timedelta(hours=1),
                )
            )
            n_reports += 2
            n_practice += 1
    return SimulatedStudy(tuple(ids), tuple(telegram_ids), n_beeps, n_reports, n_practice)
