"""Thin Telegram handlers: unpack the update, call the study (:class:`~esm_bot.ports.StudyPort`),
render the answer from the catalogues, send it through the :class:`~esm_bot.telegram.Sender`.

No domain logic and no user-facing strings live here. Every handler runs inside
:meth:`Handlers.guard`: an exception is logged and the participant gets the catalogue's polite
``error`` message, never a traceback; the polling loop never sees it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from esm_bot import i18n
from esm_bot.domain.models import Participant, ParticipantStatus
from esm_bot.ports import AWAITING_KEY, Say, StudyPort
from esm_bot.settings import BotSettings
from esm_bot.telegram import Sender

__all__ = [
    "PARTICIPANT_COMMANDS",
    "AdminPort",
    "Handlers",
    "clean_text",
    "parse_window",
    "present",
    "tz_label",
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
_WINDOW = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–—]\s*(\d{1,2})[:.](\d{2})\s*$")


def clean_text(text: str) -> str:
    """Drop control and bidi-override characters, normalise to NFC, strip the ends."""
    return unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()


def parse_window(text: str) -> tuple[dt.time, dt.time]:
    """Parse ``"09:00-21:00"``; raise :class:`ValueError` with a reason otherwise."""
    match = _WINDOW.match(text)
    if match is None:
        msg = "expected HH:MM-HH:MM."
        raise ValueError(msg)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        return dt.time(h1, m1), dt.time(h2, m2)
    except ValueError:
        msg = "hours are 0-23 and minutes 0-59."
        raise ValueError(msg) from None


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

    study: StudyPort
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
                    self.say(chat, self._who(update), Say("error"))
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
        say: Say,
        buttons: list[tuple[str, str]] | None = None,
    ) -> int | None:
        """Render ``say`` in the participant's language and form and send it; return message id."""
        text = self.render(who, say)
        markup = _keyboard(buttons) if buttons else None
        return self.sender.send_message(chat_id, text, reply_markup=markup).message_id

    def render(self, who: Participant | None, say: Say) -> str:
        """Render a :class:`Say` for ``who`` (default language before registration)."""
        lang = who.lang if who is not None else self.default_lang
        form = str(who.address_form) if who is not None else "informal"
        return self.render_in(lang, form, say)

    def render_in(self, lang: str, form: str, say: Say) -> str:
        """Render a :class:`Say` in an explicit language and address form."""
        return i18n.render(str(say.key), lang, form, **present(say.params, lang, form))

    def _who(self, update: Any) -> Participant | None:
        user = getattr(update, "from_user", None)
        return self.study.participant(user.id) if user is not None else None

    def _label(self, who: Participant | None, key: str) -> str:
        return self.render(who, Say(key))

    # ------------------------------------------------------------------ onboarding
    def cmd_start(self, m: Any) -> None:
        """/start: register, welcome, then the language question."""
        lang = "ru" if (m.from_user.language_code or "").startswith("ru") else "en"
        who = self.study.register(m.from_user.id, m.chat.id, lang)
        days = self.study.training_days()
        self.say(m.chat.id, who, Say("welcome", {"training_days": days}))
        langs = [("English", "lang:en"), ("Русский", "lang:ru")]
        self.say(m.chat.id, who, Say("choose_language"), langs)

    def on_button(self, c: Any) -> None:
        """Any inline button: ``kind:value`` routed to a ``btn_<kind>`` method."""
        self.sender.answer_callback(c.id)
        kind, _, value = str(c.data or "").partition(":")
        who = self.study.participant(c.from_user.id)
        route = getattr(self, f"btn_{kind}", None) if kind.isidentifier() else None
        if who is None or route is None or c.message is None:
            if c.message is not None:
                self.say(c.message.chat.id, who, Say("button_expired"))
            return
        try:
            route(c.message.chat.id, who, value)
        except ValueError:  # forged or stale button data the study refuses
            self.say(c.message.chat.id, who, Say("button_expired"))

    def btn_lang(self, chat: int, who: Participant, value: str) -> None:
        """Language chosen: Russian asks the address form next, English the consent."""
        who = self.study.set_language(who.id, value)
        if who.lang == "ru" and who.status is ParticipantStatus.REGISTERED:
            forms = [("на «ты»", "form:informal"), ("на «вы»", "form:formal")]
            self.say(chat, who, Say("choose_form"), forms)
        elif who.status is ParticipantStatus.REGISTERED:
            self._ask_consent(chat, who)
        else:
            self.say(chat, who, Say("settings_saved"))

    def btn_form(self, chat: int, who: Participant, value: str) -> None:
        """Address form chosen: the consent comes next (or the settings are saved)."""
        who = self.study.set_address_form(who.id, value)
        if who.status is ParticipantStatus.REGISTERED:
            self._ask_consent(chat, who)
        else:
            self.say(chat, who, Say("settings_saved"))

    def _ask_consent(self, chat: int, who: Participant) -> None:
        yes, no = self._label(who, "consent_yes"), self._label(who, "consent_no")
        version = self.study.consent_version()
        self.say(
            chat,
            who,
            Say("consent", {"version": version}),
            [(yes, "consent:yes"), (no, "consent:no")],
        )

    def btn_consent(self, chat: int, who: Participant, value: str) -> None:
        """Consent answered: on yes, the time zone question."""
        if value != "yes":
            self.study.decline(who.id)
            self.say(chat, who, Say("consent_declined"))
            return
        who = self.study.consent(who.id)
        self._ask(chat, who, "timezone")

    def _ask(self, chat: int, who: Participant, step: str) -> None:
        """Ask an onboarding/settings question; the next text (or button) answers it."""
        who = self.study.set_awaiting(who.id, step)
        if step == "timezone":
            buttons = [(tz, f"tz:{tz}") for tz in TZ_BUTTONS]
            self.say(chat, who, Say("ask_timezone"), buttons)
        elif step == "window":
            self.say(chat, who, Say("ask_window"), [(w, f"win:{w}") for w in WINDOW_BUTTONS])
        else:
            low, high, default = self.study.beeps_range()
            params = {"low": low, "high": high, "default": default}
            self.say(
                chat, who, Say("ask_beeps", params), [(str(n), f"beeps:{n}") for n in BEEPS_BUTTONS]
            )

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
            self.say(
                chat, who, Say("choose_language"), [("English", "lang:en"), ("Русский", "lang:ru")]
            )
        elif value == "form":
            self.say(
                chat,
                who,
                Say("choose_form"),
                [("на «ты»", "form:informal"), ("на «вы»", "form:formal")],
            )
        elif value in ("timezone", "window", "beeps"):
            self._ask(chat, who, value)

    def _answer(self, chat: int, who: Participant, step: str, text: str) -> None:
        """Apply an answer to ``step``; a bad value explains why and asks again."""
        try:
            who = self._apply(who, step, text)
        except ValueError as exc:
            self.say(chat, who, self._invalid(step, text, str(exc)))
            return
        who = self.study.set_awaiting(who.id, None)
        if who.status is ParticipantStatus.CONSENTED:
            nxt = {"timezone": "window", "window": "beeps"}.get(step)
            if nxt is not None:
                self._ask(chat, who, nxt)
                return
            self._finish_onboarding(chat, who)
        else:
            self.say(chat, who, Say("settings_saved"))

    def _apply(self, who: Participant, step: str, text: str) -> Participant:
        if step == "timezone":
            return self.study.set_timezone(who.id, text)
        if step == "window":
            start, end = parse_window(text)
            return self.study.set_window(who.id, start, end)
        if not text.strip().isdigit():
            msg = "not a number"
            raise ValueError(msg)
        return self.study.set_beeps_per_day(who.id, int(text))

    def _invalid(self, step: str, text: str, reason: str) -> Say:
        shown = text[:60]
        if step == "timezone":
            return Say("timezone_invalid", {"text": shown})
        if step == "window":
            return Say("window_invalid", {"text": shown, "reason": reason})
        low, high, _ = self.study.beeps_range()
        return Say("beeps_invalid", {"low": low, "high": high})

    def _finish_onboarding(self, chat: int, who: Participant) -> None:
        who = self.study.begin(who.id)
        window = f"{who.window_start:%H:%M}-{who.window_end:%H:%M}"
        params = {"tz": who.tz, "window": window, "beeps": who.beeps_per_day}
        self.say(chat, who, Say("onboarding_done", params))
        self._practice(chat, who)

    # ------------------------------------------------------------------ participant commands
    def _registered(self, m: Any) -> Participant | None:
        who = self.study.participant(m.from_user.id)
        if who is None:
            self.say(m.chat.id, None, Say("not_registered"))
        return who

    def cmd_help(self, m: Any) -> None:
        """/help."""
        self.say(m.chat.id, self.study.participant(m.from_user.id), Say("help"))

    def cmd_status(self, m: Any) -> None:
        """/status: day, answered and missed beeps, average quality, progress."""
        if (who := self._registered(m)) is not None:
            self.say(m.chat.id, who, self.study.status(who.id))

    def cmd_settings(self, m: Any) -> None:
        """/settings: the current values and a button per setting."""
        if (who := self._registered(m)) is None:
            return
        window = f"{who.window_start:%H:%M}-{who.window_end:%H:%M}"
        params = {"lang": who.lang, "tz": who.tz, "window": window, "beeps": who.beeps_per_day}
        names = ["timezone", "window", "beeps", "language"] + (["form"] if who.lang == "ru" else [])
        buttons = [(self._label(who, f"settings_{n}"), f"set:{n}") for n in names]
        self.say(m.chat.id, who, Say("settings", params), buttons)

    def cmd_pause(self, m: Any) -> None:
        """/pause."""
        if (who := self._registered(m)) is not None:
            self.say(m.chat.id, who, self.study.pause(who.id))

    def cmd_resume(self, m: Any) -> None:
        """/resume."""
        if (who := self._registered(m)) is not None:
            self.say(m.chat.id, who, self.study.resume(who.id))

    def cmd_stop(self, m: Any) -> None:
        """/stop: withdraw from the study."""
        if (who := self._registered(m)) is not None:
            self.say(m.chat.id, who, self.study.withdraw(who.id))

    def cmd_delete(self, m: Any) -> None:
        """/delete: ask for confirmation with two buttons."""
        if (who := self._registered(m)) is None:
            return
        yes, no = self._label(who, "delete_yes"), self._label(who, "delete_no")
        self.say(m.chat.id, who, Say("delete_confirm"), [(yes, "delete:yes"), (no, "delete:no")])

    def btn_delete(self, chat: int, who: Participant, value: str) -> None:
        """The /delete confirmation."""
        if value != "yes":
            self.say(chat, who, Say("delete_cancelled"))
            return
        self.study.delete(who.id)
        self.say(chat, who, Say("delete_done"))

    def cmd_practice(self, m: Any) -> None:
        """/practice: a practice beep now."""
        if (who := self._registered(m)) is not None:
            self._practice(m.chat.id, who)

    def _practice(self, chat: int, who: Participant) -> None:
        say = self.study.practice(who.id)
        self.study.practice_sent(say, self.say(chat, who, say))

    # ------------------------------------------------------------------ researcher commands
    def _admin(self, m: Any) -> bool:
        if self.settings.is_admin(getattr(m.from_user, "id", None)):
            return True
        self.say(m.chat.id, self.study.participant(m.from_user.id), Say("unknown_command"))
        return False

    def cmd_stats(self, m: Any) -> None:
        """/stats (admins only)."""
        if self._admin(m):
            self.say(m.chat.id, None, Say("admin_stats", {"lines": self.admin.stats()}))

    def cmd_export(self, m: Any) -> None:
        """/export (admins only): the study as a CSV document."""
        if not self._admin(m):
            return
        try:
            data, rows = self.admin.export_csv()
        except Exception as exc:
            log.exception("export failed")
            self.say(m.chat.id, None, Say("admin_export_failed", {"reason": type(exc).__name__}))
            return
        caption = self.render(None, Say("admin_export_caption", {"rows": rows}))
        self.sender.send_document(m.chat.id, data, "esm_export.csv", caption=caption)

    def cmd_health(self, m: Any) -> None:
        """/health (admins only)."""
        if self._admin(m):
            summary, lines = self.admin.health()
            self.say(m.chat.id, None, Say("admin_health", {"summary": summary, "lines": lines}))

    # ------------------------------------------------------------------ everything else
    def on_command(self, m: Any) -> None:
        """An unknown /command."""
        self.say(m.chat.id, self.study.participant(m.from_user.id), Say("unknown_command"))

    def on_other(self, m: Any) -> None:
        """Stickers, photos, voice, documents...: ask for words."""
        self.say(m.chat.id, self.study.participant(m.from_user.id), Say("unsupported_content"))

    def on_text(self, m: Any) -> None:
        """A text: the answer to a pending question, else a report."""
        if (who := self._registered(m)) is None:
            return
        text = clean_text(m.text or "")
        if not text:
            self.say(m.chat.id, who, Say("empty_text"))
        elif (step := who.extra.get(AWAITING_KEY)) is not None:
            self._answer(m.chat.id, who, step, text)
        elif who.status is ParticipantStatus.REGISTERED:
            self.say(m.chat.id, who, Say("consent_needed"))
        else:
            for say in self.study.report(who.id, text, dedup_key=f"tg:{m.chat.id}:{m.message_id}"):
                self.say(m.chat.id, who, say)


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


def tz_label(tz: str) -> str:
    """A zone as a participant reads it: ``Etc/GMT-3`` (POSIX sign) is shown as ``UTC+3``."""
    match = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", tz)
    if match is None:
        return tz
    sign = "-" if match.group(1) == "+" else "+"
    return f"UTC{sign}{int(match.group(2))}"


def present(params: Mapping[str, Any], lang: str, form: str) -> dict[str, Any]:
    """Turn the engine's raw parameters into displayable values in ``lang``/``form``.

    Codes become catalogue texts (``focus`` → ``focus_<code>``, ``state`` → ``state_<code>``,
    ``quality`` → ``quality_<label>``), an
    empty ``tip`` becomes the day focus's default tip, ``strengths`` a sentence, lists are joined,
    floats rounded and None shown as "–".
    """
    known = i18n.keys(lang)
    out = dict(params)
    if isinstance(out.get("tz"), str):
        out["tz"] = tz_label(out["tz"])
    focus = str(out.get("focus", ""))
    if "tip" in out and not out["tip"]:
        out["tip"] = i18n.render(f"tip_{focus}", lang, form) if f"tip_{focus}" in known else ""
    if f"focus_{focus}" in known:
        out["focus"] = i18n.render(f"focus_{focus}", lang, form)
    if f"quality_{out.get('quality')}" in known:
        out["quality"] = i18n.render(f"quality_{out['quality']}", lang, form)
    if f"state_{out.get('state')}" in known:
        out["state"] = i18n.render(f"state_{out['state']}", lang, form)
    if isinstance(out.get("strengths"), list | tuple):
        items = "; ".join(str(s) for s in out["strengths"])
        out["strengths"] = (
            i18n.render("feedback_strengths", lang, form, items=items)
            if items
            else i18n.render("feedback_no_strengths", lang, form)
        )
    for name, value in out.items():
        if value is None:
            out[name] = "–"
        elif isinstance(value, float):
            out[name] = f"{value:.0f}"
        elif isinstance(value, list | tuple | set | frozenset):
            out[name] = ", ".join(str(v) for v in value)
    return out
