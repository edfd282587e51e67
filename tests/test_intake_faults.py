"""No report lost, for real: the faults of issue 15, each on a real ``python -m esm_bot run``.

The Bot API is the fake (tests/fake_telegram.py), which confirms updates by ``offset`` exactly as
Telegram does: ``getUpdates(offset)`` forgets every earlier update. So an update counts as safe
only once it is stored: nothing here counts updates still waiting at the server. Send rates stay
at their defaults (30/s overall, 1/s per chat). MongoDB sits behind a TCP proxy
(tests/tcp_proxy.py) that cuts the line. Participants are written into the store beforehand,
each with a beep already sent, so every first report answers a beep.

What is measured, for each row: reports stored (each dedup key once, so none doubled), every
report answered, no "something went wrong" and no report filed as "no beep" because of an outage
the bot can ride out, and SIGTERM exiting 0 within 10 s.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from esm_bot import i18n
from esm_bot.domain.models import Beep, BeepStatus, Participant, ParticipantStatus, beep_id
from esm_bot.store.mongo import MongoStore
from esm_bot.store.sqlite import SqliteStore
from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPORT = "At the beep I was innerly saying 'where are my keys' in my own voice, a bit annoyed"
ERROR = i18n.render("error", "en")
HELD = i18n.render("held", "en", "formal")
NO_BEEP = i18n.render("no_beep_pending", "en")


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``predicate`` every 20 ms; fail with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


class Bot:
    """``python -m esm_bot run`` (long polling) in a subprocess; stderr appended to a log file."""

    def __init__(self, env: dict[str, str], log: Path, fake: FakeTelegram) -> None:
        self.log = log
        polls = sum(1 for method, _ in fake.calls if method == "getUpdates")
        with log.open("a") as err:
            err.write(f"\n===== start {time.strftime('%H:%M:%S')}\n")
            err.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "esm_bot", "run", "--log-level", "INFO"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        wait_for(
            lambda: self._alive() and sum(1 for m, _ in fake.calls if m == "getUpdates") > polls,
            60,
            "the bot to poll",
        )

    def _alive(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"the bot exited early:\n{self.log.read_text()[-3000:]}")
        return True

    def sigterm(self) -> tuple[int, float]:
        """SIGTERM; return (exit code, seconds until it exited)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=30)
        return code, time.monotonic() - started

    def kill(self) -> None:
        """SIGKILL: no shutdown, no clean-up."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def base_env(fake: FakeTelegram, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The bot's environment: default send rates, local validation, files in ``tmp_path``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ESM_", "OPENAI", "ANTHROPIC", "MONGODB", "TELEGRAM", "REDIS"))
    }
    env.update(
        PYTHONUNBUFFERED="1",
        TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
        TELEGRAM_API_URL=fake.base_url,
        ESM_DB_PATH=str(tmp_path / "bot.sqlite3"),
        ESM_JOURNAL_PATH=str(tmp_path / "journal.jsonl"),
        ESM_LONG_POLL_SECONDS="2",
        ESM_TICK_SECONDS="0.3",
        ESM_TIMEZONE="UTC",
    )
    env.update(extra)
    return env


def seed(store: Any, chats: list[int]) -> None:
    """Participants in the sampling phase, each with a beep sent half a minute ago."""
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    start = (now + dt.timedelta(hours=10)).time().replace(second=0, microsecond=0)
    end = (now + dt.timedelta(hours=12)).time().replace(second=0, microsecond=0)
    for chat in chats:
        participant = Participant(
            id=f"p{chat}",
            created_at=now - dt.timedelta(days=4),
            telegram_id=chat,
            chat_id=chat,
            lang="en",
            tz="UTC",
            window_start=start,
            window_end=end,
            beeps_per_day=1,
            status=ParticipantStatus.SAMPLING,
            consent_version="1",
            consented_at=now - dt.timedelta(days=4),
            training_start_date=today - dt.timedelta(days=3),
            current_training_day=3,
            training_completed=True,
            study_day=4,
            sampling_start_date=today,
            extra={"schedule_seed": f"{chat:016x}"},
        )
        sent = now - dt.timedelta(seconds=30)
        store.upsert_beeps(
            [
                Beep(
                    id=beep_id(participant.id, today, 0),
                    participant_id=participant.id,
                    local_date=today,
                    index=0,
                    scheduled_at=sent,
                    status=BeepStatus.SENT,
                    sent_at=sent,
                    expires_at=now + dt.timedelta(hours=2),
                    study_day=4,
                    training=False,
                    tz="UTC",
                    message_id=1,
                )
            ]
        )
        store.add_participant(participant)


def sqlite_reports(db: Path) -> list[tuple[str, str | None]]:
    """(dedup key, beep id) of every stored report."""
    with sqlite3.connect(db) as conn:
        return [(str(k), b) for k, b in conn.execute("select dedup_key, beep_id from reports")]


def replies(fake: FakeTelegram, chats: list[int]) -> dict[int, list[str]]:
    """The texts each chat received, in order."""
    return {chat: fake.texts(chat) for chat in chats}


def check_answers(got: dict[int, list[str]], ledger: Path, *, allowed_doubles: int = 0) -> int:
    """Every participant answered (something besides "no beep" and "kept"), none with an error,
    and no reply sent more often than the bot owed it.

    What a chat is owed is what the bot's outbox (the ledger file) recorded as sent to it, one
    row per reply of an update; the fake Bot API counts what actually arrived. Arrivals beyond
    the owed ones are doubled replies: at most ``allowed_doubles`` in all. Returns their number.
    """
    with sqlite3.connect(ledger) as conn:
        rows = conn.execute("select chat_id, payload from outbox where state = 'sent'").fetchall()
    owed: dict[int, Counter[str]] = {}
    for chat, payload in rows:
        owed.setdefault(int(chat), Counter())[json.loads(payload)["text"]] += 1
    doubled = 0
    for chat, texts in got.items():
        assert ERROR not in texts, (chat, texts)
        assert any(t not in (NO_BEEP, HELD) for t in texts), (chat, texts)
        doubled += sum((Counter(texts) - owed.get(chat, Counter())).values())
    assert doubled <= allowed_doubles, (doubled, got)
    return doubled


def answered(fake: FakeTelegram, chats: list[int]) -> bool:
    """Every chat got an answer other than the "no beep" and "kept" notes (its feedback)."""
    return all(any(t not in (NO_BEEP, HELD) for t in fake.texts(chat)) for chat in chats)


# ------------------------------------------------------------------ SQLite: SIGKILL and SIGTERM


def assert_each_once(stored: list[tuple[str, str | None]], expected: int) -> None:
    """``expected`` reports, none stored twice, each attached to its beep."""
    keys = Counter(key for key, _ in stored)
    assert len(keys) == expected, "a report was lost"
    assert max(keys.values()) == 1, "a report was stored twice"
    assert all(beep is not None for _, beep in stored), "a report was filed as 'no beep'"


def push_reports(fake: FakeTelegram, chats: list[int], per_chat: int) -> None:
    """``per_chat`` reports from every chat, round after round."""
    for i in range(per_chat):
        for chat in chats:
            fake.push_message(chat, f"{REPORT} ({i})")


def finish_and_check(
    bot: Bot,
    fake: FakeTelegram,
    db: Path,
    chats: list[int],
    per_chat: int,
    *,
    allowed_doubles: int = 0,
) -> None:
    """Wait until every report is stored and answered and every update confirmed, stop the bot,
    and check: each report stored exactly once, answers as :func:`check_answers` wants."""
    try:
        wait_for(
            lambda: len(sqlite_reports(db)) >= per_chat * len(chats) and answered(fake, chats),
            90,
            "every report stored and answered",
        )
        wait_for(lambda: fake.pending_updates() == 0, 30, "every update confirmed")
        time.sleep(1.0)  # anything sent twice would arrive by now
        code, elapsed = bot.sigterm()
    finally:
        bot.kill()
    keys = Counter(key for key, _ in sqlite_reports(db))
    assert len(keys) == per_chat * len(chats), "a report was lost"
    assert max(keys.values()) == 1, "a report was stored twice"
    assert code == 0
    assert elapsed < 10.0
    check_answers(
        replies(fake, chats), db.parent / "journal.ledger.sqlite3", allowed_doubles=allowed_doubles
    )


@pytest.mark.parametrize("rng_seed", [1, 2, 3])
def test_sigkill_at_random_instants_loses_no_report(tmp_path: Path, rng_seed: int) -> None:
    """12 participants send 4 reports each; the bot is SIGKILLed twice at random instants and
    started again: every report is stored once and every participant answered (a reply goes
    out twice only if a kill falls between Telegram accepting it and the outbox noting it)."""
    rng = random.Random(rng_seed)
    chats = list(range(7000, 7012))
    db = tmp_path / "bot.sqlite3"
    seed(SqliteStore(db), chats)
    with FakeTelegram(poll_cap=30.0) as fake:
        env = base_env(fake, tmp_path)
        bot = Bot(env, tmp_path / "bot.log", fake)
        push_reports(fake, chats, 4)
        kills = 2
        for _ in range(kills):
            time.sleep(rng.uniform(0.2, 4.0))
            bot.kill()
            bot = Bot(env, tmp_path / "bot.log", fake)
        finish_and_check(bot, fake, db, chats, 4, allowed_doubles=kills)


@pytest.mark.parametrize(
    ("extra", "flood"),
    [({"ESM_LONG_POLL_SECONDS": "25"}, False), ({}, True)],
    ids=["36-in-flight", "reply-waiting-out-429"],
)
def test_sigterm_in_flight_loses_nothing(
    tmp_path: Path, extra: dict[str, str], flood: bool
) -> None:
    """36 reports in flight at SIGTERM (or 24, while a reply waits out a 429 with retry_after
    5): exit 0 within 10 s; the next start stores the rest and sends every owed reply, each
    once. No update is counted safe while it only waits at the Bot API."""
    chats = list(range(7100, 7108 if flood else 7112))
    db = tmp_path / "bot.sqlite3"
    seed(SqliteStore(db), chats)
    with FakeTelegram(poll_cap=30.0) as fake:
        env = base_env(fake, tmp_path, **extra)
        log = tmp_path / "bot.log"
        bot = Bot(env, log, fake)
        if flood:
            fake.fail_next("sendMessage", 429, retry_after=5)
        push_reports(fake, chats, 3)
        if flood:
            wait_for(lambda: ("sendMessage", 429) in fake.failed, 30, "the 429")
        else:
            wait_for(lambda: len(fake.sent_calls("sendMessage")) >= 3, 30, "the first replies")
        code, elapsed = bot.sigterm()
        assert code == 0, log.read_text()[-3000:]
        assert elapsed < 10.0
        finish_and_check(Bot(env, log, fake), fake, db, chats, 3)


# ------------------------------------------------------------------ MongoDB behind a proxy


@pytest.fixture
def mongo_proxy(mongo_uri: str) -> Iterator[TcpProxy]:
    """A TCP proxy in front of the tests' MongoDB-wire server."""
    target = urlsplit(mongo_uri)
    with TcpProxy(target.hostname or "127.0.0.1", target.port or 27017) as proxy:
        yield proxy


@pytest.fixture
def mongo_store(mongo_uri: str, mongo_db_name: str) -> Iterator[MongoStore]:
    """The test's own connection to the database (not through the proxy)."""
    store = MongoStore(mongo_uri, mongo_db_name)
    try:
        yield store
    finally:
        store.close()


def _mongo_env(fake: FakeTelegram, tmp_path: Path, proxy: TcpProxy, db: str) -> dict[str, str]:
    uri = f"mongodb://127.0.0.1:{proxy.port}/?directConnection=true"
    # The default tick (5 s): a scheduler that happens to read every sent beep just before the
    # cut must not be what makes the bot know them.
    return base_env(fake, tmp_path, MONGODB_URI=uri, ESM_MONGODB_DB=db, ESM_TICK_SECONDS="5")


def _mongo_reports(store: MongoStore) -> list[tuple[str, str | None]]:
    return [(r.dedup_key, r.beep_id) for r in store.iter_reports()]


def test_mongodb_line_cut_mid_stream(
    tmp_path: Path, mongo_store: MongoStore, mongo_db_name: str, mongo_proxy: TcpProxy
) -> None:
    """5 participants alternate /practice and a report; the line to MongoDB is cut for 8 s in
    the middle. No error message, no report filed as "no beep", each stored once."""
    chats = list(range(7300, 7305))
    store = mongo_store
    rounds = 4
    seed(store, chats)
    with FakeTelegram(poll_cap=30.0) as fake:
        env = _mongo_env(fake, tmp_path, mongo_proxy, mongo_db_name)
        log = tmp_path / "bot.log"
        bot = Bot(env, log, fake)
        practice = i18n.render("beep_practice", "en")
        try:
            for i in range(rounds):
                gate = None
                if i == 2:  # cut while a practice beep is stored but not yet sent (A)
                    gate = fake.hold_next(
                        "sendMessage",
                        lambda p: (
                            p.get("text") == practice and str(p.get("chat_id")) == str(chats[0])
                        ),
                    )
                for chat in chats:
                    fake.push_message(chat, "/practice")
                if gate is not None:
                    assert gate.reached.wait(30)
                    mongo_proxy.cut()
                    cut_at = time.monotonic()
                    gate.release()
                for chat in chats:
                    wait_for(
                        lambda c=chat, n=i: fake.texts(c).count(practice) > n,  # type: ignore[misc]
                        30,
                        f"practice beep {i} to {chat}",
                    )
                    fake.push_message(chat, f"{REPORT} ({i})")
                for chat in chats:
                    wait_for(
                        lambda c=chat, n=i: len(fake.texts(c)) >= 2 * (n + 1),  # type: ignore[misc]
                        30,
                        f"feedback {i} to {chat}",
                    )
                if i == 2:
                    time.sleep(max(0.0, 8.0 - (time.monotonic() - cut_at)))
                    mongo_proxy.restore()
            wait_for(
                lambda: len(_mongo_reports(store)) >= rounds * len(chats),
                60,
                "the journal replayed",
            )
            code, elapsed = bot.sigterm()
        finally:
            bot.kill()
        got = replies(fake, chats)
    stored = _mongo_reports(store)

    assert_each_once(stored, rounds * len(chats))
    for chat, texts in got.items():
        assert ERROR not in texts, (chat, texts)
        assert NO_BEEP not in texts, (chat, texts)
        assert HELD not in texts, (chat, texts)
        assert len(texts) == 2 * rounds, (chat, texts)
    assert code == 0
    assert elapsed < 10.0


def test_bot_started_while_mongodb_is_unreachable(
    tmp_path: Path, mongo_store: MongoStore, mongo_db_name: str, mongo_proxy: TcpProxy
) -> None:
    """The bot starts with MongoDB unreachable; 5 participants send a report. Each is told at
    once that the message is kept; when the database returns, each report is stored once and
    answered with its feedback."""
    chats = list(range(7400, 7405))
    store = mongo_store
    seed(store, chats)
    mongo_proxy.cut()
    with FakeTelegram(poll_cap=30.0) as fake:
        env = _mongo_env(fake, tmp_path, mongo_proxy, mongo_db_name)
        log = tmp_path / "bot.log"
        bot = Bot(env, log, fake)
        try:
            for chat in chats:
                fake.push_message(chat, REPORT)
            for chat in chats:
                wait_for(lambda c=chat: HELD in fake.texts(c), 30, f"the notice to {chat}")  # type: ignore[misc]
            wait_for(lambda: fake.pending_updates() == 0, 30, "the updates confirmed")
            assert _mongo_reports(store) == []
            mongo_proxy.restore()
            wait_for(
                lambda: (
                    len(_mongo_reports(store)) >= len(chats)
                    and all(len(t) >= 2 for t in replies(fake, chats).values())
                ),
                60,
                "every report stored and answered",
            )
            time.sleep(1.0)  # anything sent twice would arrive by now
            code, elapsed = bot.sigterm()
        finally:
            bot.kill()
        got = replies(fake, chats)
    stored = _mongo_reports(store)

    assert_each_once(stored, len(chats))
    for chat, texts in got.items():
        assert texts[0] == HELD, (chat, texts)
        assert ERROR not in texts, (chat, texts)
        assert NO_BEEP not in texts, (chat, texts)
        assert texts.count(HELD) == 1, (chat, texts)
    assert len({len(t) for t in got.values()}) == 1, got  # the same feedback, once each
    assert code == 0
    assert elapsed < 10.0
