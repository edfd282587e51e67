"""A whole study for one participant, consent to completion, driven by a fake clock.

Two training days and one sampling day (three study days), on the real SqliteStore and, when the
MongoDB-wire server is up, on MongoStore. Every state change and stored record is checked.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from esm_bot.domain.models import BeepStatus, ParticipantStatus
from esm_bot.settings import StudyConfig
from esm_bot.store.base import Store
from esm_bot.study import Action, ActionKind, MessageKey, Outcome, ReportKind, Study
from tests.study_support import Driver, ScriptedValidator, WallClock

UTC = dt.UTC
MOSCOW = ZoneInfo("Europe/Moscow")
TG = 4242
START = dt.datetime(2026, 5, 4, 10, 0, tzinfo=UTC)  # 13:00 in Moscow, the day before day 1
DAY1, DAY2, DAY3, DAY4 = (dt.date(2026, 5, 5) + dt.timedelta(days=k) for k in range(4))


@pytest.fixture(params=["sqlite", pytest.param("mongo", marks=pytest.mark.integration)])
def store_and_clock(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Store, WallClock]]:
    """The real store of each kind, sharing the test's wall clock."""
    clock = WallClock(START)
    if request.param == "sqlite":
        from esm_bot.store.sqlite import SqliteStore

        store: Store = SqliteStore(tmp_path / "study.sqlite3", utcnow=clock)
    else:
        from esm_bot.store.mongo import MongoStore

        uri = request.getfixturevalue("mongo_uri")
        db_name = request.getfixturevalue("mongo_db_name")
        store = MongoStore(uri, db_name, utcnow=clock)
    yield store, clock
    store.close()


def test_three_day_study_from_consent_to_completion(
    store_and_clock: tuple[Store, WallClock],
) -> None:
    """Consent, two training days (a retry, a late answer, a reminder, expiries), one sampling
    day, completion; each beep sent once, every report and state change stored."""
    store, clock = store_and_clock
    validator = ScriptedValidator()
    config = StudyConfig(training_days=2, sampling_days=1)
    study = Study(
        store,
        validator,
        config,
        clock=clock,
        rng=random.Random(1),
        maintenance_every=dt.timedelta(minutes=5),
    )
    outcomes: list[Outcome] = []
    dedup = itertools.count(1)

    def say(text: str) -> None:
        outcomes.append(study.handle_text(TG, text, dedup_key=f"tg:{TG}:{next(dedup)}"))

    # onboarding
    registered = study.register(TG, chat_id=TG, lang="en")
    assert registered.keys == (MessageKey.WELCOME, MessageKey.CONSENT)
    assert registered.participant is not None
    pid = registered.participant.id
    assert registered.participant.status is ParticipantStatus.REGISTERED

    too_early = study.start(TG)
    assert too_early.keys == (MessageKey.CONSENT_NEEDED,)
    assert not too_early.ok

    consented = study.consent(TG, version="1")
    assert consented.participant is not None
    assert consented.participant.status is ParticipantStatus.CONSENTED
    assert consented.participant.consent_version == "1"
    assert consented.participant.consented_at == START

    started = study.start(TG)
    assert started.participant is not None
    assert started.participant.status is ParticipantStatus.TRAINING
    assert started.participant.training_start_date == DAY1
    assert started.participant.current_training_day == 1
    assert started.keys == (MessageKey.STUDY_STARTED,)
    planned = store.beeps_for(pid)
    assert {b.local_date for b in planned} == {DAY1, DAY2}
    assert len(planned) == 12

    again = study.start(TG)  # a restart or a double tap plans nothing new
    assert again.ok
    assert store.beeps_for(pid) == planned

    # the script
    driver = Driver(study, clock)
    answer_plan: dict[tuple[dt.date, int], list[tuple[float, str]]] = {
        (DAY1, 0): [(2, "[30] I was thinking about lunch"), (4, "[55] inner words: lunch?")],
        (DAY1, 1): [(3, "[60] <inner_seeing> a red cup")],
        (DAY1, 2): [(3, "[60] <feeling> warmth in my chest")],
        (DAY1, 3): [(3, "[60] <inner_speech> 'where are the keys'")],
        (DAY1, 4): [(20, "[60] a late one: the screen glare")],
        # (DAY1, 5): no answer -> reminder at +5, expiry at +15
        **{(DAY2, i): [(1, "[70] <inner_speech> saying 'now'")] for i in range(6)},
        **{(DAY3, i): [(2, "[80] <sensory_awareness> the cold glass")] for i in range(4)},
    }

    def on_beep(action: Action) -> None:
        assert action.beep is not None
        for minutes, text in answer_plan.get((action.beep.local_date, action.beep.index), []):
            driver.at(clock.now + dt.timedelta(minutes=minutes), functools.partial(say, text))

    driver.on_beep = on_beep
    driver.run_until(dt.datetime(2026, 5, 8, 12, 0, tzinfo=UTC))

    # beeps: each sent once
    sends = driver.kinds(ActionKind.SEND_BEEP)
    sent_ids = [a.beep.id for a in sends if a.beep]
    assert len(sent_ids) == len(set(sent_ids)) == 18
    beeps = store.beeps_for(pid)
    by_day = collections.defaultdict(list)
    for beep in beeps:
        by_day[beep.local_date].append(beep)
    assert sorted(by_day) == [DAY1, DAY2, DAY3, DAY4]
    for day in (DAY1, DAY2, DAY3):
        day_beeps = sorted(by_day[day], key=lambda b: b.index)
        assert [b.index for b in day_beeps] == list(range(6))
        assert all(b.sent_at is not None and b.message_id is not None for b in day_beeps)
        for b in day_beeps:
            local = b.scheduled_at.astimezone(MOSCOW)
            assert local.date() == day
            assert dt.time(9) <= local.time() <= dt.time(21)
        gaps = [b.scheduled_at - a.scheduled_at for a, b in itertools.pairwise(day_beeps)]
        assert min(gaps) >= config.min_gap
    assert all(b.status is BeepStatus.CANCELLED for b in by_day[DAY4])  # planned, then stopped
    statuses = {
        day: collections.Counter(b.status for b in by_day[day]) for day in (DAY1, DAY2, DAY3)
    }
    assert statuses[DAY1] == {BeepStatus.ANSWERED: 5, BeepStatus.EXPIRED: 1}
    assert statuses[DAY2] == {BeepStatus.ANSWERED: 6}
    assert statuses[DAY3] == {BeepStatus.ANSWERED: 4, BeepStatus.EXPIRED: 2}

    # reminders and expiry
    reminders = driver.kinds(ActionKind.SEND_REMINDER)
    assert [(a.beep.local_date, a.beep.index) for a in reminders if a.beep] == [
        (DAY1, 4),
        (DAY1, 5),
        (DAY3, 4),
        (DAY3, 5),
    ]
    for action in reminders:
        assert action.beep is not None
        assert action.beep.sent_at is not None
        assert action.beep.reminder_sent_at is not None
        delay = action.beep.reminder_sent_at - action.beep.sent_at
        assert dt.timedelta(minutes=5) <= delay < dt.timedelta(minutes=6)
    expiries = driver.kinds(ActionKind.EXPIRE_BEEP)
    assert [(a.beep.local_date, a.beep.index) for a in expiries if a.beep] == [
        (DAY1, 4),
        (DAY1, 5),
        (DAY3, 4),
        (DAY3, 5),
    ]
    assert all(a.beep is not None and a.beep.message_id is not None for a in expiries)

    # reports and outcomes
    kinds = [o.kind for o in outcomes]
    assert kinds == [
        ReportKind.ON_TIME,
        ReportKind.RETRY,
        ReportKind.ON_TIME,
        ReportKind.ON_TIME,
        ReportKind.ON_TIME,
        ReportKind.LATE,
        *[ReportKind.ON_TIME] * 10,
    ]
    first = outcomes[0]
    assert first.retry_offered
    assert first.keys == (MessageKey.FEEDBACK_TRAINING, MessageKey.RETRY_OFFER)
    assert first.messages[0].params["day"] == 1
    assert first.messages[0].params["pass_mark"] == 40
    assert first.latency_s == 120
    assert outcomes[1].keys == (MessageKey.FEEDBACK_TRAINING, MessageKey.RETRY_RECORDED)
    assert outcomes[1].messages[1].params == {"score": 55, "first_score": 30}
    assert not outcomes[1].retry_offered  # one retry only
    assert outcomes[5].keys == (MessageKey.FEEDBACK_TRAINING, MessageKey.LATE_REPORT)
    assert outcomes[5].messages[1].params["latency_minutes"] == 20
    assert [o.keys for o in outcomes[6:12]] == [(MessageKey.FEEDBACK_TRAINING,)] * 4 + [
        (MessageKey.FEEDBACK_TRAINING, MessageKey.PERSONAL_HINT_PHENOMENA)
    ] * 2  # personalised from the 10th report: inner speech dominates
    hint = outcomes[10].messages[1].params
    assert hint["phenomenon"] == "inner_speech"
    assert hint["share"] == 0.6  # 6 of 10 best attempts
    assert all(o.messages[0].params["day"] == 2 for o in outcomes[6:12])
    assert all(o.keys == (MessageKey.THANKS,) for o in outcomes[12:])
    assert [c["training_day"] for c in validator.calls] == [1] * 6 + [2] * 6 + [None] * 4

    reports = store.reports_for(pid)
    assert len(reports) == 16
    assert [r.attempt for r in reports if r.beep_id == f"{pid}:{DAY1}:0"] == [1, 2]
    assert [r.text for r in reports if r.beep_id == f"{pid}:{DAY1}:0"] == [
        "[30] I was thinking about lunch",
        "[55] inner words: lunch?",
    ]
    late = [r for r in reports if r.late]
    assert len(late) == 1
    assert late[0].beep_id == f"{pid}:{DAY1}:4"
    assert late[0].latency_s == 20 * 60
    assert all(r.score is not None and r.assessment["score"] == r.score for r in reports)

    # day progression
    notices = driver.kinds(ActionKind.NOTIFY)
    assert [n.message.key for n in notices] == [
        MessageKey.DAY_PASSED,
        MessageKey.TRAINING_COMPLETE,
        MessageKey.STUDY_COMPLETE,
    ]
    assert notices[0].message.params["average"] == 59.0  # best attempts 55, 60, 60, 60, 60
    assert notices[0].message.params["next_day"] == 2
    assert notices[0].message.params["focus"] == "specificity"

    participant = store.get_participant(pid)
    assert participant is not None
    assert participant.status is ParticipantStatus.COMPLETED
    assert participant.training_completed
    assert participant.sampling_start_date == DAY3
    # Beeps planned before training ended are relabelled when it ends: day 3 samples.
    labels = {(b.local_date, b.training) for b in store.beeps_for(pid) if b.sent_at is not None}
    assert labels == {(DAY1, True), (DAY2, True), (DAY3, False)}
    history = participant.quality_history
    assert [(q.date, q.score, q.responses_count, q.day_number) for q in history] == [
        (DAY1, 59.0, 5, 1),
        (DAY2, 70.0, 6, 2),
        (DAY3, 80.0, 4, 3),
    ]
    assert participant.average_data_quality == 69.0  # (55 + 4*60 + 6*70 + 4*80) / 15
    assert participant.phenomena_frequencies.inner_speech == 7
    assert participant.phenomena_frequencies.sensory_awareness == 4
    assert participant.common_patterns.uses_inner_speech is True

    # the bot can say it all
    from esm_bot.i18n import render

    said = [m for o in [registered, consented, started, *outcomes] for m in o.messages]
    said += [a.message for a in driver.actions]
    assert {m.key for m in said} >= {MessageKey.BEEP, MessageKey.DAY_PASSED, MessageKey.THANKS}
    for msg in said:
        for lang, form in (("en", "informal"), ("ru", "informal"), ("ru", "formal")):
            assert render(msg.key, lang, form, **msg.params)  # no missing parameter

    # the audit trail
    events = [e.kind for e in store.iter_events(participant_id=pid)]
    for kind, count in {
        "registered": 1,
        "consented": 1,
        "study_started": 1,
        "beep_sent": 18,
        "reminder_sent": 4,
        "beep_expired": 4,
        "report_received": 16,
        "day_closed": 3,
        "training_completed": 1,
        "study_completed": 1,
    }.items():
        assert events.count(kind) == count, kind
    assert events.index("consented") < events.index("study_started") < events.index("beep_sent")
    assert events[-1] == "study_completed" or "study_completed" in events[-3:]

    # compliance and status
    rows = study.compliance(pid)
    day1 = next(r for r in rows if r.local_date == DAY1)
    assert (day1.sent, day1.answered, day1.late, day1.expired) == (6, 4, 1, 1)
    total = rows[-1]
    assert total.local_date is None
    assert (total.sent, total.answered, total.late, total.expired, total.cancelled) == (
        18,
        14,
        1,
        3,
        6,
    )
    status = study.status(TG)
    params = status.messages[0].params
    assert params["state"] == "completed"
    assert (params["answered"], params["late"], params["missed"]) == (14, 1, 3)
    assert params["progress"] == 99  # 69 of 70


@pytest.mark.integration
@pytest.mark.slow  # two bot processes
def test_two_processes_on_one_mongodb_send_each_beep_once(
    mongo_uri: str, mongo_db_name: str
) -> None:
    """Two engines with their own MongoDB clients tick at the same moments in threads: every
    beep of the day goes out exactly once, and planning twice stored one plan."""
    import threading

    from esm_bot.store.mongo import MongoStore

    clock = WallClock(dt.datetime(2026, 5, 5, 5, 30, tzinfo=UTC))  # 08:30 Moscow
    config = StudyConfig(start_same_day=True)
    stores = [MongoStore(mongo_uri, mongo_db_name, utcnow=clock) for _ in range(2)]
    engines = [
        Study(store, ScriptedValidator(), config, clock=clock, worker=name)
        for store, name in zip(stores, ("a", "b"), strict=True)
    ]
    try:
        for tg in (1, 2, 3):
            engines[0].register(tg, chat_id=tg, lang="en")
            engines[0].consent(tg)
            engines[0].start(tg)
            engines[1].start(tg)  # the second process plans nothing new
        got: dict[str, list[str]] = {"a": [], "b": []}

        def tick(engine: Study) -> None:
            for action in engine.tick():
                if action.kind is ActionKind.SEND_BEEP and action.beep is not None:
                    engine.beep_sent(action.beep.id, 1)
                    got[engine.worker].append(action.beep.id)

        while clock.now < dt.datetime(2026, 5, 5, 18, 30, tzinfo=UTC):
            clock.advance(minutes=3)
            threads = [threading.Thread(target=tick, args=(engine,)) for engine in engines]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        every = got["a"] + got["b"]
        assert len(every) == len(set(every)) == 18  # 3 participants x 6 beeps
        planned = [b for b in stores[0].iter_beeps() if b.local_date == dt.date(2026, 5, 5)]
        assert len(planned) == 18
        assert all(b.status is BeepStatus.EXPIRED for b in planned)  # sent once, unanswered
    finally:
        for store in stores:
            store.close()
