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
import time
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from esm_bot import i18n
from esm_bot.domain.models import Participant, ParticipantStatus
from esm_bot.i18n.present import present
from esm_bot.settings import BotSettings
from esm_bot.study import AWAITING_KEY, Action, ActionKind, Outcome, Study
from esm_bot.study.context import ADDRESS_CHOSEN
from esm_bot.telegram.sender import Sender

__all__ = [
    "PARTICIPANT_COMMANDS",
    "AdminPort",
    "Handlers",
    "clean_text",
    "command_menu",
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
ADMIN_COMMANDS = ("stats", "export", "health", "pilot")
#: Participants /pilot does not beep (no consent yet, or left the study).
_NOT_PILOTED = (ParticipantStatus.REGISTERED, ParticipantStatus.WITHDRAWN)
#: Time zones offered as buttons during onboarding; any other can be typed.
TZ_BUTTONS = ("Europe/Moscow", "Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo")
WINDOW_BUTTONS = ("08:00-22:00", "09:00-21:00", "10:00-23:00")
BEEPS_BUTTONS = (4, 6, 8)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
#: Questions whose buttons (or typed answer) the participant's next input answers; a button of
#: a question that is not the pending one is stale and refused (see :meth:`Handlers.on_button`).
_BUTTON_STEPS = {"tz": "timezone", "win": "window", "beeps": "beeps", "form": "form"}
#: Answers to what the participant did rather than to a question they asked: said once, not again
#: for every one of many rapid messages (see :meth:`Handlers.say`).
QUIET_KEYS = frozenset(
    {
        "no_beep_pending",
        "unsupported_content",
        "empty_text",
        "consent_needed",
        "not_registered",
        "not_active",
    }
)
#: A schedule refusal code of the study → the catalogue key that explains it.
_REFUSALS = {
    "schedule.bad_window": "window_invalid",
    "schedule.empty_window": "window_empty",
    "schedule.too_many_beeps": "too_many_beeps",
    "schedule.bad_count": "beeps_invalid",
    "schedule.bad_beeps": "beeps_invalid",
    "schedule.unknown_timezone": "timezone_invalid",
    "schedule.offset_out_of_range": "timezone_invalid",
    "schedule.empty_timezone": "timezone_invalid",
}


def clean_text(text: object) -> str:
    """Drop control and bidi-override characters, normalise to NFC, strip the ends.

    pyTelegramBotAPI passes a field through as it came, so a malformed update's ``text`` or
    ``caption`` may be a list or an object: that is no text at all.
    """
    if not isinstance(text, str):
        return ""
    return unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()


def command_menu(lang: str) -> list[tuple[str, str]]:
    """The participant commands with their descriptions in ``lang`` (Telegram's command menu)."""
    return [(name, i18n.render(f"cmd_{name}", lang)) for name in PARTICIPANT_COMMANDS]


class AdminPort:
    """Base of the researcher commands' back end (see :func:`esm_bot.telegram.wiring.build_app`)."""

    def stats(self) -> Mapping[str, Any] | str:
        """Study figures by name (shown with their catalogue labels ``stat_<name>``)."""
        raise NotImplementedError

    def export_csv(self) -> tuple[bytes, int]:
        """The study as CSV bytes and its row count."""
        raise NotImplementedError

    def health(self) -> tuple[str, str]:
        """(overall status, one line per check)."""
        raise NotImplementedError

    def telegram_id_of(self, name: str) -> int | None:
        """The Telegram id of the participant with this export pseudonym or internal id."""
        raise NotImplementedError


@attrs.define
class Handlers:
    """The bot's handlers; :meth:`install` registers them on a TeleBot explicitly."""

    study: Study
    sender: Sender
    settings: BotSettings
    admin: AdminPort
    default_lang: str = "ru"
    monotonic: Callable[[], float] = time.monotonic
    #: An identical answer of :data:`QUIET_KEYS` goes to a chat at most once in this many seconds.
    quiet_seconds: float = 60.0
    #: Called with (update, exception) when a handler fails; True means the failure is taken
    #: care of (the intake keeps the update for later) and no error message is sent.
    failure_hook: Callable[[Any, BaseException], bool] = lambda _update, _exc: False
    _inflight: int = attrs.field(init=False, default=0)
    _lock: threading.Condition = attrs.field(init=False, factory=threading.Condition)
    _said: dict[int, tuple[str, float]] = attrs.field(init=False, factory=dict)
    _said_lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)

    # plumbing
    def install(self, bot: Any) -> None:
        """Register every handler on ``bot`` (no decorators on globals)."""
        g = self.guard
        for name in PARTICIPANT_COMMANDS + ADMIN_COMMANDS:
            bot.register_message_handler(g(getattr(self, f"cmd_{name}")), commands=[name])
        bot.register_message_handler(g(self.on_command), func=_is_command, content_types=["text"])
        bot.register_message_handler(g(self.on_text), content_types=["text"])
        bot.register_message_handler(g(self.on_other), func=lambda _m: True, content_types=OTHER)
        bot.register_edited_message_handler(
            g(self.on_edit), func=lambda _m: True, content_types=["text", *OTHER]
        )
        bot.register_callback_query_handler(g(self.on_button), func=lambda _c: True)

    def guard(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """Wrap a handler: count it in flight, contain every exception, answer politely."""

        @functools.wraps(handler)
        def run(update: Any) -> None:
            if getattr(update, "from_user", None) is None:  # no sender: no participant to answer
                log.info("update without a sender ignored by %s", handler.__name__)
                return
            with self._lock:
                self._inflight += 1
            try:
                handler(update)
            except Exception as exc:
                if self.failure_hook(update, exc):  # kept for later (the database is unreachable)
                    return
                log.exception("handler %s failed", handler.__name__)
                self._apologise(update)
            finally:
                with self._lock:
                    self._inflight -= 1
                    self._lock.notify_all()

        return run

    def _apologise(self, update: Any) -> None:
        """The polite error message; this path never raises (the store may be what failed)."""
        try:
            chat = _chat_id(update)
            if chat is None:
                return
            try:
                who = self._who(update)
            except Exception:  # e.g. the database is unreachable: answer in the default language
                who = None
            self.say(chat, who, "error", client_lang=_client_lang(update))
        except Exception:
            log.exception("could not send the error message")

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
        *,
        client_lang: str | None = None,
        quiet: bool = False,
        **params: Any,
    ) -> int | None:
        """Render ``key`` for ``who`` and send it; return the message id.

        ``client_lang`` is the language for someone without a participant record (their
        Telegram client's). With ``quiet`` (answers to texts and media, not to commands or
        buttons), an answer of :data:`QUIET_KEYS` that this chat got word for word within
        :attr:`quiet_seconds` is not sent again: twenty rapid messages get one answer.
        """
        text = self.render(who, key, client_lang=client_lang, **params)
        if quiet and str(key) in QUIET_KEYS and self._repeated(chat_id, text):
            return None
        markup = _keyboard(buttons) if buttons else None
        return self.sender.send_message(chat_id, text, reply_markup=markup).message_id

    def _repeated(self, chat_id: int, text: str) -> bool:
        now = self.monotonic()
        with self._said_lock:
            last = self._said.get(chat_id)
            if last is not None and last[0] == text and now - last[1] < self.quiet_seconds:
                return True
            self._said[chat_id] = (text, now)
            if len(self._said) > 10_000:  # bounded: forget the oldest chats
                for chat in list(self._said)[:5_000]:
                    del self._said[chat]
            return False

    def tell(self, chat_id: int, outcome: Outcome, *, quiet: bool = False) -> int | None:
        """Send what the study answered, in order; return the last message id."""
        message_id = None
        for msg in outcome.messages:
            message_id = self.say(chat_id, outcome.participant, msg.key, quiet=quiet, **msg.params)
        return message_id

    def render(
        self, who: Participant | None, key: str, /, *, client_lang: str | None = None, **params: Any
    ) -> str:
        """Render ``key`` for ``who`` (``client_lang`` or the default before registration).

        Russian uses the polite «вы» until the participant has chosen «ты» or «вы».
        """
        if who is None:
            return self.render_in(client_lang or self.default_lang, "formal", key, params)
        return self.render_in(who.lang, _form(who), key, params)

    @staticmethod
    def render_in(lang: str, form: str, key: str, params: Any = None) -> str:
        """Render ``key`` with the engine's raw ``params`` in an explicit language and form."""
        return i18n.render(str(key), lang, form, **present(params or {}, lang, form))

    def due_text(self, due: Action) -> str:
        """The text of something the scheduler sends: an expiry edit keeps the beep's question."""
        text = self.render_in(due.lang, due.address_form, due.message.key, due.message.params)
        beep = due.beep
        if due.kind is ActionKind.EXPIRE_BEEP and beep is not None and beep.message_id is not None:
            question = self.render_in(due.lang, due.address_form, "beep")
            return f"{question}\n\n⌛ {text}"
        return text

    def _who(self, update: Any) -> Participant | None:
        user = getattr(update, "from_user", None)
        return self.study.participant(user.id) if user is not None else None

    # onboarding
    def cmd_start(self, m: Any) -> None:
        """/start: register, welcome, then the language question (someone already taking part
        hears where they are instead)."""
        who = self.study.participant(m.from_user.id)
        if who is not None and who.status not in (
            ParticipantStatus.REGISTERED,
            ParticipantStatus.WITHDRAWN,
        ):
            self._continue(m.chat.id, who)
            return
        who = _checked(self.study.register(m.from_user.id, m.chat.id, _client_lang(m)))
        self.say(m.chat.id, who, "welcome", training_days=self.study.config.training_days)
        self.say(m.chat.id, who, "choose_language", LANGUAGES)

    def _continue(self, chat: int, who: Participant) -> None:
        """/start from someone who already agreed: the pending question again, or their state."""
        step = who.extra.get(AWAITING_KEY)
        if who.status is ParticipantStatus.CONSENTED and step in ("timezone", "window", "beeps"):
            self._ask(chat, who, step)
            return
        self.say(chat, who, "already_enrolled")
        self.tell(chat, self.study.status(who.telegram_id or 0))

    def on_button(self, c: Any) -> None:
        """Any inline button: ``kind:value`` routed to a ``btn_<kind>`` method.

        A button is live only while its question is the pending one (consent while registered,
        language while registered or after /settings → Language, the others while their question
        waits for an answer); any other press is refused with a message that says nothing
        changed, so an old button never does something its text no longer means.
        """
        self.sender.answer_callback(c.id)
        kind, _, value = str(c.data or "").partition(":")
        who = self.study.participant(c.from_user.id)
        route = getattr(self, f"btn_{kind}", None) if kind.isidentifier() else None
        if c.message is None:
            return
        chat = c.message.chat.id
        if who is None or route is None:
            self.say(chat, who, "button_expired", client_lang=_client_lang(c))
            return
        stale = _stale(who, kind)
        if stale is not None:
            self.say(chat, who, stale)
            return
        try:
            route(chat, who, value)
        except ValueError:  # forged button data the study refuses
            self.say(chat, who, "button_expired")

    def btn_lang(self, chat: int, who: Participant, value: str) -> None:
        """Language chosen: Russian asks the address form next, English the consent."""
        tg = who.telegram_id or 0
        who = _checked(self.study.set_language(tg, value))
        if who.lang == "ru":
            who = self.study.await_answer(tg, "form")
            self.say(chat, who, "choose_form", FORMS)
            return
        who = self.study.await_answer(tg, None)
        if who.status is ParticipantStatus.REGISTERED:
            self._ask_consent(chat, who)
        else:
            self.say(chat, who, "language_saved")

    def btn_form(self, chat: int, who: Participant, value: str) -> None:
        """Address form chosen: the consent comes next (or the choice is confirmed)."""
        tg = who.telegram_id or 0
        _checked(self.study.set_address_form(tg, value))
        who = self.study.await_answer(tg, None)
        if who.status is ParticipantStatus.REGISTERED:
            self._ask_consent(chat, who)
        else:
            self.say(chat, who, "form_saved")

    def _ask_consent(self, chat: int, who: Participant) -> None:
        yes, no = self.render(who, "consent_yes"), self.render(who, "consent_no")
        buttons = [(yes, "consent:yes"), (no, "consent:no")]
        self.say(chat, who, "consent", buttons, version=self.study.config.consent_version)

    def btn_consent(self, chat: int, who: Participant, value: str) -> None:
        """Consent answered (only while it is pending): on yes, the time zone question."""
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
            who = self.study.await_answer(who.telegram_id or 0, "language")
            self.say(chat, who, "choose_language", LANGUAGES)
        elif value == "form":
            who = self.study.await_answer(who.telegram_id or 0, "form")
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
            key, params = self._invalid(step, text, outcome)
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

    def _invalid(self, step: str, text: str, refusal: Outcome) -> tuple[str, dict[str, Any]]:
        """Why a typed answer did not work, in the participant's language (never the study's
        English reason)."""
        c = self.study.config
        first = refusal.messages[0].params if refusal.messages else {}
        params: dict[str, Any] = {k: v for k, v in first.items() if k not in ("reason", "code")}
        params.update(text=text[:60], low=c.min_beeps_per_day, high=c.max_beeps_per_day)
        key = _REFUSALS.get(str(first.get("code", "")))
        if key is None:
            key = {"timezone": "timezone_invalid", "window": "window_invalid"}.get(
                step, "beeps_invalid"
            )
        return key, params

    def _finish_onboarding(self, chat: int, who: Participant) -> None:
        who = _checked(self.study.start(who.telegram_id or 0))
        window = f"{who.window_start:%H:%M}-{who.window_end:%H:%M}"
        self.say(chat, who, "onboarding_done", tz=who.tz, window=window, beeps=who.beeps_per_day)
        self.tell(chat, self.study.plan(who.telegram_id or 0))
        self._practice(chat, who)

    # participant commands
    def _registered(self, m: Any, *, quiet: bool = False) -> Participant | None:
        who = self.study.participant(m.from_user.id)
        if who is None:
            self.say(m.chat.id, None, "not_registered", client_lang=_client_lang(m), quiet=quiet)
        return who

    def cmd_help(self, m: Any) -> None:
        """/help."""
        who = self.study.participant(m.from_user.id)
        self.say(m.chat.id, who, "help", client_lang=_client_lang(m))

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
        language = i18n.LANG_NAMES[who.lang][who.lang]
        values: dict[str, Any] = {"lang": language, "tz": who.tz, "window": window}
        self.say(m.chat.id, who, "settings", buttons, beeps=who.beeps_per_day, **values)

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
        who = self.study.await_answer(who.telegram_id or 0, "delete")
        self.say(m.chat.id, who, "delete_confirm", [(yes, "delete:yes"), (no, "delete:no")])

    def btn_delete(self, chat: int, who: Participant, value: str) -> None:
        """The /delete confirmation (only while it is the pending question)."""
        if value != "yes":
            self.study.await_answer(who.telegram_id or 0, None)
            self.say(chat, who, "delete_cancelled")
            return
        self.study.delete_data(who.telegram_id or 0)
        self.say(chat, who, "delete_done")

    def cmd_practice(self, m: Any) -> None:
        """/practice: a practice beep now."""
        if (who := self._registered(m)) is not None:
            self._practice(m.chat.id, who)

    def _practice(self, chat: int, who: Participant) -> None:
        self._beep_now(chat, self.study.practice(who.telegram_id or 0))

    def _beep_now(self, chat: int, outcome: Outcome) -> None:
        """Send a practice or pilot beep the study opened and record its message id."""
        message_id = self.tell(chat, outcome)
        beep_id = next((m.params.get("beep_id") for m in outcome.messages), None)
        if beep_id and message_id is not None:  # its expiry edits this message
            self.study.beep_sent(str(beep_id), message_id)

    # researcher commands
    def _admin(self, m: Any) -> bool:
        if self.settings.is_admin(getattr(m.from_user, "id", None)):
            return True
        who = self.study.participant(m.from_user.id)
        self.say(m.chat.id, who, "unknown_command", client_lang=_client_lang(m))
        return False

    def _admin_lang(self, m: Any) -> str:
        """A researcher's language: their participant record's, else their Telegram client's."""
        who = self.study.participant(m.from_user.id)
        return who.lang if who is not None else _client_lang(m)

    def cmd_stats(self, m: Any) -> None:
        """/stats (admins only): each figure with its label in the researcher's language."""
        if not self._admin(m):
            return
        lang = self._admin_lang(m)
        figures = self.admin.stats()
        if isinstance(figures, str):
            lines = figures
        else:
            lines = "\n".join(
                f"{_stat_label(name, lang)}: {value}" for name, value in figures.items()
            )
        self.say(m.chat.id, None, "admin_stats", client_lang=lang, lines=lines)

    def cmd_export(self, m: Any) -> None:
        """/export (admins only): the study as a CSV document."""
        if not self._admin(m):
            return
        lang = self._admin_lang(m)
        try:
            data, rows = self.admin.export_csv()
        except Exception as exc:
            log.exception("export failed")
            reason = type(exc).__name__
            self.say(m.chat.id, None, "admin_export_failed", client_lang=lang, reason=reason)
            return
        caption = self.render(None, "admin_export_caption", client_lang=lang, rows=rows)
        self.sender.send_document(m.chat.id, data, "esm_export.csv", caption=caption)

    def cmd_health(self, m: Any) -> None:
        """/health (admins only): the operations health report, which is in English."""
        if self._admin(m):
            summary, lines = self.admin.health()
            params: dict[str, Any] = {"summary": summary, "lines": lines}
            self.say(m.chat.id, None, "admin_health", client_lang="en", **params)

    def cmd_pilot(self, m: Any) -> None:
        """/pilot [TELEGRAM_ID or PSEUDONYM] (admins only): a pilot beep now, kept apart."""
        if not self._admin(m):
            return
        lang = self._admin_lang(m)
        name = (m.text or "").partition(" ")[2].strip()
        target: int | None = m.from_user.id
        if name:
            target = int(name) if name.isdigit() else self.admin.telegram_id_of(name)
        who = self.study.participant(target) if target is not None else None
        if who is None or who.chat_id is None or who.status in _NOT_PILOTED:
            self.say(m.chat.id, None, "admin_pilot_unknown", client_lang=lang, who=name or "you")
            return
        self._beep_now(who.chat_id, self.study.pilot(who.telegram_id or 0))
        self.say(m.chat.id, None, "admin_pilot_sent", client_lang=lang, who=name or "you")

    # everything else
    def on_command(self, m: Any) -> None:
        """An unknown /command."""
        who = self.study.participant(m.from_user.id)
        self.say(m.chat.id, who, "unknown_command", client_lang=_client_lang(m))

    def on_other(self, m: Any) -> None:
        """Photos, documents, videos with a caption: the caption is read as the text; stickers,
        voice and the rest: ask for words."""
        if clean_text(getattr(m, "caption", None) or ""):
            self.on_text(m)
            return
        who = self.study.participant(m.from_user.id)
        lang = _client_lang(m)
        self.say(m.chat.id, who, "unsupported_content", client_lang=lang, quiet=True)

    def on_text(self, m: Any) -> None:
        """A text (or a caption): the answer to a pending question, else a report."""
        if (who := self._registered(m, quiet=True)) is None:
            return
        text = clean_text(m.text or getattr(m, "caption", None) or "")
        step = who.extra.get(AWAITING_KEY)
        registered = who.status is ParticipantStatus.REGISTERED
        if step in ("language", "form", "delete") and not registered:
            # a text moves on from a button question
            who = self.study.await_answer(who.telegram_id or 0, None)
            step = None
        if registered:
            self._onboarding_nudge(m.chat.id, who, step)
        elif step is not None:
            if text:
                self._answer(m.chat.id, who, step, text)
            else:
                self.say(m.chat.id, who, "empty_answer")
                self._ask(m.chat.id, who, step)
        elif not text:
            self.say(m.chat.id, who, "empty_text", quiet=True)
        else:
            key = f"tg:{m.chat.id}:{m.message_id}"
            outcome = self.study.handle_text(m.from_user.id, text, dedup_key=key)
            self.tell(m.chat.id, outcome, quiet=True)

    def _onboarding_nudge(self, chat: int, who: Participant, step: str | None) -> None:
        """Text before the consent: point at the question that is waiting."""
        if step == "form":
            self.say(chat, who, "choose_form", FORMS)
        else:
            self.say(chat, who, "consent_needed", quiet=True)

    def on_edit(self, m: Any) -> None:
        """An edited message: an edited report is kept beside the original and the edit scored."""
        who = self.study.participant(m.from_user.id)
        if who is None or who.status is ParticipantStatus.REGISTERED:
            return
        text = clean_text(getattr(m, "text", None) or getattr(m, "caption", None) or "")
        if not text or text.startswith("/"):
            return
        original = f"tg:{m.chat.id}:{m.message_id}"
        edit_key = f"{original}:edit:{getattr(m, 'edit_date', None) or 0}"
        outcome = self.study.edit_report(
            m.from_user.id, text, original_key=original, dedup_key=edit_key
        )
        self.tell(m.chat.id, outcome)


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


def _stale(who: Participant, kind: str) -> str | None:
    """The refusal for a button that belongs to a question no longer asked, else None."""
    registered = who.status is ParticipantStatus.REGISTERED
    awaiting = who.extra.get(AWAITING_KEY)
    if kind == "consent":
        return None if registered else "consent_stale"
    if kind == "lang":
        return None if registered or awaiting == "language" else "button_stale"
    if kind == "delete":
        return None if awaiting == "delete" else "button_stale"
    step = _BUTTON_STEPS.get(kind)
    if step is not None and awaiting != step:
        return "button_stale"
    return None


def _client_lang(update: Any) -> str:
    """The language of the Telegram client that sent ``update`` (see :func:`i18n.client_lang`)."""
    user = getattr(update, "from_user", None)
    return i18n.client_lang(getattr(user, "language_code", None))


def _form(who: Participant) -> str:
    """The address form to write to ``who`` in: «вы» until they chose (or got past onboarding)."""
    chosen = who.extra.get(ADDRESS_CHOSEN) or who.status is not ParticipantStatus.REGISTERED
    return str(who.address_form) if chosen else "formal"


def _stat_label(name: str, lang: str) -> str:
    key = f"stat_{name}"
    if key in i18n.keys(lang):
        return i18n.render(key, lang)
    return name.replace("_", " ").capitalize()


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
