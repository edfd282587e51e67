"""The one way the bot sends anything to Telegram: spaced by :class:`SendLimiter` (about 30
messages a second overall, 1 a second per chat), retried by tenacity (a 429 after its Retry-After,
5xx and network errors with backoff), a 403 reported once, never raising (docs/bot.md, "Telegram
limits and errors"); replies to updates go through the ledger's outbox."""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import tenacity

from esm_bot.telegram.ledger import Ledger, Owed

__all__ = ["MAX_MESSAGE_CHARS", "STOPPING", "Delivery", "SendLimiter", "Sender", "failure_of"]

log = logging.getLogger(__name__)

#: The ``error`` of a send not made because the process is stopping (it is still owed).
STOPPING = "stopping"
#: Telegram's limit for one message text.
MAX_MESSAGE_CHARS = 4096
#: How many decisions :attr:`SendLimiter.slots` keeps, and how many chats before idle ones go.
_KEEP = 10_000


@attrs.frozen
class Slot:
    """One limiter decision: when a send to ``chat_id`` may go out, and how long it waited."""

    chat_id: int | None
    at: float
    waited: float


@attrs.define
class SendLimiter:
    """Global and per-chat spacing of outgoing Bot API calls (GCRA, thread-safe): wrap the sends
    to one chat in :meth:`chat` and call :meth:`wait` before each; :attr:`slots` keeps the last."""

    clock: Callable[[], float]
    sleep: Callable[[float], None]
    global_rate: float = attrs.field(default=30.0, validator=attrs.validators.gt(0))
    per_chat_rate: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))
    slots: deque[Slot] = attrs.field(init=False, factory=lambda: deque(maxlen=_KEEP))
    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)
    _tat: float = attrs.field(init=False, default=float("-inf"))
    _chat_next: dict[int, float] = attrs.field(init=False, factory=dict)
    _chat_locks: dict[int, threading.Lock] = attrs.field(init=False, factory=dict)

    def _chat_lock(self, chat_id: int) -> threading.Lock:
        with self._lock:
            if chat_id not in self._chat_locks and len(self._chat_locks) >= _KEEP:
                stale = self.clock() - 60.0  # forget idle chats
                for chat, lock in list(self._chat_locks.items()):
                    if not lock.locked() and self._chat_next.get(chat, stale) <= stale:
                        del self._chat_locks[chat]
                        self._chat_next.pop(chat, None)
            return self._chat_locks.setdefault(chat_id, threading.Lock())

    def chat(self, chat_id: int | None) -> contextlib.AbstractContextManager[object]:
        """Serialise sends to one chat (keeps its messages in order, retries included)."""
        return contextlib.nullcontext() if chat_id is None else self._chat_lock(chat_id)

    def wait(self, chat_id: int | None) -> Slot:
        """Reserve the next allowed moment to send to ``chat_id`` and sleep until it."""
        with self._lock:
            now = self.clock()
            earliest = now if chat_id is None else max(now, self._chat_next.get(chat_id, now))
            at = max(earliest, self._tat)  # GCRA without a burst: tat is the next free moment
            self._tat = at + 1.0 / self.global_rate
            if chat_id is not None:
                self._chat_next[chat_id] = at + 1.0 / self.per_chat_rate
            slot = Slot(chat_id, at, max(0.0, at - now))
            self.slots.append(slot)
        if slot.waited > 0:
            self.sleep(slot.waited)
        return slot

    def penalise(self, seconds: float) -> None:
        """Hold back all sends for ``seconds``: Telegram said 429 (its flood limit is global)."""
        with self._lock:
            self._tat = max(self._tat, self.clock() + seconds)


@attrs.frozen
class Delivery:
    """The outcome of one send; on failure the last HTTP status or Bot API code and a reason."""

    ok: bool
    message_id: int | None = None
    status: int | None = None
    error: str | None = None
    attempts: int = 1
    blocked: bool = False


def _classify(exc: BaseException) -> tuple[str, int | None, float | None]:
    """Map an exception of pyTelegramBotAPI/requests to (kind, status, retry_after); ``kind`` is
    ``"flood"`` (429), ``"blocked"`` (403), ``"transient"`` (5xx, network) or ``"permanent"``."""
    from requests import exceptions as rex
    from telebot import apihelper

    if isinstance(exc, rex.ConnectionError | rex.Timeout | apihelper.ApiInvalidJSONException):
        return "transient", None, None
    if isinstance(exc, apihelper.ApiTelegramException):
        code = int(exc.error_code)
        after = ((exc.result_json or {}).get("parameters") or {}).get("retry_after")
    elif isinstance(exc, apihelper.ApiHTTPException) and exc.result is not None:
        code = int(exc.result.status_code or 0)
        after = exc.result.headers.get("Retry-After") or None
    else:
        return "permanent", None, None
    if code == 429:
        return "flood", code, float(after) if after is not None else 1.0
    if code == 403 and isinstance(exc, apihelper.ApiTelegramException):
        return "blocked", code, None
    return ("transient" if code >= 500 else "permanent"), code, None


@attrs.define
class Sender:
    """Rate-limited, retrying sends through a TeleBot-like ``bot``. ``owed_key()`` names the reply
    being sent in the ``ledger``'s outbox (None for a beep); once ``stopping()``, no attempt is
    made and the send returns ``error == STOPPING`` (an owed reply stays owed)."""

    bot: Any
    limiter: SendLimiter
    sleep: Callable[[float], None]
    on_blocked: Callable[[int], object] = lambda _chat_id: None
    max_attempts: int = 4
    max_retry_after: float = 60.0
    backoff: float = 0.5
    max_backoff: float = 8.0
    stopping: Callable[[], bool] = lambda: False
    ledger: Ledger = attrs.field(factory=Ledger)
    owed_key: Callable[[], str | None] = lambda: None
    _counts: Counter[str] = attrs.field(init=False, factory=Counter)
    _counts_lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)

    def send_message(self, chat_id: int, text: str, *, reply_markup: Any = None) -> Delivery:
        """Send a text (cut to 4096 characters); a reply to an update is sent once (the outbox)."""
        text = _fit(text)
        key = self.owed_key()
        if key is None:
            return self._send_text(chat_id, text, reply_markup)
        owed = Owed(key, chat_id, text, reply_markup and reply_markup.to_json())
        known = self.ledger.owe(owed)
        if known is not None:  # sent (or given up) before: a redelivered update
            self._count("already_sent")
            ok = known.state == "sent"
            return Delivery(ok, known.message_id, error=None if ok else known.state, attempts=0)
        return self._settle(owed, self._send_text(chat_id, text, reply_markup))

    def flush_owed(self) -> int:
        """Send the replies an earlier process left owed (each once); return how many went out."""
        sent = 0
        while not self.stopping() and (batch := self.ledger.take_owed()):
            for owed in batch:  # once stopping, each stays owed (see _settle)
                delivery = self._send_text(owed.chat_id, owed.text, owed.reply_markup)
                sent += int(self._settle(owed, delivery).ok)
        return sent

    def _send_text(self, chat_id: int, text: str, markup: Any) -> Delivery:
        send = self.bot.send_message
        return self._deliver(
            "send_message", chat_id, lambda: send(chat_id, text, reply_markup=markup)
        )

    def _settle(self, owed: Owed, delivery: Delivery) -> Delivery:
        stopped = delivery.error == STOPPING  # not sent: still owed, the next process sends it
        state = "owed" if stopped else "sent" if delivery.ok else "failed"
        self.ledger.settle(owed, state, delivery.message_id)
        return delivery

    def edit_message_text(self, chat_id: int, message_id: int, text: str) -> Delivery:
        """Replace the text of a message the bot sent (its buttons go)."""
        edit, text = self.bot.edit_message_text, _fit(text)
        return self._deliver(
            "edit_message_text", chat_id, lambda: edit(text, chat_id=chat_id, message_id=message_id)
        )

    def answer_callback(self, callback_id: str) -> Delivery:
        """Acknowledge a pressed inline button (stops the client's spinner)."""
        answer = self.bot.answer_callback_query
        return self._deliver("answer_callback_query", None, lambda: answer(callback_id))

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

    def _count(self, name: str) -> None:
        with self._counts_lock:
            self._counts[name] += 1

    def _deliver(self, operation: str, chat_id: int | None, call: Callable[[], Any]) -> Delivery:
        """Call ``call`` under the limiter, retried by tenacity; never raises."""
        transient = [0]  # transient failures so far: the backoff doubles with each

        def attempt() -> Any:
            self.limiter.wait(chat_id)
            if self.stopping():
                raise _Stopping
            return call()

        def wait(state: tenacity.RetryCallState) -> float:
            kind, _status, retry_after = _classify(failure_of(state))
            if kind == "flood":
                return min(retry_after or 1.0, self.max_retry_after)
            transient[0] += 1
            return float(min(self.backoff * 2 ** (transient[0] - 1), self.max_backoff))

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = failure_of(state)
            kind, _status, _retry_after = _classify(exc)
            pause = state.upcoming_sleep
            self._count("retried")
            if kind == "flood":
                self._count("flood_waits")
                log.warning("Telegram 429 on %s: waiting %.1f s", operation, pause)
                self.limiter.penalise(pause)
            else:
                reason = _describe(exc)
                log.info("Telegram %s failed (%s); retry in %.1f s", operation, reason, pause)

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_attempts),
            retry=tenacity.retry_if_exception(lambda e: _classify(e)[0] in ("flood", "transient")),
            wait=wait,
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        failure: Exception | None = None
        with self.limiter.chat(chat_id):
            try:
                result = retrying(attempt)
            except Exception as exc:  # every failure is handled here, none escapes
                failure = exc
        tries = int(retrying.statistics.get("attempt_number", 1))
        if failure is None:
            self._count("sent")
            message_id = getattr(result, "message_id", None)
            return Delivery(
                True, message_id if isinstance(message_id, int) else None, attempts=tries
            )
        if isinstance(failure, _Stopping):
            return Delivery(False, error=STOPPING, attempts=tries - 1)
        kind, status, _retry_after = _classify(failure)
        last = Delivery(False, None, status, _describe(failure), tries, kind == "blocked")
        if kind == "blocked":
            self._count("blocked")
            try:
                if chat_id is not None:
                    self.on_blocked(chat_id)
            except Exception:  # never raised into a send
                log.exception("on_blocked raised")
        self._count("failed")
        log.warning(
            "Telegram %s to chat %s failed after %d attempt(s): %s",
            operation,
            chat_id,
            tries,
            last.error,
        )
        return last


class _Stopping(Exception):
    """The process is stopping: the send is not made (an owed message stays in the outbox)."""


def failure_of(state: tenacity.RetryCallState) -> BaseException:
    """The exception of a failed tenacity attempt (for its wait and before-sleep hooks)."""
    exc = state.outcome.exception() if state.outcome is not None else None
    return exc if exc is not None else RuntimeError("no outcome")


def _fit(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def _describe(exc: BaseException) -> str:
    """A short reason without URLs (a requests error message contains the token in its URL)."""
    from telebot import apihelper

    if isinstance(exc, apihelper.ApiTelegramException):
        return f"{exc.error_code}: {exc.description}"
    return type(exc).__name__
