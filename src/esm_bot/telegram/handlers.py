"""Thin Telegram handlers: unpack the update, call the :class:`~esm_bot.study.Study`, render what
it returns from the catalogues (:mod:`esm_bot.i18n`), send it through the
:class:`~esm_bot.telegram.Sender`.

No domain logic and no user-facing strings live here. Every handler runs inside
:meth:`Handlers.guard`: an exception is logged and the participant gets the catalogue's polite
``error`` message, never a traceback; the polling loop never sees it.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Any

import attrs

from esm_bot import i18n
from esm_bot.domain.models import Participant, ParticipantStatus
from esm_bot.i18n.present import present
from esm_bot.settings import BotSettings
from esm_bot.study import AWAITING_KEY, Outcome, Study
from esm_bot.telegram.sender import Sender

__all__ = [
    "PARTICIPANT_COMMANDS",
    "AdminPort",
    "Handlers",
    "clean_text",
]

log = logging.getLogger(__name__)

#: Commands a participant can use (registered with Telegram for the command menu).
PARTICIPANT_COMMANDS = (
    "start",
    "help",
    "status",
    "settings",
    "pause",
    "resume",
    "stop",
    "delete",
    "practice",
)
#: Commands only for ``ESM_ADMIN_IDS``.
ADMIN_COMMANDS = ("stats", "export", "health")
#: Time zones offered as buttons during onboarding; any other can be typed.
TZ_BUTTONS = ("Europe/Moscow", "Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo")
WINDOW_BUTTONS = ("08:00-22:00", "09:00-21:00", "10:00-23:00")
BEEPS_BUTTONS = (4, 6, 8)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """Drop control and bidi-override characters, normalise to NFC, strip the ends."""
    return unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()


class AdminPort:
    """Base of the researcher commands' back end (see :func:`esm_bot.telegram.wiring.build_app`)."""

    def stats(self) -> str:
        """Study figures, one per line."""
        raise NotImplementedError

    def export_csv(self) -> tuple[bytes, int]:
        """The study as CSV bytes and its row count."""
        raise NotImplementedError

    def health(self) -> tuple[str, str]:
        """(overall status, one line per check)."""
        raise NotImplementedError


@attrs.define
class Handlers:
    """The bot's handlers; :meth:`install` registers them on a TeleBot explicitly."""

    study: Study
    sender: Sender
    settings: BotSettings
    admin: AdminPort
    default_lang: str = "ru"
    _inflight: int = attrs.field(init=False, default=0)
    _lock: threading.Condition = attrs.field(init=False, factory=threading.Condition)

    # ------------------------------------------------------------------ plumbing
    def install(self, bot: Any) -> None:
        """Register every handler on ``bot`` (no decorators on globals)."""
        g = self.guard
        for name in PARTICIPANT_COMMANDS + ADMIN_COMMANDS:
            bot.register_message_handler(g(getattr(self, f"cmd_{name}")), commands=[name])
        bot.register_message_handler(g(self.on_command), func=_is_command, content_types=["text"])
        bot.register_message_handler(g(self.on_text), content_types=["text"])
        bot.register_message_handler(g(self.on_other), func=lambda _m: True, content_types=OTHER)
        bot.register_callback_query_handler(g(self.on_button), func=lambda _c: True)

    def guard(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """Wrap a handler: count it in flight, contain every exception, answer politely."""

        @functools.wraps(handler)
        def run(update: Any) -> None:
            with self._lock:
                self._inflight += 1
            try:
                handler(update)
            except Exception:
                log.exception("handler %s failed", handler.__name__)
                chat = _chat_id(update)
                if chat is not None:
                    self.say(chat, self._who(update), "error")
            finally:
                with self._lock:
                    self._inflight -= 1
                    self._lock.notify_all()

        return run

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no handler is running; False if some still are after ``timeout`` s."""
        with self._lock:
            return self._lock.wait_for(lambda: self._inflight == 0, timeout)

    @property
    def inflight(self) -> int:
        """Handlers running right now."""
        return self._inflight

    def say(
        self,
        chat_id: int,
        who: Participant | None,
        key: str,
        buttons: list[tuple[str, str]] | None = None,
        /,
        **params: Any,
    ) -> int | None:
        """Render ``key`` in the participant's language and form and send it; return message id."""
        text = self.render(who, key, **params)
        markup = _keyboard(buttons) if buttons else None
        return self.sender.send_message(chat_id, text, reply_markup=markup).message_id

    def tell(self, chat_id: int, outcome: Outcome) -> int | None:
        """Send what the study answered, in order; return the last message id."""
        message_id = None
        for msg in outcome.messages:
            message_id = self.say(chat_id, outcome.participant, msg.key, **msg.params)
        return message_id

    def render(self, who: Participant | None, key: str, /, **params: Any) -> str:
        """Render ``key`` for ``who`` (default language before registration)."""
        lang = who.lang if who is not None else self.default_lang
        form = str(who.address_form) if who is not None else "informal"
        return self.render_in(lang, form, key, params)

    @staticmethod
    def render_in(lang: str, form: str, key: str, params: Any = None) -> str:
        """Render ``key`` with the engine's raw ``params`` in an explicit language and form."""
        return i18n.render(str(key), lang, form, **present(params or {}, lang, form))

    def _who(self, update: Any) -> Participant | None:
        user = getattr(update, "from_user", None)
        return self.study.participant(user.id) if user is not None else None

    # ------------------------------------------------------------------ onboarding
    def cmd_start(self, m: Any) -> None:
        """/start: register, welcome, then the language question."""
        lang = "ru" if (m.from_user.language_code or "").startswith("ru") else "en"
        who = _checked(self.study.register(m.from_user.id, m.chat.id, lang))
        self.say(m.chat.id, who, "welcome", training_days=self.study.config.training_days)
        self.say(m.chat.id, who, "choose_language", LANGUAGES)

    def on_button(self, c: Any) -> None:
        """Any inline button: ``kind:value`` routed to a ``btn_<kind>`` method."""
        self.sender.answer_callback(c.id)
        kind, _, value = str(c.data or "").partition(":")
        who = self.study.participant(c.from_user.id)
        route = getattr(self, f"btn_{kind}", None) if kind.isidentifier() else None
        if who is None or route is None or c.message is None:
            if c.message is not None:
                self.say(c.message.chat.id, who, "button_expired")
            return
        try:
            route(c.message.chat.id, who, value)
        except ValueError:  # forged or stale button data the study refuses
            self.say(c.message.chat.id, who, "button_expired")

    def btn_lang(self, chat: int, who: Participant, value: str) -> None:
        """Language chosen: Russian asks the address form next, English the consent."""
        who = _checked(self.study.set_language(who.telegram_id or 0, value))
        if who.lang == "ru" and who.status is ParticipantStatus.REGISTERED:
            self.say(chat, who, "choose_form", FORMS)
        elif who.status is ParticipantStatus.REGISTERED:
            self._ask_consent(chat, who)
        else:
            self.say(chat, who, "settings_saved")

    def btn_form(self, chat: int, who: Participant, value: str) -> None:
        """Address form chosen: the consent comes next (or the settings are saved)."""
        who = _checked(self.study.set_address_form(who.telegram_id or 0, value))
        if who.status is ParticipantStatus.REGISTERED:
            self._ask_consent(chat, who)
        else:
            self.say(chat, who, "settings_saved")

    def _ask_consent(self, chat: int, who: Participant) -> None:
        yes, no = self.render(who, "consent_yes"), self.render(who, "consent_no")
        buttons = [(yes, "consent:yes"), (no, "consent:no")]
        self.say(chat, who, "consent", buttons, version=self.study.config.consent_version)

    def btn_consent(self, chat: int, who: Participant, value: str) -> None:
        """Consent answered: on yes, the time zone question."""
        if value != "yes":
            self.study.decline_consent(who.telegram_id or 0)
            self.say(chat, who, "consent_declined")
            return
        who = _checked(self.study.consent(who.telegram_id or 0))
        self._ask(chat, who, "timezone")

    def _ask(self, chat: int, who: Participant, step: str) -> None:
        """Ask an onboarding/settings question; the next text (or button) answers it."""
        who = self.study.await_answer(who.telegram_id or 0, step)
        if step == "timezone":
            self.say(chat, who, "ask_timezone", [(tz, f"tz:{tz}") for tz in TZ_BUTTONS])
        elif step == "window":
            self.say(chat, who, "ask_window", [(w, f"win:{w}") for w in WINDOW_BUTTONS])
        else:
            c = self.study.config
            buttons = [(str(n), f"beeps:{n}") for n in BEEPS_BUTTONS]
            low, high = c.min_beeps_per_day, c.max_beeps_per_day
            self.say(chat, who, "ask_beeps", buttons, low=low, high=high, default=c.beeps_per_day)

    def btn_tz(self, chat: int, who: Participant, value: str) -> None:
        """A time zone button."""
        self._answer(chat, who, "timezone", value)

    def btn_win(self, chat: int, who: Participant, value: str) -> None:
        """A waking window button."""
        self._answer(chat, who, "window", value)

    def btn_beeps(self, chat: int, who: Participant, value: str) -> None:
        """A beeps-per-day button."""
        self._answer(chat, who, "beeps", value)

    def btn_set(self, chat: int, who: Participant, value: str) -> None:
        """A /settings button: ask that question again."""
        if value == "language":
            self.say(chat, who, "choose_language", LANGUAGES)
        elif value == "form":
            self.say(chat, who, "choose_form", FORMS)
        elif value in ("timezone", "window", "beeps"):
            self._ask(chat, who, value)

    def _answer(self, chat: int, who: Participant, step: str, text: str) -> None:
        """Apply an answer to ``step``; a bad value explains why and asks again."""
        tg = who.telegram_id or 0
        if step == "timezone":
            outcome = self.study.set_timezone(tg, text)
        elif step == "window":
            outcome = self.study.set_window(tg, text)
        else:
            outcome = self.study.set_beeps_per_day(tg, text)
        if not outcome.ok or outcome.participant is None:
            reason = next((str(m.params.get("reason", "")) for m in outcome.messages), "")
            key, params = self._invalid(step, text, reason)
            self.say(chat, who, key, **params)
            return
        who = self.study.await_answer(tg, None)
        if who.status is ParticipantStatus.CONSENTED:
            nxt = {"timezone": "window", "window": "beeps"}.get(step)
            if nxt is not None:
                self._ask(chat, who, nxt)
                return
            self._finish_onboarding(chat, who)
        else:
            self.say(chat, who, "settings_saved")

    def _invalid(self, step: str, text: str, reason: str) -> tuple[str, dict[str, Any]]:
        if step == "timezone":
            return "timezone_invalid", {"text": text[:60]}
        if step == "window":
            return "window_invalid", {"text": text[:60], "reason": reason}
        c = self.study.config
        return "beeps_invalid", {"low": c.min_beeps_per_day, "high": c.max_beeps_per_day}

    def _finish_onboarding(self, chat: int, who: Participant) -> None:
        who = _checked(self.study.start(who.telegram_id or 0))
        window = f"{who.window_start:%H:%M}-{who.window_end:%H:%M}"
        self.say(chat, who, "onboarding_done", tz=who.tz, window=window, beeps=who.beeps_per_day)
        self._practice(chat, who)

    # ------------------------------------------------------------------ participant commands
    def _registered(self, m: Any) -> Participant | None:
        who = self.study.participant(m.from_user.id)
        if who is None:
            self.say(m.chat.id, None, "not_registered")
        return who

    def cmd_help(self, m: Any) -> None:
        """/help."""
        self.say(m.chat.id, self.study.participant(m.from_user.id), "help")

    def cmd_status(self, m: Any) -> None:
        """/status: day, answered and missed beeps, average quality, progress."""
        if self._registered(m) is not None:
            self.tell(m.chat.id, self.study.status(m.from_user.id))

    def cmd_settings(self, m: Any) -> None:
        """/settings: the current values and a button per setting."""
        if (who := self._registered(m)) is None:
            return
        window = f"{who.window_start:%H:%M}-{who.window_end:%H:%M}"
        names = ["timezone", "window", "beeps", "language"] + (["form"] if who.lang == "ru" else [])
        buttons = [(self.render(who, f"settings_{n}"), f"set:{n}") for n in names]
        values = {"lang": who.lang, "tz": who.tz, "window": window, "beeps": who.beeps_per_day}
        self.say(m.chat.id, who, "settings", buttons, **values)

    def cmd_pause(self, m: Any) -> None:
        """/pause."""
        if self._registered(m) is not None:
            self.tell(m.chat.id, self.study.pause(m.from_user.id))

    def cmd_resume(self, m: Any) -> None:
        """/resume."""
        if self._registered(m) is not None:
            self.tell(m.chat.id, self.study.resume(m.from_user.id))

    def cmd_stop(self, m: Any) -> None:
        """/stop: withdraw from the study."""
        if self._registered(m) is not None:
            self.tell(m.chat.id, self.study.withdraw(m.from_user.id))

    def cmd_delete(self, m: Any) -> None:
        """/delete: ask for confirmation with two buttons."""
        if (who := self._registered(m)) is None:
            return
        yes, no = self.render(who, "delete_yes"), self.render(who, "delete_no")
        self.say(m.chat.id, who, "delete_confirm", [(yes, "delete:yes"), (no, "delete:no")])

    def btn_delete(self, chat: int, who: Participant, value: str) -> None:
        """The /delete confirmation."""
        if value != "yes":
            self.say(chat, who, "delete_cancelled")
            return
        self.study.delete_data(who.telegram_id or 0)
        self.say(chat, who, "delete_done")

    def cmd_practice(self, m: Any) -> None:
        """/practice: a practice beep now."""
        if (who := self._registered(m)) is not None:
            self._practice(m.chat.id, who)

    def _practice(self, chat: int, who: Participant) -> None:
        outcome = self.study.practice(who.telegram_id or 0)
        message_id = self.tell(chat, outcome)
        beep_id = next((m.params.get("beep_id") for m in outcome.messages), None)
        if beep_id and message_id is not None:  # its expiry edits this message
            self.study.beep_sent(str(beep_id), message_id)

    # ------------------------------------------------------------------ researcher commands
    def _admin(self, m: Any) -> bool:
        if self.settings.is_admin(getattr(m.from_user, "id", None)):
            return True
        self.say(m.chat.id, self.study.participant(m.from_user.id), "unknown_command")
        return False

    def cmd_stats(self, m: Any) -> None:
        """/stats (admins only)."""
        if self._admin(m):
            self.say(m.chat.id, None, "admin_stats", lines=self.admin.stats())

    def cmd_export(self, m: Any) -> None:
        """/export (admins only): the study as a CSV document."""
        if not self._admin(m):
            return
        try:
            data, rows = self.admin.export_csv()
        except Exception as exc:
            log.exception("export failed")
            self.say(m.chat.id, None, "admin_export_failed", reason=type(exc).__name__)
            return
        caption = self.render(None, "admin_export_caption", rows=rows)
        self.sender.send_document(m.chat.id, data, "esm_export.csv", caption=caption)

    def cmd_health(self, m: Any) -> None:
        """/health (admins only)."""
        if self._admin(m):
            summary, lines = self.admin.health()
            self.say(m.chat.id, None, "admin_health", summary=summary, lines=lines)

    # ------------------------------------------------------------------ everything else
    def on_command(self, m: Any) -> None:
        """An unknown /command."""
        self.say(m.chat.id, self.study.participant(m.from_user.id), "unknown_command")

    def on_other(self, m: Any) -> None:
        """Stickers, photos, voice, documents...: ask for words."""
        self.say(m.chat.id, self.study.participant(m.from_user.id), "unsupported_content")

    def on_text(self, m: Any) -> None:
        """A text: the answer to a pending question, else a report."""
        if (who := self._registered(m)) is None:
            return
        text = clean_text(m.text or "")
        if not text:
            self.say(m.chat.id, who, "empty_text")
        elif (step := who.extra.get(AWAITING_KEY)) is not None:
            self._answer(m.chat.id, who, step, text)
        elif who.status is ParticipantStatus.REGISTERED:
            self.say(m.chat.id, who, "consent_needed")
        else:
            key = f"tg:{m.chat.id}:{m.message_id}"
            self.tell(m.chat.id, self.study.handle_text(m.from_user.id, text, dedup_key=key))


#: The language and address-form buttons.
LANGUAGES = [("English", "lang:en"), ("Русский", "lang:ru")]
FORMS = [("на «ты»", "form:informal"), ("на «вы»", "form:formal")]


def _checked(outcome: Outcome) -> Participant:
    """The participant after an accepted call; a refusal raises :class:`ValueError`."""
    if not outcome.ok or outcome.participant is None:
        raise ValueError(outcome.keys[0] if outcome.messages else "refused")
    return outcome.participant


#: Message content types other than text that get the "please use words" answer.
OTHER = [
    "audio",
    "photo",
    "voice",
    "video",
    "document",
    "sticker",
    "video_note",
    "location",
    "contact",
    "animation",
    "dice",
    "poll",
    "venue",
]


def _is_command(m: Any) -> bool:
    return str(getattr(m, "text", "") or "").startswith("/")


def _chat_id(update: Any) -> int | None:
    chat = getattr(update, "chat", None) or getattr(getattr(update, "message", None), "chat", None)
    return int(chat.id) if chat is not None else None


def _keyboard(buttons: list[tuple[str, str]]) -> Any:
    from telebot.types import InlineKeyboardButton, InlineKeyboardMarkup

    markup = InlineKeyboardMarkup(row_width=2)
    markup.add(*(InlineKeyboardButton(label, callback_data=data[:64]) for label, data in buttons))
    return markup
