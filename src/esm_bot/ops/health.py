"""``esm-bot health`` and the bot's ``/health``: one line per check (docs/operations.md, "Health
checks") and an exit code for cron. The configuration items ask each setting's owner (so health
and the bot never disagree); messages name settings, never their values."""

from __future__ import annotations

import contextlib
import enum
import os
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

import esm_validate
from esm_bot.domain.models import utc_now
from esm_bot.domain.redact import one_line, redact
from esm_bot.settings import BotSettings, OpsSettings, StoreSettings, StudyConfig
from esm_bot.store import store_from_env
from esm_bot.store.base import StoreStatus

__all__ = [
    "DB_DEADLINE_S",
    "DB_TARGET_MS",
    "KNOWN_REPORTS",
    "VALIDATION_TARGET_MS",
    "CheckResult",
    "CheckStatus",
    "HealthReport",
    "run_health",
]


class CheckStatus(enum.StrEnum):
    """The outcome of one check: ok, warn (still healthy) or fail."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL
#: The mark printed before a check's line (the original MSE bot's).
_MARKS = {OK: "✅", WARN: "⚠️ ", FAIL: "❌"}


_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
_Outcome = tuple[CheckStatus, str]


def _configured_ai_providers(environ: Mapping[str, str]) -> tuple[str, ...]:
    """Return the AI providers the environment configures, in the order ``from_env`` tries them."""
    env = OpsSettings.from_env(environ)
    chosen = env.ai_provider.lower()
    present = {
        "openai": env.openai_api_key,
        "anthropic": env.anthropic_api_key,
        "compatible": env.ai_base_url,
    }
    if chosen == "local":
        return ()
    return (chosen,) if chosen in present else tuple(name for name in present if present[name])


def _telegram(env: OpsSettings, environ: Mapping[str, str]) -> _Outcome:
    if not env.bot_token:
        return WARN, "TELEGRAM_BOT_TOKEN not set (run needs it)"
    if not _TOKEN.match(env.bot_token):
        return FAIL, "TELEGRAM_BOT_TOKEN does not look like a bot token"
    return OK, "bot token set"


def _study(env: OpsSettings, environ: Mapping[str, str]) -> _Outcome:
    config = StudyConfig.from_env(environ)
    return OK, f"{config.beeps_per_day} beeps/day, {config.training_days} training days"


def _storage(env: OpsSettings, environ: Mapping[str, str]) -> _Outcome:
    where = StoreSettings.from_env(environ)
    if where.mongodb_uri:
        if not where.mongodb_uri.startswith(("mongodb://", "mongodb+srv://")):
            return FAIL, "MONGODB_URI must start with mongodb:// or mongodb+srv://"
        return OK, "MongoDB (MONGODB_URI)"
    path = Path(where.db_path).expanduser()
    folder = path.parent
    if not folder.is_dir():
        return FAIL, f"ESM_DB_PATH folder {folder} does not exist"
    if not os.access(folder, os.W_OK):
        return FAIL, f"ESM_DB_PATH folder {folder} is not writable"
    return OK, f"embedded SQLite at {path}"


def _ai(env: OpsSettings, environ: Mapping[str, str]) -> _Outcome:
    esm_validate.from_env(environ).close()
    return OK, ", ".join(_configured_ai_providers(environ)) or "local only"


def _bot(env: OpsSettings, environ: Mapping[str, str]) -> _Outcome:
    settings = BotSettings.from_env(environ, require_token=False)
    mode = "webhook" if settings.webhook_url else "long polling"
    return OK, f"{mode}, metrics every {settings.metrics_interval_minutes:g} min"


def _admins(env: OpsSettings, environ: Mapping[str, str]) -> _Outcome:
    ids = [p for p in env.admin_ids.split(",") if p.strip()]
    if not ids:
        return WARN, "ESM_ADMIN_IDS not set (no /stats, /export)"
    return OK, f"{len(ids)} admin id(s)"


def _webhook(env: OpsSettings, environ: Mapping[str, str]) -> _Outcome:
    if not env.webhook_url:
        return OK, "not used (long polling)"
    if not env.webhook_url.startswith("https://"):
        return FAIL, "ESM_WEBHOOK_URL must be https://"
    if not env.webhook_secret:
        return FAIL, "ESM_WEBHOOK_SECRET must be set"
    return OK, "https with a secret token"


def _redis(env: OpsSettings, environ: Mapping[str, str]) -> _Outcome:
    if not env.redis_url:
        return WARN, "REDIS_URL not set (recommended above ~1000 users)"
    if not env.redis_url.startswith(("redis://", "rediss://", "unix://")):
        return FAIL, "REDIS_URL must be redis://, rediss:// or unix://"
    return OK, "shared cache and rate limit"


#: Every item in order; the recommended ones only lower the count (a malformed one fails too).
_ITEMS = (_telegram, _study, _storage, _ai, _bot, _admins, _webhook, _redis)
_RECOMMENDED = frozenset({"admins", "redis"})


#: The original MSE bot's targets: validation under 2 s, database under 500 ms.
VALIDATION_TARGET_MS = 2000.0
DB_TARGET_MS = 500.0
#: An unreachable database is reported after at most this many seconds.
DB_DEADLINE_S = 8.0

#: Checks whose failure is critical (exit 2); any other failure means degraded (exit 1).
_CRITICAL = frozenset({"database", "validators"})


@attrs.frozen
class CheckResult:
    """One check: its stable ``name``, the line (``title``: ``summary``), the measured ``figures``
    and extra ``details`` lines (shown with ``-v``); a failed ``critical`` check means exit 2."""

    name: str
    title: str
    status: CheckStatus
    summary: str
    critical: bool = False
    figures: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    details: tuple[str, ...] = ()


@attrs.frozen
class HealthReport:
    """Every check's result, the overall status and the exit code."""

    checks: tuple[CheckResult, ...]
    checked_at: str

    @property
    def exit_code(self) -> int:
        """0 healthy, 1 degraded, 2 critical."""
        failed = [c for c in self.checks if c.status is FAIL]
        return 2 if any(c.critical for c in failed) else 1 if failed else 0

    @property
    def status(self) -> str:
        """``healthy``, ``degraded`` or ``critical``."""
        return ("healthy", "degraded", "critical")[self.exit_code]

    def check(self, name: str) -> CheckResult:
        """Return the check called ``name`` (KeyError when there is none)."""
        return {c.name: c for c in self.checks}[name]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (``status``, ``exit_code``, ``checked_at``, ``checks``)."""
        return {
            "status": self.status,
            "exit_code": self.exit_code,
            "checked_at": self.checked_at,
            "checks": [attrs.asdict(c) for c in self.checks],
        }

    def render(self, *, verbose: bool = False) -> str:
        """The human report: one line per check with a mark, as the original MSE bot shows it."""
        lines = []
        for c in self.checks:
            lines.append(f"{_MARKS[c.status]} {c.title}: {c.summary}")
            if verbose or c.status is not OK:
                lines.extend(f"     - {d}" for d in c.details if verbose or not d.startswith("ok"))
        lines.append(f"Overall: {self.status} (exit {self.exit_code})")
        return "\n".join(lines)


#: The validators check's fixed reports: (text, language, the issue codes and phenomena any correct
#: validator finds in it). Clear cases only, so a miss means a broken validator.
KNOWN_REPORTS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("", "en", frozenset({"empty"})),
    ("Nothing special, everything as usual.", "en", frozenset({"avoidance"})),
    ("Ничего особенного, всё как обычно.", "ru", frozenset({"avoidance"})),
    (
        "At the moment of the beep I was saying to myself in my own inner voice: "
        '"where are my keys?" - quickly, a bit annoyed.',
        "en",
        frozenset({"inner_speech"}),
    ),
    (
        "В момент сигнала я говорил себе внутренним голосом: «где же ключи?» — быстро, "
        "с раздражением.",
        "ru",
        frozenset({"inner_speech"}),
    ),
    (
        "At the beep I was seeing in my mind a vivid image of my grandmother's red kitchen door, "
        "slightly blurred at the edges.",
        "en",
        frozenset({"inner_seeing"}),
    ),
)
_LIVE_PROBE = (
    "At the beep I was saying to myself in my inner voice: 'is the kettle on?', "
    "and I felt a slight tightness in my throat."
)


def _result(name: str, status: CheckStatus, summary: str, **kwargs: Any) -> CheckResult:
    title = "AI services" if name == "ai" else name.capitalize()
    return CheckResult(name, title, status, summary, critical=name in _CRITICAL, **kwargs)


def _ms(value: float) -> str:
    return f"{value:.1f}ms" if value < 10 else f"{value:.0f}ms"


def _probe_store(
    probe: dict[str, Any],
    open_store: Callable[[], Any],
    clock: Callable[[], float],
    deadline: float,
) -> bool:
    """Open the store when there is none yet, ping it and count into ``probe`` (or its ``error``),
    in a daemon thread (a hung driver cannot block exit); True when ``deadline`` passed first."""

    def target() -> None:
        try:
            if probe["store"] is None:
                probe["store"] = open_store()
            start = clock()
            probe["store"].ping()
            probe["ping_ms"] = (clock() - start) * 1000
            start = clock()
            probe["counts"] = dict(probe["store"].counts())
            probe["counts_ms"] = (clock() - start) * 1000
            probe["status"] = probe["store"].status()
        except BaseException as exc:
            probe["error"] = one_line(exc)

    thread = threading.Thread(target=target, name="esm-health-db", daemon=True)
    thread.start()
    thread.join(deadline)
    timed_out = thread.is_alive()
    if timed_out:
        probe["error"] = one_line(TimeoutError(f"no answer within {deadline:g} s"))
    return timed_out


def _check_database(probe: Mapping[str, Any], backend: str) -> CheckResult:
    if "error" in probe:
        summary = f"unreachable ({backend}): {probe['error']}"
        return _result("database", FAIL, summary, figures={"backend": backend, "reachable": False})
    counts = {k: int(probe["counts"].get(k, 0)) for k in ("participants", "reports", "beeps")}
    rtt = probe["ping_ms"]
    return _result(
        "database",
        OK,
        f"{counts['participants']:,} participants, {counts['reports']:,} reports "
        f"({backend}, round trip {_ms(rtt)})",
        figures={"backend": backend, "reachable": True, **counts, "round_trip_ms": round(rtt, 2)},
    )


def _check_journal(pending: int, status: StoreStatus | None) -> CheckResult | None:
    degraded = status is not None and status.degraded
    if not (pending or degraded):
        return None
    why = "database outage" if degraded else "replay not finished"
    figures = {"pending": pending, "degraded": degraded, "outages": status.outages if status else 0}
    summary = f"{pending} writes waiting in the local journal ({why})"
    return _result("journal", FAIL, summary, figures=figures)


def _check_validators(
    validate: Callable[..., Any], clock: Callable[[], float], times: list[float]
) -> CheckResult:
    """Validate the known reports (timing each into ``times``); any miss is critical."""
    problems: list[str] = []
    for lang in ("en", "ru"):  # a first call per language builds the validator's tables
        with contextlib.suppress(Exception):  # one that raises is reported below, report by report
            validate("warm up", lang=lang)
    for i, (text, lang, expected) in enumerate(KNOWN_REPORTS, 1):
        start = clock()
        try:
            result = validate(text, lang=lang)
        except Exception as exc:
            problems.append(f"report {i} raised {type(exc).__name__}")
            continue
        times.append((clock() - start) * 1000)
        found = {*getattr(result, "issue_codes", ()), *getattr(result, "phenomena", ())}
        if missing := sorted(expected - found):
            problems.append(f"report {i} ({lang}): expected {', '.join(missing)}")
    total = len(KNOWN_REPORTS)
    good = f"{total - len(problems)}/{total}"
    return _result(
        "validators",
        FAIL if problems else OK,
        f"{good} known reports judged as expected"
        if problems
        else f"working correctly ({good} known reports as expected)",
        figures={"known_reports": total, "as_expected": total - len(problems)},
        details=tuple(problems),
    )


def _check_ai(environ: Mapping[str, str], live: bool, clock: Callable[[], float]) -> CheckResult:
    providers = _configured_ai_providers(environ)
    figures: dict[str, Any] = {"providers": list(providers), "live": live}

    def ai(status: CheckStatus, summary: str) -> CheckResult:
        return _result("ai", status, summary, figures=figures)

    names = ", ".join(providers)
    if not providers:
        return ai(WARN, "local only (no API keys); participants get local feedback")
    if not live:
        return ai(OK, f"configured: {names} (not called; use --live for one real call)")
    try:
        validator = esm_validate.from_env(environ)
    except Exception as exc:
        return ai(FAIL, f"cannot build the AI validator: {one_line(exc)}")
    start = clock()
    try:
        result = validator.validate(_LIVE_PROBE, user_id="esm-bot-health", lang="en")
    except Exception as exc:
        figures["fallback_reason"] = "error"
        return ai(FAIL, f"{names}: the call failed: {one_line(exc)}")
    finally:
        validator.close()
    elapsed = (clock() - start) * 1000
    figures["latency_ms"] = round(elapsed, 1)
    for name in ("source", "provider", "model", "fallback_reason"):
        figures[name] = getattr(result, name, None)
    if figures["source"] != "ai":
        reason = figures["fallback_reason"] or "answered locally"
        return ai(FAIL, f"{names} configured but unreachable ({reason}); local fallback in use")
    model = f" {figures['model']}" if figures["model"] else ""
    return ai(OK, f"{figures['provider']}{model} answered in {elapsed:.0f} ms")


def _check_redis(url: str, clock: Callable[[], float]) -> CheckResult | None:
    """Ping the shared cache and rate-limit store when ``REDIS_URL`` is set (else no line)."""
    if not url:
        return None
    try:
        from esm_validate import redis_client_from_url

        with contextlib.closing(redis_client_from_url(url, socket_timeout=2.0)) as client:
            start = clock()
            client.ping()
            elapsed = (clock() - start) * 1000
    except Exception as exc:
        summary = f"unreachable ({one_line(exc)}); cache and rate limit are per process until it "
        summary += "returns"
        return _result("redis", FAIL, summary, figures={"reachable": False})
    return _result(
        "redis",
        OK,
        f"shared cache and rate limit reachable (round trip {_ms(elapsed)})",
        figures={"reachable": True, "round_trip_ms": round(elapsed, 2)},
    )


def _check_configuration(environ: Mapping[str, str]) -> CheckResult:
    """Check every setting in ``environ``; never raises, never echoes a secret. A recommended
    item's warning only lowers the "N/M checks passed" count; any other item not ok is trouble."""
    env, items = OpsSettings.from_env(environ), []
    for check in _ITEMS:
        try:
            status, message = check(env, environ)
        except Exception as exc:  # the owner's SettingsError or ConfigurationError, named
            lines = str(exc).strip().splitlines()
            status, message = FAIL, (lines[0] if lines else type(exc).__name__)[:200]
        items.append((check.__name__.lstrip("_"), status, message))
    passed = sum(1 for _, status, _ in items if status is OK)
    trouble = [i for i in items if i[1] is FAIL or (i[1] is WARN and i[0] not in _RECOMMENDED)]
    trouble.sort(key=lambda i: i[1] is not FAIL)  # a failure is named before a warning
    summary, worst = f"{passed}/{len(items)} checks passed", OK
    if trouble:
        name, worst, message = trouble[0]
        summary += f"; {name}: {message}"
    return _result(
        "configuration",
        worst,
        summary,
        figures={"passed": passed, "total": len(items)},
        details=tuple(f"{status.value} {name}: {message}" for name, status, message in items),
    )


def _check_performance(validation_ms: Sequence[float], probe: Mapping[str, Any]) -> CheckResult:
    worst = max(validation_ms, default=0.0)
    db_ms = None if "error" in probe else max(probe["ping_ms"], probe["counts_ms"])
    figures = {
        "validation_ms_max": round(worst, 2),
        "validation_target_ms": VALIDATION_TARGET_MS,
        "db_ms": None if db_ms is None else round(db_ms, 2),
        "db_target_ms": DB_TARGET_MS,
    }
    summary = f"Validation {_ms(worst)}, " + ("DB n/a" if db_ms is None else f"DB {_ms(db_ms)}")
    measured = [("validation", worst, VALIDATION_TARGET_MS), ("database", db_ms or 0, DB_TARGET_MS)]
    slow = [
        f"{what} over the {target:.0f} ms target" for what, v, target in measured if v >= target
    ]
    near = any(v >= target / 2 for _, v, target in measured)
    status = FAIL if slow else WARN if near else OK
    note = f" ({'; '.join(slow)})" if slow else " (over half of a target)" if near else ""
    return _result("performance", status, summary + note, figures=figures)


def run_health(
    store: Any = None,
    *,
    environ: Mapping[str, str] | None = None,
    live: bool = False,
    validate: Callable[..., Any] | None = None,
    open_store: Callable[[], Any] | None = None,
    clock: Callable[[], float] = time.perf_counter,
    db_deadline_s: float = DB_DEADLINE_S,
) -> HealthReport:
    """Run every check and return the report (no secret from ``environ`` in it); without ``store``
    one is opened (``open_store``) and closed (arguments: docs/operations.md, "Health checks")."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    validate = validate or esm_validate.validate
    probe: dict[str, Any] = {"store": store}
    opener = open_store or (lambda: store_from_env(env, resilient=False))
    timed_out = _probe_store(probe, opener, clock, db_deadline_s)  # then it may hold the store
    status: StoreStatus | None = probe.get("status")
    pending = status.pending if status else 0
    where = StoreSettings.from_env(env)
    if store is None:  # the writes waiting in the bot's journal file
        with contextlib.suppress(OSError), where.journal_file.open(encoding="utf-8") as lines:
            pending = max(pending, sum(1 for line in lines if line.strip()))
    backend = status.backend if status else "mongodb" if where.mongodb_uri else "sqlite"
    validation_ms: list[float] = []
    checks = [
        _check_database(probe, backend),
        _check_journal(pending, status),
        _check_validators(validate, clock, validation_ms),
        _check_ai(env, live, clock),
        _check_redis(OpsSettings.from_env(env).redis_url, clock),
        _check_configuration(env),
        _check_performance(validation_ms, probe),
    ]
    if store is None and not timed_out and probe["store"] is not None:
        with contextlib.suppress(Exception):  # a store without close() is left as it is
            probe["store"].close()
    scrubbed = [
        attrs.evolve(
            c, summary=redact(c.summary, env), details=tuple(redact(d, env) for d in c.details)
        )
        for c in checks
        if c is not None
    ]
    return HealthReport(tuple(scrubbed), utc_now().isoformat(timespec="seconds"))
