"""At-least-once intake with exactly-once effect: an update is confirmed only once it is recorded.

:class:`Intake` handles a batch of raw Bot API updates and returns only when each one is
*recorded*: handled (its report stored, its replies settled or owed in the
:class:`~esm_bot.telegram.ledger.Ledger`), or kept in the ledger's inbox because the database is
unreachable. The caller confirms the batch to Telegram only after that: long polling asks for the
next ``offset`` after :meth:`Intake.handle` returns, the webhook answers 200 after it returns. A
process killed at any instant therefore leaves its unrecorded updates unconfirmed, and Telegram
delivers them again; reports are keyed by chat and message id, and replies by update id and
position in the outbox, so a second delivery stores nothing twice and sends nothing twice.

Updates of one chat are handled in order, one after the other; different chats in parallel.
While a handler runs, :meth:`Intake.next_key` names its replies (``"<update_id>:<n>"``) for the
outbox, and :meth:`Intake.failure_hook` (the handler guard's hook) tells a store outage apart from a
bug: an update that met :class:`~esm_bot.store.errors.StoreUnavailable` is held, the participant
is told their message is kept, and :meth:`Intake.replay` handles it again once the database answers.
"""

from __future__ import annotations

import copy
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from esm_bot.store.errors import StoreUnavailable
from esm_bot.telegram.ledger import Ledger

__all__ = ["Intake", "chat_of", "user_of"]

log = logging.getLogger(__name__)

Update = Mapping[str, Any]


def _message_of(update: Update) -> Mapping[str, Any] | None:
    for field in ("message", "edited_message"):
        value = update.get(field)
        if isinstance(value, Mapping):
            return value
    query = update.get("callback_query")
    if isinstance(query, Mapping) and isinstance(query.get("message"), Mapping):
        return query["message"]  # type: ignore[no-any-return]
    return None


def chat_of(update: Update) -> int | None:
    """The chat an update belongs to, if any (message, edited message or a button's message)."""
    message = _message_of(update)
    chat = message.get("chat") if message is not None else None
    try:
        return int(chat["id"]) if isinstance(chat, Mapping) else None
    except (KeyError, TypeError, ValueError):
        return None


def user_of(update: Update) -> Mapping[str, Any]:
    """The sender (``from``) of an update's message or button press, or ``{}``."""
    for field in ("message", "edited_message", "callback_query"):
        value = update.get(field)
        if isinstance(value, Mapping) and isinstance(value.get("from"), Mapping):
            return value["from"]  # type: ignore[no-any-return]
    return {}


@attrs.define
class _Context:
    update_id: int
    n: int = 0
    unavailable: str | None = None


class _StillDown(Exception):
    """A held update met the outage again: keep it and try later."""


@attrs.define
class Intake:
    """Record each update before it is confirmed; see the module docstring.

    Args:
        process: Handles one parsed update in the calling thread (the TeleBot's
            ``process_new_updates`` with ``threaded=False``).
        parse: Turns a raw update dict into what ``process`` takes.
        ledger: The outbox and the inbox.
        notice: Tells the chat of a held update that its message is kept (called with the update).
        workers: Chats handled in parallel.
    """

    process: Callable[[list[Any]], None]
    parse: Callable[[dict[str, Any]], Any]
    ledger: Ledger
    notice: Callable[[Update], None] = lambda _update: None
    workers: int = 8
    _local: threading.local = attrs.field(init=False, factory=threading.local)
    _replaying: threading.Lock = attrs.field(init=False, factory=threading.Lock)

    # -- what handlers see -----------------------------------------------------------------------

    def next_key(self) -> str | None:
        """The outbox key of the next reply of the update being handled here, or None."""
        context: _Context | None = getattr(self._local, "context", None)
        if context is None:
            return None
        key = f"{context.update_id}:{context.n}"
        context.n += 1
        return key

    def failure_hook(self, _update: Any, exc: BaseException) -> bool:
        """The handler guard's hook: True (the update will be held) for a store outage."""
        context: _Context | None = getattr(self._local, "context", None)
        if context is None or not isinstance(exc, StoreUnavailable):
            return False
        context.unavailable = str(exc)[:200] or type(exc).__name__
        return True

    # -- batches ---------------------------------------------------------------------------------

    def handle(self, updates: Sequence[Update]) -> None:
        """Handle a batch; return when every update is handled or held (raises if one is not)."""
        chats: dict[int | None, list[Update]] = {}
        for update in updates:
            chats.setdefault(chat_of(update), []).append(update)
        groups = list(chats.values())
        if len(groups) == 1:
            self._chat(groups[0])
            return
        pending: queue.SimpleQueue[list[Update]] = queue.SimpleQueue()
        for group in groups:
            pending.put(group)
        failures: list[BaseException] = []

        def work() -> None:
            while True:
                try:
                    group = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    self._chat(group)
                except BaseException as exc:
                    failures.append(exc)

        # Daemon threads: a process told to stop never waits for a handler at exit (an update
        # it did not finish is simply not confirmed).
        threads = [
            threading.Thread(target=work, name="esm-intake", daemon=True)
            for _ in range(min(self.workers, len(groups)))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:  # a failure to record: the batch stays unconfirmed
            raise failures[0]

    def _chat(self, updates: Iterable[Update]) -> None:
        for update in updates:
            self._one(update, held=False)

    def _one(self, update: Update, *, held: bool) -> None:
        update_id = int(update["update_id"])
        chat = chat_of(update)
        if not held and self.ledger.holding(chat):  # keep the chat's order: behind its held ones
            self._hold(update, chat)
            return
        context = _Context(update_id)
        self._local.context = context
        try:
            self.process([self.parse(copy.deepcopy(dict(update)))])
        finally:
            self._local.context = None
        if context.unavailable is not None:
            if held:
                raise _StillDown
            self._hold(update, chat, context.unavailable)

    def _hold(
        self, update: Update, chat: int | None, why: str = "its chat has kept updates"
    ) -> None:
        self.ledger.hold(int(update["update_id"]), chat, update)
        log.warning("update %s kept for later: %s", update["update_id"], why)
        self._local.context = _Context(int(update["update_id"]), n=-1)  # the notice is "<id>:-1"
        try:
            self.notice(update)
        except Exception:  # the update is kept; a notice that fails is not a reason to raise
            log.exception("could not tell chat %s its message is kept", chat)
        finally:
            self._local.context = None

    def replay(self) -> int:
        """Handle held updates again, oldest first; stop at the first that meets the outage.

        Returns how many were handled.
        """
        done = 0
        with self._replaying:
            for held in self.ledger.held():
                try:
                    self._one(held.body, held=True)
                except _StillDown:
                    break
                self.ledger.handled(held.update_id)
                done += 1
        if done:
            log.info("handled %d kept update(s) after the outage", done)
        return done

    def close(self) -> None:
        """Nothing to release: batch threads end with their batch (kept for the app's symmetry)."""
