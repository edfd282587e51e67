"""The bot end to end: updates per second and resident memory.

1. **Throughput.** ``--participants`` participants each have a beep out; each sends one report as a
   Telegram update to a local Bot API server (the tests' fake, over loopback HTTP). A real TeleBot
   polls it; the real study engine stores the report (SQLite, and MongoDB-wire when ``MONGO_URI``
   is set) after local validation, and the reply goes back over HTTP. Measured: reports answered
   per second, from the first update queued to the last reply received. Telegram's send limits are
   lifted for this (they would cap it at 30/s by design).
2. **Baseline** in the same run: bare ``sendMessage`` round trips to the same server from one
   client (what one HTTP call costs here), and local validation of the same report alone.
3. **Memory.** Resident set size of a process holding a built bot over a SQLite store with
   ``--memory-participants`` participants (10 000 by default), against the same process before.

Run: ``python benchmarks/bench_bot.py [--participants N] [--memory-participants N]``. Prints
absolute figures and ratios; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPORT = (
    "At the moment of the beep I was innerly saying 'where are my keys' in my own voice and saw "
    "a faint image of the red key ring."
)


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _study(store: Any, wall: Any) -> Any:
    import esm_validate
    from esm_bot.settings import StudyConfig
    from esm_bot.study import Study

    config = StudyConfig(
        start_same_day=True,
        reminder_after=None,
        timezone="UTC",
        late_send_grace=dt.timedelta(hours=3),
        expiry=dt.timedelta(hours=1),
    )
    return Study(
        store,
        esm_validate.validate,
        config,
        clock=wall,
        rng=random.Random(1),
        maintenance_every=dt.timedelta(hours=1),
    )


class _Wall:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def throughput(store: Any, participants: int, ledger_file: Path | None = None) -> float:
    """Reports answered per second through the whole bot (replies through the outbox on disk)."""
    from telebot import apihelper
    from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram

    from esm_bot.settings import BotSettings
    from esm_bot.telegram.app import BotApp, make_telebot
    from esm_bot.telegram.ledger import Ledger

    wall = _Wall()
    study = _study(store, wall)
    chats = list(range(50_000, 50_000 + participants))
    for chat in chats:
        study.register(chat, chat, "en")
        study.consent(chat)
        study.start(chat)
    with FakeTelegram() as fake:
        settings = BotSettings(
            token=DEFAULT_TOKEN,
            api_url=fake.base_url,
            long_poll_seconds=1,
            send_rate=100_000,
            send_rate_per_chat=10_000,
        )
        bot = make_telebot(settings)
        ledger = Ledger(ledger_file) if ledger_file is not None else Ledger()
        app = BotApp(settings, study, bot, now=wall, ledger=ledger)
        wall.now = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)
        while app.tick_once() > 0:
            pass
        fake.wait_sent("sendMessage", participants, timeout=120)
        app.start_polling()
        wall.now += dt.timedelta(minutes=1)
        started = time.perf_counter()
        for chat in chats:
            fake.push_message(chat, REPORT)
        fake.wait_sent("sendMessage", 2 * participants, timeout=300)
        elapsed = time.perf_counter() - started
        app.shutdown(grace=2.0)
        bot.stop_bot()
    apihelper.API_URL = None
    return participants / elapsed


def http_baseline(calls: int) -> float:
    """Bare sendMessage round trips per second to the same kind of server."""
    import requests
    from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram

    with FakeTelegram() as fake, requests.Session() as session:
        url = fake.api_url.format(DEFAULT_TOKEN, "sendMessage")
        started = time.perf_counter()
        for i in range(calls):
            session.get(url, params={"chat_id": i, "text": "x"}, timeout=10).raise_for_status()
        return calls / (time.perf_counter() - started)


def validation_baseline(calls: int) -> float:
    """Local validations of the report per second."""
    import esm_validate

    started = time.perf_counter()
    for _ in range(calls):
        esm_validate.validate(REPORT, lang="en", training_day=1)
    return calls / (time.perf_counter() - started)


def memory(participants: int) -> tuple[float, float]:
    """RSS (MB) before, and after building the bot over a store with ``participants`` people."""
    from esm_bot.domain.models import Participant
    from esm_bot.settings import BotSettings
    from esm_bot.store.sqlite import SqliteStore
    from esm_bot.telegram.app import BotApp, make_telebot

    before = _rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "mem.sqlite3")
        now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
        for i in range(participants):
            store.add_participant(
                Participant(id=f"m{i}", created_at=now, telegram_id=i + 1, chat_id=i + 1)
            )
        settings = BotSettings(token="1:x", api_url="http://127.0.0.1:9")
        wall = _Wall()
        app = BotApp(
            settings,
            _study(store, wall),
            make_telebot(settings),
            now=wall,
        )
        app.tick_once()
        after = _rss_mb()
        store.close()
    return before, after


def main() -> None:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--memory-participants", type=int, default=10_000)
    args = parser.parse_args()

    before, after = memory(args.memory_participants)
    http = http_baseline(500)
    local = validation_baseline(500)
    print(f"baseline: bare sendMessage round trips   {http:8.0f} /s")
    print(f"baseline: local validation of the report {local:8.0f} /s")
    with tempfile.TemporaryDirectory() as tmp:
        from esm_bot.store.sqlite import SqliteStore

        store = SqliteStore(Path(tmp) / "bench.sqlite3")
        rate = throughput(store, args.participants, Path(tmp) / "bench.ledger.sqlite3")
        store.close()
    print(
        f"bot end to end, SQLite:     {rate:8.1f} reports/s "
        f"(ratio to bare HTTP round trips {rate / http:.3f}; {1000 / rate:.1f} ms per report)"
    )
    uri = os.environ.get("MONGO_URI")
    if uri:
        from esm_bot.store.mongo import MongoStore

        store = MongoStore(uri, f"esm_bench_{os.getpid()}")
        try:
            small = min(args.participants, 100)  # mongoeco inserts are quadratic; keep it small
            with tempfile.TemporaryDirectory() as tmp:
                rate_m = throughput(store, small, Path(tmp) / "bench.ledger.sqlite3")
            print(
                f"bot end to end, MongoDB-wire ({small} participants): {rate_m:8.1f} reports/s "
                f"(ratio to bare HTTP {rate_m / http:.3f})"
            )
        finally:
            store._client.drop_database(f"esm_bench_{os.getpid()}")
            store.close()
    else:
        print("bot end to end, MongoDB-wire: skipped (set MONGO_URI)")
    print(
        f"resident memory: {before:.0f} MB before, {after:.0f} MB with "
        f"{args.memory_participants} participants (SQLite) and the bot built "
        f"(+{after - before:.0f} MB)"
    )


if __name__ == "__main__":
    main()
