"""Several ``esm-bot run --webhook`` OS processes sharing MongoDB and Redis (issue 9).

Each test starts real ``python -m esm_bot run --webhook`` processes on their own ports, all pointed
at one MongoDB-wire database (a fresh name per test), one Redis (a fresh key prefix per test), the
fake Bot API server and a local OpenAI-wire server. Participants and their due beeps are written
straight into the shared database, then the processes' schedulers (ticking every 0.1 s) deliver
them. What is proved:

* every beep is sent exactly once (one ``sendMessage`` per beep at the Bot API), the work is
  shared by both processes, and nothing more is sent afterwards;
* the validation cache and the per-user AI rate limit live in Redis: a report answered by one
  process is a cache hit in the other, and a user who spent the limit in one process is refused
  in the other;
* a process killed with SIGKILL while it holds claimed beeps (its first send hangs at the Bot API)
  leaves them to the other process, which sends each once, and not before the claim lease ran out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from esm_bot.domain.models import (
    Beep,
    BeepStatus,
    Participant,
    ParticipantStatus,
    beep_id,
    utc_ms,
)
from esm_bot.settings import SettingsError, StudyConfig
from esm_bot.store.mongo import MongoStore
from tests.fake_telegram import DEFAULT_TOKEN, Failure, FakeTelegram
from tests.llm_servers import LLMServer, good_answer

SECRET = "scaling-test-secret_42"
#: Seconds a process holds a claimed beep (ESM_CLAIM_LEASE_SECONDS). The lease test starts a
#: second process while the first holds its claims: on a loaded 2-core machine a start-up alone
#: can take 10-20 s, so the lease is long enough for that (8 s was not always).
LEASE = 30.0
REPORT = "At the beep I was innerly saying 'where are my keys' in my own voice, a bit annoyed."


class HoldingTelegram(FakeTelegram):
    """The fake Bot API, able to hold the first ``sendMessage`` open without answering it.

    The held call is never recorded as sent (the bot never learned that it went out), like a
    request in flight when its process died; :meth:`release_held` ends it with a 500.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._hold_armed = False
        self.held: list[dict[str, Any]] = []
        self._release = threading.Event()

    def hold_next_send(self) -> None:
        """Hold the next ``sendMessage`` until :meth:`release_held`."""
        self._hold_armed = True

    def release_held(self) -> None:
        """Answer the held call (500) so its server thread ends."""
        self._release.set()

    def _dispatch(
        self, method: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any], Failure | None]:
        with self._cond:
            hold = method == "sendMessage" and self._hold_armed
            if hold:
                self._hold_armed = False
                self.held.append(params)
                self._cond.notify_all()
        if not hold:
            return super()._dispatch(method, params)
        self._release.wait(60)
        return 500, {"ok": False, "error_code": 500, "description": "held"}, None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


class BotProcess:
    """One ``python -m esm_bot run --webhook`` subprocess; stderr goes to a file."""

    def __init__(self, name: str, env: dict[str, str], tmp_path: Path) -> None:
        self.name = name
        self.port = free_port()
        self.log = tmp_path / f"{name}.log"
        env = {
            **env,
            "ESM_WEBHOOK_PORT": str(self.port),
            "ESM_JOURNAL_PATH": str(tmp_path / f"{name}.journal.jsonl"),
        }
        with self.log.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "esm_bot", "run", "--webhook", "--log-level", "INFO"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 30) -> None:
        def listening() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited early:\n{self.text()}")
            return "webhook server listening" in self.text()

        wait_for(listening, timeout, f"{self.name} to listen")

    def post(self, update: dict[str, Any], secret: str = SECRET) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/",
            data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    def terminate(self) -> dict[str, Any]:
        """SIGTERM, wait, and return the final metrics snapshot the process logged."""
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=10)
        assert code == 0, self.text()
        lines = [line for line in self.text().splitlines() if " metrics {" in line]
        assert lines, self.text()
        snapshot: dict[str, Any] = json.loads(lines[-1].split(" metrics ", 1)[1])
        return snapshot

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def telegram() -> Iterator[HoldingTelegram]:
    fake = HoldingTelegram(clock=time.time)
    fake.start()
    try:
        yield fake
    finally:
        fake.release_held()
        fake.stop()


@pytest.fixture
def llm() -> Iterator[LLMServer]:
    with LLMServer("openai") as server:
        yield server


@pytest.fixture
def bot_env(
    mongo_uri: str,
    mongo_db_name: str,
    redis_url: str,
    telegram: HoldingTelegram,
    llm: LLMServer,
    tmp_path: Path,
) -> Iterator[dict[str, str]]:
    """The environment every process of one test shares (its Redis keys are removed after)."""
    prefix = f"esm-scaling-{uuid.uuid4().hex[:10]}:"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ESM_", "OPENAI", "ANTHROPIC", "MONGODB", "TELEGRAM", "REDIS"))
    }
    env.update(
        PYTHONUNBUFFERED="1",
        TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
        TELEGRAM_API_URL=telegram.base_url,
        MONGODB_URI=mongo_uri,
        ESM_MONGODB_DB=mongo_db_name,
        REDIS_URL=redis_url,
        ESM_REDIS_PREFIX=prefix,
        OPENAI_API_KEY="sk-scaling-test",
        OPENAI_BASE_URL=llm.base_url,
        ESM_RATE_LIMIT="1",
        ESM_WEBHOOK_SECRET=SECRET,
        ESM_WEBHOOK_HOST="127.0.0.1",
        ESM_TICK_SECONDS="0.1",
        ESM_CLAIM_LEASE_SECONDS=str(LEASE),
        ESM_SEND_RATE="1000",
        ESM_SEND_RATE_PER_CHAT="100",
        ESM_TIMEZONE="UTC",
        ESM_DB_PATH=str(tmp_path / "unused.sqlite3"),
    )
    yield env
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def processes(bot_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[[str], BotProcess]]:
    """Start bot processes on demand; kill whatever is still running at the end."""
    started: list[BotProcess] = []

    def start(name: str) -> BotProcess:
        process = BotProcess(name, bot_env, tmp_path)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


@pytest.fixture
def store(mongo_uri: str, mongo_db_name: str) -> Iterator[MongoStore]:
    """The test's own connection to the shared database."""
    mongo = MongoStore(mongo_uri, mongo_db_name)
    try:
        yield mongo
    finally:
        mongo.close()


def seed(
    store: MongoStore,
    chat_ids: list[int],
    due_at: Callable[[int], dt.datetime],
    *,
    training: bool = False,
) -> dict[int, str]:
    """Participants already sampling (or on training day 1), one beep each due at ``due_at(chat)``.

    Their waking window is far from now, so the planner adds nothing that falls due in the test.
    Running processes must never see half of this, so it is written in three steps: the beeps,
    due an hour from now; then the participants; then each beep's real due time. A participant
    seen before its beep would get today planned by the process (rightly), and that beep, same
    id, later in the window, would win over the seeded one (at some hours of the day the window
    still lies ahead today); a beep due before its participant exists would be cancelled (also
    rightly). Returns chat id -> beep id.
    """
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    start = (now + dt.timedelta(hours=10)).time().replace(second=0, microsecond=0)
    end = (now + dt.timedelta(hours=12)).time().replace(second=0, microsecond=0)
    beeps: dict[int, str] = {}
    planned = []
    participants = []
    for chat in chat_ids:
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
            status=ParticipantStatus.TRAINING if training else ParticipantStatus.SAMPLING,
            consent_version="1",
            consented_at=now - dt.timedelta(days=4),
            training_start_date=today - dt.timedelta(days=0 if training else 3),
            current_training_day=1 if training else 3,
            training_completed=not training,
            study_day=1 if training else 4,
            sampling_start_date=None if training else today,
            extra={"schedule_seed": f"{chat:016x}"},
        )
        participants.append(participant)
        beep = Beep(
            id=beep_id(participant.id, today, 0),
            participant_id=participant.id,
            local_date=today,
            index=0,
            scheduled_at=now + dt.timedelta(hours=1),  # not due until the participant exists
            study_day=participant.study_day,
            training=training,
            tz="UTC",
        )
        planned.append(beep)
        beeps[chat] = beep.id
    store.upsert_beeps(planned)
    for participant in participants:
        store.add_participant(participant)
    # Each group of beeps due at one time falls due in one write: a process ticking between
    # per-beep writes would claim some of them in one tick and the rest in another.
    due: dict[dt.datetime, list[str]] = {}
    for chat in chat_ids:
        due.setdefault(utc_ms(due_at(chat)), []).append(beeps[chat])
    for when, ids in due.items():
        store._db["beeps"].update_many({"_id": {"$in": ids}}, {"$set": {"scheduled_at": when}})
    return beeps


def beep_sends(telegram: FakeTelegram, chats: list[int]) -> Counter[int]:
    """sendMessage calls per chat (before any reply, a seeded chat gets only its beep)."""
    wanted = set(chats)
    return Counter(c.chat_id for c in telegram.sent_calls("sendMessage") if c.chat_id in wanted)


@pytest.mark.process
@pytest.mark.slow  # several bot processes and a lease run out
def test_two_processes_send_each_beep_once_and_share_cache_and_rate_limit(
    processes: Callable[[str], BotProcess],
    telegram: HoldingTelegram,
    llm: LLMServer,
    store: MongoStore,
) -> None:
    a, b = processes("a"), processes("b")
    a.wait_ready()
    b.wait_ready()

    # 60 beeps falling due at random moments over 3 s, while both schedulers tick.
    rng = random.Random(9)
    chats = list(range(5001, 5061))
    trainee = 5099
    now = dt.datetime.now(dt.UTC)
    offsets = {chat: rng.uniform(0.0, 3.0) for chat in chats}
    beeps = seed(store, chats, lambda chat: now + dt.timedelta(seconds=offsets[chat]))
    beeps |= seed(store, [trainee], lambda _chat: now, training=True)
    everyone = [*chats, trainee]
    wait_for(
        lambda: len(beep_sends(telegram, everyone)) == len(everyone), 20, "every beep to go out"
    )
    time.sleep(1.0)  # ten more ticks of each scheduler: nothing is sent again
    sends = beep_sends(telegram, everyone)
    assert sends == Counter(dict.fromkeys(everyone, 1))
    for chat, bid in beeps.items():
        stored = store.get_beep(bid)
        assert stored is not None
        assert stored.status is BeepStatus.SENT, (chat, stored)
        assert stored.sent_at is not None
        assert stored.message_id is not None

    # The cache is shared: the same report is an AI call in a, a cache hit in b.
    a.post({"update_id": 1, "message": telegram.make_message(5001, REPORT)})
    telegram.wait_sent("sendMessage", 2, timeout=15, chat_id=5001)
    assert llm.request_count() == 1
    b.post({"update_id": 2, "message": telegram.make_message(5002, REPORT)})
    telegram.wait_sent("sendMessage", 2, timeout=15, chat_id=5002)
    assert llm.request_count() == 1, "b asked the AI again: the cache is not shared"
    [first] = store.reports_for("p5001")
    [second] = store.reports_for("p5002")
    assert first.source == "ai"
    assert first.assessment["cached"] is False
    assert second.source == "ai"
    assert second.assessment["cached"] is True

    # The limit (ESM_RATE_LIMIT=1 per user per minute) is shared: a trainee's low-scoring first
    # report spends it in a; the offered retry, sent to b, is refused and answered locally.
    llm.script(llm.success(good_answer(score=20, quality="garbage", issues=[])))
    a.post({"update_id": 3, "message": telegram.make_message(trainee, "I felt something.")})
    wait_for(lambda: len(store.reports_for(f"p{trainee}")) == 1, 15, "the trainee's report")
    [attempt1] = store.reports_for(f"p{trainee}")
    assert attempt1.source == "ai"
    assert attempt1.score == 20
    assert attempt1.assessment["_study"]["retry_offered"] is True
    assert llm.request_count() == 2
    b.post({"update_id": 4, "message": telegram.make_message(trainee, REPORT + " (retry)")})
    wait_for(lambda: len(store.reports_for(f"p{trainee}")) == 2, 15, "the retry")
    attempt2 = max(store.reports_for(f"p{trainee}"), key=lambda r: r.attempt)
    assert attempt2.attempt == 2
    assert attempt2.fallback_reason == "rate_limited"
    assert attempt2.source == "local"
    assert llm.request_count() == 2, "b asked the AI although the user's limit was spent in a"

    # Both processes did part of the sending, and together exactly one send per beep.
    sent_by = {p.name: p.terminate()["scheduler"].get("beep_sent", 0) for p in (a, b)}
    assert sum(sent_by.values()) == len(everyone), sent_by
    assert all(count > 0 for count in sent_by.values()), sent_by


@pytest.mark.process
@pytest.mark.slow  # several bot processes and a lease run out
def test_a_killed_process_leaves_its_claimed_beeps_to_the_other_after_the_lease(
    processes: Callable[[str], BotProcess],
    telegram: HoldingTelegram,
    store: MongoStore,
) -> None:
    a = processes("a")
    a.wait_ready()
    telegram.hold_next_send()  # a's first beep hangs at the Bot API: a holds its claims
    chats = list(range(7001, 7011))
    now = dt.datetime.now(dt.UTC)
    beeps = seed(store, chats, lambda _chat: now)
    wait_for(lambda: bool(telegram.held), 15, "a to start sending")

    claims = {chat: store.get_beep(bid) for chat, bid in beeps.items()}
    workers = {beep.claimed_by for beep in claims.values() if beep is not None}
    assert len(workers) == 1, claims
    assert None not in workers, claims
    assert all(
        beep is not None and beep.status is BeepStatus.SCHEDULED and beep.claim_until is not None
        for beep in claims.values()
    ), claims
    lease_end = min(beep.claim_until for beep in claims.values() if beep and beep.claim_until)

    b = processes("b")
    b.wait_ready()
    assert time.time() < lease_end.timestamp(), "b started after the lease: raise LEASE"
    time.sleep(0.3)  # b ticks while a holds the beeps and takes none of them
    assert not beep_sends(telegram, chats)
    a.kill()  # SIGKILL mid-beep: no shutdown, no clean-up, claims left behind

    wait_for(
        lambda: len(beep_sends(telegram, chats)) == len(chats), LEASE + 30, "b to send a's beeps"
    )
    time.sleep(1.0)
    assert beep_sends(telegram, chats) == Counter(dict.fromkeys(chats, 1))
    # Each beep goes out only once a's lease on it has run out (a renews a beep's lease right
    # before sending it, so the held beep's lease ends later than the others').
    for chat in chats:
        claim = claims[chat]
        assert claim is not None
        assert claim.claim_until is not None
        sent_at = min(c.at for c in telegram.sent_calls("sendMessage") if c.chat_id == chat)
        assert sent_at >= claim.claim_until.timestamp() - 0.05, "b sent before a's lease ran out"
    for bid in beeps.values():
        stored = store.get_beep(bid)
        assert stored is not None
        assert stored.status is BeepStatus.SENT, stored
    assert b.terminate()["scheduler"].get("beep_sent", 0) == len(chats)


def test_claim_lease_comes_from_the_environment() -> None:
    """ESM_CLAIM_LEASE_SECONDS sets the lease (fractions allowed); nonsense is a one-line error."""
    assert StudyConfig.from_env({}).claim_lease == dt.timedelta(seconds=60)
    lease = StudyConfig.from_env({"ESM_CLAIM_LEASE_SECONDS": "2.5"}).claim_lease
    assert lease == dt.timedelta(seconds=2.5)
    with pytest.raises(SettingsError, match="ESM_CLAIM_LEASE_SECONDS"):
        StudyConfig.from_env({"ESM_CLAIM_LEASE_SECONDS": "soon"})
    with pytest.raises(SettingsError, match="claim_lease must be longer than zero"):
        StudyConfig.from_env({"ESM_CLAIM_LEASE_SECONDS": "0"})
