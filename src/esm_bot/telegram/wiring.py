"""Build a :class:`~esm_bot.telegram.app.BotApp` from the environment: store, validator, study,
admin.

This is the only place that reads the environment for the bot (the edge); everything inside gets
its parts injected.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from typing import Any

from esm_bot.domain.config import StudyConfig
from esm_bot.settings import BotSettings
from esm_bot.study import Study
from esm_bot.telegram.app import BotApp
from esm_bot.telegram.handlers import AdminPort

__all__ = ["StoreAdmin", "build_app"]

log = logging.getLogger(__name__)


class StoreAdmin(AdminPort):
    """/stats, /export and /health through the operations library (:mod:`esm_bot.ops`)."""

    def __init__(self, store: Any, environ: Mapping[str, str], study_stats: Any = None) -> None:
        self.store = store
        self.environ = dict(environ)
        self.study_stats = study_stats

    def stats(self) -> dict[str, Any]:
        """Counts from the store (and the study's figures when available), by name; /stats shows
        each with its catalogue label."""
        figures: dict[str, Any] = dict(self.store.counts())
        if self.study_stats is not None:
            figures.update(self.study_stats())
        return dict(sorted(figures.items()))

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
) -> BotApp:
    """Open the store, build the validator and the study, and wire them to ``bot``."""
    from esm_bot.store import store_from_env

    store = store if store is not None else store_from_env(environ)
    if validator is None:
        if local_only:
            from esm_validate import FunctionValidator

            validator = FunctionValidator()
        else:
            import esm_validate

            validator = esm_validate.from_env(environ)
    study = Study(store, validator, StudyConfig.from_env(environ))
    admin = StoreAdmin(store, environ, study.stats)
    return BotApp(
        settings,
        study,
        admin,
        bot,
        on_close=store.close,
        extra_metrics=lambda: dict(getattr(validator, "stats", dict)()),
    )
