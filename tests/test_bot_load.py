"""Issue 9 load test: 200 participants answer beeps at once through the fake Bot API server.

Real TeleBot polling, the real study engine on SQLite, local validation. The outgoing rate limiter
runs on a sped-up real clock (20x), so Telegram's limits (30 messages/s overall, 1/s per chat) are
checked on the limiter's decisions in that clock without the test taking minutes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter
from pathlib import Path

import pytest

import esm_validate
from esm_bot import i18n
from esm_bot.domain.models import BeepStatus
from esm_bot.settings import BotSettings, StudyConfig
from esm_bot.store.sqlite import SqliteStore
from esm_bot.study import Study
from esm_bot.telegram.app import BotApp, make_telebot
from tests.bot_support import FastClock, _fake_tg  # noqa: F401 (fixture)
from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram
from tests.study_support import WallClock

pytestmark = pytest.mark.slow  # hundreds of participants at once

PARTICIPANTS = 200
REPORT = (
    "At the moment of the beep I was innerly saying 'where are my keys' in my own voice and saw "
    "a faint image of the red key ring."
)


def test_200_participants_answer_concurrently(fake_tg: FakeTelegram, tmp_path: Path) -> None:
    """Every report stored once, every participant gets one reply, rates within Telegram's."""
    wall = WallClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    store = SqliteStore(tmp_path / "load.sqlite3", utcnow=wall)
    config = StudyConfig(
        start_same_day=True,
        reminder_after=None,
        timezone="UTC",
        late_send_grace=dt.timedelta(hours=3),
        expiry=dt.timedelta(hours=1),
    )
    study = Study(
        store,
        esm_validate.validate,
        config,
        clock=wall,
        rng=random.Random(3),
        maintenance_every=dt.timedelta(hours=1),
    )
    chats = list(range(10_000, 10_000 + PARTICIPANTS))
    for chat in chats:
        study.register(chat, chat, "en")
        study.consent(chat)
        study.start(chat)
    fast = FastClock(factor=20)
    fake_tg.clock = fast
    settings = BotSettings(token=DEFAULT_TOKEN, api_url=fake_tg.base_url, long_poll_seconds=1)
    bot = make_telebot(settings)
    app = BotApp(
        settings,
        study,
        bot,
        now=wall,
        monotonic=fast,
        sleep=fast.sleep,
    )
    app.start_polling()
    try:
        # Six beeps in 09:00-21:00 make two-hour blocks; every first-block beep lies in
        # [09:00, 11:00) in whole seconds, and a second-block one can fall on 11:00:00 itself.
        wall.now = dt.datetime(2026, 3, 2, 10, 59, 59, tzinfo=dt.UTC)
        sent = 0
        while (batch := app.tick_once()) > 0:  # the engine hands out due beeps in batches
            sent += batch
        assert sent == PARTICIPANTS
        beeps = fake_tg.wait_sent("sendMessage", PARTICIPANTS, timeout=20)
        assert {c.chat_id for c in beeps} == set(chats)

        wall.advance(minutes=1)
        messages = [fake_tg.push_message(chat, REPORT)["message"] for chat in chats]
        for message in messages[:20]:  # replayed updates must not double anything
            fake_tg.push_raw_update({"message": message})
        fake_tg.wait_sent("sendMessage", 2 * PARTICIPANTS, timeout=25)
    finally:
        app.shutdown(grace=2.0)
        bot.stop_bot()

    reports = list(store.iter_reports())
    per_participant = Counter(r.participant_id for r in reports)
    assert len(reports) == PARTICIPANTS
    assert set(per_participant.values()) == {1}
    answered = [
        b
        for p in store.list_participants()
        for b in store.beeps_for(p.id)
        if b.status is BeepStatus.ANSWERED
    ]
    assert len(answered) == PARTICIPANTS

    beep_text = i18n.render("beep", "en")
    for chat in chats:
        texts = fake_tg.texts(chat)
        assert texts[0] == beep_text
        assert len(texts) >= 2
        assert any("score" in t for t in texts[1:])

    slots = list(app.sender.limiter.slots)
    times = sorted(s.at for s in slots)
    assert len(slots) >= 2 * PARTICIPANTS
    for i, start in enumerate(times):
        assert sum(1 for t in times[i : i + 40] if t < start + 1.0 - 1e-9) <= 30
    by_chat: dict[int | None, list[float]] = {}
    for slot in slots:
        by_chat.setdefault(slot.chat_id, []).append(slot.at)
    for stamps in by_chat.values():
        stamps.sort()
        assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(stamps))
    received = sorted(c.at for c in fake_tg.sent_calls("sendMessage"))
    per_second = Counter(int(t) for t in received)
    assert max(per_second.values()) <= 45  # server-side view, with network jitter in a 20x clock
