"""Versioned, idempotent, resumable migrations of stored participants, for both stores (how they
work and run: docs/operations.md, "Migrations"); migration 1 is the original MSE bot's
``addGoldenStandardFields``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import deepcopy
from typing import Any, Final

import attrs

from esm_bot.domain.models import (
    ORIGINAL_FIELD_NAMES,
    CommonPatterns,
    PhenomenaFrequencies,
    Preferences,
    utc_now,
)
from esm_bot.store.base import Store
from esm_bot.store.errors import StoreUnavailable

__all__ = [
    "GOLDEN_STANDARD_DEFAULTS",
    "MIGRATIONS",
    "Migration",
    "MigrationCheck",
    "MigrationSummary",
    "check_migrations",
    "current_schema_version",
    "run_migrations",
]

SCHEMA_VERSION_KEY: Final = "schema_version"
#: A run records its progress (and tells ``progress``) every this many participants.
_PROGRESS_EVERY: Final = 100


#: Every golden-standard field with its default, as stored (JSON-compatible).
GOLDEN_STANDARD_DEFAULTS: Final[Mapping[str, Any]] = {
    "training_start_date": None,
    "current_training_day": 0,
    "training_completed": False,
    "average_data_quality": 0.0,
    "quality_history": [],
    "phenomena_frequencies": attrs.asdict(PhenomenaFrequencies()),
    "common_patterns": attrs.asdict(CommonPatterns()),
    "preferences": attrs.asdict(Preferences()),
    "achievements": [],
}

_SCHEMA_VERSION = 1
_HISTORY_KEYS: Final[Mapping[str, str]] = {
    "responsesCount": "responses_count",
    "dayNumber": "day_number",
}


def plan_golden_standard(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Return the top-level fields to set on one stored participant document; ``{}`` if none."""
    patch: dict[str, Any] = {}
    for name, default in GOLDEN_STANDARD_DEFAULTS.items():
        original = ORIGINAL_FIELD_NAMES[name]
        if name not in doc:
            value = deepcopy(doc.get(original, default))
            if name == "quality_history" and isinstance(value, list):  # camelCase item keys
                value = [
                    {_HISTORY_KEYS.get(k, k): v for k, v in item.items()}
                    if isinstance(item, Mapping)
                    else item
                    for item in value
                ]
            patch[name] = _fill({}, value, name, default) if isinstance(default, dict) else value
        elif isinstance(default, dict) and isinstance(doc[name], Mapping):
            filled = _fill(doc[name], doc.get(original), name, default)
            if filled.keys() != doc[name].keys():
                patch[name] = filled
    version = doc.get("schema_version")
    if patch or not isinstance(version, int) or version < _SCHEMA_VERSION:
        patch["schema_version"] = max(version if isinstance(version, int) else 0, _SCHEMA_VERSION)
    return patch


def _fill(
    record: Mapping[str, Any], legacy: Any, name: str, default: Mapping[str, Any]
) -> dict[str, Any]:
    """``record`` with each missing key of ``default`` taken from the original bot's ``legacy``
    record (under our name or its camelCase one), else the default."""
    source = legacy if isinstance(legacy, Mapping) else {}
    out = dict(record)
    for key, value in default.items():
        original = ORIGINAL_FIELD_NAMES[f"{name}.{key}"].rsplit(".", 1)[-1]
        if key not in out:
            out[key] = deepcopy(next((source[k] for k in (key, original) if k in source), value))
    return out


@attrs.frozen
class Migration:
    """One change to stored participants: its ``version`` (the schema version after it), stable
    ``name``, one-line ``description`` and ``plan`` (a document → the fields to set, ``{}``)."""

    version: int
    name: str
    description: str
    plan: Callable[[Mapping[str, Any]], dict[str, Any]]

    @property
    def meta_key(self) -> str:
        """The metadata key that records this migration's completion."""
        return f"migration:{self.version}:{self.name}"


#: Every migration, in order.
MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(
        1,
        "addGoldenStandardFields",
        "participants get the missing golden-standard fields with their defaults",
        plan_golden_standard,
    ),
)


@attrs.frozen
class MigrationSummary:
    """What a run did (or has done so far, given to ``progress``): participants looked at, updated
    (or would be), skipped and failed (ids in ``failed_ids``); ``completed`` when recorded."""

    version: int
    name: str
    total: int
    updated: int
    skipped: int
    errors: int
    dry_run: bool = False
    completed: bool = False
    failed_ids: tuple[str, ...] = ()

    def to_original_dict(self) -> dict[str, int]:
        """The original MSE bot's summary: ``{totalUsers, usersUpdated, usersSkipped, errors}``."""
        return {
            "totalUsers": self.total,
            "usersUpdated": self.updated,
            "usersSkipped": self.skipped,
            "errors": self.errors,
        }


@attrs.frozen
class MigrationCheck:
    """One migration's state for ``--check``: ``applied``, the records it would change now and,
    when an earlier run stopped before finishing, how many it had processed."""

    version: int
    name: str
    description: str
    applied: bool
    pending_records: int
    interrupted_at: int | None = None


def current_schema_version(store: Store) -> int:
    """Return the store's schema version (0 when never migrated)."""
    value = store.get_meta(SCHEMA_VERSION_KEY)
    return value if isinstance(value, int) else 0


def _progress_key(migration: Migration) -> str:
    return f"migration:{migration.version}:progress"


def check_migrations(store: Store) -> list[MigrationCheck]:
    """Report each migration's state and how many records it would change. Writes nothing."""
    checks = []
    docs = list(store.iter_raw_participants())
    for m in MIGRATIONS:
        pending = sum(1 for doc in docs if m.plan(doc))
        progress = store.get_meta(_progress_key(m))
        applied = store.get_meta(m.meta_key) is not None
        interrupted = None
        if not applied and isinstance(progress, Mapping) and not progress.get("finished"):
            interrupted = int(progress.get("processed", 0))
        checks.append(
            MigrationCheck(m.version, m.name, m.description, applied, pending, interrupted)
        )
    return checks


def _run_one(
    store: Store,
    migration: Migration,
    dry_run: bool,
    progress: Callable[[MigrationSummary], None] | None,
) -> MigrationSummary:
    total = updated = skipped = 0
    failed: list[str] = []

    def summary(completed: bool = False) -> MigrationSummary:
        counts = (total, updated, skipped, len(failed))
        return MigrationSummary(
            migration.version, migration.name, *counts, dry_run, completed, tuple(failed)
        )

    def save(*, finished: bool) -> None:
        at = utc_now().isoformat(timespec="seconds")
        record = {"processed": total, "updated": updated, "at": at, "finished": finished}
        store.set_meta(_progress_key(migration), record)

    for doc in store.iter_raw_participants():
        total += 1
        doc_id = str(doc.get("id", ""))
        try:
            patch = migration.plan(doc)
            if not patch:
                skipped += 1
            elif dry_run or store.patch_raw_participant(doc_id, patch):
                updated += 1
            else:
                failed.append(doc_id)
        except StoreUnavailable:
            raise
        except Exception:
            failed.append(doc_id)
        if total % _PROGRESS_EVERY == 0:
            if not dry_run:
                save(finished=False)
            if progress is not None:
                progress(summary())
    result = summary(completed=not dry_run and not failed)
    if not dry_run:
        save(finished=result.completed)
    if result.completed:
        at = utc_now().isoformat(timespec="seconds")
        store.set_meta(migration.meta_key, {"completed_at": at, **result.to_original_dict()})
        if current_schema_version(store) < migration.version:
            store.set_meta(SCHEMA_VERSION_KEY, migration.version)
    return result


def run_migrations(
    store: Store,
    *,
    dry_run: bool = False,
    progress: Callable[[MigrationSummary], None] | None = None,
) -> list[MigrationSummary]:
    """Run every migration not recorded as completed, in order, stopping after one with errors;
    return their summaries (StoreUnavailable: run again when the database is back)."""
    summaries = []
    for migration in MIGRATIONS:
        if store.get_meta(migration.meta_key) is not None:
            continue
        summaries.append(_run_one(store, migration, dry_run, progress))
        if summaries[-1].errors and not dry_run:
            break
    return summaries
