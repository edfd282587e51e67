"""Build a :class:`~esm_bot.telegram.app.BotApp` from the environment (store, validator, study,
admin): the only place that reads the environment for the bot."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from esm_bot.domain.config import StudyConfig
from esm_bot.settings import BotSettings
from esm_bot.study import Study
from esm_bot.telegram.app import BotApp
from esm_bot.telegram.handlers import AdminPort
from esm_bot.telegram.ledger import Ledger, ledger_path

__all__ = ["StoreAdmin", "build_app"]


@attrs.define
class StoreAdmin(AdminPort):
    """/stats, /export and /health through the operations library (:mod:`esm_bot.ops`)."""

    store: Any
    environ: Mapping[str, str]
    study_stats: Callable[[], Mapping[str, Any]] | None = None
    validator_stats: Callable[[], Mapping[str, Any]] | None = None

    def stats(self) -> dict[str, Any]:
        """The counts of ``esm-bot stats`` (:func:`esm_bot.ops.stats.study_stats`) plus the
        engine's late, expired and missed beeps (``study_stats``), by name."""
        from esm_bot.ops.stats import study_stats

        running = self.validator_stats() if self.validator_stats is not None else None
        study = study_stats(self.store, validator_stats=running)
        engine = dict(self.study_stats()) if self.study_stats is not None else {}
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
        for name in ("beeps_late", "beeps_expired", "beeps_missed"):
            if name in engine:
                figures[name] = engine[name]
        if study.compliance is not None:
            figures["compliance"] = f"{100 * study.compliance:.0f}%"
        if study.average_quality is not None:
            figures["average_quality"] = round(study.average_quality)
        return figures

    def telegram_id_of(self, name: str) -> int | None:
        """The Telegram id of the participant named by the export's pseudonym or internal id."""
        from esm_bot.ops.rows import export_salt, pseudonym

        salt = export_salt(self.store, self.environ)
        for person in self.store.list_participants():
            if name in (person.id, pseudonym(person.id, salt)):
                found: int | None = person.telegram_id
                return found
        return None

    def export_csv(self) -> tuple[bytes, int]:
        """The pseudonymised long-format CSV (:func:`esm_bot.ops.export.export_study`)."""
        from esm_bot.ops.export import export_study

        buffer = io.StringIO(newline="")
        rows = export_study(self.store, buffer, format="csv", environ=self.environ)
        return buffer.getvalue().encode("utf-8"), rows

    def health(self) -> tuple[str, str]:
        """The health checks (:func:`esm_bot.ops.health.run_health`), without live AI calls."""
        from esm_bot.ops.health import run_health

        report = run_health(self.store, environ=self.environ)
        return str(report.status), report.render()


def build_app(
    environ: Mapping[str, str],
    *,
    settings: BotSettings,
    bot: Any,
    local_only: bool = False,
    store: Any = None,
    validator: Any = None,
    ledger: Ledger | None = None,
) -> BotApp:
    """Open the store, build the validator and the study, and wire them to ``bot``; the
    ``ledger`` defaults to a file beside the store's outage journal."""
    from esm_bot.store import store_from_env

    # the offline console opens its embedded file without the outage journal: never unreachable,
    # and no journal or lock file is left in the working directory
    store = store if store is not None else store_from_env(environ, resilient=not local_only)
    if validator is None:
        import esm_validate

        validator = (
            esm_validate.FunctionValidator() if local_only else esm_validate.from_env(environ)
        )
    study = Study(store, validator, StudyConfig.from_env(environ))

    def validator_stats() -> Mapping[str, Any]:
        return dict(getattr(validator, "stats", dict)())

    admin = StoreAdmin(store, environ, study.stats, validator_stats)
    if ledger is None:  # the console keeps nothing on disk; a running bot beside its journal
        ledger = Ledger() if local_only else Ledger(_ledger_file(store, environ))
    return BotApp(
        settings,
        study,
        admin,
        bot,
        on_close=store.close,
        extra_metrics=validator_stats,
        ledger=ledger,
    )


def _ledger_file(store: Any, environ: Mapping[str, str]) -> Path:
    """The outbox/inbox file: beside the store's outage journal (on this host's disk)."""
    from esm_bot.store import default_journal_path

    journal = getattr(getattr(store, "journal", None), "path", None)
    if journal is None:
        journal = environ.get("ESM_JOURNAL_PATH", "").strip() or default_journal_path(
            environ.get("ESM_DB_PATH", "").strip() or "esm_bot.sqlite3"
        )
    return ledger_path(journal)
