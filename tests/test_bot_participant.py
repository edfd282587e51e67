"""What a participant meets, driven as a participant would: the real TeleBot polling the loopback
Bot API, the real study engine over SQLite, the local rules; the console in a subprocess.

Each test pins one defect of a first real study (stale buttons, «ты»/«вы», languages, parts of an
answer, the announced start, messages that were wrong or contradicted each other).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import esm_validate
from esm_bot import i18n
from esm_bot.domain.models import BeepStatus, ParticipantStatus
from esm_bot.settings import BotSettings, StudyConfig
from esm_bot.store.sqlite import SqliteStore
from esm_bot.study import Study
from esm_bot.telegram.app import BotApp, make_telebot
from tests.bot_support import (  # noqa: F401 (fixture)
    FastClock,
    _fake_tg,
    stop_in_background,
    wait_until,
)
from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram
from tests.study_support import WallClock

ADMIN = 900
GOOD = (
    "At the moment of the beep I was innerly saying to myself in my own voice 'where are my keys' "
    "and I saw a faint image of the red key ring on the kitchen table."
)
#: Monday 2 March 2026, 09:00 in Moscow.
START = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)

World = tuple[BotApp, Study, WallClock]


@pytest.fixture(name="world")
def _world(fake_tg: FakeTelegram, tmp_path: Path) -> Iterator[World]:
    wall = WallClock(START)
    store = SqliteStore(tmp_path / "bot.sqlite3", utcnow=wall)
    study = Study(
        store,
        esm_validate.validate,
        StudyConfig(reminder_after=None),
        clock=wall,
        rng=random.Random(7),
        maintenance_every=dt.timedelta(0),
    )
    settings = BotSettings(
        token=DEFAULT_TOKEN,
        api_url=fake_tg.base_url,
        admin_ids=frozenset({ADMIN}),
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


def _from(fake: FakeTelegram, chat: int, code: str) -> dict[str, Any]:
    return {"from": fake.user(chat, code)}


def _sent(fake: FakeTelegram, chat: int) -> list[str]:
    """Texts of the messages sent to ``chat`` (edits not included)."""
    return [c.text for c in fake.sent_calls("sendMessage", chat_id=chat)]


def _send(
    fake: FakeTelegram, chat: int, text: str, replies: int = 1, code: str = "en"
) -> list[str]:
    n = len(_sent(fake, chat))
    fake.push_message(chat, text, **_from(fake, chat, code))
    fake.wait_sent("sendMessage", n + replies, chat_id=chat)
    return _sent(fake, chat)[n:]


def _press(fake: FakeTelegram, chat: int, data: str, replies: int = 1) -> list[str]:
    n = len(_sent(fake, chat))
    fake.push_callback(chat, None, data)
    fake.wait_sent("sendMessage", n + replies, chat_id=chat)
    return _sent(fake, chat)[n:]


def _onboard(fake: FakeTelegram, chat: int, lang: str = "en", form: str = "informal") -> None:
    _send(fake, chat, "/start", replies=2, code=lang)
    _press(fake, chat, f"lang:{lang}")
    if lang == "ru":
        _press(fake, chat, f"form:{form}")
    _press(fake, chat, "consent:yes")
    _press(fake, chat, "tz:Europe/Moscow")
    _press(fake, chat, "win:09:00-21:00")
    fake.push_callback(chat, None, "beeps:6")
    practice = i18n.render("beep_practice", lang, form)
    wait_until(lambda: _sent(fake, chat)[-1:] == [practice])


def _study_beeps(study: Study, chat: int) -> list[Any]:
    participant = study.participant(chat)
    assert participant is not None
    beeps = [b for b in study.store.beeps_for(participant.id) if b.index < 1000]
    return sorted(beeps, key=lambda b: b.scheduled_at)


def _beep_now(app: BotApp, wall: WallClock, fake: FakeTelegram, chat: int, beep: Any) -> None:
    """Move the clock to ``beep`` and let the scheduler send it."""
    wall.set(beep.scheduled_at + dt.timedelta(seconds=5))
    before = len(_sent(fake, chat))
    app.tick_once()
    fake.wait_sent("sendMessage", before + 1, chat_id=chat)
    assert _sent(fake, chat)[before] == i18n.render("beep", "en")
    wall.advance(minutes=1)


def _study_beep(beep_id: str | None) -> bool:
    return beep_id is not None and int(beep_id.rsplit(":", 1)[-1]) < 1000


# ---------------------------------------------------------------------- 1. stale buttons
def test_stale_consent_no_after_consenting_changes_nothing_and_says_so(
    world: World, fake_tg: FakeTelegram
) -> None:
    """The old "No, thanks" under the consent, pressed mid-study, does not pretend to decline."""
    _app, study, _wall = world
    _onboard(fake_tg, 10)

    reply = _press(fake_tg, 10, "consent:no")

    assert reply == [i18n.render("consent_stale", "en")]
    assert i18n.render("consent_declined", "en") not in fake_tg.texts(10)
    participant = study.participant(10)
    assert participant is not None
    assert participant.status is ParticipantStatus.TRAINING


def test_every_old_button_is_refused_without_changing_anything(
    world: World, fake_tg: FakeTelegram
) -> None:
    """Onboarding's time zone, window, beeps and consent buttons pressed later change nothing;
    a /delete confirmation answered "Cancel" cannot delete later."""
    _app, study, _wall = world
    _onboard(fake_tg, 11)
    for data in ("tz:Asia/Tokyo", "win:10:00-23:00", "beeps:8", "form:formal"):
        assert _press(fake_tg, 11, data) == [i18n.render("button_stale", "en")], data
    assert _press(fake_tg, 11, "consent:yes") == [i18n.render("consent_stale", "en")]
    _send(fake_tg, 11, "/delete")
    assert _press(fake_tg, 11, "delete:no") == [i18n.render("delete_cancelled", "en")]
    assert _press(fake_tg, 11, "delete:yes") == [i18n.render("button_stale", "en")]

    participant = study.participant(11)
    assert participant is not None
    assert (participant.tz, participant.beeps_per_day) == ("Europe/Moscow", 6)
    assert participant.window_start == dt.time(9, 0)
    assert participant.address_form.value == "informal"


def _console(tmp_path: Path, lines: list[str], lang: str = "en") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ESM_", "TELEGRAM"))}
    db = str(tmp_path / "c.sqlite3")
    proc = subprocess.run(
        [sys.executable, "-m", "esm_bot", "console", "--db", db, "--lang", lang, "--quiet"],
        input="\n".join([*lines, "/quit"]) + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    return proc.stdout


@pytest.mark.process
def test_console_number_typed_long_after_a_question_is_refused(tmp_path: Path) -> None:
    """In the console, "1" long after the beeps question no longer presses "4 beeps a day"; the
    start is announced the same way after onboarding, by /status and by /start."""
    out = _console(tmp_path, ["/start", "1", "1", "Europe/Berlin", "2", "2", GOOD, "1", "/status"])

    assert i18n.render("button_stale", "en") in out
    assert i18n.render("settings_saved", "en") not in out
    assert "Your first real beeps come tomorrow" in out
    assert "The study has not started yet: your first real beeps come tomorrow" in out
    assert "Study day 1" not in out


# ---------------------------------------------------------------------- 2. «ты» and «вы»
def test_greeting_presumes_nothing_and_ty_reaches_the_tips(
    world: World, fake_tg: FakeTelegram
) -> None:
    """A Russian client is greeted with «вы» before choosing; after «ты» the 💡 tips say «ты»."""
    _app, _study, _wall = world
    greeting = _send(fake_tg, 12, "/start", replies=2, code="ru")
    assert greeting[0] == i18n.render("welcome", "ru", "formal", training_days=3)
    assert "Привет" not in greeting[0]
    _press(fake_tg, 12, "lang:ru")
    consent = _press(fake_tg, 12, "form:informal")
    assert consent == [i18n.render("consent", "ru", "informal", version="1")]
    for step in ("consent:yes", "tz:Europe/Moscow", "win:09:00-21:00"):
        _press(fake_tg, 12, step)
    _press(fake_tg, 12, "beeps:6", replies=3)

    (feedback,) = _send(fake_tg, 12, "Я всегда думаю о работе, когда сижу дома.", code="ru")

    assert "это о тебе вообще" in feedback
    assert "опиши только этот момент" in feedback
    assert "вас" not in feedback
    assert "опишите" not in feedback


def test_changing_the_language_to_russian_asks_the_form_of_address(
    world: World, fake_tg: FakeTelegram
) -> None:
    """/settings → Language → Русский asks «ты» or «вы»; the answer is confirmed as such, and
    /settings names the language instead of showing its code."""
    _app, study, _wall = world
    _onboard(fake_tg, 13)
    settings = _send(fake_tg, 13, "/settings")[0]
    assert "Language: English" in settings
    _press(fake_tg, 13, "set:language")

    asked = _press(fake_tg, 13, "lang:ru")
    confirmed = _press(fake_tg, 13, "form:formal")

    assert asked == [i18n.render("choose_form", "ru", "formal")]
    assert confirmed == [i18n.render("form_saved", "ru", "formal")]
    assert "Язык: русский" in _send(fake_tg, 13, "/settings", code="ru")[0]
    back = [*_press(fake_tg, 13, "set:language"), *_press(fake_tg, 13, "lang:en")]
    assert back[-1] == i18n.render("language_saved", "en")
    assert all("Future beeps are planned" not in t for t in fake_tg.texts(13))
    participant = study.participant(13)
    assert participant is not None
    assert participant.lang == "en"


# ---------------------------------------------------------------------- 3. languages
@pytest.mark.parametrize(
    ("code", "lang"), [("en", "en"), ("de", "en"), (None, "en"), ("ru", "ru"), ("uk", "ru")]
)
def test_someone_unregistered_hears_their_clients_language(
    world: World, fake_tg: FakeTelegram, code: str | None, lang: str
) -> None:
    """Before /start the answer follows the Telegram client's language_code."""
    user = fake_tg.user(14, code or "")
    if code is None:
        del user["language_code"]
    fake_tg.push_message(14, "/status", **{"from": user})
    fake_tg.wait_sent("sendMessage", 1, chat_id=14)

    assert fake_tg.texts(14) == [i18n.render("not_registered", lang, "formal")]


def test_a_deleted_participant_hears_their_clients_language(
    world: World, fake_tg: FakeTelegram
) -> None:
    """After /delete an English client is answered in English, not the bot's default."""
    _app, study, _wall = world
    _onboard(fake_tg, 15)
    _send(fake_tg, 15, "/delete")
    _press(fake_tg, 15, "delete:yes")
    assert study.participant(15) is None

    assert _send(fake_tg, 15, "hello?") == [i18n.render("not_registered", "en")]


@pytest.mark.parametrize("code", ["en", "ru"])
def test_admin_stats_in_one_language_with_labels(
    world: World, fake_tg: FakeTelegram, code: str
) -> None:
    """/stats speaks the researcher's language throughout and names each figure in words."""
    _onboard(fake_tg, 16)
    (stats,) = _send(fake_tg, ADMIN, "/stats", code=code)

    assert "beeps_answered" not in stats
    assert "participants:" not in stats
    if code == "en":
        assert stats.startswith("Study figures:")
        assert "Participants (consented, not deleted): 1" in stats
        assert "Показатели" not in stats
    else:
        assert stats.startswith("Показатели исследования:")
        assert "Участники (дали согласие, не удалены): 1" in stats
        assert "Study" not in stats


# ---------------------------------------------------------------------- 4. parts of an answer
def test_a_second_message_continues_the_report_and_is_scored_with_it(
    world: World, fake_tg: FakeTelegram
) -> None:
    """A report split over two messages: the second is attached to the same beep and the whole
    report scored again; the first part stays stored."""
    app, study, wall = world
    _onboard(fake_tg, 17)
    _send(fake_tg, 17, GOOD)  # the practice beep
    beep = _study_beeps(study, 17)[0]
    _beep_now(app, wall, fake_tg, 17, beep)
    head, tail = GOOD[:92], GOOD[93:]
    _send(fake_tg, 17, head)
    wall.advance(minutes=1)

    replies = _send(fake_tg, 17, tail, replies=2)

    assert replies[0] == i18n.render("continuation_added", "en", parts=2)
    assert i18n.render("no_beep_pending", "en") not in fake_tg.texts(17)
    participant = study.participant(17)
    assert participant is not None
    parts = study.store.reports_for(participant.id, beep_id=beep.id)
    first, second = sorted(parts, key=lambda r: r.received_at)
    assert (first.text, second.text) == (head, tail)
    whole = f"{head}\n{tail}"
    assert second.score == esm_validate.validate(whole, lang="en", training_day=1).score
    assert second.score != esm_validate.validate(tail, lang="en", training_day=1).score
    assert participant.average_data_quality == second.score


def test_a_photo_caption_is_read_as_the_report(world: World, fake_tg: FakeTelegram) -> None:
    """A photo with the report in its caption is a report (scored), not "I can only read text"."""
    _app, study, _wall = world
    _onboard(fake_tg, 18)
    n = len(fake_tg.texts(18))
    photo = [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]
    fake_tg.push_raw_update({"message": fake_tg.make_message(18, None, photo=photo, caption=GOOD)})
    fake_tg.wait_sent("sendMessage", n + 1, chat_id=18)

    assert "Practice score" in fake_tg.texts(18)[n]
    participant = study.participant(18)
    assert participant is not None
    assert [r.text for r in study.store.reports_for(participant.id)] == [GOOD]


def test_an_edited_report_keeps_the_original_and_scores_the_edit(
    world: World, fake_tg: FakeTelegram
) -> None:
    """Editing a report in Telegram: both versions stored, the edit scored and counted."""
    app, study, wall = world
    _onboard(fake_tg, 19)
    _send(fake_tg, 19, GOOD)
    _beep_now(app, wall, fake_tg, 19, _study_beeps(study, 19)[0])
    n = len(fake_tg.texts(19))
    sent = fake_tg.push_message(19, "I was thinking.")
    fake_tg.wait_sent("sendMessage", n + 1, chat_id=19)
    wall.advance(minutes=5)
    edited = {**sent["message"], "text": GOOD, "edit_date": 1_772_000_000}
    fake_tg.push_raw_update({"edited_message": edited})
    fake_tg.wait_sent("sendMessage", n + 3, chat_id=19)

    replies = fake_tg.texts(19)[n + 1 :]
    assert replies[0] == i18n.render("edit_recorded", "en")
    assert "score" in replies[1]
    participant = study.participant(19)
    assert participant is not None
    versions = sorted(
        (r for r in study.store.reports_for(participant.id) if _study_beep(r.beep_id)),
        key=lambda r: r.received_at,
    )
    assert [r.text for r in versions] == ["I was thinking.", GOOD]
    assert participant.average_data_quality == versions[1].score
    assert (versions[1].score or 0) > (versions[0].score or 0)


# ---------------------------------------------------------------------- 5. the start announced
def test_the_first_real_beep_day_is_announced_the_same_everywhere(
    world: World, fake_tg: FakeTelegram
) -> None:
    """Onboarding ends by saying when the real beeps start; /status and /start say the same
    until then (no "Study day 1" before the study has begun)."""
    _app, _study, _wall = world
    _onboard(fake_tg, 20)
    announced = fake_tg.texts(20)[-2]
    status = _send(fake_tg, 20, "/status")[0]
    again = _send(fake_tg, 20, "/start", replies=2)

    when = "tomorrow, Tuesday 3 March: 6 beeps at random moments within 09:00-21:00"
    assert when in announced
    assert "first real beeps come tomorrow, Tuesday 3 March, 6 beeps a day" in status
    assert "Study day" not in status
    assert again == [i18n.render("already_enrolled", "en"), status]


# ---------------------------------------------------------------------- 6. messages
def test_expiry_of_the_days_last_beep_keeps_the_question_and_says_tomorrow(
    world: World, fake_tg: FakeTelegram
) -> None:
    """The expiry edit keeps the beep's question; on the day's last beep it says the next ones
    come tomorrow, not "later today"."""
    app, study, wall = world
    _onboard(fake_tg, 21)
    beeps = _study_beeps(study, 21)
    day = [b for b in beeps if b.local_date == beeps[0].local_date]
    _beep_now(app, wall, fake_tg, 21, day[0])
    wall.advance(minutes=15)
    app.tick_once()
    _beep_now(app, wall, fake_tg, 21, day[-1])
    wall.advance(minutes=15)
    app.tick_once()

    edits = [c.text for c in fake_tg.sent_calls("editMessageText", chat_id=21)]
    question = i18n.render("beep", "en")
    assert edits == [
        f"{question}\n\n⌛ {i18n.render('beep_expired', 'en')}",
        f"{question}\n\n⌛ {i18n.render('beep_expired_last', 'en')}",
    ]
    assert study.store.get_beep(day[-1].id).status is BeepStatus.EXPIRED  # type: ignore[union-attr]


def test_late_answer_gets_no_praise_and_is_counted_in_status(
    world: World, fake_tg: FakeTelegram
) -> None:
    """A late answer: no "well caught moment" beside "came a while after the beep"; /status
    before any answer says so instead of "Average quality: 0", counts the late answer, and says
    what the 70 is."""
    app, study, wall = world
    _onboard(fake_tg, 22)
    beep = _study_beeps(study, 22)[0]
    _beep_now(app, wall, fake_tg, 22, beep)
    before = _send(fake_tg, 22, "/status")[0]
    wall.advance(minutes=20)
    app.tick_once()

    feedback, late = _send(fake_tg, 22, GOOD, replies=2)
    after = _send(fake_tg, 22, "/status")[0]

    assert late == i18n.render("late_report", "en")
    assert "What was good" not in feedback
    assert "anchored" not in feedback
    assert "Average quality" not in before
    assert "No scored answers yet" in before
    assert "0 on time, 1 late" in after
    assert "Training goal: an average of 70" in after
    assert "Progress to 70" not in after


def test_russian_plurals_follow_the_cldr_rules(world: World, fake_tg: FakeTelegram) -> None:
    """«4 сигнала», «1 сигнал», «10 сигналов» – one helper, the CLDR one/few/many forms."""
    assert [
        i18n.plural(n, "ru", "сигнал|сигнала|сигналов") for n in (1, 4, 5, 11, 21, 22, 112)
    ] == [
        "сигнал",
        "сигнала",
        "сигналов",
        "сигналов",
        "сигнал",
        "сигнала",
        "сигналов",
    ]
    _send(fake_tg, 23, "/start", replies=2, code="ru")
    for step in ("lang:ru", "form:informal", "consent:yes", "tz:Europe/Moscow", "win:09:00-21:00"):
        _press(fake_tg, 23, step)
    done = _press(fake_tg, 23, "beeps:4", replies=3)

    assert "4 сигнала в день" in done[0]
    assert "4 сигнала в день" in done[1]
    assert "3 дня" in done[1]
    assert "сигналов" not in done[0]


def test_tips_quote_whole_words(world: World, fake_tg: FakeTelegram) -> None:
    """A quoted phrase is never cut inside a phrase or a word: whole words, "…" at a boundary."""
    _onboard(fake_tg, 24)
    (feedback,) = _send(
        fake_tg,
        24,
        "I always have an inner voice that comments on everything I do, it never stops really.",
    )

    assert "“I always have an inner voice that comments on…”" in feedback
    assert "“I always have an inner”" not in feedback


def test_empty_text_during_onboarding_repeats_the_question(
    world: World, fake_tg: FakeTelegram
) -> None:
    """An empty message while the time zone question waits: that question again, not "describe
    the moment in words"."""
    _send(fake_tg, 25, "/start", replies=2)
    _press(fake_tg, 25, "lang:en")
    _press(fake_tg, 25, "consent:yes")

    replies = _send(fake_tg, 25, "\u200b", replies=2)

    assert replies == [i18n.render("empty_answer", "en"), i18n.render("ask_timezone", "en")]


def test_long_and_repetitive_reports_are_flagged(world: World, fake_tg: FakeTelegram) -> None:
    """A 5,000-character report gets the length notice; one sentence 180 times is flagged as
    repetition and not praised as anchored to the moment."""
    app, study, wall = world
    _onboard(fake_tg, 26)
    long_report = " ".join(f"At {i} I noticed a different shade of grey." for i in range(120))
    assert len(long_report) > 5000
    replies = _send(fake_tg, 26, long_report, replies=2)
    assert replies[0] == i18n.render("too_long", "en", length=len(long_report), limit=4000)

    _beep_now(app, wall, fake_tg, 26, _study_beeps(study, 26)[0])
    repeated = "At the beep I saw the red cup on the table. " * 180
    replies = _send(fake_tg, 26, repeated, replies=2)

    assert i18n.render("repetitive", "en", times=180) in replies
    assert "anchored" not in replies[0]
    assert "What was good" not in replies[0]


def test_twenty_rapid_messages_get_one_reply(world: World, fake_tg: FakeTelegram) -> None:
    """Twenty texts with no beep open: all stored, one "no open beep" answer, not twenty."""
    app, study, wall = world
    # The quiet window runs on the test's 100x monotonic clock: 60 s would be 0.6 s of real
    # time, which twenty messages can outlast on a loaded machine. An hour is 36 s.
    app.handlers.quiet_seconds = 3600.0
    _onboard(fake_tg, 27)
    _send(fake_tg, 27, GOOD)  # the practice beep
    wall.advance(minutes=10)
    n = len(fake_tg.texts(27))
    for i in range(20):
        fake_tg.push_message(27, f"hello {i}")
    participant = study.participant(27)
    assert participant is not None
    wait_until(lambda: len(study.store.reports_for(participant.id)) == 21, timeout=15)
    fake_tg.push_message(27, "/help")  # answered after every earlier message of the chat
    wait_until(lambda: i18n.render("help", "en") in fake_tg.texts(27))

    replies = fake_tg.texts(27)[n:]
    assert replies.count(i18n.render("no_beep_pending", "en")) == 1
    assert len(replies) == 2


def test_the_command_menu_describes_each_command(world: World, fake_tg: FakeTelegram) -> None:
    """setMyCommands gets real descriptions, in English and for Russian clients in Russian."""
    menus = {}
    for call in fake_tg.sent_calls("setMyCommands"):
        commands = call.params["commands"]
        commands = json.loads(commands) if isinstance(commands, str) else commands
        menus[call.params.get("language_code")] = {c["command"]: c["description"] for c in commands}

    assert menus[None]["status"] == "Your progress"
    assert menus["ru"]["status"] == "Прогресс"
    assert all(name != text for menu in menus.values() for name, text in menu.items())


# ---------------------------------------------------------------------- issue 14: one parse_window
def test_waking_hours_are_read_forgivingly_and_refused_in_the_participants_language(
    world: World, fake_tg: FakeTelegram
) -> None:
    """«9-21» is accepted while onboarding; a window that cannot work is explained in Russian
    without an English reason."""
    _app, study, _wall = world
    _send(fake_tg, 28, "/start", replies=2, code="ru")
    for step in ("lang:ru", "form:formal", "consent:yes", "tz:Europe/Moscow"):
        _press(fake_tg, 28, step)

    refused = _send(fake_tg, 28, "25-26", code="ru")[0]
    asked = _send(fake_tg, 28, "9-21", code="ru")[0]

    assert refused == i18n.render("window_invalid", "ru", "formal", text="25-26")
    assert "expected" not in refused
    assert asked == i18n.render("ask_beeps", "ru", "formal", low=1, high=10, default=6)
    participant = study.participant(28)
    assert participant is not None
    assert (participant.window_start, participant.window_end) == (dt.time(9), dt.time(21))
