"""Versioned, idempotent, resumable migrations of stored participants, for both stores.

How it works:

* The store's schema version is the metadata key ``schema_version`` (0 when absent).
* Each :class:`Migration` has a version and a pure ``plan(document) -> fields to set``. The runner
  walks every stored participant (``Store.iter_raw_participants``) and sets only those fields
  (``Store.patch_raw_participant``), so existing values are never overwritten.
* A migration that finishes without errors records its completion (metadata
  ``migration:<version>:<name>`` with its summary) and raises ``schema_version``; a completed
  migration never runs again.
* Progress is saved every ``progress_every`` records (``migration:<version>:progress``). Because
  ``plan`` returns nothing for a record already migrated, a run that crashed half-way simply
  resumes: the second run skips what the first one did and finishes the rest.

``esm-bot migrate`` runs the pending ones; ``--check`` counts the records each would change and
writes nothing; ``--dry-run`` walks everything and reports the same summary without writing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from esm_bot.domain.clock import utc_now
from esm_bot.store.base import Store
from esm_bot.store.errors import StoreUnavailable

from .golden_standard import GOLDEN_STANDARD_DEFAULTS, plan_golden_standard

__all__ = [
    "GOLDEN_STANDARD_DEFAULTS",
    "MIGRATIONS",
    "Migration",
    "MigrationCheck",
    "MigrationSummary",
    "Progress",
    "check_migrations",
    "current_schema_version",
    "run_migrations",
]

SCHEMA_VERSION_KEY: Final = "schema_version"


@attrs.frozen
class Migration:
    """One versioned change to stored participant documents.

    Attributes:
        version: Position in the sequence (1, 2, ...); the store's schema version after it.
        name: Stable name (the original MSE bot's, for the first one).
        description: One line for ``--check``.
        plan: Given one stored document, return the top-level fields to set (``{}``: nothing).
    """

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
    """What one migration run did (as the original MSE bot reports it:
    ``{totalUsers, usersUpdated, usersSkipped, errors}``).

    Attributes:
        version: The migration's version.
        name: Its name.
        total: Participants looked at.
        updated: Participants changed (or that would be, with ``dry_run``).
        skipped: Participants that already had everything.
        errors: Participants that could not be changed (ids in ``failed_ids``).
        dry_run: Nothing was written.
        completed: The migration is recorded as done (no errors, not a dry run).
        failed_ids: Internal ids of the participants that failed.
    """

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

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {**attrs.asdict(self), "failed_ids": list(self.failed_ids)}


@attrs.frozen
class MigrationCheck:
    """The state of one migration, for ``--check``.

    Attributes:
        version: The migration's version.
        name: Its name.
        description: What it does.
        applied: Recorded as completed.
        pending_records: Participants it would change now.
        interrupted_at: Records processed by an earlier run that stopped before finishing, if any.
    """

    version: int
    name: str
    description: str
    applied: bool
    pending_records: int
    interrupted_at: int | None = None


@attrs.frozen
class Progress:
    """A progress report, given to the ``progress`` callback every ``progress_every`` records."""

    version: int
    name: str
    processed: int
    updated: int
    skipped: int
    errors: int


def current_schema_version(store: Store) -> int:
    """Return the store's schema version (0 when never migrated)."""
    value = store.get_meta(SCHEMA_VERSION_KEY)
    return value if isinstance(value, int) else 0


def _progress_key(migration: Migration) -> str:
    return f"migration:{migration.version}:progress"


def _is_applied(store: Store, migration: Migration) -> bool:
    return store.get_meta(migration.meta_key) is not None


def check_migrations(
    store: Store, migrations: tuple[Migration, ...] = MIGRATIONS
) -> list[MigrationCheck]:
    """Report each migration's state and how many records it would change. Writes nothing."""
    checks = []
    docs = list(store.iter_raw_participants())
    for migration in migrations:
        pending = sum(1 for doc in docs if migration.plan(doc))
        progress = store.get_meta(_progress_key(migration))
        applied = _is_applied(store, migration)
        interrupted = None
        if not applied and isinstance(progress, Mapping) and not progress.get("finished"):
            interrupted = int(progress.get("processed", 0))
        m = migration
        checks.append(
            MigrationCheck(m.version, m.name, m.description, applied, pending, interrupted)
        )
    return checks


def _now() -> str:
    return utc_now().isoformat(timespec="seconds")


def _run_one(
    store: Store,
    migration: Migration,
    *,
    dry_run: bool,
    progress: Callable[[Progress], None] | None,
    progress_every: int,
) -> MigrationSummary:
    total = updated = skipped = 0
    failed: list[str] = []

    def save(*, finished: bool) -> None:
        record = {"processed": total, "updated": updated, "at": _now(), "finished": finished}
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
        if total % progress_every == 0:
            if not dry_run:
                save(finished=False)
            if progress is not None:
                counts = (total, updated, skipped, len(failed))
                progress(Progress(migration.version, migration.name, *counts))
    completed = not dry_run and not failed
    counts = (total, updated, skipped, len(failed))
    summary = MigrationSummary(
        migration.version, migration.name, *counts, dry_run, completed, tuple(failed)
    )
    if not dry_run:
        save(finished=completed)
    if completed:
        store.set_meta(migration.meta_key, {"completed_at": _now(), **summary.to_original_dict()})
        if current_schema_version(store) < migration.version:
            store.set_meta(SCHEMA_VERSION_KEY, migration.version)
    return summary


def run_migrations(
    store: Store,
    *,
    dry_run: bool = False,
    progress: Callable[[Progress], None] | None = None,
    progress_every: int = 100,
    migrations: tuple[Migration, ...] = MIGRATIONS,
) -> list[MigrationSummary]:
    """Run every migration not yet recorded as completed, in order; return their summaries.

    A migration with errors is not recorded as completed, and the ones after it do not run, so the
    next run retries exactly what is left. With ``dry_run`` nothing is written.

    Raises:
        StoreUnavailable: The database went away; run again when it is back (it resumes).
    """
    if progress_every < 1:
        raise ValueError("progress_every must be at least 1")
    summaries = []
    for migration in sorted(migrations, key=lambda m: m.version):
        if _is_applied(store, migration):
            continue
        summary = _run_one(
            store, migration, dry_run=dry_run, progress=progress, progress_every=progress_every
        )
        summaries.append(summary)
        if summary.errors and not dry_run:
            break
    return summaries
