"""The running bot (:class:`BotApp`): updates in through the intake (long polling, or a stdlib WSGI
webhook server that wants the secret header and answers 200 only once an update is recorded), the
beep scheduler, the outbox thread, the metrics log and a shutdown well inside SIGTERM's 10 seconds
(docs/scaling.md, "Each update is recorded before it is confirmed"); :func:`build_app` wires it
from the environment (store, validator, study), the only place the bot reads it."""

from __future__ import annotations

import copy
import datetime as dt
import hmac
import itertools
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import attrs
import telebot
from telebot import apihelper
from telebot.types import BotCommand

import esm_validate
from esm_bot import i18n
from esm_bot.domain.models import utc_now
from esm_bot.settings import BotSettings, StoreSettings, StudyConfig
from esm_bot.store import StoreUnavailable, store_from_env
from esm_bot.study import Action, ActionKind, Study
from esm_bot.telegram.handlers import PARTICIPANT_COMMANDS, Handlers
from esm_bot.telegram.ledger import Ledger, ledger_path
from esm_bot.telegram.sender import STOPPING, Sender, SendLimiter

__all__ = ["BotApp", "build_app", "make_telebot"]

log = logging.getLogger("esm_bot")

#: The update kinds the bot asks Telegram for.
ALLOWED_UPDATES = ["message", "callback_query", "edited_message"]
#: Largest update body the webhook accepts.
MAX_BODY_BYTES = 1_000_000
#: How many chats' updates of a batch are handled at once (each chat's in order).
_WORKERS = 8

Update = Mapping[str, Any]


def make_telebot(settings: BotSettings) -> Any:
    """A TeleBot for ``settings`` (sets the module-wide API and file URLs of pyTelegramBotAPI)."""
    apihelper.API_URL = settings.api_url + "/bot{0}/{1}"  # type: ignore[assignment]
    apihelper.FILE_URL = settings.api_url + "/file/bot{0}/{1}"  # type: ignore[assignment]
    # the intake runs the handlers in its own threads, so it knows when they finish
    return telebot.TeleBot(settings.token, threaded=False, parse_mode=None)


@attrs.define
class BotApp:
    """The running bot: updates in, the beep scheduler, the metrics log and a clean shutdown;
    ``sleep`` defaults to a wait that shutdown cuts short, ``on_close`` closes the store."""

    settings: BotSettings
    study: Study
    bot: Any
    environ: Mapping[str, str] = attrs.field(factory=dict)
    now: Callable[[], dt.datetime] = utc_now
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] | None = None
    on_close: Callable[[], None] = lambda: None
    validator_stats: Callable[[], Mapping[str, Any]] = dict
    ledger: Ledger = attrs.field(factory=Ledger)
    sender: Sender = attrs.field(init=False)
    handlers: Handlers = attrs.field(init=False)
    _local: threading.local = attrs.field(init=False, factory=threading.local)
    _replaying: threading.Lock = attrs.field(init=False, factory=threading.Lock)
    _batch: threading.Condition = attrs.field(init=False, factory=threading.Condition)
    _batch_running: bool = attrs.field(init=False, default=False)
    _in_flight: int = attrs.field(init=False, default=0)  # updates being handled (or held)
    _offset: int | None = attrs.field(init=False, default=None)
    _confirmed: int | None = attrs.field(init=False, default=None)
    _stop: threading.Event = attrs.field(init=False, factory=threading.Event)
    _abort: threading.Event = attrs.field(init=False, factory=threading.Event)
    _webhook: Any = attrs.field(init=False, default=None)
    _counts: Counter[str] = attrs.field(init=False, factory=Counter)
    _tick_lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)

    def __attrs_post_init__(self) -> None:
        sleep = self.sleep or self._wait
        limiter = SendLimiter(
            clock=self.monotonic,
            sleep=sleep,
            global_rate=self.settings.send_rate,
            per_chat_rate=self.settings.send_rate_per_chat,
        )
        self.sender = Sender(
            self.bot,
            limiter,
            sleep=sleep,
            on_blocked=self.study.mark_unreachable,
            stopping=self._abort.is_set,
            ledger=self.ledger,
            owed_key=self._next_key,
        )
        self.handlers = Handlers(
            self.study,
            self.sender,
            self.settings,
            self.environ,
            self.validator_stats,
            monotonic=self.monotonic,
        )

    def _wait(self, seconds: float) -> None:
        """Sleep, cut short when shutdown's grace runs out (a send then stops waiting out a 429)."""
        self._abort.wait(seconds)

    # the scheduler
    def tick_once(self) -> int:
        """Send everything due now; return how many messages went out."""
        with self._tick_lock:
            now = self.now()
            sent = 0
            for due in self.study.tick(now):
                if self._stop.is_set():  # shutting down: unsent claims lapse and go to the next run
                    break
                sent += self._send_due(due, now)
            return sent

    def _send_due(self, due: Action, now: dt.datetime) -> int:
        kind = due.kind.removeprefix("send_").removesuffix("_beep")  # metrics: beep_sent...
        beep = due.beep if due.kind is ActionKind.SEND_BEEP else None
        try:
            who = due.participant
            if who.chat_id is None:
                if beep is not None:
                    self.study.beep_failed(beep.id, reason="no chat")
                return 0
            if beep is not None and not self.study.renew_claim(beep.id, max(now, self.now())):
                log.info("another process took over a %s; not sending it here", kind)
                return 0
            said, lang, form = due.message, who.lang, who.address_form
            text = self.handlers.render_in(lang, form, said.key, said.params)
            message_id = due.beep.message_id if due.beep is not None else None
            if due.kind is ActionKind.EXPIRE_BEEP and message_id is not None:  # question kept
                text = f"{self.handlers.render_in(lang, form, 'beep')}\n\n⌛ {text}"
                delivery = self.sender.edit_message_text(who.chat_id, message_id, text)
            else:
                delivery = self.sender.send_message(who.chat_id, text)
            if delivery.ok:
                if beep is not None:
                    self.study.beep_sent(beep.id, delivery.message_id, at=now)
                self._counts[f"{kind}_sent"] += 1
                return 1
            if delivery.error == STOPPING:  # not sent: its claim lapses and the next run sends it
                return 0
            if beep is not None:
                reason = delivery.error or "failed"
                self.study.beep_failed(beep.id, blocked=delivery.blocked, reason=reason)
            self._counts[f"{kind}_failed"] += 1
        except Exception:  # one participant's problem never stops the others' beeps
            log.exception("could not send %s", kind)
        return 0

    def _every(self, name: str, seconds: float, *work: Callable[[], object], first: float) -> None:
        """Run ``work`` in a thread every ``seconds`` (first after ``first``) until shutdown."""

        def loop() -> None:
            pause = first
            while not self._stop.wait(pause):
                pause = seconds
                try:
                    for step in work:
                        step()
                except Exception:
                    log.exception("%s round failed (will retry)", name)

        threading.Thread(target=loop, name=name, daemon=True).start()

    def start_background(self) -> None:
        """Start the beep scheduler, the outbox (owed replies, kept updates) and the metrics log."""
        tick = self.settings.tick_seconds
        self._every("esm-scheduler", tick, self.tick_once, first=tick)
        self._every("esm-outbox", tick, self.sender.flush_owed, self._replay, first=0.0)
        minutes = self.settings.metrics_interval_minutes * 60
        self._every("esm-metrics", minutes, self.log_metrics, first=minutes)

    # updates
    def start_polling(self) -> None:
        """Take updates by long polling in a thread that never dies on an error; each batch is
        handled before the next ``getUpdates``, whose ``offset`` confirms it."""
        try:  # the command menu: English for every client, Russian for Russian ones
            for lang, code in (("en", None), ("ru", "ru")):
                menu = [BotCommand(c, i18n.render(f"cmd_{c}", lang)) for c in PARTICIPANT_COMMANDS]
                self.bot.set_my_commands(menu, language_code=code)
        except Exception as exc:  # a menu is nice to have; never a reason not to start
            log.warning("could not set the command menu: %s", type(exc).__name__)
        try:  # a webhook left over from webhook mode would make getUpdates fail with 409
            self.bot.delete_webhook()
        except Exception as exc:
            log.warning("could not delete a webhook: %s", type(exc).__name__)
        threading.Thread(target=self._poll, name="esm-polling", daemon=True).start()

    def _poll(self) -> None:
        pause = 0.5
        wait = self.settings.long_poll_seconds
        while not self._stop.is_set():
            try:
                raw = apihelper.get_updates(  # type: ignore[no-untyped-call]
                    self.bot.token, self._offset, 100, wait + 5, ALLOWED_UPDATES, wait
                )
            except Exception as exc:
                log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
                self._stop.wait(pause)
                pause = min(pause * 2, 30.0)
                continue
            pause = 0.5
            self._confirmed = self._offset
            updates = [u for u in raw or [] if isinstance(u, dict) and "update_id" in u]
            if updates:
                self._run_batch(updates)

    def _run_batch(self, updates: list[dict[str, Any]]) -> None:
        """Handle a batch unless shutting down; once all is recorded, the next offset is past it."""
        with self._batch:
            if self._stop.is_set():  # not handled, so not confirmed: Telegram keeps them
                return
            self._batch_running = True
        recorded = False
        try:
            self._intake(updates)
            recorded = True
        except Exception:
            log.exception("a batch could not be recorded; it stays unconfirmed and comes again")
            self._stop.wait(1.0)
        finally:
            with self._batch:
                if recorded:
                    self._offset = max(int(u["update_id"]) for u in updates) + 1
                self._batch_running = False
                self._batch.notify_all()

    def _confirm_handled(self) -> None:
        """Confirm the last handled batch now (otherwise the next process would get it again)."""
        if self._offset is None or self._offset == self._confirmed:
            return
        try:  # offset confirms everything before it (get_updates cannot ask for a 0 s poll)
            params = {"offset": self._offset, "limit": 1, "timeout": 3}  # a short poll
            apihelper._make_request(self.bot.token, "getUpdates", params=params)  # type: ignore[no-untyped-call]
            self._confirmed = self._offset
        except Exception as exc:
            log.warning("could not confirm the last batch (%s); it comes again", type(exc).__name__)

    def process_update(self, update: Update) -> None:
        """Handle one raw update dict (webhook mode); returns once it is recorded."""
        self._intake([update])

    def _intake(self, updates: Sequence[Update]) -> None:
        """Handle a batch, one chat's updates in order and different chats in parallel; return
        when every update is handled or held (raise if one is not: the batch is not confirmed)."""
        chats: dict[int | None, list[Update]] = {}
        for update in updates:
            chats.setdefault(_chat_of(update), []).append(update)
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
        else:
            # Daemon threads: a process told to stop never waits for a handler at exit (an
            # update it did not finish is simply not confirmed).
            threads = [
                threading.Thread(target=work, name="esm-intake", daemon=True)
                for _ in range(min(_WORKERS, len(pending)))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        if failures:
            raise failures[0]

    def _one(self, update: Update, *, held: bool) -> None:
        update_id = int(update["update_id"])
        chat = _chat_of(update)
        if not held and self.ledger.holding(chat):  # keep the chat's order: behind its held ones
            self._hold(update, chat)
            return
        self._local.keys = _keys(update_id)
        with self._batch:
            self._in_flight += 1
        try:
            self.handlers.dispatch(copy.deepcopy(dict(update)))
        except StoreUnavailable as exc:  # a handler met a database outage: keep the update
            if held:
                raise  # still down: the replay stops here
            self._hold(update, chat, str(exc)[:200] or type(exc).__name__)
        finally:
            self._local.keys = None
            with self._batch:
                self._in_flight -= 1
                self._batch.notify_all()

    def _hold(
        self, update: Update, chat: int | None, why: str = "its chat has kept updates"
    ) -> None:
        """Keep an update in the ledger; tell its chat that feedback follows (no store needed)."""
        update_id = int(update["update_id"])
        self.ledger.hold(update_id, chat, update)
        log.warning("update %s kept for later: %s", update_id, why)
        if chat is None:
            return
        self._local.keys = _keys(update_id, -1)  # the notice is "<id>:-1"
        try:
            lang = i18n.client_lang((_part(update, "from") or {}).get("language_code"))
            self.sender.send_message(chat, self.handlers.render_in(lang, "formal", "held"))
        except Exception:  # the update is kept; a notice that fails is not a reason to raise
            log.exception("could not tell chat %s its message is kept", chat)
        finally:
            self._local.keys = None

    def _replay(self) -> int:
        """Handle held updates again, oldest first, until one meets the outage; return how many."""
        done = 0
        with self._replaying:
            for update in self.ledger.held():
                try:
                    self._one(update, held=True)
                except StoreUnavailable:  # still down: try again later
                    break
                self.ledger.handled(int(update["update_id"]))
                done += 1
        if done:
            log.info("handled %d kept update(s) after the outage", done)
        return done

    def _next_key(self) -> str | None:
        """The outbox key of the next reply of the update being handled here, or None."""
        keys: Iterator[str] | None = getattr(self._local, "keys", None)
        return None if keys is None else next(keys)

    def serve_webhook(self, *, port: int | None = None) -> int:
        """Bind the webhook server (the secret header is checked); return the bound port."""
        if not self.settings.webhook_secret:
            msg = "a webhook needs a secret token"
            raise ValueError(msg)
        chosen = self.settings.webhook_port if port is None else port
        self._webhook = make_server(
            self.settings.webhook_host, chosen, self._wsgi, _ThreadingServer, _QuietHandler
        )
        serve = self._webhook.serve_forever  # in a daemon thread, until shutdown() stops it
        threading.Thread(target=serve, args=(0.1,), name="esm-webhook", daemon=True).start()
        return int(self._webhook.server_address[1])

    def _wsgi(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """The webhook: the secret header checked, 200 only once the update is recorded (a 500
        makes Telegram deliver it again)."""
        if environ.get("REQUEST_METHOD") != "POST":
            return _reply(start_response, "405 Method Not Allowed")
        given = str(environ.get("HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN", "")).encode()
        if not hmac.compare_digest(given, str(self.settings.webhook_secret).encode()):
            return _reply(start_response, "403 Forbidden", b"forbidden")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            return _reply(start_response, "413 Payload Too Large")
        try:
            update = json.loads(environ["wsgi.input"].read(length) or b"null")
        except ValueError:
            update = None
        if not isinstance(update, dict):
            return _reply(start_response, "400 Bad Request")
        try:
            self.process_update(update)
        except Exception:  # not recorded: no 200, so Telegram delivers it again
            log.exception("webhook update could not be recorded; Telegram will deliver it again")
            return _reply(start_response, "500 Internal Server Error")
        return _reply(start_response, "200 OK", b"ok")

    # metrics and shutdown
    def metrics(self) -> dict[str, Any]:
        """A snapshot: sends, handler load, scheduler counts, study figures."""
        snapshot: dict[str, Any] = {
            "telegram": dict(self.sender.stats()),
            "scheduler": dict(self._counts),
            "handlers_in_flight": self._in_flight,
        }
        sources = {
            "intake": self.ledger.counts,
            "study": self.study.stats,
            "extra": self.validator_stats,
        }
        for name, getter in sources.items():
            try:
                snapshot[name] = dict(getter())
            except Exception as exc:
                snapshot[name] = {"error": type(exc).__name__}
        return snapshot

    def log_metrics(self) -> None:
        """Log the metrics snapshot as one JSON line."""
        log.info("metrics %s", json.dumps(self.metrics(), default=str, sort_keys=True))

    def _settle_in_flight(self, deadline: float) -> tuple[bool, bool]:
        """Wait until ``deadline`` for the batch and the handlers; (batch done, handlers idle)."""
        with self._batch:
            finished = self._batch.wait_for(
                lambda: not self._batch_running, max(0.0, deadline - time.monotonic())
            )
            idle = self._batch.wait_for(
                lambda: self._in_flight == 0, max(0.0, deadline - time.monotonic())
            )
        return finished, idle

    def shutdown(self, *, grace: float = 3.0) -> bool:
        """Stop taking updates, finish the batch in flight (up to ``grace`` s; then waits for a
        429 stop and those replies stay owed), confirm it, log metrics, close the store. Returns
        True when nothing was left in flight."""
        started = time.monotonic()
        self._stop.set()
        if self._webhook is not None:
            self._webhook.shutdown()
            self._webhook.server_close()
        deadline = time.monotonic() + grace
        if self._tick_lock.acquire(timeout=grace):  # the send in progress is finished and recorded
            self._tick_lock.release()
        finished, idle = self._settle_in_flight(deadline)
        if not (finished and idle):  # cut the waits (429, backoff): those replies stay owed
            self._abort.set()
            finished, idle = self._settle_in_flight(time.monotonic() + 0.5)
        self._abort.set()
        if finished:
            self._confirm_handled()
        if not idle:
            log.warning(
                "shutdown: %d handler(s) still running; their updates are not confirmed and "
                "Telegram delivers them again (reports are deduplicated, replies sent once)",
                self._in_flight,
            )
        if any(waiting := self.ledger.counts().values()):
            log.info(
                "shutdown: %d reply(ies) owed and %d update(s) kept for the next start", *waiting
            )
        self.log_metrics()
        try:
            self.on_close()
        except Exception:
            log.exception("closing the store failed")
        if idle:  # a handler still running may yet settle a reply
            self.ledger.close()
        log.info("stopped in %.2f s", time.monotonic() - started)
        return idle


def _part(update: Update, name: str) -> Any:
    """``chat`` or ``from`` of an update's message, edited message or pressed button, if any."""
    for field in ("message", "edited_message", "callback_query"):
        value = update.get(field)
        if isinstance(value, Mapping) and field == "callback_query" and name == "chat":
            value = value.get("message")
        if isinstance(value, Mapping) and isinstance(value.get(name), Mapping):
            return value[name]
    return None


def _chat_of(update: Update) -> int | None:
    try:
        return int(_part(update, "chat")["id"])
    except (KeyError, TypeError, ValueError):
        return None


def _keys(update_id: int, first: int = 0) -> Iterator[str]:
    """The outbox keys of an update's replies, in order: ``"<update_id>:<n>"``."""
    return (f"{update_id}:{n}" for n in itertools.count(first))


StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _reply(start_response: StartResponse, status: str, body: bytes = b"") -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("webhook: " + format, *args)


def build_app(
    environ: Mapping[str, str],
    *,
    settings: BotSettings,
    bot: Any,
    local_only: bool = False,
    store: Any = None,
) -> BotApp:
    """Open the store (unless given), build the validator and the study, and wire them to
    ``bot``; ``local_only`` (the console) scores with the local rules and keeps nothing on disk."""
    # the offline console opens its embedded file without the outage journal: never unreachable,
    # and no journal or lock file is left in the working directory
    store = store if store is not None else store_from_env(environ, resilient=not local_only)
    validator = esm_validate.FunctionValidator() if local_only else esm_validate.from_env(environ)
    study = Study(store, validator, StudyConfig.from_env(environ))

    journal = StoreSettings.from_env(environ).journal_file  # the ledger goes beside it
    ledger = Ledger() if local_only else Ledger(ledger_path(journal))
    return BotApp(
        settings,
        study,
        bot,
        environ,
        on_close=store.close,
        validator_stats=lambda: dict(getattr(validator, "stats", dict)()),
        ledger=ledger,
    )
