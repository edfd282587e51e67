"""Wiring of the running bot: TeleBot, handlers, sender, beep scheduler, metrics log, shutdown.

:class:`BotApp` owns the threads. :meth:`BotApp.start_polling` (or :meth:`BotApp.start_webhook`)
takes updates, the scheduler thread calls ``study.tick(now)`` every ``tick_seconds`` and sends the
due beeps, reminders and expiry notes, and a metrics snapshot is logged every
``metrics_interval_minutes``. :meth:`BotApp.shutdown` stops taking updates, lets the handlers in
flight finish (bounded), logs the final metrics snapshot and closes the store, well inside the
5 seconds a SIGTERM allows.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from esm_bot.domain.clock import utc_now
from esm_bot.settings import BotSettings
from esm_bot.study import Action, ActionKind, Study
from esm_bot.telegram.handlers import AdminPort, Handlers, command_menu
from esm_bot.telegram.limiter import SendLimiter
from esm_bot.telegram.sender import Sender

__all__ = ["BotApp", "make_telebot", "utc_now"]

log = logging.getLogger("esm_bot")

#: The names the scheduler counts sends under (the metrics keys ``beep_sent``...).
_KINDS = {
    ActionKind.SEND_BEEP: "beep",
    ActionKind.SEND_REMINDER: "reminder",
    ActionKind.EXPIRE_BEEP: "expire",
    ActionKind.NOTIFY: "notify",
}


class _ExceptionHandler:
    """pyTelegramBotAPI's exception handler: log and keep polling."""

    def handle(self, exception: BaseException) -> bool:
        log.warning("polling error (polling continues): %s", type(exception).__name__)
        return True


def make_telebot(settings: BotSettings, *, num_threads: int = 8) -> Any:
    """A TeleBot for ``settings`` (sets the module-wide API and file URLs of pyTelegramBotAPI)."""
    import telebot
    from telebot import apihelper

    apihelper.API_URL = settings.api_template  # type: ignore[assignment]
    apihelper.FILE_URL = settings.file_template  # type: ignore[assignment]
    handler: Any = _ExceptionHandler()
    return telebot.TeleBot(
        settings.token,
        threaded=True,
        num_threads=num_threads,
        exception_handler=handler,
        parse_mode=None,
    )


@attrs.define
class BotApp:
    """The running bot: updates in, the beep scheduler, the metrics log and a clean shutdown.

    Args:
        settings: Process settings.
        study: The study engine.
        admin: Back end of /stats, /export, /health.
        bot: A TeleBot (see :func:`make_telebot`).
        now: UTC wall clock (injected in tests).
        monotonic: Monotonic clock for the rate limiter.
        sleep: Sleep for the rate limiter and retries.
        on_close: Called at the end of :meth:`shutdown` (closes the store).
    """

    settings: BotSettings
    study: Study
    admin: AdminPort
    bot: Any
    now: Callable[[], dt.datetime] = utc_now
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    on_close: Callable[[], None] = lambda: None
    extra_metrics: Callable[[], Mapping[str, Any]] = dict
    sender: Sender = attrs.field(init=False)
    handlers: Handlers = attrs.field(init=False)
    _stop: threading.Event = attrs.field(init=False, factory=threading.Event)
    _threads: list[threading.Thread] = attrs.field(init=False, factory=list)
    _webhook: Any = attrs.field(init=False, default=None)
    _counts: dict[str, int] = attrs.field(init=False, factory=dict)
    _tick_lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)

    def __attrs_post_init__(self) -> None:
        limiter = SendLimiter(
            clock=self.monotonic,
            sleep=self.sleep,
            global_rate=self.settings.send_rate,
            per_chat_rate=self.settings.send_rate_per_chat,
        )
        self.sender = Sender(self.bot, limiter, sleep=self.sleep, on_blocked=self._blocked)
        self.handlers = Handlers(
            self.study, self.sender, self.settings, self.admin, monotonic=self.monotonic
        )
        self.handlers.install(self.bot)

    def _blocked(self, chat_id: int) -> None:
        log.info("chat %s blocked the bot; participant marked inactive", chat_id)
        self.study.mark_unreachable(chat_id)

    # the scheduler
    def tick_once(self, now: dt.datetime | None = None) -> int:
        """Send everything due now; return how many messages went out."""
        with self._tick_lock:
            now = now or self.now()
            sent = 0
            for due in self.study.tick(now):
                if self._stop.is_set():  # shutting down: unsent claims lapse and go to the next run
                    break
                sent += self._send_due(due, now)
            return sent

    def _send_due(self, due: Action, now: dt.datetime) -> int:
        kind = _KINDS[due.kind]
        beep = due.beep if due.kind is ActionKind.SEND_BEEP else None
        try:
            if due.chat_id is None:
                if beep is not None:
                    self.study.beep_failed(beep.id, reason="no chat")
                return 0
            if beep is not None and not self.study.renew_claim(beep.id, max(now, self.now())):
                log.info("another process took over a %s; not sending it here", kind)
                return 0
            text = self.handlers.due_text(due)
            message_id = due.beep.message_id if due.beep is not None else None
            if due.kind is ActionKind.EXPIRE_BEEP and message_id is not None:
                delivery = self.sender.edit_message_text(due.chat_id, message_id, text)
            else:
                delivery = self.sender.send_message(due.chat_id, text)
            if delivery.ok:
                if beep is not None:
                    self.study.beep_sent(beep.id, delivery.message_id, at=now)
                self._count(f"{kind}_sent")
                return 1
            if beep is not None:
                reason = delivery.error or "failed"
                self.study.beep_failed(beep.id, blocked=delivery.blocked, reason=reason)
            self._count(f"{kind}_failed")
        except Exception:  # one participant's problem never stops the others' beeps
            log.exception("could not send %s", kind)
        return 0

    def _count(self, name: str) -> None:
        self._counts[name] = self._counts.get(name, 0) + 1

    def _scheduler(self) -> None:
        while not self._stop.wait(self.settings.tick_seconds):
            try:
                self.tick_once()
            except Exception:
                log.exception("scheduler tick failed (will retry)")

    def _metrics_loop(self) -> None:
        while not self._stop.wait(self.settings.metrics_interval_minutes * 60):
            self.log_metrics()

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def start_background(self) -> None:
        """Start the beep scheduler and the periodic metrics log."""
        self._spawn(self._scheduler, "esm-scheduler")
        self._spawn(self._metrics_loop, "esm-metrics")

    # updates
    def start_polling(self) -> None:
        """Take updates by long polling in a background thread (never dies on an error)."""
        self._set_commands()
        try:  # a webhook left over from webhook mode would make getUpdates fail with 409
            self.bot.delete_webhook()
        except Exception as exc:
            log.warning("could not delete a webhook: %s", type(exc).__name__)

        def poll() -> None:
            self.bot.infinity_polling(
                timeout=self.settings.long_poll_seconds + 5,
                long_polling_timeout=self.settings.long_poll_seconds,
                logger_level=logging.WARNING,
                allowed_updates=["message", "callback_query", "edited_message"],
            )

        self._spawn(poll, "esm-polling")

    def process_update(self, update: Mapping[str, Any]) -> None:
        """Handle one raw update dict (webhook mode)."""
        from telebot.types import Update

        self.bot.process_new_updates([Update.de_json(json.dumps(update))])  # type: ignore[no-untyped-call]

    def start_webhook(self, *, port: int | None = None) -> int:
        """Serve the webhook and register it with Telegram; return the bound port."""
        bound = self.serve_webhook(port=port)
        self.register_webhook()
        return bound

    def serve_webhook(self, *, port: int | None = None) -> int:
        """Bind the webhook server (the secret header is checked); return the bound port."""
        from esm_bot.telegram.webhook import WebhookServer, make_webhook_app

        app = make_webhook_app(self.settings.webhook_secret or "", self.process_update)
        chosen = self.settings.webhook_port if port is None else port
        self._webhook = WebhookServer(self.settings.webhook_host, chosen, app).start()
        return int(self._webhook.port)

    def register_webhook(self) -> None:
        """Tell Telegram the webhook URL and secret (nothing to do without ``ESM_WEBHOOK_URL``)."""
        if self.settings.webhook_url:
            secret = self.settings.webhook_secret or ""
            self.bot.set_webhook(url=self.settings.webhook_url, secret_token=secret)

    def stop_webhook(self) -> None:
        """Stop the webhook server, if one is serving."""
        if self._webhook is not None:
            self._webhook.stop()
            self._webhook = None

    def _set_commands(self) -> None:
        from telebot.types import BotCommand

        try:  # English for every client, Russian for Russian ones
            for lang, code in (("en", None), ("ru", "ru")):
                menu = [BotCommand(name, text) for name, text in command_menu(lang)]
                self.bot.set_my_commands(menu, language_code=code)
        except Exception as exc:  # a menu is nice to have; never a reason not to start
            log.warning("could not set the command menu: %s", type(exc).__name__)

    # metrics and shutdown
    def metrics(self) -> dict[str, Any]:
        """A snapshot: sends, handler load, scheduler counts, study figures."""
        snapshot: dict[str, Any] = {
            "telegram": dict(self.sender.stats()),
            "scheduler": dict(self._counts),
            "handlers_in_flight": self.handlers.inflight,
        }
        for name, getter in (("study", self.study.stats), ("extra", self.extra_metrics)):
            try:
                snapshot[name] = dict(getter())
            except Exception as exc:
                snapshot[name] = {"error": type(exc).__name__}
        return snapshot

    def log_metrics(self) -> None:
        """Log the metrics snapshot as one JSON line."""
        log.info("metrics %s", json.dumps(self.metrics(), default=str, sort_keys=True))

    def shutdown(self, *, grace: float = 3.0) -> bool:
        """Stop taking updates, finish handlers in flight (up to ``grace`` s), log metrics, close.

        Returns True when nothing was left in flight.
        """
        started = time.monotonic()
        self._stop.set()
        self.bot.stop_polling()
        self.stop_webhook()
        deadline = time.monotonic() + grace
        if self._tick_lock.acquire(timeout=grace):  # the send in progress is finished and recorded
            self._tick_lock.release()
        idle = self.handlers.wait_idle(max(0.0, deadline - time.monotonic()))
        pool = getattr(self.bot, "worker_pool", None)
        queued = pool.tasks.qsize() if pool is not None else 0
        if not idle or queued:
            log.warning(
                "shutdown: %d handler(s) still running, %d update(s) queued; Telegram redelivers "
                "unconfirmed updates and reports are deduplicated",
                self.handlers.inflight,
                queued,
            )
        self.log_metrics()
        try:
            self.on_close()
        except Exception:
            log.exception("closing the store failed")
        log.info("stopped in %.2f s", time.monotonic() - started)
        return idle and not queued
