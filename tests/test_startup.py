"""The start-up policy in process: what is retried and how patiently (an injected pause, never
the wall clock), and the redaction guard every output channel passes through."""

from __future__ import annotations

import io
import logging
import sys
import threading
import warnings

import pytest

from esm_bot.domain.redact import guard_output, one_line, secret_values
from esm_bot.telegram.startup import (
    Backoff,
    ExitCode,
    StartupError,
    Stopped,
    missing_extra,
    retrying,
)

TOKEN = "424242:SECRETtokenHALFabcdefghijklmnop"
WEBHOOK = "SECRETwebhook77"
PASSWORD = "SECRET%2Fpw99"
ENV = {
    "TELEGRAM_BOT_TOKEN": TOKEN,
    "ESM_WEBHOOK_SECRET": WEBHOOK,
    "MONGODB_URI": f"mongodb://esm:{PASSWORD}@db1:27017/esm",
}


class Pauses:
    """An injected ``wait``: records each pause; asks to stop after ``stop_after`` pauses."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.seen: list[float] = []
        self.stop_after = stop_after

    def __call__(self, seconds: float) -> bool:
        self.seen.append(seconds)
        return self.stop_after is not None and len(self.seen) >= self.stop_after


class Attempts:
    """Raise the given errors one per call, then return ``"ok"``."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def test_transient_errors_are_retried_with_doubling_pauses(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two connection errors, then success: two logged retries after 0.5 s and 1 s."""
    attempt = Attempts(ConnectionError("refused"), ConnectionError("refused"))
    wait = Pauses()
    caplog.set_level(logging.WARNING, logger="esm_bot")

    result = retrying(
        attempt,
        transient=lambda e: isinstance(e, ConnectionError),
        backoff=Backoff(retries=5, first=0.5),
        wait=wait,
        what="reaching X",
    )

    assert result == "ok"
    assert wait.seen == [0.5, 1.0]
    assert [r.getMessage() for r in caplog.records] == [
        "reaching X failed (ConnectionError: refused); retrying in 0.5 s (retry 1 of 5)",
        "reaching X failed (ConnectionError: refused); retrying in 1 s (retry 2 of 5)",
    ]


def test_the_pause_is_capped_and_the_limit_ends_the_retries() -> None:
    """After ``retries`` pauses the last error is raised; no pause exceeds the cap."""
    attempt = Attempts(*(ConnectionError(str(i)) for i in range(10)))
    wait = Pauses()

    with pytest.raises(ConnectionError, match="4"):
        retrying(
            attempt,
            transient=lambda e: isinstance(e, ConnectionError),
            backoff=Backoff(retries=4, first=1.0, cap=3.0),
            wait=wait,
            what="x",
        )

    assert wait.seen == [1.0, 2.0, 3.0, 3.0]
    assert attempt.calls == 5


def test_a_permanent_error_is_not_retried() -> None:
    """A rejected token does not get better by waiting: raised at once, no pause."""
    attempt = Attempts(PermissionError("401"))
    wait = Pauses()

    with pytest.raises(PermissionError):
        retrying(
            attempt,
            transient=lambda e: isinstance(e, ConnectionError),
            backoff=Backoff(retries=5),
            wait=wait,
            what="x",
        )

    assert wait.seen == []


def test_a_stop_request_during_a_pause_ends_the_start() -> None:
    """SIGTERM while waiting to retry: Stopped, no further attempt."""
    attempt = Attempts(ConnectionError("a"), ConnectionError("b"))

    with pytest.raises(Stopped):
        retrying(
            attempt,
            transient=lambda e: isinstance(e, ConnectionError),
            backoff=Backoff(retries=5),
            wait=Pauses(stop_after=1),
            what="x",
        )

    assert attempt.calls == 1


def test_missing_extra_names_the_extra_and_other_import_errors_pass() -> None:
    """A missing pymongo is the bot extra; an unknown module is a bug, not a missing extra."""
    problem = missing_extra(ModuleNotFoundError("No module named 'pymongo'", name="pymongo"))

    assert isinstance(problem, StartupError)
    assert problem.code == ExitCode.MISSING_EXTRA
    assert "pip install 'esm-validate[bot]'" in str(problem)
    assert missing_extra(ModuleNotFoundError("x", name="esm_bot.nothing")) is None


# the redaction guard


def test_secret_values_include_the_token_half_and_encoded_forms() -> None:
    """The half after the colon and the URL-encoded password count as secrets too."""
    found = secret_values(ENV)

    assert TOKEN.split(":")[1] in found
    assert "SECRET%252Fpw99" in found  # the password as it appears inside an encoded URL
    assert WEBHOOK in found


def _leaks(text: str) -> list[str]:
    return [s for s in ("SECRETtoken", "SECRETwebhook", "SECRET%2F", "SECRET/pw") if s in text]


def test_everything_printed_or_logged_under_the_guard_is_redacted(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """print, a logger with its own handler, warnings, an uncaught thread error: all redacted."""
    private = io.StringIO()
    own = logging.getLogger("esm_bot.test.own")
    own_handler = logging.StreamHandler(private)  # a handler the guard never saw
    own.addHandler(own_handler)
    own.propagate = False
    try:
        with guard_output(secret_values(ENV)):
            print("the token is", TOKEN.split(":")[0] + ":", end="")
            print(TOKEN.split(":")[1])  # written in pieces: still one line, still redacted
            own.warning("GET /bot%s/getMe?secret_token=%s", TOKEN, WEBHOOK)
            warnings.warn(f"careful with {ENV['MONGODB_URI']}", UserWarning, stacklevel=1)
            thread = threading.Thread(
                target=lambda: (_ for _ in ()).throw(RuntimeError(f"boom {TOKEN}")), name="t1"
            )
            thread.start()
            thread.join()
            sys.stderr.write(f"half only: {TOKEN.split(':')[1]}\n")
    finally:
        own.removeHandler(own_handler)
        own.propagate = True
    out, err = capsys.readouterr()
    logged = private.getvalue()

    assert _leaks(out + err + logged + caplog.text) == []
    assert "the token is ***" in out
    assert "/bot***/getMe?secret_token=***" in logged
    assert "UserWarning: careful with mongodb://esm:***@db1" in caplog.text
    assert "esm-bot: unexpected error in t1: RuntimeError: boom ***" in err
    assert "Traceback" not in err
    assert "half only: ***" in err


def test_the_guard_restores_everything_on_exit() -> None:
    """After the command: the streams, hooks and record factory are the ones before."""
    before = (sys.stdout, sys.stderr, sys.excepthook, threading.excepthook)
    factory = logging.getLogRecordFactory()

    with guard_output([TOKEN]):
        assert sys.stderr is not before[1]

    assert (sys.stdout, sys.stderr, sys.excepthook, threading.excepthook) == before
    assert logging.getLogRecordFactory() is factory


def test_one_line_names_the_cause_of_a_wrapped_network_error() -> None:
    """urllib3's long message becomes its reason; multi-line text becomes one line."""
    wrapped = ConnectionError(
        "HTTPConnectionPool(host='h', port=9): Max retries exceeded with url: /bot1:x/getMe "
        "(Caused by NewConnectionError('<conn>: Failed to establish a new connection: "
        "[Errno 111] Connection refused'))"
    )

    assert one_line(wrapped) == "ConnectionError: [Errno 111] Connection refused"
    assert one_line(ValueError("a\nb")) == "ValueError: a b"
