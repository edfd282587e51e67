"""A researcher with the real bot over the loopback Bot API: /stats counts the whole study, /pilot.

The bot runs as in production (TeleBot polling the fake Bot API in tests/fake_telegram.py, the real
study engine on SQLite); the clock is the study's fake wall clock, so beeps arrive when a test
moves it.
"""

from __future__ import annotations

import datetime as dt

from esm_bot import i18n
from esm_bot.ops.export import PILOT, study_rows
from esm_bot.ops.stats import study_stats
from esm_bot.study import Study
from esm_bot.telegram.app import BotApp
from tests.bot_support import _fake_tg  # noqa: F401 (fixture)
from tests.fake_telegram import FakeTelegram
from tests.study_support import WallClock
from tests.test_bot_study import GOOD, _onboard, _press, _send, _world  # noqa: F401 (fixture)

ADMIN = 900


def _answer_beeps(
    app: BotApp, study: Study, wall: WallClock, fake: FakeTelegram, quota: dict[int, int]
) -> None:
    """Move the clock beep by beep, in time order; each chat answers its first ``quota`` beeps."""
    planned = []
    for chat in quota:
        participant = study.participant(chat)
        assert participant is not None
        beeps = study.store.beeps_for(participant.id)
        planned += [(b.scheduled_at, chat) for b in beeps if b.index < 1000]
    for when, chat in sorted(planned):
        if quota[chat] == 0:
            continue
        wall.now = max(wall.now, when + dt.timedelta(seconds=5))
        app.tick_once()
        wall.advance(seconds=30)
        assert "score" in _send(fake, chat, GOOD + f" ({chat}, {quota[chat]})").lower()
        quota[chat] -= 1


def test_stats_and_the_metrics_line_count_the_whole_study(
    world: tuple[BotApp, Study, WallClock], fake_tg: FakeTelegram
) -> None:
    """Answered beeps of every participant, not the last one's; only consented participants."""
    app, study, wall = world
    _onboard(fake_tg, 42)
    _onboard(fake_tg, 43)
    _send(fake_tg, 44, "/start")  # registers, never consents: not a participant
    _answer_beeps(app, study, wall, fake_tg, {42: 2, 43: 1})

    reply = _send(fake_tg, ADMIN, "/stats")

    assert _figure(reply, "participants") == "2", reply
    assert _figure(reply, "registrations") == "3"
    assert _figure(reply, "samples") == "3"
    assert _figure(reply, "beeps_answered") == "3"
    assert _figure(reply, "messages_without_beep") == "0"
    assert app.metrics()["study"]["beeps_answered"] == 3
    assert study_stats(study.store).samples == 3


def test_pilot_beeps_the_researcher_and_a_participant_and_keeps_the_answers_apart(
    world: tuple[BotApp, Study, WallClock], fake_tg: FakeTelegram
) -> None:
    """/pilot: the admin's own test beep, one to a participant by Telegram id; not study data."""
    app, study, _wall = world
    _onboard(fake_tg, ADMIN)  # the recipe: the researcher joins as a pilot participant first
    _onboard(fake_tg, 42)
    pilot_text = i18n.render("beep_pilot", "en")

    replies = _press_command(fake_tg, ADMIN, "/pilot", 2)
    assert replies[0] == pilot_text
    assert replies[1] in _admin_texts("admin_pilot_sent", who="you")
    feedback = _send(fake_tg, ADMIN, GOOD)
    assert "Practice score" in feedback

    before = len(fake_tg.texts(42))
    admin_reply = _send(fake_tg, ADMIN, "/pilot 42")
    assert admin_reply in _admin_texts("admin_pilot_sent", who="42")
    assert fake_tg.texts(42)[before:] == [pilot_text]
    assert "Practice score" in _send(fake_tg, 42, GOOD + " (pilot)")

    rows = list(study_rows(study.store, salt="s"))
    pilot_rows = [r for r in rows if r.beep_status == PILOT]
    assert len(pilot_rows) == 2
    assert all(r.answered and not r.is_study_beep for r in pilot_rows)
    stats = study_stats(study.store)
    assert stats.pilot_reports == 2
    assert stats.samples == 0, "pilot answers are no samples"
    assert app.metrics()["study"]["beeps_answered"] == 0


def test_pilot_refuses_strangers_and_unknown_targets(
    world: tuple[BotApp, Study, WallClock], fake_tg: FakeTelegram
) -> None:
    """A participant cannot send pilot beeps; an unknown target gets the recipe, nobody a beep."""
    _app, _study, _wall = world
    _onboard(fake_tg, 42)
    before = len(fake_tg.texts(42))

    assert _send(fake_tg, 42, "/pilot") == i18n.render("unknown_command", "en")
    assert _send(fake_tg, ADMIN, "/pilot 4242") in _admin_texts("admin_pilot_unknown", who="4242")
    assert _send(fake_tg, ADMIN, "/pilot") in _admin_texts("admin_pilot_unknown", who="you")
    assert i18n.render("beep_pilot", "en") not in fake_tg.texts(42)[before:]


def _figure(reply: str, name: str) -> str | None:
    """The value /stats shows for figure ``name`` (its label in any language)."""
    labels = {i18n.render(f"stat_{name}", lang) for lang in i18n.LANGS}
    for line in reply.splitlines():
        label, _, value = line.rpartition(": ")
        if label in labels:
            return value
    return None


def _admin_texts(key: str, **params: str) -> set[str]:
    """The admin reply ``key`` in every language and form (admins need not be participants)."""
    return {i18n.render(key, lang, form, **params) for lang in i18n.LANGS for form in i18n.FORMS}


def _press_command(fake: FakeTelegram, chat: int, text: str, replies: int) -> list[str]:
    n = len(fake.texts(chat))
    fake.push_message(chat, text)
    fake.wait_sent("sendMessage", n + replies, chat_id=chat)
    return fake.texts(chat)[n:]
