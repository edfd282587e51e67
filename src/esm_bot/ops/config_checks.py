"""The configuration items ``esm-bot health`` checks, one :class:`ConfigItem` each.

Required items that fail make the configuration check fail; recommended items (admin ids, Redis)
only lower the "N/M checks passed" count, as in the original MSE bot's "6/7 checks passed". Each
item asks the part that owns the setting (``StudyConfig.from_env``, ``esm_validate.from_env``,
``BotSettings.from_env``), so health and the running bot never disagree on what is valid.
Messages name settings, never their secret values.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs

from .status import CheckStatus

__all__ = ["ConfigItem", "check_configuration", "configured_ai_providers"]


@attrs.frozen
class ConfigItem:
    """One configuration item: its name, outcome, a short message and whether it is required."""

    name: str
    status: CheckStatus
    message: str
    required: bool = True


OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL
_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
_AI_ORDER = ("openai", "anthropic", "compatible")


def configured_ai_providers(environ: Mapping[str, str]) -> tuple[str, ...]:
    """Return the AI providers the environment configures, in the order ``from_env`` tries them."""
    chosen = environ.get("ESM_AI_PROVIDER", "").strip().lower()
    if chosen == "local":
        return ()
    present = {
        "openai": bool(environ.get("OPENAI_API_KEY")),
        "anthropic": bool(environ.get("ANTHROPIC_API_KEY")),
        "compatible": bool(environ.get("ESM_AI_BASE_URL")),
    }
    if chosen in present:
        return (chosen,)
    return tuple(name for name in _AI_ORDER if present[name])


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _telegram(env: Mapping[str, str]) -> ConfigItem:
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        return ConfigItem("telegram", WARN, "TELEGRAM_BOT_TOKEN not set (run needs it)")
    if not _TOKEN.match(token):
        return ConfigItem("telegram", FAIL, "TELEGRAM_BOT_TOKEN does not look like a bot token")
    return ConfigItem("telegram", OK, "bot token set")


def _study(env: Mapping[str, str]) -> ConfigItem:
    from esm_bot.domain.config import StudyConfig

    try:
        config = StudyConfig.from_env(env)
    except Exception as exc:
        return ConfigItem("study", FAIL, _first_line(exc))
    return ConfigItem(
        "study", OK, f"{config.beeps_per_day} beeps/day, {config.training_days} training days"
    )


def _storage(env: Mapping[str, str]) -> ConfigItem:
    from esm_bot.settings import StoreSettings

    where = StoreSettings.from_env(env)
    uri = where.mongodb_uri
    if uri:
        if not uri.startswith(("mongodb://", "mongodb+srv://")):
            return ConfigItem(
                "storage", FAIL, "MONGODB_URI must start with mongodb:// or mongodb+srv://"
            )
        return ConfigItem("storage", OK, "MongoDB (MONGODB_URI)")
    path = Path(where.db_path).expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return ConfigItem("storage", FAIL, f"ESM_DB_PATH folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        return ConfigItem("storage", FAIL, f"ESM_DB_PATH folder {folder} is not writable")
    return ConfigItem("storage", OK, f"embedded SQLite at {path}")


def _ai(env: Mapping[str, str]) -> ConfigItem:
    import esm_validate

    providers = configured_ai_providers(env)
    try:
        esm_validate.from_env(env).close()
    except Exception as exc:
        return ConfigItem("ai", FAIL, _first_line(exc))
    return ConfigItem("ai", OK, ", ".join(providers) if providers else "local only")


def _bot(env: Mapping[str, str]) -> ConfigItem:
    from esm_bot.settings import BotSettings

    try:
        settings = BotSettings.from_env(env, require_token=False)
    except Exception as exc:
        return ConfigItem("bot", FAIL, _first_line(exc))
    mode = "webhook" if settings.webhook_url else "long polling"
    return ConfigItem("bot", OK, f"{mode}, metrics every {settings.metrics_interval_minutes:g} min")


def _admins(env: Mapping[str, str]) -> ConfigItem:
    ids = [p for p in env.get("ESM_ADMIN_IDS", "").split(",") if p.strip()]
    if not ids:
        return ConfigItem("admins", WARN, "ESM_ADMIN_IDS not set (no /stats, /export)", False)
    return ConfigItem("admins", OK, f"{len(ids)} admin id(s)", False)


def _webhook(env: Mapping[str, str]) -> ConfigItem:
    url = env.get("ESM_WEBHOOK_URL", "").strip()
    if not url:
        return ConfigItem("webhook", OK, "not used (long polling)")
    if not url.startswith("https://"):
        return ConfigItem("webhook", FAIL, "ESM_WEBHOOK_URL must be https://")
    if not env.get("ESM_WEBHOOK_SECRET"):
        return ConfigItem("webhook", FAIL, "ESM_WEBHOOK_SECRET must be set")
    return ConfigItem("webhook", OK, "https with a secret token")


def _redis(env: Mapping[str, str]) -> ConfigItem:
    url = env.get("REDIS_URL", "").strip()
    if not url:
        return ConfigItem("redis", WARN, "REDIS_URL not set (recommended above ~1000 users)", False)
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return ConfigItem("redis", FAIL, "REDIS_URL must be redis://, rediss:// or unix://")
    return ConfigItem("redis", OK, "shared cache and rate limit", False)


_ITEMS: tuple[Callable[[Mapping[str, str]], ConfigItem], ...] = (
    _telegram,
    _study,
    _storage,
    _ai,
    _bot,
    _admins,
    _webhook,
    _redis,
)


def check_configuration(environ: Mapping[str, str]) -> list[ConfigItem]:
    """Check every setting in ``environ``; never raises, never echoes a secret."""
    items = []
    for check in _ITEMS:
        try:
            items.append(check(environ))
        except Exception as exc:
            name = check.__name__.lstrip("_")
            items.append(ConfigItem(name, CheckStatus.FAIL, f"check crashed: {type(exc).__name__}"))
    return items
