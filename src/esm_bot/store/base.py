"""The :class:`Store` Protocol: every query the bot, the study engine and operations make.

Two implementations keep the same records (:mod:`esm_bot.domain.models`):
:class:`~esm_bot.store.sqlite.SqliteStore` (embedded, the default) and
:class:`~esm_bot.store.mongo.MongoStore`.
:class:`~esm_bot.store.resilient.ResilientStore` wraps either and keeps writes in a durable journal
while the database is unreachable.

Rules every implementation keeps (the contract test suite checks them on both):

- All datetimes in and out are timezone-aware UTC.
- Writes are idempotent where a replay could happen: beeps by id, reports by ``dedup_key``,
  events by ``id``. Replaying the same write never doubles a record.
- ``claim_beep`` is atomic across threads and processes: one caller wins; the lease runs out so a
  beep held by a process that died goes to another.
- Errors are :class:`~esm_bot.store.errors.StoreError` subclasses; an unreachable database raises
  :class:`~esm_bot.store.errors.StoreUnavailable`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

import attrs

from esm_bot.domain.models import Beep, BeepStatus, Event, Participant, ParticipantStatus, Report

__all__ = ["Store", "StoreStatus"]


@attrs.frozen
class StoreStatus:
    """How the store is doing, for health checks and metrics (no I/O to produce it).

    Attributes:
        backend: ``"sqlite"`` or ``"mongodb"``.
        degraded: True while the database is unreachable and writes go to the journal.
        pending: Journal entries waiting to be replayed.
        outages: How many outages began since start.
        last_error: The last storage error's message (no secrets), if any.
        last_error_at: When it happened (seconds of the injected clock), if any.
        outage_seconds: How long the current outage has lasted (0 when not degraded).
        target: Where the data lives, without secrets (a file path or ``host:port/db``).
        rejected: Journal entries that could not be applied on replay (kept aside for a human).
        replayed: Journal entries replayed since start.
    """

    backend: str
    degraded: bool = False
    pending: int = 0
    outages: int = 0
    last_error: str | None = None
    last_error_at: float | None = None
    outage_seconds: float = 0.0
    target: str = ""
    rejected: int = 0
    replayed: int = 0


@runtime_checkable
class Store(Protocol):
    """Persistence of participants, beeps, reports, events and metadata."""

    # lifecycle

    def ping(self) -> float:
        """Make one round trip to the database; return its duration in seconds.

        Raises:
            StoreUnavailable: The database cannot be reached.
        """
        ...

    def close(self) -> None:
        """Release connections. Safe to call twice."""
        ...

    def status(self) -> StoreStatus:
        """Return the store's status (backend, degraded, pending journal entries...) without I/O."""
        ...

    # participants

    def add_participant(self, participant: Participant) -> Participant:
        """Store a new participant and return it.

        Raises:
            DuplicateKey: The id, or the Telegram id, is already taken.
        """
        ...

    def get_participant(self, participant_id: str) -> Participant | None:
        """Return the participant with this internal id, or None."""
        ...

    def get_participant_by_telegram(self, telegram_id: int) -> Participant | None:
        """Return the participant with this Telegram user id, or None."""
        ...

    def update_participant(self, participant_id: str, **changes: Any) -> Participant:
        """Set the given fields (attribute names of :class:`Participant`) and return the result.

        Field-level: only the named fields are written, so two updates of different fields never
        overwrite each other. ``updated_at`` is set to now unless given.

        Raises:
            NotFound: No such participant.
            TypeError: A name is not a field of :class:`Participant`.
            DuplicateKey: ``telegram_id`` would clash with another participant.
        """
        ...

    def list_participants(
        self, status: ParticipantStatus | Collection[ParticipantStatus] | None = None
    ) -> list[Participant]:
        """Return the participants (with one of the given statuses), oldest first."""
        ...

    # beeps

    def upsert_beeps(self, beeps: Iterable[Beep], *, replace_unsent: bool = False) -> int:
        """Store planned beeps; return how many were written.

        A beep whose id exists is left alone, so storing the same plan twice is a no-op. With
        ``replace_unsent=True`` an existing beep that was never sent (status scheduled or cancelled,
        not claimed) is replaced, so a re-planned day (new time zone or window) takes effect while
        sent and answered beeps stay as they are.
        """
        ...

    def get_beep(self, beep_id: str) -> Beep | None:
        """Return the beep with this id, or None."""
        ...

    def beeps_for(
        self,
        participant_id: str,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[Beep]:
        """Return a participant's beeps with ``since <= scheduled_at < until``, in time order."""
        ...

    def iter_beeps(self, since: dt.datetime | None = None) -> Iterator[Beep]:
        """Yield every beep (scheduled at or after ``since``) ordered by time, for exports."""
        ...

    def due_beeps(self, now: dt.datetime, limit: int = 100) -> list[Beep]:
        """Return scheduled beeps due at ``now`` that no live lease holds, oldest first.

        Candidates only: call :meth:`claim_beep` before sending one.
        """
        ...

    def beeps_in_status(
        self,
        status: BeepStatus,
        *,
        scheduled_before: dt.datetime | None = None,
        limit: int | None = None,
    ) -> list[Beep]:
        """Return beeps in one status (e.g. ``sent`` ones, to expire or remind), oldest first."""
        ...

    def claim_beep(
        self,
        beep_id: str,
        worker: str,
        now: dt.datetime,
        lease: dt.timedelta,
        *,
        status: BeepStatus = BeepStatus.SCHEDULED,
    ) -> Beep | None:
        """Atomically take the lease on a beep; return the claimed beep, or None if another has it.

        Succeeds only when the beep is in ``status`` and its lease is free (never claimed, expired
        at ``now``, or already held by ``worker``); it then holds ``claimed_by=worker`` and
        ``claim_until=now + lease``. Exactly one of many concurrent callers (threads or processes)
        gets the beep. After sending, set the new status and clear the lease with
        :meth:`update_beep`. Re-check the returned (fresh) beep before acting on it.
        """
        ...

    def update_beep(
        self, beep_id: str, *, if_status: Collection[BeepStatus] | None = None, **changes: Any
    ) -> Beep | None:
        """Set the given fields of a beep; return the updated beep.

        Returns None when there is no such beep, or when ``if_status`` is given and the beep's
        status is not in it (the check and the write are one atomic step, so "expire unless
        answered" cannot race with an answer).

        Raises:
            TypeError: A name is not a field of :class:`Beep`.
        """
        ...

    def cancel_future_beeps(self, participant_id: str, after: dt.datetime) -> int:
        """Cancel a participant's scheduled beeps with ``scheduled_at > after``; return how many."""
        ...

    # reports

    def add_report(self, report: Report) -> tuple[Report, bool]:
        """Store a report unless its ``dedup_key`` is known; return ``(stored report, created)``.

        A replayed Telegram update returns the report stored the first time, with ``created=False``.
        """
        ...

    def reports_for(self, participant_id: str, *, beep_id: str | None = None) -> list[Report]:
        """Return a participant's reports (only those answering ``beep_id``), oldest first."""
        ...

    def iter_reports(self, since: dt.datetime | None = None) -> Iterator[Report]:
        """Yield every report (received at or after ``since``), oldest first."""
        ...

    # events

    def append_event(self, event: Event) -> Event:
        """Append to the audit trail; return the event with its ``seq``. Idempotent by ``id``."""
        ...

    def iter_events(
        self,
        *,
        participant_id: str | None = None,
        kind: str | None = None,
        since: dt.datetime | None = None,
    ) -> Iterator[Event]:
        """Yield events in append order; optionally one participant's, one kind, or recent ones."""
        ...

    # whole store

    def counts(self) -> dict[str, int]:
        """Return ``{"participants": n, "beeps": n, "reports": n, "events": n}``."""
        ...

    def delete_participant_data(self, participant_id: str) -> dict[str, int]:
        """Erase a participant's data on request; return how many records each kind lost.

        Deletes their reports and beeps, empties the ``data`` of their events, and replaces the
        participant with a tombstone that keeps only the pseudonymous id, ``status=withdrawn``,
        ``active=False`` and ``deleted_at`` (no Telegram ids, settings or history). Returns
        ``{"reports": n, "beeps": n, "events": n, "participants": 0 or 1}``. Idempotent.
        """
        ...

    def get_meta(self, key: str) -> Any:
        """Return a metadata value (JSON-compatible, e.g. ``"schema_version"``) or None."""
        ...

    def set_meta(self, key: str, value: Any) -> None:
        """Set a metadata value (JSON-compatible)."""
        ...

    # raw documents, for migrations

    def iter_raw_participants(self) -> Iterator[dict[str, Any]]:
        """Yield participants as stored documents (``"id"`` plus stored keys, missing ones absent).

        Values are as stored: nested records are dicts, enums are strings, dates are ISO strings
        (datetimes may be ISO strings or datetimes depending on the store).
        """
        ...

    def patch_raw_participant(self, participant_id: str, fields: Mapping[str, Any]) -> bool:
        """Set only the given top-level keys of a stored participant document; return True if found.

        Values must be JSON-compatible (``None``, numbers, strings, lists, dicts). Other keys are
        untouched, so a migration never overwrites existing values it did not name.
        """
        ...
