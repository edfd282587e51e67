"""Hypothesis over update handling: any update Telegram could send is handled without a crash.

Structured updates (messages with random text, entities and content, button presses with random
data, edits) from a registered participant go through pyTelegramBotAPI's parser and dispatcher to
the handlers: none may fail inside (no "handler failed" log record). Raw random JSON: whatever the
parser accepts must not raise.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from esm_bot.settings import BotSettings
from esm_bot.telegram.app import BotApp, make_telebot
from tests.fake_telegram import BOT_USER, DEFAULT_TOKEN

CHAT = 4242


@pytest.fixture(name="app", scope="module")
def _app() -> BotApp:
    return _make_app()


def _make_app() -> BotApp:
    """The real study engine over an in-memory SQLite store, one participant consented."""
    import esm_validate
    from esm_bot.store.sqlite import SqliteStore
    from esm_bot.study import Study
    from tests.study_support import WallClock

    wall = WallClock(dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC))  # fixed: the run repeats
    store = SqliteStore(":memory:", utcnow=wall)
    study = Study(store, esm_validate.validate, clock=wall, rng=random.Random(5))
    study.register(CHAT, CHAT, "ru")
    study.consent(CHAT)
    settings_ = BotSettings(
        token=DEFAULT_TOKEN, api_url="http://127.0.0.1:9", admin_ids=frozenset({CHAT})
    )
    app = BotApp(settings_, study, make_telebot(settings_), now=wall, sleep=_no_sleep)
    app.bot.threaded = False  # handlers run in this thread, so a crash would be seen here
    app.sender.max_attempts = 1  # nothing listens on port 9: sends fail fast and are contained
    return app


def _no_sleep(_seconds: float) -> None:
    return None


_text = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["/start", "/help", "/stats", "/export", "/delete", "/x@bot", "/", "//"]),
    st.builds(
        lambda c, t: f"/{c} {t}",
        st.text(alphabet="abcdefghijklmnop_", max_size=12),
        st.text(max_size=20),
    ),
    st.text(alphabet="\x00\x1b\u202e\u200b {}%s\n", max_size=50),
    st.just("я" * 5000),
)
_data = st.one_of(
    st.text(max_size=70),
    st.builds(
        lambda k, v: f"{k}:{v}",
        st.sampled_from(
            ["lang", "form", "consent", "tz", "win", "beeps", "set", "delete", "x", ""]
        ),
        st.text(max_size=30),
    ),
)
_other = st.sampled_from(
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
        {"location": {"latitude": 1.0, "longitude": 2.0}},
        {"contact": {"phone_number": "1", "first_name": "a"}},
        {},
    ]
)


def _message(text: str | None, extra: dict[str, Any], user: int) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": 1,
        "from": {"id": user, "is_bot": False, "first_name": "u", "language_code": "ru"},
        "chat": {"id": CHAT, "type": "private"},
        "date": 0,
        **extra,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0] or "/")}
            ]
    return message


@st.composite
def _updates(draw: st.DrawFn) -> dict[str, Any]:
    user = draw(st.sampled_from([CHAT, CHAT + 1]))  # registered, and a stranger
    kind = draw(st.sampled_from(["message", "edited_message", "callback_query"]))
    if kind == "callback_query":
        bot_message = {
            "message_id": 7,
            "from": BOT_USER,
            "chat": {"id": CHAT, "type": "private"},
            "date": 0,
            "text": "?",
        }
        body: dict[str, Any] = {
            "id": "1",
            "from": {"id": user, "is_bot": False, "first_name": "u"},
            "chat_instance": "c",
            "data": draw(_data),
        }
        if draw(st.booleans()):
            body["message"] = bot_message
        return {"update_id": 1, kind: body}
    text = draw(st.none() | _text)
    extra = draw(_other) if text is None else {}
    if kind == "edited_message":
        extra = {**extra, "edit_date": 1}
    return {"update_id": 1, kind: _message(text, extra, user)}


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(update=_updates())
def test_structured_updates_never_crash_a_handler(
    app: BotApp, update: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """No handler fails on any message, edit or button press (the guard never has to step in)."""
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="esm_bot.telegram.handlers"):
        app.process_update(update)

    assert [r.getMessage() for r in caplog.records if "failed" in r.getMessage()] == []


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_RAW_KINDS = ("message", "edited_message", "callback_query", "channel_post", "poll")
_RAW_KEYS = ("message_id", "from", "chat", "date", "text", "data", "id", "entities", "sticker")


@st.composite
def _raw_updates(draw: st.DrawFn) -> dict[str, Any]:
    """Random JSON under an update kind: alone, or over a well-formed update's fields.

    The second half reaches the handlers (a message or button press the parser accepts, with
    some fields replaced by anything), so a handler that fails on it is seen.
    """
    kind = draw(st.sampled_from(_RAW_KINDS))
    noise = draw(st.dictionaries(st.sampled_from(_RAW_KEYS), _json, max_size=3))
    if not draw(st.booleans()):
        return {"update_id": 1, kind: noise}
    well_formed = draw(_updates())
    base = next(value for key, value in well_formed.items() if key != "update_id")
    return {"update_id": 1, kind: {**base, **noise}}


def handler_failures(
    app: BotApp, raw: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> list[str] | None:
    """Dispatch ``raw``; the handler failures the guard logged (None: the parser refuses it)."""
    from telebot.types import Update

    try:
        Update.de_json(json.dumps(raw))  # type: ignore[no-untyped-call]
    except Exception:  # the parser refuses it: Telegram never sends such an update
        return None
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="esm_bot.telegram.handlers"):
        app.process_update(raw)  # an exception escaping here fails the test as well
    return [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,  # the same updates on every run, so CI never flakes
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=_raw_updates())
def test_raw_updates_the_parser_accepts_never_raise(
    app: BotApp, raw: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Random JSON: what pyTelegramBotAPI can parse is handled, without the guard stepping in."""
    assert handler_failures(app, raw, caplog) in (None, [])


def test_the_raw_update_check_fails_when_every_handler_raises(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The property above is not vacuous: with every handler raising, it finds a failing update."""
    from esm_bot.telegram.handlers import Handlers

    def boom(*_args: Any) -> None:
        raise RuntimeError("every handler raises")

    for name in dir(Handlers):
        if name.startswith(("cmd_", "on_", "btn_")):
            monkeypatch.setattr(Handlers, name, boom)
    broken = _make_app()

    found = find(
        _raw_updates(),
        lambda raw: bool(handler_failures(broken, raw, caplog)),
        settings=settings(max_examples=200, database=None, derandomize=True),
    )

    assert handler_failures(broken, found, caplog)
