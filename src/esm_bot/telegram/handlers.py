"""Thin Telegram handlers: unpack the update, call the :class:`~esm_bot.study.Study`, render its
answer from the catalogues (:mod:`esm_bot.i18n`) and send it; no domain logic, no user-facing
strings. :meth:`Handlers.dispatch` runs each handler inside a guard (docs/bot.md)."""

from __future__ import annotations

import functools
import io
import logging
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from cachetools import LRUCache
from telebot import types
from telebot.util import content_type_media

from esm_bot import i18n
from esm_bot.domain.models import Participant, ParticipantStatus
from esm_bot.ops.export import export_salt, export_study, pseudonym
from esm_bot.ops.health import run_health
from esm_bot.ops.stats import study_stats
from esm_bot.settings import BotSettings
from esm_bot.store.errors import StoreUnavailable
from esm_bot.study import AWAITING_KEY, Outcome, Study
from esm_bot.study.context import ADDRESS_CHOSEN
from esm_bot.telegram.sender import Sender

__all__ = ["PARTICIPANT_COMMANDS", "Handlers", "clean_text"]

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
#: Commands that only relay the answer of a :class:`Study` method (command → method).
_RELAYED = {"status": "status", "pause": "pause", "resume": "resume", "stop": "withdraw"}
#: Participants /pilot does not beep and /start registers anew (no consent yet, or left).
_NOT_ENROLLED = (ParticipantStatus.REGISTERED, ParticipantStatus.WITHDRAWN)
#: Buttons that answer a question (button kind → question) and the study setter of each answer.
_ANSWERS = {"tz": "timezone", "win": "window", "beeps": "beeps"}
_SETTERS = {"timezone": "set_timezone", "window": "set_window", "beeps": "set_beeps_per_day"}
TZ_BUTTONS = ("Europe/Moscow", "Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo")
LANGUAGES = [("English", "lang:en"), ("Русский", "lang:ru")]
FORMS = [("на «ты»", "form:informal"), ("на «вы»", "form:formal")]
#: An onboarding or settings question: its catalogue key and its buttons (any value can be typed).
_QUESTIONS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "language": ("choose_language", LANGUAGES),
    "form": ("choose_form", FORMS),
    "timezone": ("ask_timezone", [(tz, f"tz:{tz}") for tz in TZ_BUTTONS]),
    "window": (
        "ask_window",
        [(w, f"win:{w}") for w in ("08:00-22:00", "09:00-21:00", "10:00-23:00")],
    ),
    "beeps": ("ask_beeps", [(str(n), f"beeps:{n}") for n in (4, 6, 8)]),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
#: Answers to what the participant did (not to a question they asked): said once, not again for
#: every one of many rapid messages (see :meth:`Handlers.say`).
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
#: Schedule refusals that a ``<question>_invalid`` message would not explain.
_REFUSALS = {"schedule.empty_window": "window_empty", "schedule.too_many_beeps": "too_many_beeps"}


def clean_text(text: object) -> str:
    """Drop control and bidi-override characters, normalise to NFC, strip; a non-str is ``""``."""
    if not isinstance(text, str):
        return ""
    return unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()


@attrs.define
class Handlers:
    """The bot's handlers; :meth:`dispatch` routes each parsed update to one of them."""

    study: Study
    sender: Sender
    settings: BotSettings
    #: The environment of the researcher commands (the export's salt, the health checks).
    environ: Mapping[str, str] = attrs.field(factory=dict)
    validator_stats: Callable[[], Mapping[str, Any]] = dict
    default_lang: str = "ru"
    monotonic: Callable[[], float] = time.monotonic
    #: An identical answer of :data:`QUIET_KEYS` goes to a chat at most once in this many seconds.
    quiet_seconds: float = 60.0
    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)
    _said: LRUCache[int, tuple[str, float]] = attrs.field(
        init=False, factory=lambda: LRUCache(10_000)
    )

    # plumbing
    def dispatch(self, raw: dict[str, Any]) -> None:
        """Run the handler of a raw update: every exception but a database outage (the intake
        keeps that update) is answered politely; an update pyTelegramBotAPI cannot parse (say
        ``"chat": null``) is dropped rather than failing its batch again and again."""
        try:
            update = types.Update.de_json(raw)  # type: ignore[no-untyped-call]
            m = update.message
            handler: Callable[[Any], None] = self.on_text
            if update.callback_query is not None:
                m, handler = update.callback_query, self.on_button
            elif update.edited_message is not None:
                m, handler = update.edited_message, self.on_edit
            elif m is None or m.content_type not in content_type_media:
                return  # a service message (a pin...), not words of the participant
            elif m.content_type != "text":
                handler = self.on_other
            elif m.text and m.text.startswith("/"):
                name = m.text.split()[0].split("@")[0][1:]
                admin = self.settings.is_admin(getattr(m.from_user, "id", None))
                known = PARTICIPANT_COMMANDS + (ADMIN_COMMANDS if admin else ())
                if name in _RELAYED:
                    handler = functools.partial(self._relay, _RELAYED[name])
                elif name in known and name != "help":
                    handler = getattr(self, f"cmd_{name}")
                else:  # /help, or a command this sender does not have
                    reply = "help" if name == "help" else "unknown_command"
                    handler = functools.partial(self._reply, key=reply)
        except Exception as exc:
            log.warning("update %s dropped: it cannot be dispatched (%s)", raw["update_id"], exc)
            return
        label = getattr(handler, "func", handler).__name__  # a partial's function
        if getattr(m, "from_user", None) is None:  # no sender: no participant to answer
            log.info("update without a sender ignored by %s", label)
            return
        try:
            handler(m)
        except StoreUnavailable:
            raise  # the intake keeps the update for later and tells the participant
        except Exception:
            log.exception("handler %s failed", label)
            self._apologise(m)

    def _apologise(self, update: Any) -> None:
        """The polite error message; this path never raises (the store may be what failed)."""
        try:
            message = getattr(update, "message", None)
            chat = getattr(update, "chat", None) or getattr(message, "chat", None)
            if chat is None:
                return
            try:
                who = self.study.participant(update.from_user.id)
            except Exception:  # e.g. the database is unreachable: answer in the default language
                who = None
            self.say(int(chat.id), who, "error", client_lang=_client_lang(update))
        except Exception:
            log.exception("could not send the error message")

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
        """Render ``key`` for ``who`` and send it; return the message id. With ``quiet``, an answer
        of :data:`QUIET_KEYS` this chat got word for word within :attr:`quiet_seconds` is not."""
        text = self.render(who, key, client_lang=client_lang, **params)
        if quiet and str(key) in QUIET_KEYS and self._repeated(chat_id, text):
            return None
        markup = None
        if buttons:
            keys = [types.InlineKeyboardButton(label, callback_data=d[:64]) for label, d in buttons]
            markup = types.InlineKeyboardMarkup(row_width=2).add(*keys)
        return self.sender.send_message(chat_id, text, reply_markup=markup).message_id

    def _repeated(self, chat_id: int, text: str) -> bool:
        now = self.monotonic()
        with self._lock:
            last = self._said.get(chat_id)
            if last is not None and last[0] == text and now - last[1] < self.quiet_seconds:
                return True
            self._said[chat_id] = (text, now)  # bounded: the chats not heard from longest go
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
        """Render ``key`` for ``who`` (or in ``client_lang``, else the default, before
        registration); Russian uses «вы» until the participant has chosen."""
        if who is None:
            return self.render_in(client_lang or self.default_lang, "formal", key, params)
        chosen = who.extra.get(ADDRESS_CHOSEN) or who.status is not ParticipantStatus.REGISTERED
        return self.render_in(who.lang, str(who.address_form) if chosen else "formal", key, params)

    @staticmethod
    def render_in(lang: str, form: str, key: str, params: Any = None) -> str:
        """Render ``key`` with the engine's raw ``params`` in an explicit language and form."""
        return i18n.render(str(key), lang, form, **i18n.present(params or {}, lang, form))

    # onboarding
    def cmd_start(self, m: Any) -> None:
        """/start: register, welcome, the language question (or, enrolled, where they are)."""
        who = self.study.participant(m.from_user.id)
        if who is not None and who.status not in _NOT_ENROLLED:
            step = who.extra.get(AWAITING_KEY)
            if who.status is ParticipantStatus.CONSENTED and step in _SETTERS:
                self._ask(m.chat.id, who, step)
                return
            self.say(m.chat.id, who, "already_enrolled")
            self.tell(m.chat.id, self.study.status(who.telegram_id or 0))
            return
        who = _checked(self.study.register(m.from_user.id, m.chat.id, _client_lang(m)))
        self.say(m.chat.id, who, "welcome", training_days=self.study.config.training_days)
        self.say(m.chat.id, who, "choose_language", LANGUAGES)

    def on_button(self, c: Any) -> None:
        """Any inline button ``kind:value``: live only while its question is the pending one; an
        old button is refused with a message that says nothing changed (docs/bot.md)."""
        self.sender.answer_callback(c.id)
        kind, _, value = str(c.data or "").partition(":")
        who = self.study.participant(c.from_user.id)
        route = getattr(self, f"btn_{kind}", None) if kind.isidentifier() else None
        if kind in _ANSWERS:
            route = functools.partial(self._answer, step=_ANSWERS[kind])
        if c.message is None:
            return
        chat = c.message.chat.id
        if who is None or route is None:
            self.say(chat, who, "button_expired", client_lang=_client_lang(c))
            return
        if (stale := _stale(who, kind)) is not None:
            self.say(chat, who, stale)
            return
        try:
            route(chat, who, value)
        except ValueError:  # forged button data the study refuses
            self.say(chat, who, "button_expired")

    def btn_lang(self, chat: int, who: Participant, value: str) -> None:
        """Language chosen: Russian asks the address form next, English the consent."""
        who = _checked(self.study.set_language(who.telegram_id or 0, value))
        if who.lang == "ru":
            self._ask(chat, who, "form")
        else:
            self._saved(chat, who, "language_saved")

    def btn_form(self, chat: int, who: Participant, value: str) -> None:
        """Address form chosen: the consent comes next (or the choice is confirmed)."""
        _checked(self.study.set_address_form(who.telegram_id or 0, value))
        self._saved(chat, who, "form_saved")

    def _saved(self, chat: int, who: Participant, key: str) -> None:
        """A language or form answered: ask the consent during onboarding, else confirm."""
        who = self.study.await_answer(who.telegram_id or 0, None)
        if who.status is not ParticipantStatus.REGISTERED:
            self.say(chat, who, key)
            return
        buttons = self._yes_no(who, "consent")
        self.say(chat, who, "consent", buttons, version=self.study.config.consent_version)

    def _yes_no(self, who: Participant, kind: str) -> list[tuple[str, str]]:
        """The two buttons ``<kind>:yes`` and ``<kind>:no`` with their ``<kind>_yes/_no`` labels."""
        return [(self.render(who, f"{kind}_{a}"), f"{kind}:{a}") for a in ("yes", "no")]

    def btn_consent(self, chat: int, who: Participant, value: str) -> None:
        """Consent answered (only while it is pending): on yes, the time zone question."""
        if value != "yes":
            self.study.decline_consent(who.telegram_id or 0)
            self.say(chat, who, "consent_declined")
            return
        self._ask(chat, _checked(self.study.consent(who.telegram_id or 0)), "timezone")

    def _ask(self, chat: int, who: Participant, step: str) -> None:
        """Ask a question of :data:`_QUESTIONS`; the next text (or button) answers it."""
        who = self.study.await_answer(who.telegram_id or 0, step)
        c = self.study.config
        key, buttons = _QUESTIONS[step]
        limits: dict[str, Any] = {"low": c.min_beeps_per_day, "high": c.max_beeps_per_day}
        self.say(chat, who, key, buttons, default=c.beeps_per_day, **limits)

    def btn_set(self, chat: int, who: Participant, value: str) -> None:
        """A /settings button: ask that question again."""
        if value in _QUESTIONS:
            self._ask(chat, who, value)

    def _answer(self, chat: int, who: Participant, text: str, step: str) -> None:
        """Apply an answer to ``step``; a bad value explains why and asks again."""
        tg = who.telegram_id or 0
        outcome = getattr(self.study, _SETTERS[step])(tg, text)
        if not outcome.ok or outcome.participant is None:
            c = self.study.config
            first = outcome.messages[0].params if outcome.messages else {}
            params = {k: v for k, v in first.items() if k not in ("reason", "code")}
            params.update(text=text[:60], low=c.min_beeps_per_day, high=c.max_beeps_per_day)
            key = _REFUSALS.get(str(first.get("code", "")), f"{step}_invalid")
            self.say(chat, who, key, **params)
            return
        who = self.study.await_answer(tg, None)
        if who.status is not ParticipantStatus.CONSENTED:
            self.say(chat, who, "settings_saved")
        elif step != "beeps":
            self._ask(chat, who, "window" if step == "timezone" else "beeps")
        else:
            started = self.study.start(tg)  # its message says when the first real beeps come
            who = _checked(started)
            window = f"{who.window_start:%H:%M}-{who.window_end:%H:%M}"
            self.say(
                chat, who, "onboarding_done", tz=who.tz, window=window, beeps=who.beeps_per_day
            )
            self.tell(chat, started)
            self._beep_now(chat, self.study.practice(tg))

    # participant commands
    def _registered(self, m: Any, *, quiet: bool = False) -> Participant | None:
        who = self.study.participant(m.from_user.id)
        if who is None:
            self.say(m.chat.id, None, "not_registered", client_lang=_client_lang(m), quiet=quiet)
        return who

    def _relay(self, method: str, m: Any) -> None:
        """A command of :data:`_RELAYED`: the study's answer, for a registered participant."""
        if self._registered(m) is not None:
            self.tell(m.chat.id, getattr(self.study, method)(m.from_user.id))

    def _reply(self, m: Any, key: str, *, quiet: bool = False) -> None:
        who = self.study.participant(m.from_user.id)
        self.say(m.chat.id, who, key, client_lang=_client_lang(m), quiet=quiet)

    def cmd_settings(self, m: Any) -> None:
        """/settings: the current values and a button per setting."""
        if (who := self._registered(m)) is None:
            return
        names = ["timezone", "window", "beeps", "language"] + (["form"] if who.lang == "ru" else [])
        buttons = [(self.render(who, f"settings_{n}"), f"set:{n}") for n in names]
        values: dict[str, Any] = {"lang": self.render(who, "language_name"), "tz": who.tz}
        values["window"] = f"{who.window_start:%H:%M}-{who.window_end:%H:%M}"
        self.say(m.chat.id, who, "settings", buttons, beeps=who.beeps_per_day, **values)

    def cmd_delete(self, m: Any) -> None:
        """/delete: ask for confirmation with two buttons."""
        if (who := self._registered(m)) is None:
            return
        buttons = self._yes_no(who, "delete")
        who = self.study.await_answer(who.telegram_id or 0, "delete")
        self.say(m.chat.id, who, "delete_confirm", buttons)

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
            self._beep_now(m.chat.id, self.study.practice(who.telegram_id or 0))

    def _beep_now(self, chat: int, outcome: Outcome) -> None:
        """Send a practice or pilot beep the study opened and record its message id."""
        message_id = self.tell(chat, outcome)
        beep_id = next((m.params.get("beep_id") for m in outcome.messages), None)
        if beep_id and message_id is not None:  # its expiry edits this message
            self.study.beep_sent(str(beep_id), message_id)

    # researcher commands (to anyone else, unknown commands: see dispatch)
    def _admin_lang(self, m: Any) -> str:
        """A researcher's language: their record's, else their client's."""
        who = self.study.participant(m.from_user.id)
        return who.lang if who is not None else _client_lang(m)

    def cmd_stats(self, m: Any) -> None:
        """/stats (admins only): each figure with its label in the researcher's language."""
        lang = self._admin_lang(m)
        figures = self._figures().items()
        lines = "\n".join(f"{i18n.render(f'stat_{k}', lang)}: {v}" for k, v in figures)
        self.say(m.chat.id, None, "admin_stats", client_lang=lang, lines=lines)

    def _figures(self) -> dict[str, Any]:
        """The counts of ``esm-bot stats`` plus the engine's late, expired and missed beeps."""
        study = study_stats(self.study.store, validator_stats=self.validator_stats())
        engine = self.study.stats()
        figures: dict[str, Any] = {
            "participants": study.participants,
            "registrations": study.registrations,
            "samples": study.samples,
            "answers": study.reports,
            "pilot_reports": study.pilot_reports,
            "messages_without_beep": study.messages_without_beep,
            "beeps_delivered": study.beeps_delivered,
            "beeps_answered": study.beeps_answered_on_time,
        }
        figures.update((k, engine[k]) for k in ("beeps_late", "beeps_expired", "beeps_missed"))
        if study.compliance is not None:
            figures["compliance"] = f"{100 * study.compliance:.0f}%"
        if study.average_quality is not None:
            figures["average_quality"] = round(study.average_quality)
        return figures

    def cmd_export(self, m: Any) -> None:
        """/export (admins only): the study as a CSV document."""
        lang = self._admin_lang(m)
        buffer = io.StringIO(newline="")  # the pseudonymised long-format CSV
        try:
            rows = export_study(self.study.store, buffer, format="csv", environ=self.environ)
        except Exception as exc:
            log.exception("export failed")
            reason = type(exc).__name__
            self.say(m.chat.id, None, "admin_export_failed", client_lang=lang, reason=reason)
            return
        caption = self.render(None, "admin_export_caption", client_lang=lang, rows=rows)
        data = buffer.getvalue().encode("utf-8")
        self.sender.send_document(m.chat.id, data, "esm_export.csv", caption=caption)

    def cmd_health(self, m: Any) -> None:
        """/health (admins only): the operations health report, which is in English."""
        report = run_health(self.study.store, environ=self.environ)  # without live AI calls
        summary, lines = str(report.status), report.render()
        self.say(m.chat.id, None, "admin_health", client_lang="en", summary=summary, lines=lines)

    def cmd_pilot(self, m: Any) -> None:
        """/pilot [TELEGRAM_ID or PSEUDONYM] (admins only): a pilot beep now, kept apart."""
        lang = self._admin_lang(m)
        name = (m.text or "").partition(" ")[2].strip()
        target: int | None = m.from_user.id
        if name.isdigit():
            target = int(name)
        elif name:  # the export's pseudonym or the internal id
            salt = export_salt(self.study.store, self.environ)
            people = self.study.store.list_participants()
            found = (p.telegram_id for p in people if name in (p.id, pseudonym(p.id, salt)))
            target = next(found, None)
        who = self.study.participant(target) if target is not None else None
        if who is None or who.chat_id is None or who.status in _NOT_ENROLLED:
            self.say(m.chat.id, None, "admin_pilot_unknown", client_lang=lang, who=name or "you")
            return
        self._beep_now(who.chat_id, self.study.pilot(who.telegram_id or 0))
        self.say(m.chat.id, None, "admin_pilot_sent", client_lang=lang, who=name or "you")

    # everything else
    def on_other(self, m: Any) -> None:
        """Media: a caption is read as the text; without one, ask for words."""
        if clean_text(getattr(m, "caption", None) or ""):
            self.on_text(m)
            return
        self._reply(m, "unsupported_content", quiet=True)

    def on_text(self, m: Any) -> None:
        """A text (or a caption): the answer to a pending question, else a report."""
        if (who := self._registered(m, quiet=True)) is None:
            return
        text = clean_text(m.text or getattr(m, "caption", None) or "")
        step = who.extra.get(AWAITING_KEY)
        if who.status is ParticipantStatus.REGISTERED:  # before the consent: point at the question
            if step == "form":
                self.say(m.chat.id, who, "choose_form", FORMS)
            else:
                self.say(m.chat.id, who, "consent_needed", quiet=True)
            return
        if step is not None and step not in _SETTERS:  # a text moves on from a button question
            self.study.await_answer(who.telegram_id or 0, None)
            step = None
        if step is not None and text:
            self._answer(m.chat.id, who, text, step)
        elif step is not None:
            self.say(m.chat.id, who, "empty_answer")
            self._ask(m.chat.id, who, step)
        elif not text:
            self.say(m.chat.id, who, "empty_text", quiet=True)
        else:
            key = f"tg:{m.chat.id}:{m.message_id}"
            outcome = self.study.handle_text(m.from_user.id, text, dedup_key=key)
            self.tell(m.chat.id, outcome, quiet=True)

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


def _checked(outcome: Outcome) -> Participant:
    """The participant after an accepted call; a refusal raises :class:`ValueError`."""
    if not outcome.ok or outcome.participant is None:
        raise ValueError(outcome.keys[0] if outcome.messages else "refused")
    return outcome.participant


def _stale(who: Participant, kind: str) -> str | None:
    """The refusal for a button that belongs to a question no longer asked, else None."""
    registered = who.status is ParticipantStatus.REGISTERED
    if kind == "consent":
        return None if registered else "consent_stale"
    step = {**_ANSWERS, "lang": "language", "form": "form", "delete": "delete"}.get(kind)
    live = step is None or who.extra.get(AWAITING_KEY) == step or (kind == "lang" and registered)
    return None if live else "button_stale"


def _client_lang(update: Any) -> str:
    return i18n.client_lang(getattr(getattr(update, "from_user", None), "language_code", None))
