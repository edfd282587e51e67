"""Outgoing rate limits of Telegram: about 30 messages a second overall, 1 a second per chat.

:class:`SendLimiter` spaces sends with two token buckets (global and per chat) on an injected clock
and sleep, so tests never really wait. Every decision is a *slot*: the clock time at which a send
may go out. Slots of one chat are at least ``1 / per_chat_rate`` apart, and in any window of
``T`` seconds at most ``global_rate * T + burst`` slots fall; :attr:`SendLimiter.slots` keeps the
recent decisions for checks and metrics.
"""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Callable, Iterator

import attrs

__all__ = ["SendLimiter", "Slot"]

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
    """Global and per-chat spacing of outgoing Bot API calls (thread-safe).

    Wrap the sends to one chat in :meth:`chat` (a per-chat lock, so its messages stay in order)
    and call :meth:`wait` before each Bot API call.

    Args:
        clock: Monotonic seconds.
        sleep: Waits the given seconds.
        global_rate: Sends per second overall (Telegram: about 30).
        per_chat_rate: Sends per second to one chat (Telegram: about 1).
        burst: Extra sends allowed at once overall before spacing starts.
        keep: How many recent :class:`Slot` decisions to keep.
    """

    clock: Clock
    sleep: Sleep
    global_rate: float = 30.0
    per_chat_rate: float = 1.0
    burst: int = 1
    keep: int = 10_000
    slots: collections.deque[Slot] = attrs.field(init=False)
    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)
    _tat: float = attrs.field(init=False, default=float("-inf"))
    _chat_next: dict[int, float] = attrs.field(init=False, factory=dict)
    _chat_locks: dict[int, threading.Lock] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        if self.global_rate <= 0 or self.per_chat_rate <= 0 or self.burst < 1:
            msg = "rates must be positive and burst at least 1"
            raise ValueError(msg)
        self.slots = collections.deque(maxlen=self.keep)

    def _chat_lock(self, chat_id: int) -> threading.Lock:
        with self._lock:
            lock = self._chat_locks.get(chat_id)
            if lock is None:
                if len(self._chat_locks) >= self.keep:
                    self._forget_idle_chats()
                lock = self._chat_locks[chat_id] = threading.Lock()
            return lock

    def _forget_idle_chats(self) -> None:
        stale = self.clock() - 60.0
        for chat_id, lock in list(self._chat_locks.items()):
            if not lock.locked() and self._chat_next.get(chat_id, stale) <= stale:
                del self._chat_locks[chat_id]
                self._chat_next.pop(chat_id, None)

    def _reserve(self, chat_id: int | None) -> Slot:
        with self._lock:
            now = self.clock()
            earliest = now if chat_id is None else max(now, self._chat_next.get(chat_id, now))
            interval = 1.0 / self.global_rate
            # GCRA: a send at t is allowed when t >= tat - (burst - 1) * interval.
            at = max(earliest, self._tat - (self.burst - 1) * interval)
            self._tat = max(self._tat, at) + interval
            if chat_id is not None:
                self._chat_next[chat_id] = at + 1.0 / self.per_chat_rate
            slot = Slot(chat_id, at, max(0.0, at - now))
            self.slots.append(slot)
            return slot

    @contextlib.contextmanager
    def chat(self, chat_id: int | None) -> Iterator[None]:
        """Serialise sends to one chat (keeps its messages in order, retries included)."""
        if chat_id is None:
            yield
            return
        with self._chat_lock(chat_id):
            yield

    def wait(self, chat_id: int | None) -> Slot:
        """Reserve the next allowed moment to send to ``chat_id`` and sleep until it."""
        decision = self._reserve(chat_id)
        if decision.waited > 0:
            self.sleep(decision.waited)
        return decision

    def penalise(self, chat_id: int | None, seconds: float) -> None:
        """Hold back sends (to ``chat_id``, or all when None) for ``seconds``: Telegram said 429."""
        with self._lock:
            until = self.clock() + seconds
            if chat_id is None:
                self._tat = max(self._tat, until)
            else:
                self._chat_next[chat_id] = max(self._chat_next.get(chat_id, until), until)
