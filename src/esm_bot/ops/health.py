"""``esm-bot health``: is the study running well? One line per check, an exit code for cron.

:func:`run_health` runs the checks and returns a :class:`HealthReport`; the bot's ``/health``
and the command line both use it. Checks (each with a status, figures and a one-line reason):

* **database**: reachable, participant and report counts, round-trip time; a store that cannot be
  reached within :data:`DB_DEADLINE_S` seconds is a critical failure.
* **journal**: writes waiting in the outage journal (a degraded store) make the study degraded.
* **validators**: a fixed set of known reports gives the expected issue codes and phenomena.
* **ai**: which AI providers are configured; with ``live=True`` one real call through the backend.
* **redis** (when ``REDIS_URL`` is set): the shared cache and rate-limit store answers a ping.
* **configuration**: every setting parses; the original MSE bot's "6/7 checks passed" summary.
* **performance**: validation and database time against the original MSE bot's targets (2 s,
  500 ms).

Exit codes: 0 healthy (warnings allowed, e.g. local-only validation), 1 degraded, 2 critical.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from esm_bot.domain.clock import utc_now
from esm_bot.domain.redact import one_line, redact

from .config_checks import ConfigItem, check_configuration, configured_ai_providers
from .status import CheckStatus
from .stores import journal_pending, open_store_from_env

__all__ = [
    "DB_DEADLINE_S",
    "DB_TARGET_MS",
    "KNOWN_REPORTS",
    "VALIDATION_TARGET_MS",
    "CheckResult",
    "CheckStatus",
    "HealthReport",
    "KnownReport",
    "run_health",
]

#: The original MSE bot's targets: validation under 2 s, database under 500 ms.
VALIDATION_TARGET_MS = 2000.0
DB_TARGET_MS = 500.0
#: An unreachable database is reported after at most this many seconds.
DB_DEADLINE_S = 8.0

T = TypeVar("T")


@attrs.frozen
class CheckResult:
    """The result of one health check.

    Attributes:
        name: Stable machine name (``database``, ``journal``, ``validators``, ``ai``,
            ``configuration``, ``performance``).
        title: Human title for the line.
        status: ok, warn or fail.
        summary: One line: the figure and the reason.
        critical: A failure of this check makes the whole system critical (exit 2), not degraded.
        figures: The measured numbers (JSON-ready).
        details: Extra lines (e.g. each configuration item), shown with ``--json`` and ``-v``.
    """

    name: str
    title: str
    status: CheckStatus
    summary: str
    critical: bool = False
    figures: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {**attrs.asdict(self), "status": self.status.value}


@attrs.frozen
class HealthReport:
    """Every check's result, the overall status and the exit code."""

    checks: tuple[CheckResult, ...]
    checked_at: str

    @property
    def exit_code(self) -> int:
        """0 healthy, 1 degraded, 2 critical."""
        failed = [c for c in self.checks if c.status is CheckStatus.FAIL]
        if any(c.critical for c in failed):
            return 2
        return 1 if failed else 0

    @property
    def status(self) -> str:
        """``healthy``, ``degraded`` or ``critical``."""
        return ("healthy", "degraded", "critical")[self.exit_code]

    def check(self, name: str) -> CheckResult:
        """Return the check called ``name`` (KeyError when there is none)."""
        for result in self.checks:
            if result.name == name:
                return result
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (``status``, ``exit_code``, ``checked_at``, ``checks``)."""
        return {
            "status": self.status,
            "exit_code": self.exit_code,
            "checked_at": self.checked_at,
            "checks": [c.to_dict() for c in self.checks],
        }

    def render(self, *, verbose: bool = False) -> str:
        """The human report: one line per check with a mark, as the original MSE bot shows it."""
        lines = []
        for c in self.checks:
            lines.append(f"{c.status.mark} {c.title}: {c.summary}")
            if verbose or c.status is not CheckStatus.OK:
                lines.extend(f"     - {d}" for d in c.details if verbose or not d.startswith("ok"))
        lines.append(f"Overall: {self.status} (exit {self.exit_code})")
        return "\n".join(lines)


@attrs.frozen
class KnownReport:
    """A report with what any correct validator must find in it."""

    text: str
    lang: str
    codes: frozenset[str] = frozenset()
    phenomena: frozenset[str] = frozenset()


#: The fixed reports of the validators check: clear cases only, so a miss means a broken validator.
KNOWN_REPORTS: tuple[KnownReport, ...] = (
    KnownReport("", "en", codes=frozenset({"empty"})),
    KnownReport("Nothing special, everything as usual.", "en", codes=frozenset({"avoidance"})),
    KnownReport("Ничего особенного, всё как обычно.", "ru", codes=frozenset({"avoidance"})),
    KnownReport(
        "At the moment of the beep I was saying to myself in my own inner voice: "
        '"where are my keys?" - quickly, a bit annoyed.',
        "en",
        phenomena=frozenset({"inner_speech"}),
    ),
    KnownReport(
        "В момент сигнала я говорил себе внутренним голосом: «где же ключи?» — быстро, "
        "с раздражением.",
        "ru",
        phenomena=frozenset({"inner_speech"}),
    ),
    KnownReport(
        "At the beep I was seeing in my mind a vivid image of my grandmother's red kitchen door, "
        "slightly blurred at the edges.",
        "en",
        phenomena=frozenset({"inner_seeing"}),
    ),
)


@attrs.define
class _Timed:
    """Store handle plus the times measured while checking it."""

    store: Any = None
    error: str | None = None
    open_ms: float = 0.0
    ping_ms: float | None = None
    counts: Mapping[str, int] = attrs.Factory(dict)
    counts_ms: float | None = None
    store_status: Mapping[str, Any] | None = None


_TITLES: Mapping[str, str] = {
    "database": "Database",
    "journal": "Journal",
    "validators": "Validators",
    "ai": "AI services",
    "redis": "Redis",
    "configuration": "Configuration",
    "performance": "Performance",
}
#: Checks whose failure is critical (exit 2); any other failure means degraded (exit 1).
_CRITICAL = frozenset({"database", "validators"})


def _result(name: str, status: CheckStatus, summary: str, **kwargs: Any) -> CheckResult:
    return CheckResult(name, _TITLES[name], status, summary, critical=name in _CRITICAL, **kwargs)


def _run_with_deadline(fn: Callable[[], T], deadline_s: float) -> T:
    """Run ``fn`` in a daemon thread; raise TimeoutError when it takes over ``deadline_s``."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name="esm-health-db", daemon=True)
    thread.start()
    thread.join(deadline_s)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {deadline_s:g} s")
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


def _probe_store(timed: _Timed, open_store: Callable[[], Any], clock: Callable[[], float]) -> None:
    """Open the store when there is none yet, ping it and count; fill ``timed`` as it goes."""
    if timed.store is None:
        start = clock()
        timed.store = open_store()
        timed.open_ms = (clock() - start) * 1000
    start = clock()
    timed.store.ping()
    timed.ping_ms = (clock() - start) * 1000
    start = clock()
    timed.counts = dict(timed.store.counts())
    timed.counts_ms = (clock() - start) * 1000
    status = getattr(timed.store, "status", None)
    if callable(status):
        raw = status()
        timed.store_status = raw if isinstance(raw, Mapping) else attrs.asdict(raw)


def _describe_error(exc: BaseException, environ: Mapping[str, str]) -> str:
    """One short line for an error: its class and message, without driver noise or secrets."""
    return redact(one_line(exc), environ)


def _check_database(probe: _Timed, backend: str) -> CheckResult:
    if probe.error is not None:
        return _result(
            "database",
            CheckStatus.FAIL,
            f"unreachable ({backend}): {probe.error}",
            figures={"backend": backend, "reachable": False},
        )
    participants = int(probe.counts.get("participants", 0))
    reports = int(probe.counts.get("reports", 0))
    rtt = probe.ping_ms or 0.0
    return _result(
        "database",
        CheckStatus.OK,
        f"{participants:,} participants, {reports:,} reports ({backend}, round trip {_ms(rtt)})",
        figures={
            "backend": backend,
            "reachable": True,
            "participants": participants,
            "reports": reports,
            "beeps": int(probe.counts.get("beeps", 0)),
            "round_trip_ms": round(rtt, 2),
        },
    )


def _check_journal(probe: _Timed) -> CheckResult | None:
    status = probe.store_status
    if status is None:
        return None
    pending = int(status.get("pending", status.get("pending_writes", 0)) or 0)
    degraded = bool(status.get("degraded", False))
    figures = {"pending": pending, "degraded": degraded, "outages": status.get("outages", 0)}
    if not (pending or degraded):
        return None
    why = "database outage" if degraded else "replay not finished"
    summary = f"{pending} writes waiting in the local journal ({why})"
    return _result("journal", CheckStatus.FAIL, summary, figures=figures)


def _validate_known(
    validate: Callable[..., Any], clock: Callable[[], float]
) -> tuple[list[str], list[float]]:
    problems: list[str] = []
    times: list[float] = []
    for lang in ("en", "ru"):  # a first call per language builds the validator's tables
        with contextlib.suppress(Exception):  # one that raises is reported below, report by report
            validate("warm up", lang=lang)
    for i, known in enumerate(KNOWN_REPORTS, 1):
        start = clock()
        try:
            result = validate(known.text, lang=known.lang)
        except Exception as exc:
            problems.append(f"report {i} raised {type(exc).__name__}")
            continue
        times.append((clock() - start) * 1000)
        codes = set(getattr(result, "issue_codes", ()))
        phenomena = set(getattr(result, "phenomena", ()))
        missing = sorted(known.codes - codes) + sorted(known.phenomena - phenomena)
        if missing:
            problems.append(f"report {i} ({known.lang}): expected {', '.join(missing)}")
    return problems, times


def _check_validators(problems: Sequence[str]) -> CheckResult:
    total = len(KNOWN_REPORTS)
    good = total - len(problems)
    return _result(
        "validators",
        CheckStatus.FAIL if problems else CheckStatus.OK,
        f"{good}/{total} known reports judged as expected"
        if problems
        else f"working correctly ({good}/{total} known reports as expected)",
        figures={"known_reports": total, "as_expected": good},
        details=tuple(problems),
    )


_LIVE_PROBE = (
    "At the beep I was saying to myself in my inner voice: 'is the kettle on?', "
    "and I felt a slight tightness in my throat."
)


def _check_ai(
    environ: Mapping[str, str],
    live: bool,
    validator_factory: Callable[[Mapping[str, str]], Any] | None,
    clock: Callable[[], float],
) -> CheckResult:
    providers = configured_ai_providers(environ)
    figures: dict[str, Any] = {"providers": list(providers), "live": live}

    def ai(status: CheckStatus, summary: str) -> CheckResult:
        return _result("ai", status, summary, figures=figures)

    if not providers:
        return ai(CheckStatus.WARN, "local only (no API keys); participants get local feedback")
    names = ", ".join(providers)
    if not live:
        return ai(CheckStatus.OK, f"configured: {names} (not called; use --live for one real call)")
    factory = validator_factory or _validator_from_env
    try:
        validator = factory(environ)
    except Exception as exc:
        return ai(
            CheckStatus.FAIL, f"cannot build the AI validator: {_describe_error(exc, environ)}"
        )
    start = clock()
    try:
        result = validator.validate(_LIVE_PROBE, user_id="esm-bot-health", lang="en")
    except Exception as exc:
        figures["fallback_reason"] = "error"
        return ai(CheckStatus.FAIL, f"{names}: the call failed: {_describe_error(exc, environ)}")
    finally:
        close = getattr(validator, "close", None)
        if callable(close):
            close()
    elapsed = (clock() - start) * 1000
    figures["latency_ms"] = round(elapsed, 1)
    for name in ("source", "provider", "model", "fallback_reason"):
        figures[name] = getattr(result, name, None)
    if figures["source"] != "ai":
        reason = figures["fallback_reason"] or "answered locally"
        return ai(
            CheckStatus.FAIL,
            f"{names} configured but unreachable ({reason}); local fallback in use",
        )
    model = f" {figures['model']}" if figures["model"] else ""
    return ai(CheckStatus.OK, f"{figures['provider']}{model} answered in {elapsed:.0f} ms")


def _check_redis(environ: Mapping[str, str], clock: Callable[[], float]) -> CheckResult | None:
    """Ping the shared cache and rate-limit store when ``REDIS_URL`` is set (else no line)."""
    url = environ.get("REDIS_URL", "").strip()
    if not url:
        return None
    client: Any = None
    try:
        from esm_validate import redis_client_from_url

        client = redis_client_from_url(url, socket_timeout=2.0)
        start = clock()
        client.ping()
        elapsed = (clock() - start) * 1000
    except Exception as exc:
        why = f"unreachable ({_describe_error(exc, environ)})"
        summary = f"{why}; cache and rate limit are per process until it returns"
        return _result("redis", CheckStatus.FAIL, summary, figures={"reachable": False})
    finally:
        if client is not None:
            client.close()
    return _result(
        "redis",
        CheckStatus.OK,
        f"shared cache and rate limit reachable (round trip {_ms(elapsed)})",
        figures={"reachable": True, "round_trip_ms": round(elapsed, 2)},
    )


def _validator_from_env(environ: Mapping[str, str]) -> Any:
    import esm_validate

    return esm_validate.from_env(environ)


def _check_configuration(items: Sequence[ConfigItem]) -> CheckResult:
    passed = sum(1 for i in items if i.status is CheckStatus.OK)
    failed = [i for i in items if i.status is CheckStatus.FAIL and i.required]
    warned = [i for i in items if i.status is not CheckStatus.OK and i not in failed and i.required]
    status = CheckStatus.FAIL if failed else CheckStatus.WARN if warned else CheckStatus.OK
    summary = f"{passed}/{len(items)} checks passed"
    trouble = failed or warned
    if trouble:
        summary += f"; {trouble[0].name}: {trouble[0].message}"
    return _result(
        "configuration",
        status,
        summary,
        figures={"passed": passed, "total": len(items)},
        details=tuple(f"{i.status.value} {i.name}: {i.message}" for i in items),
    )


def _ms(value: float) -> str:
    return f"{value:.1f}ms" if value < 10 else f"{value:.0f}ms"


def _check_performance(validation_ms: Sequence[float], probe: _Timed) -> CheckResult:
    worst_validation = max(validation_ms, default=0.0)
    db_ms = None
    if probe.error is None and probe.ping_ms is not None:
        db_ms = max(probe.ping_ms, probe.counts_ms or 0.0)
    figures = {
        "validation_ms_max": round(worst_validation, 2),
        "validation_target_ms": VALIDATION_TARGET_MS,
        "db_ms": None if db_ms is None else round(db_ms, 2),
        "db_target_ms": DB_TARGET_MS,
    }
    db_text = "DB n/a" if db_ms is None else f"DB {_ms(db_ms)}"
    summary = f"Validation {_ms(worst_validation)}, {db_text}"
    slow = []
    if worst_validation >= VALIDATION_TARGET_MS:
        slow.append(f"validation over the {VALIDATION_TARGET_MS:.0f} ms target")
    if db_ms is not None and db_ms >= DB_TARGET_MS:
        slow.append(f"database over the {DB_TARGET_MS:.0f} ms target")
    near = worst_validation >= VALIDATION_TARGET_MS / 2 or (
        db_ms is not None and db_ms >= DB_TARGET_MS / 2
    )
    status = CheckStatus.FAIL if slow else CheckStatus.WARN if near else CheckStatus.OK
    note = f" ({'; '.join(slow)})" if slow else " (over half of a target)" if near else ""
    return _result("performance", status, summary + note, figures=figures)


def _backend_name(environ: Mapping[str, str], store: Any) -> str:
    """The backend's name when the store could not tell (it was never reached)."""
    named = getattr(getattr(store, "inner", store), "backend", None)
    if isinstance(named, str):
        return named
    return "mongodb" if environ.get("MONGODB_URI") else "sqlite"


def run_health(
    store: Any = None,
    *,
    environ: Mapping[str, str] | None = None,
    live: bool = False,
    validate: Callable[..., Any] | None = None,
    validator_factory: Callable[[Mapping[str, str]], Any] | None = None,
    open_store: Callable[[], Any] | None = None,
    clock: Callable[[], float] = time.perf_counter,
    db_deadline_s: float = DB_DEADLINE_S,
) -> HealthReport:
    """Run every check and return the report.

    Args:
        store: The bot's open store; when None, one is opened from ``environ`` (``MONGODB_URI`` or
            ``ESM_DB_PATH``) and closed afterwards.
        environ: The environment to read settings from (default ``os.environ``).
        live: Make one real call through the configured AI backend.
        validate: The local validation function (default :func:`esm_validate.validate`).
        validator_factory: Builds the AI validator from ``environ`` for ``live`` (default
            ``esm_validate.from_env``).
        open_store: Opens the store when ``store`` is None (default: ``store_from_env(environ)``).
        clock: A monotonic clock in seconds, for the timings.
        db_deadline_s: An unreachable database is reported after at most this long.

    Nothing in the report contains a secret from ``environ``.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    if validate is None:
        import esm_validate

        validate = esm_validate.validate
    own_store = store is None
    opener = open_store or (lambda: open_store_from_env(env))
    probe = _Timed(store=store)
    timed_out = False
    try:
        _run_with_deadline(lambda: _probe_store(probe, opener, clock), db_deadline_s)
    except TimeoutError as exc:  # the probe thread may still hold the store: leave it alone
        timed_out = True
        probe.error = _describe_error(exc, env)
    except Exception as exc:
        probe.error = _describe_error(exc, env)
    if own_store:
        try:
            waiting = journal_pending(env)
        except OSError:
            waiting = 0
        if waiting:
            base = dict(probe.store_status or {})
            base["pending"] = max(int(base.get("pending", 0) or 0), waiting)
            probe.store_status = base
    backend = str((probe.store_status or {}).get("backend") or _backend_name(env, store))
    problems, validation_ms = _validate_known(validate, clock)
    optional = {"journal": _check_journal(probe), "redis": _check_redis(env, clock)}
    checks = [
        _check_database(probe, backend),
        optional["journal"],
        _check_validators(problems),
        _check_ai(env, live, validator_factory, clock),
        optional["redis"],
        _check_configuration(check_configuration(env)),
        _check_performance(validation_ms, probe),
    ]
    if own_store and not timed_out and probe.store is not None:
        with contextlib.suppress(Exception):  # a store without close() is left as it is
            probe.store.close()
    now = utc_now().isoformat(timespec="seconds")
    return HealthReport(tuple(_scrub(c, env) for c in checks if c is not None), now)


def _scrub(check: CheckResult, environ: Mapping[str, str]) -> CheckResult:
    return attrs.evolve(
        check,
        summary=redact(check.summary, environ),
        details=tuple(redact(d, environ) for d in check.details),
    )
