"""``esm-bot health``: every check, the exit codes, and the real command against real servers."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import esm_validate
from esm_bot.ops.health import KNOWN_REPORTS, CheckStatus, HealthReport, run_health
from esm_bot.store.base import StoreStatus
from esm_bot.store.errors import StoreUnavailable
from esm_bot.store.mongo import MongoStore
from esm_bot.store.sqlite import SqliteStore
from esm_validate import Assessment, Issue, quality_from_score
from tests._ops_cli import run_esm_bot
from tests._ops_study import simulate_study
from tests._services import free_port
from tests.conftest import FakeClock
from tests.llm_servers import LLMServer

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAH" + "x" * 32


def oracle(text: str, *, lang: str | None = None, **_: Any) -> Assessment:
    """A validator that gets the known reports right (pure logic, for the other checks' tests)."""
    expected = next(codes for known, _, codes in KNOWN_REPORTS if known == text)
    return Assessment(
        score=70,
        quality=quality_from_score(70),
        phenomena=expected.intersection(esm_validate.PHENOMENA),
        issues=tuple(
            Issue(code, code) for code in sorted(expected.difference(esm_validate.PHENOMENA))
        ),
        feedback="",
        lang=lang or "en",
    )


def health(*args: Any, **kwargs: Any) -> HealthReport:
    """``run_health`` on a clock that moves only when a test says so: the timings the checks read
    are 0 ms unless a test advances the clock, so a loaded machine cannot turn a check slow."""
    kwargs.setdefault("clock", FakeClock())
    return run_health(*args, **kwargs)


def blind(text: str, *, lang: str | None = None, **_: Any) -> Assessment:
    """A broken validator: finds nothing in anything."""
    return Assessment(
        score=50, quality="poor", phenomena=frozenset(), issues=(), feedback="", lang="en"
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "health.sqlite3")
    yield s
    s.close()


BASE_ENV = {"TELEGRAM_BOT_TOKEN": TOKEN, "ESM_ADMIN_IDS": "42"}


def test_healthy_local_only_is_exit_0_with_a_warning(store: SqliteStore) -> None:
    """Database, validators, configuration and performance ok; AI local-only is a warning."""
    report = health(store, environ=BASE_ENV, validate=oracle)

    assert report.exit_code == 0
    assert report.status == "healthy"
    assert report.check("database").status is CheckStatus.OK
    assert report.check("database").figures["participants"] == 0
    assert report.check("validators").status is CheckStatus.OK
    assert report.check("ai").status is CheckStatus.WARN
    assert "local only" in report.check("ai").summary
    assert report.check("performance").status is CheckStatus.OK
    text = report.render()
    assert "✅ Database: 0 participants, 0 reports (sqlite" in text
    assert "⚠️  AI services: local only (no API keys)" in text
    assert "✅ Validators: working correctly" in text
    assert text.endswith("Overall: healthy (exit 0)")


def test_configuration_summary_counts_items(store: SqliteStore) -> None:
    """'N/M checks passed' as in the original MSE bot: recommended items lower N, not the status."""
    report = health(store, environ=BASE_ENV, validate=oracle)
    config = report.check("configuration")

    assert config.status is CheckStatus.OK
    assert config.figures["total"] == len(config.details)
    assert config.figures["passed"] == config.figures["total"] - 1
    assert f"{config.figures['passed']}/{config.figures['total']} checks passed" in config.summary
    assert any(d.startswith("warn redis") for d in config.details)


def test_counts_come_from_the_store(store: SqliteStore) -> None:
    """Participant and report counts are the store's."""
    sim = simulate_study(store, participants=2, days=1)

    figures = health(store, environ=BASE_ENV, validate=oracle).check("database").figures

    assert figures["participants"] == 2
    assert figures["reports"] == sim.reports
    assert figures["round_trip_ms"] >= 0


def test_wrong_validators_are_critical(store: SqliteStore) -> None:
    """A validator that misses the known codes makes the system critical (exit 2)."""
    report = health(store, environ=BASE_ENV, validate=blind)

    check = report.check("validators")
    assert check.status is CheckStatus.FAIL
    assert report.exit_code == 2
    assert any("avoidance" in d for d in check.details)
    assert any("inner_speech" in d for d in check.details)


def test_a_crashing_validator_is_reported_not_raised(store: SqliteStore) -> None:
    """An exception inside validation is a failed check, never a crash of the health command."""

    def crash(text: str, **_: Any) -> Assessment:
        raise RuntimeError("boom")

    report = health(store, environ=BASE_ENV, validate=crash)

    assert report.exit_code == 2
    assert any("raised RuntimeError" in d for d in report.check("validators").details)


def test_unreachable_database_is_critical() -> None:
    """A store that cannot be opened is critical, with the reason on the line."""

    def refuse() -> Any:
        raise StoreUnavailable("connection refused")

    report = health(environ=BASE_ENV, validate=oracle, open_store=refuse)

    assert report.exit_code == 2
    database = report.check("database")
    assert database.status is CheckStatus.FAIL
    assert "connection refused" in database.summary
    assert report.check("performance").figures["db_ms"] is None


def test_a_hanging_database_is_reported_by_the_deadline() -> None:
    """A database that never answers is reported as soon as the deadline passes."""
    release = threading.Event()

    def hang() -> Any:
        release.wait(30)
        raise StoreUnavailable("too late")

    report = health(environ=BASE_ENV, validate=oracle, open_store=hang, db_deadline_s=0.2)
    release.set()

    # The summary proves the deadline fired: without it the store would have answered "too late"
    # (no elapsed-time assertion, which a loaded machine could break).
    assert report.exit_code == 2
    assert "no answer within 0.2 s" in report.check("database").summary


@attrs.define
class _Degraded:
    """A real store whose status says writes wait in the journal."""

    inner: SqliteStore
    pending: int

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def status(self) -> StoreStatus:
        return StoreStatus(backend="sqlite", degraded=True, pending=self.pending, outages=1)


def test_pending_journal_writes_mean_degraded(store: SqliteStore) -> None:
    """Writes waiting in the journal: the study is degraded (exit 1), not critical."""
    report = health(_Degraded(store, 3), environ=BASE_ENV, validate=oracle)

    journal = report.check("journal")
    assert journal.status is CheckStatus.FAIL
    assert "3 writes waiting" in journal.summary
    assert report.exit_code == 1
    assert "journal" not in [c.name for c in health(store, validate=oracle).checks]


def test_bad_settings_fail_the_configuration_check(store: SqliteStore) -> None:
    """A malformed token, a negative rate limit and an http webhook are each named."""
    env = {
        "TELEGRAM_BOT_TOKEN": "not-a-token",
        "ESM_RATE_LIMIT": "-3",
        "ESM_WEBHOOK_URL": "http://example.org/hook",
        "ESM_ADMIN_IDS": "42,abc",
    }

    report = health(store, environ=env, validate=oracle)

    config = report.check("configuration")
    assert config.status is CheckStatus.FAIL
    assert report.exit_code == 1
    details = "\n".join(config.details)
    assert "fail telegram" in details
    assert "fail ai: ESM_RATE_LIMIT" in details
    assert "fail bot: " in details
    assert "ESM_WEBHOOK_URL must be https://" in details


def test_settings_are_judged_by_their_owners(store: SqliteStore) -> None:
    """ESM_RATE_LIMIT=0 (limiter off) and ESM_CACHE_SIZE=0 (cache off) are valid settings."""
    env = {**BASE_ENV, "ESM_RATE_LIMIT": "0", "ESM_CACHE_SIZE": "0", "ESM_WEBHOOK_PORT": "8443"}

    config = health(store, environ=env, validate=oracle).check("configuration")

    assert config.status is CheckStatus.OK, config.details


def test_bad_admin_ids_are_reported(store: SqliteStore) -> None:
    """A malformed ESM_ADMIN_IDS fails the bot settings item (BotSettings.from_env)."""
    env = {**BASE_ENV, "ESM_ADMIN_IDS": "42,abc"}

    config = health(store, environ=env, validate=oracle).check("configuration")

    assert config.status is CheckStatus.FAIL
    assert any(d.startswith("fail bot: ESM_ADMIN_IDS") for d in config.details)


def test_bad_study_settings_are_reported(store: SqliteStore) -> None:
    """An invalid study setting (StudyConfig.from_env) fails the configuration check."""
    env = {**BASE_ENV, "ESM_BEEPS_PER_DAY": "lots"}

    config = health(store, environ=env, validate=oracle).check("configuration")

    assert config.status is CheckStatus.FAIL
    assert any(d.startswith("fail study") for d in config.details)


def test_slow_validation_fails_performance(store: SqliteStore, fake_clock: Any) -> None:
    """Validation slower than the original MSE bot's 2 s target is degraded (exit 1)."""

    def slow(text: str, **kwargs: Any) -> Assessment:
        fake_clock.advance(2.5)
        return oracle(text, **kwargs)

    report = health(store, environ=BASE_ENV, validate=slow, clock=fake_clock)

    performance = report.check("performance")
    assert performance.status is CheckStatus.FAIL
    assert performance.figures["validation_ms_max"] == pytest.approx(2500)
    assert "validation over the 2000 ms target" in performance.summary
    assert report.exit_code == 1


def test_ai_configured_is_listed_without_a_call(store: SqliteStore) -> None:
    """Without --live the configured providers are listed and nothing is sent."""
    with LLMServer("openai") as server:
        env = {**BASE_ENV, "OPENAI_API_KEY": "sk-test-1", "OPENAI_BASE_URL": server.base_url}
        report = health(store, environ=env, validate=oracle)

        assert server.request_count() == 0
    ai = report.check("ai")
    assert ai.status is CheckStatus.OK
    assert ai.figures["providers"] == ["openai"]
    assert report.exit_code == 0


def test_live_call_through_the_configured_backend(store: SqliteStore) -> None:
    """--live makes one real call over HTTP; an answer from the AI is ok."""
    with LLMServer("openai") as server:
        env = {**BASE_ENV, "OPENAI_API_KEY": "sk-test-1", "OPENAI_BASE_URL": server.base_url}
        report = health(store, environ=env, validate=oracle, live=True)

        assert server.request_count() == 1
    ai = report.check("ai")
    assert ai.status is CheckStatus.OK, ai.summary
    assert ai.figures["source"] == "ai"
    assert ai.figures["provider"] == "openai"
    assert report.exit_code == 0


def test_live_call_refused_means_degraded(store: SqliteStore) -> None:
    """AI configured but refusing (401): local fallback, the check fails, exit 1."""
    with LLMServer("openai") as server:
        server.default = server.error(401, "invalid api key", kind="invalid_request_error")
        env = {**BASE_ENV, "OPENAI_API_KEY": "sk-test-1", "OPENAI_BASE_URL": server.base_url}
        report = health(store, environ=env, validate=oracle, live=True)

    ai = report.check("ai")
    assert ai.status is CheckStatus.FAIL
    assert "ai_auth" in ai.summary
    assert report.exit_code == 1


def test_redis_is_pinged_when_configured(store: SqliteStore, redis_url: str) -> None:
    """With REDIS_URL, a Redis line shows the real server answering a ping."""
    report = health(store, environ={**BASE_ENV, "REDIS_URL": redis_url}, validate=oracle)

    redis = report.check("redis")
    assert redis.status is CheckStatus.OK
    assert redis.figures["reachable"] is True
    assert report.exit_code == 0


def test_unreachable_redis_is_degraded(store: SqliteStore) -> None:
    """A Redis that does not answer: degraded (exit 1), no password in the line."""
    url = f"redis://:redis-SECRET-5@127.0.0.1:{free_port()}/0"

    report = health(store, environ={**BASE_ENV, "REDIS_URL": url}, validate=oracle)

    redis = report.check("redis")
    assert redis.status is CheckStatus.FAIL
    assert "cache and rate limit are per process" in redis.summary
    assert "redis-SECRET-5" not in report.render(verbose=True)
    assert report.exit_code == 1
    assert "redis" not in [c.name for c in health(store, environ=BASE_ENV, validate=oracle).checks]


def test_json_is_complete(store: SqliteStore) -> None:
    """to_dict has the status, the exit code, a time stamp and every check with figures."""
    data = health(store, environ=BASE_ENV, validate=oracle).to_dict()

    assert data["status"] == "healthy"
    assert data["exit_code"] == 0
    assert dt.datetime.fromisoformat(data["checked_at"]).tzinfo is not None
    assert [c["name"] for c in data["checks"]] == [
        "database",
        "validators",
        "ai",
        "configuration",
        "performance",
    ]
    json.dumps(data)


def test_the_real_validator_passes_the_known_reports(store: SqliteStore) -> None:
    """esm_validate.validate finds every expected code and phenomenon in the known reports."""
    report = health(store, environ=BASE_ENV, validate=esm_validate.validate)

    assert report.check("validators").status is CheckStatus.OK, report.check("validators").details


# the real command


def _run(args: list[str], env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_esm_bot(["health", *args], env_extra)


def test_the_store_looks_for_a_server_for_3_seconds_whatever_the_uri_says() -> None:
    """Why an unreachable MongoDB is reported fast: the URI's selection timeout is overridden."""
    store = MongoStore(f"mongodb://127.0.0.1:{free_port()}/esm?serverSelectionTimeoutMS=600000")
    try:
        assert store._client.options.server_selection_timeout == 3.0
    finally:
        store.close()


@pytest.mark.process
def test_command_unreachable_mongodb_is_exit_2_without_waiting_out_the_uri() -> None:
    """MONGODB_URI at a closed port asking for ten minutes of server selection: exit 2 long before.

    The store looks for 3 s whatever the URI says (the test above) and health gives up on the
    database after DB_DEADLINE_S. No elapsed-time assertion: a loaded machine may take many
    seconds just to start Python; the subprocess timeout (a fifth of the URI's ten minutes) fails
    the test if the command waited for the URI's timeout.
    """
    uri = f"mongodb://esm:pw-SECRET-77@127.0.0.1:{free_port()}/esm?serverSelectionTimeoutMS=600000"

    done = run_esm_bot(["health"], {"MONGODB_URI": uri}, timeout=120)

    assert done.returncode == 2, done.stdout + done.stderr
    assert "❌ Database: unreachable (mongodb)" in done.stdout
    assert "pw-SECRET-77" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.process
def test_command_healthy_sqlite_is_exit_0(tmp_path: Path) -> None:
    """An embedded store, no AI: exit 0 with the AI warning; --json says the same."""
    SqliteStore(tmp_path / "bot.sqlite3").close()  # the bot made it; health never creates one
    env = {"ESM_DB_PATH": str(tmp_path / "bot.sqlite3"), **BASE_ENV}

    human = _run([], env)
    machine = _run(["--json"], env)

    assert human.returncode == 0, human.stdout + human.stderr
    assert "⚠️  AI services: local only" in human.stdout
    assert "Overall: healthy (exit 0)" in human.stdout
    data = json.loads(machine.stdout)
    assert machine.returncode == data["exit_code"] == 0
    assert data["checks"][0]["figures"]["backend"] == "sqlite"


@pytest.mark.process
def test_command_ai_down_is_exit_1(tmp_path: Path) -> None:
    """--live with the AI refusing every call: degraded, exit 1."""
    SqliteStore(tmp_path / "bot.sqlite3").close()
    with LLMServer("openai") as server:
        server.default = server.error(401, "invalid api key", kind="invalid_request_error")
        env = {
            "ESM_DB_PATH": str(tmp_path / "bot.sqlite3"),
            "OPENAI_API_KEY": "sk-test-1",
            "OPENAI_BASE_URL": server.base_url,
            **BASE_ENV,
        }
        done = _run(["--live"], env)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "❌ AI services: openai configured but unreachable (ai_auth)" in done.stdout


@pytest.mark.process
def test_command_counts_the_bots_journal(tmp_path: Path) -> None:
    """Writes waiting in the bot's journal file make `esm-bot health` degraded (exit 1)."""
    db = tmp_path / "bot.sqlite3"
    SqliteStore(db).close()
    journal = tmp_path / "esm_bot.journal.jsonl"
    journal.write_text(
        '{"n": 1, "op": "append_event", "args": {}}\n{"n": 2, "op": "append_event", "args": {}}\n',
        encoding="utf-8",
    )

    done = _run([], {"ESM_DB_PATH": str(db), **BASE_ENV})

    assert done.returncode == 1, done.stdout + done.stderr
    assert "❌ Journal: 2 writes waiting in the local journal" in done.stdout
    assert journal.read_text(encoding="utf-8").count("\n") == 2, "health never replays it"
