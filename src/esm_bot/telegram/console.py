"""``esm-bot console``: the study conversation in a terminal, offline, as one participant. The
same :class:`~esm_bot.telegram.handlers.Handlers` answer; :class:`ConsoleBot` prints what the bot
would send and numbers its buttons; each input line is a message or a button press (its number).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, TextIO

__all__ = ["CONSOLE_USER_ID", "ConsoleBot", "run_console", "silence"]

#: The Telegram-like id of the console participant.
CONSOLE_USER_ID = 1


def silence(out: TextIO) -> None:
    """A closed pipe: point ``out``'s descriptor at /dev/null, so closing it later cannot fail."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())


class ConsoleBot:
    """A stand-in for TeleBot's sending methods that writes to a text stream."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.buttons: list[str] = []
        #: True once the reader of the output went away (``esm-bot console | head``).
        self.closed = False
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def write(self, text: str) -> None:
        """Write and flush; a closed pipe marks the console closed instead of raising."""
        if self.closed:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            self.closed = True
            silence(self.out)

    def send_message(self, chat_id: int, text: str, reply_markup: Any = None) -> Any:
        """Print a message, its buttons numbered."""
        with self._lock:
            lines = f"\nbot> {text}\n"
            if reply_markup is not None:
                rows = [b for row in reply_markup.keyboard for b in row]
                self.buttons = [str(b.callback_data) for b in rows]
                labels = "  ".join(f"[{i}] {b.text}" for i, b in enumerate(rows, 1))
                lines += f"     {labels}\n"
            self.write(lines)
            return SimpleNamespace(message_id=next(self._ids))

    def edit_message_text(self, text: str, **_where: Any) -> Any:
        """Print an edited message as a new one."""
        return self.send_message(CONSOLE_USER_ID, text)

    def answer_callback_query(self, callback_id: str) -> bool:
        """Nothing to show for a button acknowledgement."""
        return True

    def send_document(self, chat_id: int, document: Any, caption: str | None = None) -> Any:
        """Documents are not shown in the console, only their caption."""
        return self.send_message(chat_id, caption or "(document)")


def _update(n: int, text: str, lang: str, button: str | None) -> dict[str, Any]:
    """A Bot API update from the console participant: a message, or a press of ``button``."""
    user = {"id": CONSOLE_USER_ID, "is_bot": False, "first_name": "you", "language_code": lang}
    chat = {"id": CONSOLE_USER_ID, "type": "private"}
    message = {"message_id": n, "date": 1, "chat": chat, "from": user, "text": text}
    if button is None:
        return {"update_id": n, "message": message}
    query = {"id": str(n), "from": user, "message": message, "data": button, "chat_instance": "1"}
    return {"update_id": n, "callback_query": query}


def run_console(
    app: Any,
    bot: ConsoleBot,
    stdin: TextIO,
    *,
    lang: str = "ru",
    intro: Callable[[], None] = lambda: None,
    prompt: bool = True,
) -> int:
    """Feed ``stdin`` lines to ``app`` as updates until EOF or ``/quit``, running the scheduler
    after each (a due beep shows up in the conversation); returns 0."""
    intro()
    for n, raw in enumerate(stdin, 1):
        line = raw.rstrip("\n")
        if bot.closed or line.strip() in ("/quit", "/exit"):  # or nobody reads the answers
            break
        pressed = line.strip().isdecimal() and 0 < int(line) <= len(bot.buttons)
        app.process_update(_update(n, line, lang, bot.buttons[int(line) - 1] if pressed else None))
        app.tick_once()
        if prompt:
            bot.write("\nyou> ")
    return 0
