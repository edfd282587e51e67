"""At-least-once intake with exactly-once effect: :class:`Intake` returns only once each update
of a batch is recorded (handled, or held in the ledger's inbox during a database outage), and only
then is the batch confirmed to Telegram (docs/scaling.md). One chat's updates are handled in
order, different chats in parallel."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from esm_bot.store.errors import StoreUnavailable
from esm_bot.telegram.ledger import Ledger

__all__ = ["Intake", "chat_of", "user_of"]

log = logging.getLogger(__name__)

Update = Mapping[str, Any]


def _part(update: Update, name: str) -> Any:
    """``chat`` or ``from`` of an update's message, edited message or pressed button, if any."""
    for field in ("message", "edited_message", "callback_query"):
        value = update.get(field)
        if isinstance(value, Mapping) and field == "callback_query" and name == "chat":
            value = value.get("message")
        if isinstance(value, Mapping) and isinstance(value.get(name), Mapping):
            return value[name]
    return None


def chat_of(update: Update) -> int | None:
    """The chat an update belongs to, if any (message, edited message or a button's message)."""
    try:
        return int(_part(update, "chat")["id"])
    except (KeyError, TypeError, ValueError):
        return None


def user_of(update: Update) -> Mapping[str, Any]:
    """The sender (``from``) of an update's message or button press, or ``{}``."""
    return _part(update, "from") or {}


@attrs.define
class _Context:
    update_id: int
    n: int = 0
    unavailable: str | None = None


class _StillDown(Exception):
    """A held update met the outage again: keep it and try later."""


@attrs.define
class Intake:
    """Handles batches of raw updates, each through ``process`` in the calling thread, holding an
    update that meets a store outage and telling its chat (``notice``)."""

    process: Callable[[dict[str, Any]], None]
    ledger: Ledger
    notice: Callable[[Update], None] = lambda _update: None
    workers: int = 8
    _local: threading.local = attrs.field(init=False, factory=threading.local)
    _replaying: threading.Lock = attrs.field(init=False, factory=threading.Lock)

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

    def handle(self, updates: Sequence[Update]) -> None:
        """Handle a batch; return when every update is handled or held (raises if one is not)."""
        chats: dict[int | None, list[Update]] = {}
        for update in updates:
            chats.setdefault(chat_of(update), []).append(update)
        pending = list(chats.values())
        failures: list[BaseException] = []

        def work() -> None:
            while pending:
                try:
                    group = pending.pop()
                except IndexError:
                    return
                try:
                    for update in group:
                        self._one(update, held=False)
                except BaseException as exc:
                    failures.append(exc)

        if len(pending) == 1:
            work()
        # Daemon threads: a process told to stop never waits for a handler at exit (an update
        # it did not finish is simply not confirmed).
        threads = [
            threading.Thread(target=work, name="esm-intake", daemon=True)
            for _ in range(min(self.workers, len(pending)))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:  # a failure to record: the batch stays unconfirmed
            raise failures[0]

    def _one(self, update: Update, *, held: bool) -> None:
        update_id = int(update["update_id"])
        chat = chat_of(update)
        if not held and self.ledger.holding(chat):  # keep the chat's order: behind its held ones
            self._hold(update, chat)
            return
        context = _Context(update_id)
        self._local.context = context
        try:
            self.process(copy.deepcopy(dict(update)))
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
        """Handle held updates again, oldest first, up to the first that meets the outage; return
        how many were handled."""
        done = 0
        with self._replaying:
            for update in self.ledger.held():
                try:
                    self._one(update, held=True)
                except _StillDown:
                    break
                self.ledger.handled(int(update["update_id"]))
                done += 1
        if done:
            log.info("handled %d kept update(s) after the outage", done)
        return done
