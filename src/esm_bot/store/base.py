"""The :class:`Store` base class: every query both databases answer alike, written once over the
primitives (and the methods raising NotImplementedError here) each database implements.
ResilientStore answers every method itself. The rules all stores keep are in docs/storage.md."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import attrs

from esm_bot.domain.models import Beep, BeepStatus, Event, Participant, ParticipantStatus, Report
from esm_bot.store.codec import check_changes, decode_value
from esm_bot.store.errors import DuplicateKey, NotFound

__all__ = ["TABLES", "UNSENT", "Store", "StoreStatus"]

T = TypeVar("T")

#: Per record class: its table (collection) and the fields its lists are ordered by.
TABLES: dict[type[Any], tuple[str, tuple[str, ...]]] = {
    Participant: ("participants", ("created_at", "id")),
    Beep: ("beeps", ("scheduled_at", "id")),
    Report: ("reports", ("received_at", "id")),
    Event: ("events", ("seq",)),
}


@attrs.frozen
class StoreStatus:
    """How the store is doing, for health checks and metrics (fields: docs/storage.md)."""

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


#: The stored statuses of a beep never sent: a replan may still move it.
UNSENT = [BeepStatus.SCHEDULED.value, BeepStatus.CANCELLED.value]


def _where(**conditions: Any) -> dict[str, Any]:
    """A query of the conditions that are set (None and empty ranges left out)."""
    return {k: v for k, v in conditions.items() if v is not None and v != {}}


def _span(since: dt.datetime | None = None, until: dt.datetime | None = None) -> dict[str, Any]:
    return _where(**{"$gte": since, "$lt": until})


class Store:
    """Persistence of participants, beeps, reports, events and metadata.

    The primitives (``_find``, ``_set``...) take a query: a MongoDB-style dict over stored fields
    (``id`` is the record id): equality, ``None``, ``$in``, ``$gt``, ``$gte``, ``$lt``, ``$lte``
    and ``$or``.
    """

    _utcnow: Callable[[], dt.datetime]  # the store's wall clock, for ``updated_at``
    backend: str
    target: str  # where the data is, without credentials

    def ping(self) -> float:
        """Make one round trip to the database; return its duration in seconds."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections. Safe to call twice."""
        raise NotImplementedError

    def counts(self) -> dict[str, int]:
        """Return ``{"participants": n, "beeps": n, "reports": n, "events": n}``."""
        raise NotImplementedError

    def get_meta(self, key: str) -> Any:
        """Return a metadata value (JSON-compatible, e.g. ``"schema_version"``) or None."""
        raise NotImplementedError

    def set_meta(self, key: str, value: Any) -> None:
        """Set a metadata value (JSON-compatible)."""
        raise NotImplementedError

    def status(self) -> StoreStatus:
        """Return the store's status (backend, degraded, pending journal entries...) without I/O."""
        return StoreStatus(backend=self.backend, target=self.target)

    def _find(self, cls: type[T], query: dict[str, Any], limit: int | None = None) -> list[T]:
        """Return the records of ``cls`` matching ``query`` (in :data:`TABLES` order)."""
        raise NotImplementedError

    def _iter(self, cls: type[T], query: dict[str, Any], *, raw: bool = False) -> Iterator[Any]:
        """Yield the records (or, with ``raw``, stored documents) matching ``query`` in order."""
        raise NotImplementedError

    def _set(
        self, cls: type[T], query: dict[str, Any], fields: dict[str, Any], *, raw: bool = False
    ) -> T | dict[str, Any] | None:
        """Set ``fields`` (checked values, or with ``raw`` stored JSON values) of the one record
        ``query`` selects, atomically; return it (or the stored document), or None."""
        raise NotImplementedError

    def _insert(self, record: T, *, replace: bool = False) -> T:
        """Store a new record (DuplicateKey: a unique key is taken), or with ``replace`` put it in
        place of the one with its id; return it (an event with its ``seq``)."""
        raise NotImplementedError

    def _delete(self, cls: type[Any], query: dict[str, Any]) -> int:
        """Delete the records ``query`` selects; return how many."""
        raise NotImplementedError

    def _set_all(self, cls: type[Any], query: dict[str, Any], fields: dict[str, Any]) -> int:
        """Set ``fields`` (stored values) of every record ``query`` selects; return how many."""
        raise NotImplementedError

    def _atomic(self) -> contextlib.AbstractContextManager[Any]:
        """Make the writes inside one transaction where the database has them (SQLite)."""
        return contextlib.nullcontext()

    def _first(self, cls: type[T], query: dict[str, Any]) -> T | None:
        found = self._find(cls, query, 1)
        return found[0] if found else None

    def _insert_once(self, cls: type[T], key: dict[str, Any], record: T) -> tuple[T, bool]:
        """Insert ``record`` unless ``key`` finds one; return the stored record and whether new."""
        existing = self._first(cls, key)
        if existing is None:
            try:
                return self._insert(record), True
            except DuplicateKey:  # a concurrent insert of the same key won
                existing = self._first(cls, key)
                if existing is None:
                    raise
        return existing, False

    def add_participant(self, participant: Participant) -> Participant:
        """Store a new participant and return it (DuplicateKey: the id or Telegram id is taken)."""
        return self._insert(participant)

    def get_participant(self, participant_id: str) -> Participant | None:
        """Return the participant with this internal id, or None."""
        return self._first(Participant, {"id": participant_id})

    def get_participant_by_telegram(self, telegram_id: int) -> Participant | None:
        """Return the participant with this Telegram user id, or None."""
        return self._first(Participant, {"telegram_id": telegram_id})

    def update_participant(self, participant_id: str, **changes: Any) -> Participant:
        """Set only the named fields (and ``updated_at``, unless given); return the participant.

        Raises NotFound, TypeError (not a field) or DuplicateKey (``telegram_id`` taken)."""
        changes.setdefault("updated_at", self._utcnow())
        checked = check_changes(Participant, changes)
        found = self._set(Participant, {"id": participant_id}, checked)
        if not isinstance(found, Participant):
            raise NotFound(f"no participant {participant_id!r}")
        return found

    def list_participants(
        self, status: ParticipantStatus | Collection[ParticipantStatus] | None = None
    ) -> list[Participant]:
        """Return the participants (with one of the given statuses), oldest first."""
        several = [status] if isinstance(status, ParticipantStatus) else status or ()
        wanted = None if status is None else {"$in": [ParticipantStatus(s).value for s in several]}
        return self._find(Participant, _where(status=wanted))

    def upsert_beeps(self, beeps: Iterable[Beep], *, replace_unsent: bool = False) -> int:
        """Store planned beeps whose id is new (or, with ``replace_unsent``, never sent or claimed);
        return how many were written."""
        written = 0
        with self._atomic():
            for beep in beeps:
                if replace_unsent:
                    fields = attrs.asdict(beep, recurse=False, filter=lambda a, _: a.name != "id")
                    unsent = {"id": beep.id, "status": {"$in": UNSENT}, "claimed_by": None}
                    if self._set(Beep, unsent, fields) is not None:
                        written += 1
                        continue
                with contextlib.suppress(DuplicateKey):  # a known id (or a concurrent planner's)
                    self._insert(beep)
                    written += 1
        return written

    def get_beep(self, beep_id: str) -> Beep | None:
        """Return the beep with this id, or None."""
        return self._first(Beep, {"id": beep_id})

    def beeps_for(
        self,
        participant_id: str,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[Beep]:
        """Return a participant's beeps with ``since <= scheduled_at < until``, in time order."""
        return self._find(
            Beep, _where(participant_id=participant_id, scheduled_at=_span(since, until))
        )

    def iter_beeps(self, since: dt.datetime | None = None) -> Iterator[Beep]:
        """Yield every beep (scheduled at or after ``since``) ordered by time, for exports."""
        return self._iter(Beep, _where(scheduled_at=_span(since)))

    def due_beeps(self, now: dt.datetime, limit: int = 100) -> list[Beep]:
        """Return scheduled beeps due at ``now`` with no live lease, oldest first (claim first)."""
        free = [{"claim_until": None}, {"claim_until": {"$lte": now}}]
        query = {"status": BeepStatus.SCHEDULED.value, "scheduled_at": {"$lte": now}, "$or": free}
        return self._find(Beep, query, limit)

    def beeps_in_status(
        self,
        status: BeepStatus,
        *,
        scheduled_before: dt.datetime | None = None,
        limit: int | None = None,
    ) -> list[Beep]:
        """Return beeps in one status (e.g. ``sent`` ones, to expire or remind), oldest first."""
        query = _where(status=BeepStatus(status).value, scheduled_at=_span(until=scheduled_before))
        return self._find(Beep, query, limit)

    def claim_beep(
        self,
        beep_id: str,
        worker: str,
        now: dt.datetime,
        lease: dt.timedelta,
        *,
        status: BeepStatus = BeepStatus.SCHEDULED,
    ) -> Beep | None:
        """Atomically take the lease on a beep in ``status``; return it, or None if another has it
        (the lease is free when never taken, expired at ``now``, or already held by ``worker``)."""
        free = [{"claim_until": None}, {"claim_until": {"$lte": now}}, {"claimed_by": worker}]
        query = {"id": beep_id, "status": BeepStatus(status).value, "$or": free}
        claimed = self._set(Beep, query, {"claimed_by": worker, "claim_until": now + lease})
        return claimed if isinstance(claimed, Beep) else None

    def update_beep(
        self, beep_id: str, *, if_status: Collection[BeepStatus] | None = None, **changes: Any
    ) -> Beep | None:
        """Set the named fields of a beep (atomically only if its status is in ``if_status``);
        return the updated beep, or None (no such beep, or another status)."""
        checked = check_changes(Beep, changes)
        wanted = None if if_status is None else {"$in": [BeepStatus(s).value for s in if_status]}
        updated = self._set(Beep, _where(id=beep_id, status=wanted), checked)
        return updated if isinstance(updated, Beep) else None

    def cancel_future_beeps(self, participant_id: str, after: dt.datetime) -> int:
        """Cancel a participant's scheduled beeps with ``scheduled_at > after``; return how many."""
        query = {
            "participant_id": participant_id,
            "status": BeepStatus.SCHEDULED.value,
            "scheduled_at": {"$gt": after},
        }
        return self._set_all(Beep, query, {"status": BeepStatus.CANCELLED.value})

    def add_report(self, report: Report) -> tuple[Report, bool]:
        """Store a report unless its ``dedup_key`` is known; return ``(stored report, created)``."""
        return self._insert_once(Report, {"dedup_key": report.dedup_key}, report)

    def reports_for(self, participant_id: str, *, beep_id: str | None = None) -> list[Report]:
        """Return a participant's reports (only those answering ``beep_id``), oldest first."""
        return self._find(Report, _where(participant_id=participant_id, beep_id=beep_id))

    def iter_reports(self, since: dt.datetime | None = None) -> Iterator[Report]:
        """Yield every report (received at or after ``since``), oldest first."""
        return self._iter(Report, _where(received_at=_span(since)))

    def append_event(self, event: Event) -> Event:
        """Append to the audit trail; return the event with its ``seq``. Idempotent by ``id``."""
        return self._insert_once(Event, {"id": event.id}, event)[0]

    def iter_events(
        self,
        *,
        participant_id: str | None = None,
        kind: str | None = None,
        since: dt.datetime | None = None,
    ) -> Iterator[Event]:
        """Yield events in append order; optionally one participant's, one kind, or recent ones."""
        return self._iter(Event, _where(participant_id=participant_id, kind=kind, at=_span(since)))

    def delete_participant_data(self, participant_id: str) -> dict[str, int]:
        """Erase a participant's data on request, leaving a tombstone; return counts per kind."""
        mine = {"participant_id": participant_id}
        tombstone = None
        now = self._utcnow()
        with self._atomic():
            erased = {
                "reports": self._delete(Report, mine),
                "beeps": self._delete(Beep, mine),
                "events": self._set_all(Event, mine, {"data": {}}),
            }
            for doc in self._iter(Participant, {"id": participant_id}, raw=True):
                tombstone = Participant(  # only the id, the joined and the deleted times stay
                    id=participant_id,
                    created_at=decode_value(dt.datetime, doc.get("created_at")) or now,
                    status=ParticipantStatus.WITHDRAWN,
                    active=False,
                    deleted_at=now,
                    updated_at=now,
                )
            if tombstone is not None:
                self._insert(tombstone, replace=True)
        return {**erased, "participants": int(tombstone is not None)}

    def iter_raw_participants(self) -> Iterator[dict[str, Any]]:
        """Yield participants as stored documents (``"id"`` and the stored keys), for migrations."""
        return self._iter(Participant, {}, raw=True)

    def patch_raw_participant(self, participant_id: str, fields: Mapping[str, Any]) -> bool:
        """Set only the given top-level keys of a stored participant; return True if found."""
        if "id" in fields or "_id" in fields:
            raise TypeError("the id of a participant cannot be changed")
        return self._set(Participant, {"id": participant_id}, dict(fields), raw=True) is not None
