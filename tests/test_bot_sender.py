"""The outgoing sender: Telegram limits, 429/5xx/403 handling, never raising (real TeleBot)."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from typing import Any

import pytest

from esm_bot.telegram.ledger import Ledger, Owed
from esm_bot.telegram.sender import MAX_MESSAGE_CHARS, STOPPING, Sender, SendLimiter
from tests.bot_support import FastClock, _fake_tg, make_telebot  # noqa: F401 (fixture)
from tests.conftest import FakeClock
from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram


def _sender(fake_clock: FakeClock, **kwargs: Any) -> Sender:
    limiter = SendLimiter(clock=fake_clock, sleep=fake_clock.sleep)
    return Sender(make_telebot(), limiter, sleep=fake_clock.sleep, **kwargs)


class TestRetries:
    def test_429_waits_retry_after_and_retries(
        self, fake_tg: FakeTelegram, fake_clock: FakeClock
    ) -> None:
        """A 429 with retry_after only in the JSON body is waited out and the message arrives."""
        fake_tg.fail_next("sendMessage", 429, retry_after=3, header=False)
        sender = _sender(fake_clock)

        delivery = sender.send_message(42, "hello")

        assert delivery.ok
        assert delivery.attempts == 2
        assert 3.0 in fake_clock.sleeps
        assert fake_tg.failed == [("sendMessage", 429)]
        assert fake_tg.texts(42) == ["hello"]
        assert sender.stats()["flood_waits"] == 1

    def test_429_wait_is_capped(self, fake_tg: FakeTelegram, fake_clock: FakeClock) -> None:
        """An absurd retry_after is capped at max_retry_after."""
        fake_tg.fail_next("sendMessage", 429, retry_after=100_000)
        sender = _sender(fake_clock, max_retry_after=30.0)

        assert sender.send_message(42, "x").ok
        assert max(fake_clock.sleeps) == 30.0

    def test_5xx_is_retried_with_backoff(
        self, fake_tg: FakeTelegram, fake_clock: FakeClock
    ) -> None:
        """502 then 500: retried after 0.5 s and 1 s, then delivered."""
        fake_tg.fail_next("sendMessage", 502)
        fake_tg.fail_next("sendMessage", 500)
        sender = _sender(fake_clock)

        delivery = sender.send_message(7, "after errors")

        assert delivery.ok
        assert delivery.attempts == 3
        assert fake_clock.sleeps[0] == 0.5
        assert 1.0 in fake_clock.sleeps[1:]
        assert fake_tg.texts(7) == ["after errors"]

    def test_gives_up_after_max_attempts_without_raising(
        self, fake_tg: FakeTelegram, fake_clock: FakeClock
    ) -> None:
        """A server that keeps failing ends in a failed Delivery, counted as failed."""
        fake_tg.fail_next("sendMessage", 503, times=10)
        sender = _sender(fake_clock)

        delivery = sender.send_message(5, "never")

        assert not delivery.ok
        assert delivery.status == 503
        assert delivery.attempts == 4
        assert str(delivery.error).startswith("503")
        assert sender.stats()["failed"] == 1

    def test_403_marks_blocked_and_does_not_retry(
        self, fake_tg: FakeTelegram, fake_clock: FakeClock
    ) -> None:
        """A participant who blocked the bot is reported once through on_blocked; no retry."""
        fake_tg.block(99)
        blocked: list[int] = []
        sender = _sender(fake_clock, on_blocked=blocked.append)

        delivery = sender.send_message(99, "beep")

        assert delivery.blocked
        assert not delivery.ok
        assert delivery.status == 403
        assert blocked == [99]
        assert len([c for c in fake_tg.calls if c[0] == "sendMessage"]) == 1

    def test_400_is_not_retried(self, fake_tg: FakeTelegram, fake_clock: FakeClock) -> None:
        """A bad request is permanent."""
        fake_tg.fail_next("editMessageText", 400, "Bad Request: message is not modified")
        sender = _sender(fake_clock)

        delivery = sender.edit_message_text(1, 10, "same")

        assert not delivery.ok
        assert delivery.attempts == 1
        assert "message is not modified" in (delivery.error or "")

    def test_network_error_is_retried_and_token_is_not_in_the_reason(
        self, fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Connection refused: retried, then a failed Delivery whose reason has no URL or token."""
        from telebot import apihelper

        fake = FakeTelegram().start()
        url = fake.api_url
        fake.stop()
        monkeypatch.setattr(apihelper, "API_URL", url)
        sender = _sender(fake_clock)

        delivery = sender.send_message(1, "x")

        assert not delivery.ok
        assert delivery.attempts == 4
        assert DEFAULT_TOKEN not in (delivery.error or "")
        assert DEFAULT_TOKEN.split(":")[1] not in repr(delivery)

    @pytest.mark.parametrize(
        ("statuses", "ok", "attempts", "waits"),
        [
            ((429, 429), True, 3, [2.0, 2.0]),
            ((500, 500), True, 3, [0.5, 1.0]),
            ((429, 500, 429), True, 4, [2.0, 0.5, 2.0]),
            ((500, 500, 500, 500), False, 4, [0.5, 1.0, 2.0]),
        ],
        ids=["429,429", "500,500", "429,500,429", "500x4"],
    )
    def test_the_retry_table(
        self,
        fake_tg: FakeTelegram,
        fake_clock: FakeClock,
        statuses: tuple[int, ...],
        ok: bool,
        attempts: int,
        waits: list[float],
    ) -> None:
        """Issue 15's table: delivered on attempt 3 / 3 / 4, or given up after 4 calls; a 429
        waits its Retry-After (through the injected sleep), a 5xx the doubling backoff."""
        for status in statuses:
            fake_tg.fail_next("sendMessage", status, retry_after=2 if status == 429 else None)
        slept: list[float] = []

        def sleep(seconds: float) -> None:
            slept.append(seconds)
            fake_clock.sleep(seconds)

        limiter = SendLimiter(clock=fake_clock, sleep=fake_clock.sleep)
        sender = Sender(make_telebot(), limiter, sleep=sleep)

        delivery = sender.send_message(11, "table")

        assert delivery.ok is ok
        assert delivery.attempts == attempts
        assert slept == waits
        assert len([c for c in fake_tg.calls if c[0] == "sendMessage"]) == attempts
        assert fake_tg.texts(11) == (["table"] if ok else [])

    def test_a_429_holds_back_sends_to_every_chat(
        self, fake_tg: FakeTelegram, fake_clock: FakeClock
    ) -> None:
        """Telegram's flood limit is global: while one chat waits out a 429, a send to another
        chat made during that wait is held back until the wait is over."""
        fake_tg.fail_next("sendMessage", 429, retry_after=5)
        limiter = SendLimiter(clock=fake_clock, sleep=fake_clock.sleep)
        during_the_wait: list[Any] = []

        def sleep(seconds: float) -> None:
            if not during_the_wait:  # the 429 wait: another chat's send comes in now
                during_the_wait.append(limiter.wait(43))
            fake_clock.sleep(seconds)

        sender = Sender(make_telebot(), limiter, sleep=sleep)

        assert sender.send_message(42, "after the flood").ok
        assert during_the_wait[0].waited == pytest.approx(5.0)

    def test_stopping_ends_a_429_wait_without_another_attempt(
        self, fake_tg: FakeTelegram, fake_clock: FakeClock
    ) -> None:
        """SIGTERM while waiting out a 429: no further call, the Delivery says STOPPING."""
        fake_tg.fail_next("sendMessage", 429, retry_after=5)
        stop = threading.Event()

        def sleep(seconds: float) -> None:
            fake_clock.sleep(seconds)
            stop.set()  # the signal arrives during the wait

        limiter = SendLimiter(clock=fake_clock, sleep=fake_clock.sleep)
        sender = Sender(make_telebot(), limiter, sleep=sleep, stopping=stop.is_set)

        delivery = sender.send_message(12, "owed")

        assert not delivery.ok
        assert delivery.error == STOPPING
        assert len([c for c in fake_tg.calls if c[0] == "sendMessage"]) == 1
        assert fake_tg.texts(12) == []

    def test_owed_replies_stay_owed_when_stopping_during_a_flush(
        self, fake_tg: FakeTelegram, fake_clock: FakeClock
    ) -> None:
        """A reply an earlier process left owed is not sent once stopping; it stays owed."""
        ledger = Ledger()
        owed = Owed("7:0", 12, "kept for the next process")
        assert ledger.owe(owed) is None
        ledger.settle(owed, "owed")
        answers = iter([False])  # stopping comes right after the owed reply is taken
        sender = _sender(fake_clock, ledger=ledger, stopping=lambda: next(answers, True))

        assert sender.flush_owed() == 0

        assert fake_tg.texts(12) == []
        assert [o.key for o in ledger.take_owed()] == ["7:0"]

    def test_callback_errors_are_contained(
        self, fake_tg: FakeTelegram, fake_clock: FakeClock
    ) -> None:
        """An exception inside on_blocked does not escape the sender."""
        fake_tg.block(3)

        def boom(_chat: int) -> None:
            raise RuntimeError("store down")

        assert not _sender(fake_clock, on_blocked=boom).send_message(3, "x").ok

    def test_a_chats_messages_keep_their_order_across_a_retry(
        self, fake_tg: FakeTelegram, fake_clock: FakeClock
    ) -> None:
        """A second message to a chat waits while the first is retried: the chat reads them in
        order (the per-chat lock of ``SendLimiter.chat``)."""
        fake_tg.fail_next("sendMessage", 502)
        first_waiting = threading.Event()
        release = threading.Event()

        def sleep(seconds: float) -> None:  # the first send's retry wait holds until released
            if not first_waiting.is_set():
                first_waiting.set()
                release.wait(10)
            fake_clock.sleep(seconds)

        limiter = SendLimiter(clock=fake_clock, sleep=fake_clock.sleep)
        sender = Sender(make_telebot(), limiter, sleep=sleep)
        first = threading.Thread(target=sender.send_message, args=(7, "first"))
        first.start()
        assert first_waiting.wait(10)
        second = threading.Thread(target=sender.send_message, args=(7, "second"))
        second.start()
        # Without the lock "second" goes out now, inside the first one's wait: give it the time
        # (with the lock this join times out; correct code never depends on the timing).
        second.join(timeout=1.0)
        release.set()
        first.join(10)
        second.join(10)

        assert fake_tg.texts(7) == ["first", "second"]


class TestPayloads:
    def test_long_text_is_cut_to_telegram_limit(
        self, fake_tg: FakeTelegram, fake_clock: FakeClock
    ) -> None:
        """Telegram refuses texts over 4096 characters; the sender cuts them."""
        _sender(fake_clock).send_message(1, "я" * 10_000)

        (text,) = fake_tg.texts(1)
        assert len(text) == MAX_MESSAGE_CHARS

    def test_document_is_uploaded(self, fake_tg: FakeTelegram, fake_clock: FakeClock) -> None:
        """sendDocument goes out as multipart with the file's bytes and name."""
        delivery = _sender(fake_clock).send_document(8, b"a,b\n1,2\n", "export.csv", caption="c")

        assert delivery.ok
        (upload,) = fake_tg.documents
        assert upload["document"] == {"filename": "export.csv", "content": b"a,b\n1,2\n"}


class TestLimiter:
    def test_spacing_single_thread(self, fake_clock: FakeClock) -> None:
        """120 sends over 4 chats: per chat >= 1 s apart, at most 30 (+burst) in any second."""
        limiter = SendLimiter(clock=fake_clock, sleep=fake_clock.sleep)
        for i in range(120):
            with limiter.chat(i % 4):
                limiter.wait(i % 4)

        _assert_within_limits(list(limiter.slots), 30, 1.0, 1)

    def test_spacing_under_threads(self) -> None:
        """40 threads x 5 sends on a sped-up real clock respect both limits."""
        clock = FastClock(factor=50)
        limiter = SendLimiter(clock=clock, sleep=clock.sleep)

        def run(chat: int) -> None:
            for _ in range(5):
                with limiter.chat(chat):
                    limiter.wait(chat)

        threads = [threading.Thread(target=run, args=(c,)) for c in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert len(limiter.slots) == 200
        _assert_within_limits(list(limiter.slots), 30, 1.0, 1)

    def test_penalty_holds_back_everyone(self, fake_clock: FakeClock) -> None:
        """After a 429 penalty of 5 s, the next send waits about 5 s."""
        limiter = SendLimiter(clock=fake_clock, sleep=fake_clock.sleep)
        limiter.penalise(5.0)

        slot = limiter.wait(1)

        assert slot.waited == pytest.approx(5.0)

    def test_rejects_nonsense_rates(self, fake_clock: FakeClock) -> None:
        """Zero rates are refused at construction."""
        with pytest.raises(ValueError):
            SendLimiter(clock=fake_clock, sleep=fake_clock.sleep, global_rate=0)


def _assert_within_limits(slots: list[Any], rate: int, per_chat: float, burst: int) -> None:
    times = sorted(s.at for s in slots)
    for i, start in enumerate(times):
        in_window = sum(1 for t in times[i:] if t < start + 1.0 - 1e-9)
        assert in_window <= rate + burst - 1, (start, in_window)
    by_chat: dict[int | None, list[float]] = {}
    for s in slots:
        by_chat.setdefault(s.chat_id, []).append(s.at)
    for chat, stamps in by_chat.items():
        stamps.sort()
        gaps = [b - a for a, b in itertools.pairwise(stamps)]
        assert all(g >= 1.0 / per_chat - 1e-9 for g in gaps), (chat, gaps)
    assert Counter(s.chat_id for s in slots)
