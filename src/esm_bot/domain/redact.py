"""The one place that keeps secrets out of everything esm-bot prints, logs, writes or raises:
:func:`redact` cleans one text, :func:`guard_output` every output channel (docs/security.md)."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import threading
import traceback
import urllib.parse
import warnings
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, TextIO

__all__ = [
    "REDACTED",
    "guard_output",
    "one_line",
    "redact",
    "redact_uri",
    "secret_values",
    "strip_uri_password",
]

#: What a secret is replaced with.
REDACTED = "***"

_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|SALT)$", re.IGNORECASE)
_URI_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")
_BOT_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")
#: Secrets shorter than this are not searched for (they would match ordinary words).
_MIN_SECRET_LEN = 4
#: Where pymongo's long error messages stop being useful on one line.
_NOISE = (" (configured timeouts", ", Timeout:", ", Topology Description", ", full error:")
#: The operating system's reason inside a wrapped network error.
_ERRNO = re.compile(r"\[Errno -?\d+\] [^\"'()\]]+")
#: A partial line longer than this is written out even before its newline.
_MAX_PENDING = 8192


def _forms(secret: str) -> set[str]:
    """The secret, the half after a colon (a bot token's secret), and their URL-encoded forms."""
    forms = {secret}
    head, colon, tail = secret.partition(":")
    if colon and head.isdigit() and len(tail) >= _MIN_SECRET_LEN:
        forms.add(tail)
    forms |= {urllib.parse.quote(f, safe="") for f in forms}
    forms |= {urllib.parse.quote_plus(f) for f in forms}
    return {f for f in forms if len(f) >= _MIN_SECRET_LEN}


def _longest_first(secrets: Iterable[str], shortest: int = _MIN_SECRET_LEN) -> tuple[str, ...]:
    return tuple(sorted({s for s in secrets if len(s) >= shortest}, key=len, reverse=True))


def secret_values(environ: Mapping[str, str]) -> tuple[str, ...]:
    """Every secret found in ``environ`` (and its other forms), longest first."""
    found: set[str] = set()
    for name, value in environ.items():
        if _SECRET_NAME.search(name) and len(value.strip()) >= _MIN_SECRET_LEN:
            found |= _forms(value) | _forms(value.strip())
        for match in _URI_PASSWORD.finditer(value):
            if len(match["pw"]) >= _MIN_SECRET_LEN:
                found |= _forms(match["pw"]) | _forms(urllib.parse.unquote(match["pw"]))
    return _longest_first(found)


def redact(text: str, environ: Mapping[str, str] | Iterable[str] = ()) -> str:
    """``text`` with URI passwords, bot tokens and the secrets of ``environ`` (an environment, or
    the secrets themselves) replaced by ``***``."""
    secrets = secret_values(environ) if isinstance(environ, Mapping) else _longest_first(environ, 1)
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return _BOT_TOKEN.sub(REDACTED, redact_uri(text))


def redact_uri(uri: str) -> str:
    """``uri`` with its password masked (``mongodb://user:***@h1,h2/db?replicaSet=rs0``)."""
    return _URI_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", uri)


def strip_uri_password(uri: str) -> str:
    """``uri`` without its password (``mongodb://user@host/db``), for tools that ask for one."""
    return _URI_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}@", uri)


def one_line(exc: BaseException, limit: int = 200) -> str:
    """``Type: message`` of ``exc`` on one line (not yet redacted), without driver noise; a network
    error deep in urllib3 is named by its cause (``[Errno 111] Connection refused``)."""
    text = " ".join(str(exc).split())
    cause = _ERRNO.search(text) if "(Caused by " in text else None
    if cause is not None:  # urllib3's pool, URL and wrapper classes before the reason
        text = cause[0]
    for marker in _NOISE:
        text = text.split(marker, 1)[0]
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _RedactingStream:
    """A text stream that redacts whole lines (a secret written in pieces too) for ``target``."""

    def __init__(self, target: TextIO, secrets: tuple[str, ...]) -> None:
        self.target = target
        self.secrets = secrets
        self._pending = ""
        self._lock = threading.RLock()

    def write(self, text: str) -> int:
        """Redact and write every complete line of ``text``; keep the rest for later."""
        with self._lock:
            head, newline, self._pending = (self._pending + text).rpartition("\n")
            if newline:
                self.target.write(redact(head + newline, self.secrets))
            if len(self._pending) > _MAX_PENDING:
                self._emit()
        return len(text)

    def _emit(self) -> None:
        pending, self._pending = self._pending, ""
        if pending:
            self.target.write(redact(pending, self.secrets))

    def flush(self) -> None:
        """Write out (redacted) what is held and flush the target."""
        with self._lock:
            self._emit()
            self.target.flush()

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each line."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


def _redacting_factory(base: Any, secrets: tuple[str, ...]) -> Any:
    """A LogRecord factory that redacts the message, its traceback and stack at creation."""

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = base(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw text, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message, secrets), None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = redact(text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return record

    return factory


@contextlib.contextmanager
def guard_output(secrets: Iterable[str], *, debug: bool = False) -> Iterator[None]:
    """Route standard output and error, every log record, ``warnings`` and uncaught exceptions of
    any thread (one line; the traceback too when ``debug``) through :func:`redact` while active."""
    found = _longest_first(secrets)
    saved_out, saved_err = sys.stdout, sys.stderr
    saved_factory = logging.getLogRecordFactory()
    saved_hooks = sys.excepthook, threading.excepthook
    saved_showwarning = warnings.showwarning
    streams = _RedactingStream(saved_out, found), _RedactingStream(saved_err, found)

    def report(kind: str, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc is None:
            return
        hint = "" if debug else " (run with --debug for the traceback)"
        print(redact(f"esm-bot: {kind}: {one_line(exc)}", found) + hint, file=sys.stderr)
        if debug:
            text = "".join(traceback.format_exception(type(exc), exc, tb))
            print(redact(text, found), end="", file=sys.stderr)
        sys.stderr.flush()

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not SystemExit:
            name = args.thread.name if args.thread is not None else "a thread"
            report(f"unexpected error in {name}", args.exc_value, args.exc_traceback)

    sys.stdout, sys.stderr = streams
    logging.setLogRecordFactory(_redacting_factory(saved_factory, found))
    logging.captureWarnings(True)
    sys.excepthook = lambda _type, exc, tb: report("unexpected error", exc, tb)
    threading.excepthook = thread_hook
    try:
        yield
    finally:
        for stream in streams:
            with contextlib.suppress(Exception):
                stream.flush()
        sys.stdout, sys.stderr = saved_out, saved_err
        logging.setLogRecordFactory(saved_factory)
        logging.captureWarnings(False)
        warnings.showwarning = saved_showwarning
        sys.excepthook, threading.excepthook = saved_hooks
