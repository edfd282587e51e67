"""Simulate a small DES study and write it in the format of ``esm-bot export --format csv``.

The texts are drawn from pools of weaker and better reports, better ones more often as the days go
by (training works, roughly); the scores, qualities, phenomena and issue codes are NOT written by
hand: every report is assessed by esm_validate, with its training day, exactly as the bot does.

    python examples/simulated_study.py study_export.csv

The other examples import :func:`simulate_rows` / :func:`write_export` from here.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
import zoneinfo
from pathlib import Path
from typing import Any

import esm_validate

TRAINING_DAYS = 3
SAMPLING_DAYS = 4
BEEPS_PER_DAY = 6
WINDOW = (9, 21)  # local hours of the sampling window

#: The columns written, a subset of ``esm-bot export`` (see its codebook), in its order.
COLUMNS = (
    "participant",
    "study_day",
    "training",
    "local_date",
    "beep_index",
    "beep_status",
    "timezone",
    "scheduled_local",
    "scheduled_utc",
    "latency_s",
    "attempt",
    "report_text",
    "n_chars",
    "score",
    "quality",
    "phenomena",
    "issue_codes",
    "validator_source",
    "validator_version",
)

WEAK = {
    "ru": [
        "Ничего особенного, как обычно.",
        "Я думал о работе.",
        "Весь день тревожился, потому что завтра экзамен, я всегда нервничаю.",
        "Наверное, думал о чём-то, не помню точно.",
        "Ехал в метро, потом вышел и пошёл домой.",
        "Было грустно.",
        "Обычно в это время я устаю и ни о чём не думаю.",
        "Сигнал меня напугал, и я подумал: ну вот, опять сигнал.",
        "Думала о том, что надо купить продукты; в целом день был обычный.",
        "Я злился, потому что коллега всегда меня перебивает.",
    ],
    "en": [
        "Nothing special, as usual.",
        "I was thinking about work.",
        "I was at work all morning and I usually feel tired around this time.",
        "Maybe I was thinking about dinner, I guess, probably.",
        "I was driving to work, then parked and went into the office.",
        "Sad.",
        "I felt annoyed because my boss always interrupts me, that's how he is.",
        "The beep startled me and I thought: oh, the beep!",
        "I was reading emails and checking my phone, the usual.",
        "I think I was probably planning the weekend in general.",
    ],
}

GOOD = {
    "ru": [
        "В момент сигнала я говорил себе: «где же ключи?» — своим голосом, быстро.",
        "Перед глазами была картинка: мамина кухня, жёлтая скатерть, слева окно, всё размыто.",
        "Сдавленность в груди, горячо в горле — раздражение, без слов и без образов.",
        "Я был сосредоточен на синем цвете чашки, как свет играл на её краю.",
        "Я слышал внутри мелодию из рекламы, три ноты по кругу, довольно громко.",
        "Видела внутренним взором лицо подруги, улыбающееся, чётко, в зелёном шарфе.",
        "Я сказала себе «ну давай уже» — быстро, раздражённо, своим голосом.",
        "Я как раз собирался спросить себя, закрыл ли дверь, но без слов, просто это понимание.",
        "Ощущал холод стекла под ладонью, гладкий и влажный, и больше ничего.",
        "В голове пустота, в тот момент в переживании ничего не было.",
    ],
    "en": [
        "At the beep I was saying to myself in my own voice, 'don't forget the milk', quite fast.",
        "I was seeing in my mind my brother's red car parked by the gate, the left door open.",
        "Tightness in my chest, a warm pressure behind my eyes; it was sadness, right at the beep.",
        "I was wondering whether to call her, but there were no words and no images, just that.",
        "I was drawn to the green of the leaves outside, how it shimmered in the light.",
        "In my head I heard the chorus of a song, the singer's voice, loud and a bit too fast.",
        "I said to myself 'come on, come on' in an impatient inner voice.",
        "My mind was blank at the moment of the beep; nothing was there.",
        "I felt the cold of the cup in my hand, smooth, and the steam on my face.",
        "I saw, innerly, the page of my notes with the third line underlined in red.",
    ],
}

PARTICIPANTS = (
    ("p01", "ru", "Europe/Moscow", 0.05),
    ("p02", "en", "Europe/London", 0.10),
    ("p03", "ru", "Asia/Yekaterinburg", -0.05),
    ("p04", "en", "America/New_York", 0.00),
    ("p05", "ru", "Europe/Moscow", -0.10),
    ("p06", "en", "Europe/Berlin", 0.15),
)


def _p_good(day: int, skill: float) -> float:
    """Chance of a better report: about 25% on day 1, rising with training, capped at 90%."""
    return max(0.05, min(0.9, 0.25 + 0.13 * (day - 1) + skill))


def _beep_times(rng: random.Random, date: dt.date, tz: zoneinfo.ZoneInfo) -> list[dt.datetime]:
    start, end = WINDOW
    span = (end - start) * 60 // BEEPS_PER_DAY
    return [
        dt.datetime.combine(date, dt.time(start), tzinfo=tz)
        + dt.timedelta(minutes=i * span + rng.randrange(span))
        for i in range(BEEPS_PER_DAY)
    ]


def simulate_rows(seed: int = 7, first_day: dt.date = dt.date(2026, 3, 2)) -> list[dict[str, Any]]:
    """Return the rows of a simulated export (deterministic for a given *seed*)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for participant, lang, zone, skill in PARTICIPANTS:
        tz = zoneinfo.ZoneInfo(zone)
        for day in range(1, TRAINING_DAYS + SAMPLING_DAYS + 1):
            date = first_day + dt.timedelta(days=day - 1)
            training = day <= TRAINING_DAYS
            for index, beep in enumerate(_beep_times(rng, date, tz)):
                row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
                row.update(
                    participant=participant,
                    study_day=day,
                    training=str(training).lower(),
                    local_date=date.isoformat(),
                    beep_index=index,
                    timezone=zone,
                    scheduled_local=beep.isoformat(),
                    scheduled_utc=beep.astimezone(dt.UTC).isoformat(),
                )
                late_evening = beep.hour >= 19
                if rng.random() < (0.72 if late_evening else 0.88):
                    pool = GOOD if rng.random() < _p_good(day, skill) else WEAK
                    _answer(
                        row, rng.choice(pool[lang]), rng, training_day=day if training else None
                    )
                else:
                    row["beep_status"] = "expired"
                rows.append(row)
    return rows


def _answer(
    row: dict[str, Any], text: str, rng: random.Random, *, training_day: int | None
) -> None:
    assessment = esm_validate.validate(text, training_day=training_day)
    row.update(
        beep_status="answered",
        latency_s=round(rng.uniform(20, 600), 1),
        attempt=1,
        report_text=text,
        n_chars=len(text),
        score=assessment.score,
        quality=assessment.quality,
        phenomena=";".join(sorted(assessment.phenomena)),
        issue_codes=";".join(assessment.issue_codes),
        validator_source=assessment.source,
        validator_version=assessment.version,
    )


def write_export(path: str | Path, seed: int = 7) -> Path:
    """Write a simulated export CSV to *path* and return the path."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(simulate_rows(seed))
    return path


def main(argv: list[str]) -> int:
    """Write the simulated export to the path given (default ``study_export.csv``)."""
    path = write_export(argv[0] if argv else "study_export.csv")
    rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
    print(f"wrote {rows} beeps of {len(PARTICIPANTS)} participants to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
