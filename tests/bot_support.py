"""Helpers shared by the bot's tests: a started fake Bot API server and a TeleBot pointed at it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram


@pytest.fixture(name="fake_tg")
def _fake_tg(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTelegram]:
    """A running fake Bot API server; ``telebot.apihelper.API_URL`` points at it for the test."""
    from telebot import apihelper

    with FakeTelegram() as fake:
        monkeypatch.setattr(apihelper, "API_URL", fake.api_url)
        monkeypatch.setattr(apihelper, "FILE_URL", fake.file_url)
        yield fake


def make_telebot(token: str = DEFAULT_TOKEN) -> Any:
    """A real TeleBot (threaded, no exception handler) for the fake server."""
    import telebot

    return telebot.TeleBot(token, threaded=False)


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll ``predicate`` every 10 ms until it is true; fail the test after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


class FastClock:
    """Real time sped up ``factor`` times: for rate-limit tests that must not take long."""

    def __init__(self, factor: float = 20.0) -> None:
        self.factor = factor
        self._origin = time.monotonic()
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return (time.monotonic() - self._origin) * self.factor

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds) / self.factor)


def stop_in_background(bot: Any) -> None:
    """Close a TeleBot's worker pool without waiting (its workers wake every 0.5 s to notice)."""
    threading.Thread(target=bot.stop_bot, name="stop-bot", daemon=True).start()
