"""The one way the bot sends anything to Telegram: rate limited, retried, never raising.

:class:`Sender` wraps a :class:`telebot.TeleBot`. Before each call it waits for a
:class:`~esm_bot.telegram.limiter.SendLimiter` slot. Then:

- 429 Too Many Requests: wait ``parameters.retry_after`` (capped at ``max_retry_after``), hold
  back every other send as long, and retry;
- 5xx, a connection error or a timeout: retry with exponential backoff;
- 403 Forbidden (the participant blocked the bot): call ``on_blocked(chat_id)`` once, so the study
  marks them inactive and stops beeping them; no retry;
- anything else (400 and unexpected exceptions): no retry.

A send that finally fails is returned as a failed :class:`Delivery`, logged, counted and passed to
``on_failed``; nothing is raised into the polling loop.
"""

from __future__ import annotations

import io
import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .limiter import SendLimiter

__all__ = ["MAX_MESSAGE_CHARS", "Delivery", "Sender", "classify"]

log = logging.getLogger(__name__)

#: Telegram's limit for one message text.
MAX_MESSAGE_CHARS = 4096


@attrs.frozen
class Delivery:
    """The outcome of one send.

    Attributes:
        ok: Telegram accepted it.
        message_id: The sent (or edited) message's id, when known.
        status: The last HTTP status / Bot API error code, when it failed with one.
        error: A short reason, when it failed.
        attempts: How many calls were made.
        blocked: The participant has blocked the bot (403).
    """

    ok: bool
    message_id: int | None = None
    status: int | None = None
    error: str | None = None
    attempts: int = 1
    blocked: bool = False


def classify(exc: BaseException) -> tuple[str, int | None, float | None]:
    """Map an exception from pyTelegramBotAPI/requests to (kind, status, retry_after).

    ``kind`` is ``"flood"`` (429), ``"blocked"`` (403), ``"transient"`` (5xx, network, timeout) or
    ``"permanent"`` (everything else).
    """
    from requests import exceptions as rex
    from telebot import apihelper

    if isinstance(exc, apihelper.ApiTelegramException):
        code = int(exc.error_code)
        params = (exc.result_json or {}).get("parameters") or {}
        retry_after = params.get("retry_after")
        if code == 429:
            return "flood", code, float(retry_after) if retry_after is not None else 1.0
        if code == 403:
            return "blocked", code, None
        return ("transient" if code >= 500 else "permanent"), code, None
    if isinstance(exc, apihelper.ApiHTTPException):
        code = int(getattr(exc.result, "status_code", 0) or 0)
        if code == 429:
            header = exc.result.headers.get("Retry-After") if exc.result is not None else None
            return "flood", code, float(header) if header else 1.0
        return ("transient" if code >= 500 else "permanent"), code, None
    if isinstance(exc, rex.ConnectionError | rex.Timeout | apihelper.ApiInvalidJSONException):
        return "transient", None, None
    return "permanent", None, None


@attrs.define
class Sender:
    """Rate-limited, retrying sends; see the module docstring.

    Args:
        bot: A :class:`telebot.TeleBot` (anything with its ``send_message``, ``edit_message_text``,
            ``answer_callback_query`` and ``send_document`` methods).
        limiter: Spacing of sends.
        sleep: Waits between retries (injected; tests pass a recording fake).
        on_blocked: Called with the chat id when Telegram says the participant blocked the bot.
        on_failed: Called with (operation, chat id, delivery) when a send finally fails.
        max_attempts: Calls per send at most (the first included).
        max_retry_after: Longest wait honoured for a 429 ``retry_after``.
        backoff: First backoff after a transient error, doubled each time up to ``max_backoff``.
    """

    bot: Any
    limiter: SendLimiter
    sleep: Callable[[float], None]
    on_blocked: Callable[[int], None] = lambda _chat_id: None
    on_failed: Callable[[str, int | None, Delivery], None] = lambda _op, _chat, _d: None
    max_attempts: int = 4
    max_retry_after: float = 60.0
    backoff: float = 0.5
    max_backoff: float = 8.0
    _counts: Counter[str] = attrs.field(init=False, factory=Counter)
    _counts_lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)

    # operations
    def send_message(self, chat_id: int, text: str, *, reply_markup: Any = None) -> Delivery:
        """Send a text message (cut to Telegram's 4096 characters)."""
        text = _fit(text)
        return self._deliver(
            "send_message",
            chat_id,
            lambda: self.bot.send_message(chat_id, text, reply_markup=reply_markup),
        )

    def edit_message_text(
        self, chat_id: int, message_id: int, text: str, *, reply_markup: Any = None
    ) -> Delivery:
        """Replace the text (and buttons) of a message the bot sent."""
        text = _fit(text)
        return self._deliver(
            "edit_message_text",
            chat_id,
            lambda: self.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=reply_markup
            ),
        )

    def answer_callback(self, callback_id: str, text: str | None = None) -> Delivery:
        """Acknowledge a pressed inline button (stops the client's spinner)."""
        return self._deliver(
            "answer_callback_query",
            None,
            lambda: self.bot.answer_callback_query(callback_id, text=text),
        )

    def send_document(
        self, chat_id: int, data: bytes, filename: str, *, caption: str | None = None
    ) -> Delivery:
        """Upload a file (multipart) to the chat."""
        from telebot.types import InputFile

        def call() -> Any:
            upload = InputFile(io.BytesIO(data), file_name=filename)
            return self.bot.send_document(chat_id, upload, caption=caption)

        return self._deliver("send_document", chat_id, call)

    def stats(self) -> Mapping[str, int]:
        """Counters: sent, failed, retried, flood_waits, blocked, by outcome."""
        with self._counts_lock:
            return dict(self._counts)

    # the loop
    def _count(self, name: str) -> None:
        with self._counts_lock:
            self._counts[name] += 1

    def _deliver(self, operation: str, chat_id: int | None, call: Callable[[], Any]) -> Delivery:
        delay = self.backoff
        last = Delivery(ok=False, error="not attempted", attempts=0)
        with self.limiter.chat(chat_id):
            for attempt in range(1, self.max_attempts + 1):
                self.limiter.wait(chat_id)
                try:
                    result = call()
                except Exception as exc:  # every failure is handled here, none escapes
                    kind, status, retry_after = classify(exc)
                    reason = _describe(exc)
                    last = Delivery(False, None, status, reason, attempt, kind == "blocked")
                    if kind == "blocked":
                        self._count("blocked")
                        if chat_id is not None:
                            self._notify_blocked(chat_id)
                        break
                    if kind == "permanent" or attempt == self.max_attempts:
                        break
                    self._count("retried")
                    if kind == "flood":
                        wait = min(retry_after or 1.0, self.max_retry_after)
                        self._count("flood_waits")
                        log.warning("Telegram 429 on %s: waiting %.1f s", operation, wait)
                        self.limiter.penalise(None, wait)
                        self.sleep(wait)
                    else:
                        log.info(
                            "Telegram %s failed (%s); retry in %.1f s", operation, reason, delay
                        )
                        self.sleep(delay)
                        delay = min(delay * 2, self.max_backoff)
                    continue
                self._count("sent")
                return Delivery(True, _message_id(result), attempts=attempt)
        self._count("failed")
        log.warning(
            "Telegram %s to chat %s failed after %d attempt(s): %s",
            operation,
            chat_id,
            last.attempts,
            last.error,
        )
        try:
            self.on_failed(operation, chat_id, last)
        except Exception:
            log.exception("on_failed callback raised")
        return last

    def _notify_blocked(self, chat_id: int) -> None:
        try:
            self.on_blocked(chat_id)
        except Exception:
            log.exception("on_blocked callback raised for chat %s", chat_id)


def _fit(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def _message_id(result: Any) -> int | None:
    value = getattr(result, "message_id", None)
    return int(value) if isinstance(value, int) else None


def _describe(exc: BaseException) -> str:
    """A short reason without URLs (a requests error message contains the token in its URL)."""
    from telebot import apihelper

    if isinstance(exc, apihelper.ApiTelegramException):
        return f"{exc.error_code}: {exc.description}"
    return type(exc).__name__
