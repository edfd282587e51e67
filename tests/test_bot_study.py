"""The bot with the real study engine and the embedded SQLite store, over the fake Bot API.

A whole training day: onboarding, a practice beep, beeps sent by the scheduler as the study's fake
clock moves, reports with feedback, pause and resume, withdrawal, deletion and a blocked chat.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import esm_validate
from esm_bot import i18n
from esm_bot.domain.models import BeepStatus, ParticipantStatus
from esm_bot.settings import BotSettings, StudyConfig
from esm_bot.store.sqlite import SqliteStore
from esm_bot.study import Study
from esm_bot.telegram.app import BotApp, make_telebot
from tests.bot_support import FastClock, _fake_tg, stop_in_background  # noqa: F401 (fixture)
from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram
from tests.study_support import WallClock

GOOD = (
    "At the moment of the beep I was innerly saying to myself in my own voice 'where are my keys' "
    "and I saw a faint image of the red key ring on the kitchen table."
)


@pytest.fixture(
    name="world", params=["sqlite", pytest.param("mongo", marks=pytest.mark.integration)]
)
def _world(
    request: pytest.FixtureRequest, fake_tg: FakeTelegram, tmp_path: Path
) -> Iterator[tuple[BotApp, Study, WallClock]]:
    wall = WallClock(dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC))  # 09:00 in Moscow
    store: Any
    if request.param == "mongo":
        from esm_bot.store.mongo import MongoStore

        uri = request.getfixturevalue("mongo_uri")
        store = MongoStore(uri, request.getfixturevalue("mongo_db_name"), utcnow=wall)
    else:
        store = SqliteStore(tmp_path / "bot.sqlite3", utcnow=wall)
    config = StudyConfig(start_same_day=True, reminder_after=None)
    study = Study(
        store,
        esm_validate.validate,
        config,
        clock=wall,
        rng=random.Random(7),
        maintenance_every=dt.timedelta(0),
    )
    settings = BotSettings(
        token=DEFAULT_TOKEN,
        api_url=fake_tg.base_url,
        admin_ids=frozenset({900}),
        long_poll_seconds=1,
    )
    fast = FastClock(factor=100)
    app = BotApp(
        settings,
        study,
        make_telebot(settings),
        now=wall,
        monotonic=fast,
        sleep=fast.sleep,
        on_close=store.close,
    )
    app.start_polling()
    yield app, study, wall
    app.shutdown(grace=1.0)
    stop_in_background(app.bot)


def _send(fake: FakeTelegram, chat: int, text: str) -> str:
    n = len(fake.texts(chat))
    fake.push_message(chat, text)
    fake.wait_sent("sendMessage", n + 1, chat_id=chat)
    return fake.texts(chat)[n]


def _press(fake: FakeTelegram, chat: int, data: str, replies: int = 1) -> list[str]:
    n = len(fake.texts(chat))
    fake.push_callback(chat, None, data)
    fake.wait_sent("sendMessage", n + replies, chat_id=chat)
    return fake.texts(chat)[n:]


def _onboard(fake: FakeTelegram, chat: int) -> None:
    fake.push_message(chat, "/start")
    fake.wait_sent("sendMessage", 2, chat_id=chat)
    _press(fake, chat, "lang:en")
    _press(fake, chat, "consent:yes")
    _press(fake, chat, "tz:Europe/Moscow")
    _press(fake, chat, "win:09:00-21:00")
    _press(fake, chat, "beeps:6", replies=3)


def test_training_day_end_to_end(
    world: tuple[BotApp, Study, WallClock], fake_tg: FakeTelegram
) -> None:
    """Onboarding, practice report, scheduled beeps with reports and feedback, all stored."""
    app, study, wall = world
    _onboard(fake_tg, 42)
    participant = study.participant(42)
    assert participant is not None
    assert participant.status is ParticipantStatus.TRAINING
    assert fake_tg.texts(42)[-1] == i18n.render("beep_practice", "en")

    practice_reply = _send(fake_tg, 42, GOOD)
    assert "Practice score" in practice_reply

    beeps = [b for b in study.store.beeps_for(participant.id) if b.index < 1000]
    assert beeps, "the day was planned"
    answered = 0
    for beep in sorted(beeps, key=lambda b: b.scheduled_at)[:3]:
        wall.now = beep.scheduled_at + dt.timedelta(seconds=5)
        before = len(fake_tg.texts(42))
        assert app.tick_once() >= 1
        assert fake_tg.texts(42)[before] == i18n.render("beep", "en")
        stored = study.store.get_beep(beep.id)
        assert stored is not None
        assert stored.status is BeepStatus.SENT
        assert stored.message_id is not None
        wall.advance(minutes=2)
        reply = _send(fake_tg, 42, GOOD + f" ({beep.index})")
        assert "score" in reply
        answered += 1

    reports = study.store.reports_for(participant.id)
    assert answered + 1 == len(reports)
    assert {r.dedup_key for r in reports} == {
        r.dedup_key for r in reports if r.dedup_key.startswith("tg:42:")
    }
    status = _send(fake_tg, 42, "/status")
    assert "Beeps answered: 3" in status


def test_pause_resume_withdraw_delete(
    world: tuple[BotApp, Study, WallClock], fake_tg: FakeTelegram
) -> None:
    """Pause stops beeps, resume replans, /stop withdraws, /delete erases after confirmation."""
    app, study, wall = world
    _onboard(fake_tg, 43)
    assert _send(fake_tg, 43, "/pause") == i18n.render("paused", "en")
    p = study.participant(43)
    assert p is not None
    assert p.status is ParticipantStatus.PAUSED
    wall.advance(hours=13)
    before = len(fake_tg.texts(43))
    app.tick_once()
    assert i18n.render("beep", "en") not in fake_tg.texts(43)[before:]
    assert _send(fake_tg, 43, "/resume") == i18n.render("resumed", "en")
    assert _send(fake_tg, 43, "/stop") == i18n.render("withdrawn", "en")
    p = study.participant(43)
    assert p is not None
    assert p.status is ParticipantStatus.WITHDRAWN

    _send(fake_tg, 43, "/delete")
    assert _press(fake_tg, 43, "delete:yes") == [i18n.render("delete_done", "en")]
    assert study.participant(43) is None
    assert study.store.reports_for(p.id) == []


def test_blocked_participant_gets_no_more_beeps(
    world: tuple[BotApp, Study, WallClock], fake_tg: FakeTelegram
) -> None:
    """A 403 on a beep marks the participant inactive; later beeps are not sent."""
    app, study, wall = world
    _onboard(fake_tg, 44)
    participant = study.participant(44)
    assert participant is not None
    fake_tg.block(44)
    beeps = sorted(
        (b for b in study.store.beeps_for(participant.id) if b.index < 1000),
        key=lambda b: b.scheduled_at,
    )
    wall.now = beeps[0].scheduled_at + dt.timedelta(seconds=5)
    app.tick_once()

    after = study.store.get_participant(participant.id)
    assert after is not None
    assert after.active is False
    sent_before = len(fake_tg.sent_calls("sendMessage"))
    wall.now = beeps[1].scheduled_at + dt.timedelta(seconds=5)
    app.tick_once()
    later = study.store.get_beep(beeps[1].id)

    assert later is not None
    assert later.status is BeepStatus.CANCELLED
    assert sent_before == len(fake_tg.sent_calls("sendMessage"))
    assert ("sendMessage", 403) in fake_tg.failed


def test_admin_export_through_the_ops_library(
    world: tuple[BotApp, Study, WallClock], fake_tg: FakeTelegram
) -> None:
    """/export by an admin sends a CSV document without raw Telegram ids."""
    _app, _study, _wall = world
    _onboard(fake_tg, 45)
    _send(fake_tg, 45, GOOD)
    fake_tg.push_message(900, "/export")
    (doc,) = fake_tg.wait_sent("sendDocument", 1, chat_id=900)
    content = doc.params["document"]["content"].decode()

    assert (
        content.splitlines()[0].startswith(("participant", "study", "pseudonym")) or "," in content
    )
    assert ",45," not in content


def _first_beep(app: BotApp, study: Study, wall: WallClock, fake: FakeTelegram, chat: int) -> None:
    participant = study.participant(chat)
    assert participant is not None
    beep = min(
        (b for b in study.store.beeps_for(participant.id) if b.index < 1000),
        key=lambda b: b.scheduled_at,
    )
    wall.now = beep.scheduled_at + dt.timedelta(seconds=5)
    before = len(fake.texts(chat))
    app.tick_once()
    fake.wait_sent("sendMessage", before + 1, chat_id=chat)
    wall.advance(minutes=1)


def test_low_score_offers_one_retry(
    world: tuple[BotApp, Study, WallClock], fake_tg: FakeTelegram
) -> None:
    """A training report below the day's pass mark gets the retry offer; the retry is kept."""
    app, study, wall = world
    _onboard(fake_tg, 46)
    _first_beep(app, study, wall, fake_tg, 46)
    n = len(fake_tg.texts(46))
    fake_tg.push_message(46, "I don't know, I usually think about work.")
    fake_tg.wait_sent("sendMessage", n + 2, chat_id=46)
    replies = fake_tg.texts(46)[n:]

    assert i18n.render("retry_offer", "en") in replies
    _send(fake_tg, 46, GOOD)
    participant = study.participant(46)
    assert participant is not None
    attempts = sorted(r.attempt for r in study.store.reports_for(participant.id) if r.beep_id)
    assert attempts == [1, 2]


def test_rate_limited_ai_note_says_when_full_feedback_resumes(
    world: tuple[BotApp, Study, WallClock], fake_tg: FakeTelegram
) -> None:
    """When local feedback stands in for a rate-limited AI, the reply says when it resumes."""
    app, study, wall = world

    def rate_limited(text: str, **kwargs: object) -> esm_validate.Assessment:
        local = esm_validate.validate(text, **kwargs)  # type: ignore[arg-type]
        return attrs.evolve(local, fallback_reason="rate_limited", retry_after=300.0)

    study.reports.validator = rate_limited
    _onboard(fake_tg, 47)
    _first_beep(app, study, wall, fake_tg, 47)
    n = len(fake_tg.texts(47))
    fake_tg.push_message(47, GOOD)
    fake_tg.wait_sent("sendMessage", n + 2, chat_id=47)

    assert i18n.render("ai_rate_limited", "en", minutes=5) in fake_tg.texts(47)[n:]


def test_another_process_continues_the_onboarding(
    world: tuple[BotApp, Study, WallClock], fake_tg: FakeTelegram
) -> None:
    """The pending question lives in the store: a second bot process (webhook style) picks up
    the typed time zone that answers a question the first one asked."""
    app, study, _wall = world
    fake_tg.push_message(48, "/start")
    fake_tg.wait_sent("sendMessage", 2, chat_id=48)
    _press(fake_tg, 48, "lang:en")
    _press(fake_tg, 48, "consent:yes")
    second = BotApp(
        app.settings,
        study,
        make_telebot(app.settings),
        now=app.now,
        monotonic=app.monotonic,
        sleep=app.sleep,
    )
    second.bot.threaded = False
    n = len(fake_tg.texts(48))

    second.process_update({"update_id": 999, "message": fake_tg.make_message(48, "UTC+3")})

    assert fake_tg.texts(48)[n] == i18n.render("ask_window", "en")
    participant = study.participant(48)
    assert participant is not None
    assert participant.tz == "Etc/GMT-3"


def test_rejoining_after_withdrawal_asks_consent_again(
    world: tuple[BotApp, Study, WallClock], fake_tg: FakeTelegram
) -> None:
    """/stop then /start: the language choice leads to the consent question again."""
    _app, study, _wall = world
    _onboard(fake_tg, 49)
    _send(fake_tg, 49, "/stop")
    n = len(fake_tg.texts(49))
    fake_tg.push_message(49, "/start")
    fake_tg.wait_sent("sendMessage", n + 2, chat_id=49)

    replies = _press(fake_tg, 49, "lang:en")

    assert replies == [i18n.render("consent", "en", version="1")]
    participant = study.participant(49)
    assert participant is not None
    assert participant.status is ParticipantStatus.REGISTERED
