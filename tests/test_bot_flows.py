"""The bot end to end over loopback: a real TeleBot polling the fake Bot API server.

The handlers call the real :class:`~esm_bot.study.Study` over an in-memory SQLite store (a fixed
clock, a validator that always scores 55), so these tests pin down the Telegram layer and what the
participant sees: every command, onboarding, admin gate, Telegram errors, hostile input, the
scheduler's sends and the webhook.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from esm_bot import i18n
from esm_bot.domain.models import Beep, BeepStatus
from esm_bot.settings import BotSettings, StudyConfig
from esm_bot.store.sqlite import SqliteStore
from esm_bot.study import Study
from esm_bot.telegram.app import BotApp, make_telebot
from esm_bot.telegram.ledger import Ledger, Owed
from esm_validate import Assessment, quality_from_score
from tests.bot_support import (  # noqa: F401 (fixture)
    FastClock,
    _fake_tg,
    stop_in_background,
    wait_until,
)
from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram
from tests.study_support import WallClock

ADMIN = 777
SECRET = "s3cret-webhook-token"


#: 08:00 in Moscow (the default zone), before the waking window opens.
T0 = dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC)


def _validate(
    text: str, *, user_id: str | None = None, training_day: int | None = None, lang: str = "en"
) -> Assessment:
    return Assessment(
        score=55,
        quality=quality_from_score(55),
        phenomena=frozenset(),
        issues=(),
        feedback="",
        lang=lang,
        strengths=("concrete",),
    )


@pytest.fixture(name="study")
def _study() -> Study:
    clock = WallClock(T0)
    store = SqliteStore(":memory:", utcnow=clock)
    config = StudyConfig(start_same_day=True)
    return Study(store, _validate, config, clock=clock, rng=random.Random(3))


def _reports(study: Study, chat: int) -> list[str]:
    """The texts stored for the participant in ``chat``."""
    who = study.participant(chat)
    assert who is not None
    return [r.text for r in study.store.reports_for(who.id)]


def _due_beeps(study: Study, chats: list[int]) -> list[Beep]:
    """Onboard ``chats`` on one shared day plan and move the clock to its first beep."""
    for chat in chats:
        study.register(chat, chat, "en")
        study.consent(chat)
        who = study.participant(chat)
        assert who is not None
        study.store.update_participant(who.id, extra={"schedule_seed": "0" * 16})
        study.start(chat)
    firsts = []
    for chat in chats:
        who = study.participant(chat)
        assert who is not None
        firsts.append(min(study.store.beeps_for(who.id), key=lambda b: b.scheduled_at))
    assert len({b.scheduled_at for b in firsts}) == 1
    clock = study.clock
    assert isinstance(clock, WallClock)
    clock.set(firsts[0].scheduled_at)
    return firsts


def _status(study: Study, beep: Beep) -> BeepStatus:
    stored = study.store.get_beep(beep.id)
    assert stored is not None
    return stored.status


def _app(fake: FakeTelegram, study: Study, **overrides: Any) -> BotApp:
    settings = BotSettings(
        token=DEFAULT_TOKEN,
        api_url=fake.base_url,
        admin_ids=frozenset({ADMIN}),
        webhook_secret=SECRET,
        webhook_host="127.0.0.1",
        long_poll_seconds=1,
        **overrides,
    )
    clock = FastClock(factor=100)
    return BotApp(
        settings,
        study,
        make_telebot(settings),
        now=study.clock,
        monotonic=clock,
        sleep=clock.sleep,
    )


@pytest.fixture(name="app")
def _running_app(fake_tg: FakeTelegram, study: Study) -> Iterator[BotApp]:
    app = _app(fake_tg, study)
    app.start_polling()
    yield app
    app.shutdown(grace=1.0)
    stop_in_background(app.bot)


def _last(fake: FakeTelegram, chat: int, count: int) -> str:
    fake.wait_sent("sendMessage", count, chat_id=chat)
    return fake.texts(chat)[count - 1]


def _onboard(fake: FakeTelegram, chat: int, lang: str = "en", form: str | None = None) -> None:
    fake.push_message(chat, "/start")
    fake.wait_sent("sendMessage", 2, chat_id=chat)
    fake.push_callback(chat, None, f"lang:{lang}")
    n = 3
    if form:
        fake.wait_sent("sendMessage", n, chat_id=chat)
        fake.push_callback(chat, None, f"form:{form}")
        n += 1
    fake.wait_sent("sendMessage", n, chat_id=chat)
    fake.push_callback(chat, None, "consent:yes")
    fake.wait_sent("sendMessage", n + 1, chat_id=chat)
    fake.push_message(chat, "UTC+3")
    fake.wait_sent("sendMessage", n + 2, chat_id=chat)
    fake.push_callback(chat, None, "win:09:00-21:00")
    fake.wait_sent("sendMessage", n + 3, chat_id=chat)
    fake.push_callback(chat, None, "beeps:6")
    fake.wait_sent("sendMessage", n + 6, chat_id=chat)


class TestOnboarding:
    def test_whole_onboarding_in_english(
        self, app: BotApp, fake_tg: FakeTelegram, study: Study
    ) -> None:
        """/start → language → consent → typed UTC offset → window → beeps → practice beep."""
        _onboard(fake_tg, 42)
        texts = fake_tg.texts(42)
        first = fake_tg.sent_calls("sendMessage", chat_id=42)

        assert texts[0] == i18n.render("welcome", "en", training_days=3)
        assert "lang:ru" in json.dumps(first[1].params["reply_markup"])
        assert texts[2] == i18n.render("consent", "en", version="1")
        assert texts[3] == i18n.render("ask_timezone", "en")
        assert texts[4] == i18n.render("ask_window", "en")
        assert "Europe/Moscow" not in texts[5]
        assert "timezone set" not in texts[5]
        assert "time zone UTC+3," in texts[6]
        assert texts[7].startswith("📅 Your first real beeps come today, Monday 2 March")
        assert texts[8] == i18n.render("beep_practice", "en")
        p = study.participant(42)
        assert p is not None
        assert p.tz == "Etc/GMT-3"
        assert p.beeps_per_day == 6
        (practice,) = [b for b in study.store.beeps_for(p.id) if b.index >= 1000]
        wait_until(lambda: _message_id(study, practice) is not None)
        assert len(fake_tg.sent_calls("answerCallbackQuery")) >= 1

    def test_russian_formal_address(self, app: BotApp, fake_tg: FakeTelegram) -> None:
        """Choosing Russian asks the address form; «вы» is used from then on."""
        _onboard(fake_tg, 43, lang="ru", form="formal")

        assert fake_tg.texts(43)[2] == i18n.render("choose_form", "ru")
        assert fake_tg.texts(43)[-1] == i18n.render("beep_practice", "ru", "formal")

    def test_bad_timezone_and_window_are_explained(
        self, app: BotApp, fake_tg: FakeTelegram
    ) -> None:
        """A typed value that does not work gets a reason and the question stays open."""
        fake_tg.push_message(44, "/start")
        fake_tg.wait_sent("sendMessage", 2, chat_id=44)
        fake_tg.push_callback(44, None, "lang:en")
        fake_tg.wait_sent("sendMessage", 3, chat_id=44)
        fake_tg.push_callback(44, None, "consent:yes")
        fake_tg.wait_sent("sendMessage", 4, chat_id=44)
        fake_tg.push_message(44, "Mars/Olympus")

        assert _last(fake_tg, 44, 5) == i18n.render("timezone_invalid", "en", text="Mars/Olympus")
        fake_tg.push_message(44, "Europe/Berlin")
        fake_tg.wait_sent("sendMessage", 6, chat_id=44)
        fake_tg.push_message(44, "25:00-26:00")
        assert "25:00-26:00" in _last(fake_tg, 44, 7)
        assert i18n.render("window_invalid", "en", text="", reason="")[:12] in _last(fake_tg, 44, 7)
        fake_tg.push_message(44, "9-21")  # the forgiving grammar: hours alone are enough
        assert _last(fake_tg, 44, 8) == i18n.render("ask_beeps", "en", low=1, high=10, default=6)

    def test_declining_consent(self, app: BotApp, fake_tg: FakeTelegram, study: Study) -> None:
        """No consent: a polite note, and texts are not taken as reports."""
        fake_tg.push_message(45, "/start")
        fake_tg.wait_sent("sendMessage", 2, chat_id=45)
        fake_tg.push_callback(45, None, "lang:en")
        fake_tg.wait_sent("sendMessage", 3, chat_id=45)
        fake_tg.push_callback(45, None, "consent:no")

        assert _last(fake_tg, 45, 4) == i18n.render("consent_declined", "en")
        assert [e.kind for e in study.store.iter_events(kind="consent_declined")] == [
            "consent_declined"
        ]
        fake_tg.push_message(45, "I saw a red car")
        assert _last(fake_tg, 45, 5) == i18n.render("consent_needed", "en")
        assert _reports(study, 45) == []


class TestCommands:
    def test_report_gets_feedback_once(
        self, app: BotApp, fake_tg: FakeTelegram, study: Study
    ) -> None:
        """A text after onboarding is a report; the feedback shows score, strengths and the tip."""
        _onboard(fake_tg, 50)
        n = len(fake_tg.texts(50))
        fake_tg.push_message(50, "At the beep I was innerly saying 'where are my keys'")
        text = _last(fake_tg, 50, n + 1)

        assert "score 55/100" in text
        assert "What was good: concrete." in text
        assert i18n.render("tip_moment_capture", "en") in text
        assert len(_reports(study, 50)) == 1

    @pytest.mark.parametrize(
        ("command", "key"),
        [
            ("/help", "help"),
            ("/pause", "paused"),
            ("/resume", "not_paused"),
            ("/stop", "withdrawn"),
        ],
    )
    def test_simple_commands(
        self, app: BotApp, fake_tg: FakeTelegram, command: str, key: str
    ) -> None:
        """Each command answers from the catalogue in the participant's language."""
        _onboard(fake_tg, 51)
        n = len(fake_tg.texts(51))
        fake_tg.push_message(51, command)

        assert _last(fake_tg, 51, n + 1) == i18n.render(key, "en")

    def test_pause_then_resume(self, app: BotApp, fake_tg: FakeTelegram, study: Study) -> None:
        """/pause, /pause again, /resume."""
        _onboard(fake_tg, 52)
        n = len(fake_tg.texts(52))
        for i, command in enumerate(["/pause", "/pause", "/resume"], 1):
            fake_tg.push_message(52, command)
            fake_tg.wait_sent("sendMessage", n + i, chat_id=52)

        assert fake_tg.texts(52)[n:] == [
            i18n.render(k, "en") for k in ("paused", "already_paused", "resumed")
        ]

    def test_status_and_settings(self, app: BotApp, fake_tg: FakeTelegram) -> None:
        """/status shows the figures with the state in words; /settings shows values and buttons."""
        _onboard(fake_tg, 53)
        n = len(fake_tg.texts(53))
        fake_tg.push_message(53, "/status")
        status = _last(fake_tg, 53, n + 1)
        fake_tg.push_message(53, "/settings")
        settings_call = fake_tg.wait_sent("sendMessage", n + 2, chat_id=53)[-1]

        assert "Status: training." in status
        assert "No scored answers yet" in status
        assert "Time zone: UTC+3" in settings_call.text
        assert "set:timezone" in json.dumps(settings_call.params["reply_markup"])

    def test_delete_needs_confirmation(
        self, app: BotApp, fake_tg: FakeTelegram, study: Study
    ) -> None:
        """/delete asks first; Cancel keeps the data (and makes the old Yes button stale), Yes
        under a fresh /delete deletes it."""
        _onboard(fake_tg, 54)
        n = len(fake_tg.texts(54))
        fake_tg.push_message(54, "/delete")
        fake_tg.wait_sent("sendMessage", n + 1, chat_id=54)
        fake_tg.push_callback(54, None, "delete:no")
        assert _last(fake_tg, 54, n + 2) == i18n.render("delete_cancelled", "en")
        assert study.participant(54) is not None
        fake_tg.push_callback(54, None, "delete:yes")
        assert _last(fake_tg, 54, n + 3) == i18n.render("button_stale", "en")
        assert study.participant(54) is not None

        fake_tg.push_message(54, "/delete")
        fake_tg.wait_sent("sendMessage", n + 4, chat_id=54)
        fake_tg.push_callback(54, None, "delete:yes")
        assert _last(fake_tg, 54, n + 5) == i18n.render("delete_done", "en")
        assert study.participant(54) is None

    def test_practice(self, app: BotApp, fake_tg: FakeTelegram) -> None:
        """/practice sends a practice beep at once."""
        _onboard(fake_tg, 55)
        n = len(fake_tg.texts(55))
        fake_tg.push_message(55, "/practice")

        assert _last(fake_tg, 55, n + 1) == i18n.render("beep_practice", "en")

    def test_unregistered_user_is_told_to_start(self, app: BotApp, fake_tg: FakeTelegram) -> None:
        """Commands before /start get the hint to send /start."""
        fake_tg.push_message(56, "/status")

        assert _last(fake_tg, 56, 1) == i18n.render("not_registered", "en")


class TestAdminGate:
    @pytest.mark.parametrize("command", ["/stats", "/export", "/health"])
    def test_non_admin_gets_the_unknown_command_answer(
        self, app: BotApp, fake_tg: FakeTelegram, command: str
    ) -> None:
        """Researcher commands look exactly like unknown commands to anyone else."""
        fake_tg.push_message(60, "/nosuchcommand")
        unknown = _last(fake_tg, 60, 1)
        fake_tg.push_message(60, command)

        assert _last(fake_tg, 60, 2) == unknown
        assert fake_tg.sent_calls("sendDocument") == []

    def test_admin_commands(self, app: BotApp, fake_tg: FakeTelegram) -> None:
        """An admin gets stats, health and the CSV export (of the real store) as a document."""
        _onboard(fake_tg, 61)
        fake_tg.push_message(61, "I was reading the word keys in my head")  # the practice beep
        fake_tg.wait_sent("sendMessage", 10, chat_id=61)
        fake_tg.push_message(ADMIN, "/stats")
        assert "Participants (consented, not deleted): 1" in _last(fake_tg, ADMIN, 1)
        fake_tg.push_message(ADMIN, "/health")  # the real checks: slower than a reply
        fake_tg.wait_sent("sendMessage", 2, timeout=30.0, chat_id=ADMIN)
        assert "✅ Database: 1 participants, 1 reports" in fake_tg.texts(ADMIN)[1]
        fake_tg.push_message(ADMIN, "/export")
        (doc,) = fake_tg.wait_sent("sendDocument", 1, timeout=30.0, chat_id=ADMIN)

        rows = doc.params["document"]["content"].decode().splitlines()
        assert doc.params["document"]["filename"].endswith(".csv")
        assert rows[0].startswith("participant,")
        assert [r for r in rows if ",practice," in r and ",55," in r], rows


class TestHostileInput:
    def test_huge_text(self, app: BotApp, fake_tg: FakeTelegram, study: Study) -> None:
        """100 KB of text: kept whole (no data lost) and a polite size note, no traceback."""
        _onboard(fake_tg, 70)
        n = len(fake_tg.texts(70))
        fake_tg.push_message(70, "a" * 100_000)

        assert _last(fake_tg, 70, n + 1) == i18n.render(
            "too_long", "en", length=100_000, limit=4000
        )
        assert [len(t) for t in _reports(study, 70)] == [100_000]

    @pytest.mark.parametrize(
        "content",
        [
            {
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "u",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            {"photo": [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]},
            {"voice": {"file_id": "v", "file_unique_id": "u", "duration": 2}},
        ],
    )
    def test_non_text_gets_a_polite_answer(
        self, app: BotApp, fake_tg: FakeTelegram, content: dict[str, Any]
    ) -> None:
        """Stickers, photos and voice get "please use words"."""
        _onboard(fake_tg, 71)
        n = len(fake_tg.texts(71))
        fake_tg.push_raw_update({"message": fake_tg.make_message(71, None, **content)})

        assert _last(fake_tg, 71, n + 1) == i18n.render("unsupported_content", "en")

    def test_edited_message_is_ignored(
        self, app: BotApp, fake_tg: FakeTelegram, study: Study
    ) -> None:
        """An edited message is not a second report and gets no answer."""
        _onboard(fake_tg, 72)
        n = len(fake_tg.texts(72))
        fake_tg.push_raw_update(
            {"edited_message": fake_tg.make_message(72, "changed", edit_date=1)}
        )
        fake_tg.push_message(72, "/help")

        assert _last(fake_tg, 72, n + 1) == i18n.render("help", "en")
        assert _reports(study, 72) == []

    def test_unknown_callback_and_control_characters(
        self, app: BotApp, fake_tg: FakeTelegram, study: Study
    ) -> None:
        """Forged button data is refused; control characters are stripped from reports."""
        _onboard(fake_tg, 73)
        n = len(fake_tg.texts(73))
        fake_tg.push_callback(73, None, "__class__:x")
        assert _last(fake_tg, 73, n + 1) == i18n.render("button_expired", "en")
        fake_tg.push_message(73, "I\x00 saw\u202e a\x1b lamp")
        fake_tg.wait_sent("sendMessage", n + 2, chat_id=73)

        assert _reports(study, 73) == ["I saw a lamp"]

    def test_replayed_update_is_not_a_second_report(
        self, app: BotApp, fake_tg: FakeTelegram, study: Study
    ) -> None:
        """The same message delivered twice is stored once (dedup key from chat and message id)."""
        _onboard(fake_tg, 74)
        n = len(fake_tg.texts(74))
        message = fake_tg.make_message(74, "a bright window")
        fake_tg.push_raw_update({"message": message})
        fake_tg.wait_sent("sendMessage", n + 1, chat_id=74)
        fake_tg.push_raw_update({"message": message})
        fake_tg.push_message(74, "/help")
        fake_tg.wait_sent("sendMessage", n + 2, chat_id=74)

        assert len(_reports(study, 74)) == 1

    def test_handler_crash_gives_the_error_message(
        self, app: BotApp, fake_tg: FakeTelegram, study: Study, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A failing study call ends in the polite error text; polling continues."""
        _onboard(fake_tg, 75)
        n = len(fake_tg.texts(75))

        def boom(*_a: Any, **_k: Any) -> Any:
            raise RuntimeError("db down")

        monkeypatch.setattr(Study, "status", boom)
        fake_tg.push_message(75, "/status")
        assert _last(fake_tg, 75, n + 1) == i18n.render("error", "en")
        fake_tg.push_message(75, "/help")
        assert _last(fake_tg, 75, n + 2) == i18n.render("help", "en")


class TestTelegramErrors:
    def test_429_on_a_reply_is_waited_and_retried(self, app: BotApp, fake_tg: FakeTelegram) -> None:
        """The reply to /help survives a 429 with retry_after only in the body."""
        fake_tg.fail_next("sendMessage", 429, retry_after=2, header=False)
        fake_tg.push_message(80, "/help")

        assert _last(fake_tg, 80, 1) == i18n.render("help", "en")
        assert ("sendMessage", 429) in fake_tg.failed

    def test_5xx_on_getupdates_does_not_stop_polling(
        self, app: BotApp, fake_tg: FakeTelegram
    ) -> None:
        """502 and 500 on getUpdates are retried by the polling loop."""
        fake_tg.fail_next("getUpdates", 502)
        fake_tg.fail_next("getUpdates", 500)
        fake_tg.push_message(81, "/help")

        assert _last(fake_tg, 81, 1) == i18n.render("help", "en")


def _message_id(study: Study, beep: Beep) -> int | None:
    stored = study.store.get_beep(beep.id)
    return None if stored is None else stored.message_id


class TestScheduler:
    def test_due_beeps_are_sent_and_confirmed(self, fake_tg: FakeTelegram, study: Study) -> None:
        """tick_once sends each due beep and records its delivery and message id in the store."""
        app = _app(fake_tg, study)
        beeps = _due_beeps(study, [90, 91])

        assert app.tick_once() == 2
        assert fake_tg.texts(90) == fake_tg.texts(91) == [i18n.render("beep", "en")]
        assert [_status(study, b) for b in beeps] == [BeepStatus.SENT, BeepStatus.SENT]
        assert all(_message_id(study, b) is not None for b in beeps)

    def test_a_beep_whose_claim_was_lost_is_not_sent(
        self, fake_tg: FakeTelegram, study: Study, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Right before each send the claim is renewed; a lost claim means another process sends."""
        app = _app(fake_tg, study)
        lost, kept = _due_beeps(study, [93, 94])
        real_tick = Study.tick

        def tick_then_lose_one(self: Study, now: dt.datetime | None = None) -> Any:
            actions = real_tick(self, now)
            later = (
                study.clock() + study.config.claim_lease * 2
            )  # our lease ran out; another took it
            assert study.store.claim_beep(lost.id, "other", later, study.config.claim_lease)
            return actions

        monkeypatch.setattr(Study, "tick", tick_then_lose_one)
        clock = study.clock
        assert isinstance(clock, WallClock)
        monkeypatch.setattr(app, "now", lambda: clock() + study.config.claim_lease)

        assert app.tick_once() == 1
        assert fake_tg.texts(93) == []
        assert fake_tg.texts(94) == [i18n.render("beep", "en")]
        assert [_status(study, b) for b in (lost, kept)] == [BeepStatus.SCHEDULED, BeepStatus.SENT]

    def test_blocked_participant_is_marked_and_not_beeped_again(
        self, fake_tg: FakeTelegram, study: Study
    ) -> None:
        """403 → the participant is unreachable and their later beeps are cancelled."""
        app = _app(fake_tg, study)
        (beep,) = _due_beeps(study, [92])
        fake_tg.block(92)

        assert app.tick_once() == 0
        who = study.participant(92)
        assert who is not None
        assert not who.active
        unreachable = list(study.store.iter_events(participant_id=who.id, kind="unreachable"))
        assert len(unreachable) == 1  # the sender's 403 hook and the failed beep: one event
        assert _status(study, beep) in (BeepStatus.CANCELLED, BeepStatus.MISSED)
        later = [b for b in study.store.beeps_for(who.id) if b.scheduled_at > beep.scheduled_at]
        assert later
        assert {b.status for b in later} == {BeepStatus.CANCELLED}
        clock = study.clock
        assert isinstance(clock, WallClock)
        clock.set(later[0].scheduled_at)
        app.tick_once()
        assert len([c for c in fake_tg.calls if c[0] == "sendMessage"]) == 1


class TestWebhook:
    def _post(self, port: int, body: bytes, secret: str | None) -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        if secret is not None:
            request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    def test_secret_token_is_required(self, fake_tg: FakeTelegram, study: Study) -> None:
        """Without the header or with a wrong one: 403 and nothing handled; with it: handled."""
        app = _app(fake_tg, study)
        port = app.serve_webhook(port=0)
        try:
            update = {"update_id": 1, "message": fake_tg.make_message(95, "/help")}
            body = json.dumps(update).encode()

            assert self._post(port, body, None) == 403
            assert self._post(port, body, "wrong") == 403
            assert fake_tg.sent_calls("sendMessage") == []
            assert self._post(port, b"[1, 2", SECRET) == 400
            assert self._post(port, body, SECRET) == 200
            assert _last(fake_tg, 95, 1) == i18n.render("help", "en")
        finally:
            app.shutdown(grace=1.0)
            stop_in_background(app.bot)

    def test_200_only_once_recorded_and_a_redelivery_answers_once(
        self, fake_tg: FakeTelegram, study: Study, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Issue 15: the 200 comes after the reply went out (nothing left to wait for); the same
        update delivered again is answered from the outbox, not twice; an update that cannot be
        recorded gets 500, so Telegram delivers it again."""
        app = _app(fake_tg, study)
        port = app.serve_webhook(port=0)
        try:
            update = {"update_id": 41, "message": fake_tg.make_message(97, "/help")}
            body = json.dumps(update).encode()

            assert self._post(port, body, SECRET) == 200
            assert len(fake_tg.sent_calls("sendMessage", chat_id=97)) == 1  # already sent
            assert self._post(port, body, SECRET) == 200  # Telegram's retry of the same update
            assert len(fake_tg.sent_calls("sendMessage", chat_id=97)) == 1

            def unrecordable(_chat: Any) -> bool:
                raise OSError("disk full")

            monkeypatch.setattr(app.ledger, "holding", unrecordable)
            later = {"update_id": 42, "message": fake_tg.make_message(97, "/help")}
            assert self._post(port, json.dumps(later).encode(), SECRET) == 500
        finally:
            app.shutdown(grace=1.0)
            stop_in_background(app.bot)


def test_metrics_are_logged_periodically_and_at_shutdown(
    fake_tg: FakeTelegram, study: Study, caplog: pytest.LogCaptureFixture
) -> None:
    """With a tiny ESM_METRICS_INTERVAL_MINUTES the snapshot is logged repeatedly, then at stop."""
    app = _app(fake_tg, study, metrics_interval_minutes=0.001, tick_seconds=0.01)
    _due_beeps(study, [96])
    with caplog.at_level(logging.INFO, logger="esm_bot"):
        app.start_background()
        wait_until(lambda: sum("metrics {" in r.getMessage() for r in caplog.records) >= 2)
        fake_tg.wait_sent("sendMessage", 1, chat_id=96)
        app.shutdown(grace=0.5)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("metrics ")]
    snapshot = json.loads(lines[-1].removeprefix("metrics "))

    assert snapshot["scheduler"]["beep_sent"] == 1
    assert snapshot["telegram"]["sent"] >= 1
    assert snapshot["study"]["participants"] == 1


def _slow_sends(app: BotApp, pause: Callable[[], object]) -> threading.Event:
    """Make every send of ``app`` call ``pause`` first; the event returned is set at the first."""
    started = threading.Event()
    real_send = app.bot.send_message

    def slow_send(*args: Any, **kwargs: Any) -> Any:
        started.set()
        pause()
        return real_send(*args, **kwargs)

    app.bot.send_message = slow_send
    return started


def test_shutdown_during_a_tick_finishes_the_send_in_progress_and_stops(
    fake_tg: FakeTelegram, study: Study
) -> None:
    """A send under way when shutdown starts is completed and recorded; the rest are left."""
    app = _app(fake_tg, study)
    beeps = _due_beeps(study, list(range(200, 205)))
    started = _slow_sends(app, lambda: time.sleep(0.2))
    ticker = threading.Thread(target=app.tick_once)
    ticker.start()
    assert started.wait(5)

    app.shutdown(grace=2.0)
    ticker.join(5)

    assert len(fake_tg.sent_calls("sendMessage")) == 1
    assert [_status(study, b) for b in beeps].count(BeepStatus.SENT) == 1


def test_shutdown_waits_for_a_handler_outside_a_polling_batch(
    fake_tg: FakeTelegram, study: Study, tmp_path: Path
) -> None:
    """A webhook update still being handled when shutdown starts is finished, and its reply
    recorded as sent, before the ledger closes; shutdown reports nothing left in flight."""
    path = tmp_path / "bot.ledger.sqlite3"
    app = attrs.evolve(_app(fake_tg, study), ledger=Ledger(path))
    release = threading.Event()
    entered = _slow_sends(app, lambda: release.wait(5))
    update = {"update_id": 1, "message": fake_tg.make_message(98, "/help")}
    handling = threading.Thread(target=app.process_update, args=(update,))
    handling.start()
    assert entered.wait(5)
    threading.Timer(0.3, release.set).start()

    assert app.shutdown(grace=3.0) is True
    handling.join(5)
    assert fake_tg.texts(98) == [i18n.render("help", "en")]
    recorded = Ledger(path).owe(Owed("1:0", 98, "again"))
    assert recorded is not None
    assert recorded.state == "sent"
    stop_in_background(app.bot)
