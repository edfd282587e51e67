"""Issue 9, more than one machine: two ``esm-bot run --webhook`` processes share one MongoDB
database and one Bot API; every due beep reaches its participant exactly once."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import esm_validate
from esm_bot import i18n
from esm_bot.domain.models import BeepStatus
from esm_bot.settings import StudyConfig
from esm_bot.store.mongo import MongoStore
from esm_bot.study import Study
from tests._services import free_port
from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram

pytestmark = [pytest.mark.integration, pytest.mark.process, pytest.mark.slow]

PEOPLE = 6


def test_two_webhook_processes_send_each_beep_once(
    mongo_uri: str, mongo_db_name: str, tmp_path: Path
) -> None:
    """Both processes tick the same study; the atomic claim lets exactly one send each beep."""
    now = dt.datetime.now(dt.UTC)
    offset = max(-12, min(14, 13 - now.hour))  # a zone where it is early afternoon now
    local_now = now + dt.timedelta(hours=offset)
    start = (local_now - dt.timedelta(hours=3, minutes=1)).time().replace(second=0, microsecond=0)
    # The window ends now: every beep of today's plan is due before the bots start. (It used to
    # end 3 minutes ahead; a beep planned in that tail fell due while the bots ran and was sent
    # though the test did not expect it, about one run in ten.)
    end = local_now.time().replace(second=0, microsecond=0)
    env_common = {
        "ESM_LATE_SEND_GRACE_MINUTES": "600",
        "ESM_REMINDER_MINUTES": "0",
        "ESM_EXPIRY_MINUTES": "60",
        "ESM_START_SAME_DAY": "true",
    }
    config = StudyConfig.from_env(env_common)
    store = MongoStore(mongo_uri, mongo_db_name)
    then = now - dt.timedelta(hours=3)  # onboarded three hours ago: today's plan is partly due
    study = Study(store, esm_validate.validate, config, clock=lambda: then, rng=random.Random(5))
    chats = list(range(70_000, 70_000 + PEOPLE))
    for chat in chats:
        study.register(chat, chat, "en")
        study.consent(chat)
        assert study.set_timezone(chat, f"UTC{offset:+d}").ok
        assert study.set_beeps_per_day(chat, 3).ok
        assert study.set_window(chat, start, end).ok
        assert study.start(chat).ok
    due = [
        b
        for chat in chats
        for b in store.beeps_for(study.participant(chat).id)  # type: ignore[union-attr]
        if b.scheduled_at <= dt.datetime.now(dt.UTC) and b.index < 1000
    ]
    assert len(due) >= PEOPLE

    procs: list[subprocess.Popen[str]] = []
    with FakeTelegram() as fake:
        for n in range(2):
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("ESM_", "OPENAI", "ANTHROPIC", "MONGODB", "TELEGRAM"))
            }
            env.update(
                env_common,
                TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
                TELEGRAM_API_URL=fake.base_url,
                MONGODB_URI=mongo_uri,
                ESM_MONGODB_DB=mongo_db_name,
                ESM_JOURNAL_PATH=str(tmp_path / f"journal{n}.jsonl"),
                ESM_WEBHOOK_SECRET="multi-secret",
                ESM_WEBHOOK_HOST="127.0.0.1",
                ESM_WEBHOOK_PORT=str(free_port()),
                ESM_TICK_SECONDS="0.2",
                ESM_SEND_RATE_PER_CHAT="100",
            )
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "esm_bot", "run", "--webhook"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        try:
            fake.wait_sent("sendMessage", len(due), timeout=60)
            time.sleep(2.0)  # several more ticks of both processes: nothing more may go out
        finally:
            errors = []
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                _out, err = proc.communicate(timeout=10)
                errors.append((proc.returncode, err[-1500:]))
        beeps_sent = [
            c for c in fake.sent_calls("sendMessage") if c.text == i18n.render("beep", "en")
        ]

    assert [code for code, _ in errors] == [0, 0], errors
    per_chat = Counter(c.chat_id for c in beeps_sent)
    expected = Counter(store.get_participant(b.participant_id).chat_id for b in due)  # type: ignore[union-attr]
    assert per_chat == expected
    for beep in due:
        stored = store.get_beep(beep.id)
        assert stored is not None
        assert stored.status is BeepStatus.SENT
        assert stored.message_id is not None
    store.close()
