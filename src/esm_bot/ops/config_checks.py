"""The configuration items ``esm-bot health`` checks, each asking the setting's owner (so health
and the bot never disagree); messages name settings, never their values."""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Mapping
from pathlib import Path

import attrs

from .stores import OpsSettings

__all__ = ["CheckStatus", "ConfigItem", "check_configuration", "configured_ai_providers"]


class CheckStatus(enum.StrEnum):
    """The outcome of one check: ok, warn (still healthy) or fail."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"

    @property
    def mark(self) -> str:
        """The mark printed before the check's line (the original MSE bot's ✅ ⚠️ ❌)."""
        return {"ok": "✅", "warn": "⚠️ ", "fail": "❌"}[self.value]


@attrs.frozen
class ConfigItem:
    """One item: name, outcome and message; a failed ``required`` item fails the check, a
    recommended one only lowers the "N/M checks passed" count."""

    name: str
    status: CheckStatus
    message: str
    required: bool = True


OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL
_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
_Outcome = tuple[CheckStatus, str]


def configured_ai_providers(environ: Mapping[str, str]) -> tuple[str, ...]:
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
    from esm_bot.domain.config import StudyConfig

    config = StudyConfig.from_env(environ)
    return OK, f"{config.beeps_per_day} beeps/day, {config.training_days} training days"


def _storage(env: OpsSettings, environ: Mapping[str, str]) -> _Outcome:
    from esm_bot.settings import StoreSettings

    where = StoreSettings.from_env(environ)
    if where.mongodb_uri:
        if not where.mongodb_uri.startswith(("mongodb://", "mongodb+srv://")):
            return FAIL, "MONGODB_URI must start with mongodb:// or mongodb+srv://"
        return OK, "MongoDB (MONGODB_URI)"
    path = Path(where.db_path).expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return FAIL, f"ESM_DB_PATH folder {folder} does not exist"
    if not os.access(folder, os.W_OK):
        return FAIL, f"ESM_DB_PATH folder {folder} is not writable"
    return OK, f"embedded SQLite at {path}"


def _ai(env: OpsSettings, environ: Mapping[str, str]) -> _Outcome:
    import esm_validate

    esm_validate.from_env(environ).close()
    return OK, ", ".join(configured_ai_providers(environ)) or "local only"


def _bot(env: OpsSettings, environ: Mapping[str, str]) -> _Outcome:
    from esm_bot.settings import BotSettings

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


def check_configuration(environ: Mapping[str, str]) -> list[ConfigItem]:
    """Check every setting in ``environ``; never raises, never echoes a secret."""
    env, items = OpsSettings.from_env(environ), []
    for check in _ITEMS:
        try:
            status, message = check(env, environ)
        except Exception as exc:  # the owner's SettingsError or ConfigurationError, named
            lines = str(exc).strip().splitlines()
            status, message = FAIL, (lines[0] if lines else type(exc).__name__)[:200]
        name = check.__name__.lstrip("_")
        required = name not in _RECOMMENDED or status is FAIL
        items.append(ConfigItem(name, status, message, required))
    return items
