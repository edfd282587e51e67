"""Outgoing rate limits of Telegram (about 30 messages a second overall, 1 a second per chat): two
token buckets (GCRA) on an injected clock and sleep, so tests never really wait."""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Callable

import attrs

__all__ = ["SendLimiter", "Slot"]

#: How many decisions :attr:`SendLimiter.slots` keeps, and how many chats before idle ones go.
_KEEP = 10_000

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@attrs.frozen
class Slot:
    """One limiter decision: when a send to ``chat_id`` may go out, and how long it waited."""

    chat_id: int | None
    at: float
    waited: float


@attrs.define
class SendLimiter:
    """Global and per-chat spacing of outgoing Bot API calls (thread-safe): wrap the sends to one
    chat in :meth:`chat` and call :meth:`wait` before each call. The last decisions are kept in
    :attr:`slots`; a rate that is not positive is refused (:class:`ValueError`)."""

    clock: Clock
    sleep: Sleep
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
