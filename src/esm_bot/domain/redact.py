"""The one place that keeps secrets out of everything esm-bot prints, logs, writes or raises.

Secrets are the values of environment variables whose names say they are secret (``*_KEY``,
``*_TOKEN``, ``*_SECRET``, ``*_PASSWORD``, ``*_SALT``), the secret half of a bot token (after the
colon), passwords inside URIs (``mongodb://user:PASSWORD@host``, ``redis://:PASSWORD@host``), and
anything shaped like a bot token; each also in its URL-encoded form.

:func:`redact` cleans one text (health output, export files, error messages).
:func:`guard_output` makes redaction impossible to bypass for a whole command: while it is active
every write to ``sys.stdout``/``sys.stderr``, every log record of every logger (telebot's and
urllib3's included, with their tracebacks), every ``warnings`` message and every uncaught
exception, in the main thread or another, passes through :func:`redact`.
"""

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
    "RedactingStream",
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


def secret_values(environ: Mapping[str, str]) -> tuple[str, ...]:
    """Return every secret found in ``environ`` (and its other forms), longest first."""
    found: set[str] = set()
    for name, value in environ.items():
        if not value:
            continue
        if _SECRET_NAME.search(name) and len(value.strip()) >= _MIN_SECRET_LEN:
            found |= _forms(value) | _forms(value.strip())
        for match in _URI_PASSWORD.finditer(value):
            if len(match["pw"]) >= _MIN_SECRET_LEN:
                found |= _forms(match["pw"]) | _forms(urllib.parse.unquote(match["pw"]))
    return tuple(sorted(found, key=len, reverse=True))


def redact(text: str, environ: Mapping[str, str] | Iterable[str] = ()) -> str:
    """Return ``text`` with URI passwords, bot tokens and the given secrets replaced by ``***``.

    ``environ`` is either an environment mapping (its secrets are found with :func:`secret_values`)
    or an iterable of secret strings.
    """
    secrets = (
        secret_values(environ)
        if isinstance(environ, Mapping)
        else tuple(sorted(environ, key=len, reverse=True))
    )
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = redact_uri(text)
    return _BOT_TOKEN.sub(REDACTED, text)


def redact_uri(uri: str) -> str:
    """Return ``uri`` without its password (``mongodb://user:***@h1,h2/db?replicaSet=rs0``)."""
    return _URI_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", uri)


def strip_uri_password(uri: str) -> str:
    """Return ``uri`` without its password (``mongodb://user@host/db``), for tools that ask."""
    return _URI_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}@", uri)


def one_line(exc: BaseException, limit: int = 200) -> str:
    """``Type: message`` of ``exc`` on one line, without driver noise, cut to ``limit`` characters.

    A network error deep inside requests or urllib3 is named by its cause (``ConnectionError:
    [Errno 111] Connection refused``). The text is not yet redacted.
    """
    text = " ".join(str(exc).split())
    cause = _ERRNO.search(text) if "(Caused by " in text else None
    if cause is not None:  # urllib3's pool, URL and wrapper classes before the reason
        text = cause[0]
    for marker in _NOISE:
        text = text.split(marker, 1)[0]
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RedactingStream:
    """A text stream that redacts whole lines before passing them to ``target``.

    Text is held until its line ends (or :meth:`flush`), so a secret written in pieces is still
    recognised. Every other attribute is the target's.
    """

    def __init__(self, target: TextIO, secrets: tuple[str, ...]) -> None:
        self.target = target
        self.secrets = secrets
        self._pending = ""
        self._lock = threading.RLock()

    def write(self, text: str) -> int:
        """Redact and write every complete line of ``text``; keep the rest for later."""
        with self._lock:
            self._pending += text
            head, newline, rest = self._pending.rpartition("\n")
            if newline:
                self._pending = rest
                self.target.write(redact(head + newline, self.secrets))
            if len(self._pending) > _MAX_PENDING:
                self._emit()
        return len(text)

    def _emit(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, ""
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
def guard_output(
    secrets: Iterable[str], *, debug: bool = False, program: str = "esm-bot"
) -> Iterator[None]:
    """Route every output channel of this process through :func:`redact` while active.

    Wraps ``sys.stdout`` and ``sys.stderr`` in :class:`RedactingStream`, installs a log-record
    factory that redacts each record (message, traceback, stack) whatever handler it reaches,
    sends ``warnings`` through logging, and replaces ``sys.excepthook`` and
    ``threading.excepthook`` with hooks that print one redacted line (plus the redacted traceback
    when ``debug``). Everything is restored on exit.
    """
    found = tuple(sorted({s for s in secrets if len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True))
    saved_out, saved_err = sys.stdout, sys.stderr
    saved_factory = logging.getLogRecordFactory()
    saved_hooks = sys.excepthook, threading.excepthook
    saved_showwarning = warnings.showwarning
    out = RedactingStream(saved_out, found)
    err = RedactingStream(saved_err, found)

    def report(kind: str, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc is None:
            return
        line = f"{program}: {kind}: {one_line(exc)}"
        hint = "" if debug else " (run with --debug for the traceback)"
        print(redact(line, found) + hint, file=sys.stderr)
        if debug:
            text = "".join(traceback.format_exception(type(exc), exc, tb))
            print(redact(text, found), end="", file=sys.stderr)
        sys.stderr.flush()

    def excepthook(
        _type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        report("unexpected error", exc, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "a thread"
        report(f"unexpected error in {name}", args.exc_value, args.exc_traceback)

    sys.stdout, sys.stderr = out, err
    logging.setLogRecordFactory(_redacting_factory(saved_factory, found))
    logging.captureWarnings(True)
    sys.excepthook, threading.excepthook = excepthook, thread_hook
    try:
        yield
    finally:
        for stream in (out, err):
            with contextlib.suppress(Exception):
                stream.flush()
        sys.stdout, sys.stderr = saved_out, saved_err
        logging.setLogRecordFactory(saved_factory)
        logging.captureWarnings(False)
        warnings.showwarning = saved_showwarning
        sys.excepthook, threading.excepthook = saved_hooks
