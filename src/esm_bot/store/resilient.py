"""Keep the bot working, and lose nothing, while the database is unreachable.

:class:`ResilientStore` wraps a real store. While the database answers, every call goes straight
through and recent records are remembered. When a call raises
:class:`~esm_bot.store.errors.StoreUnavailable`, the store turns *degraded*:

- writes are appended to a durable local :class:`~esm_bot.store.journal.Journal` (fsync'd JSON
  lines) and acknowledged; the remembered records are updated so the bot sees its own writes;
- point reads (a participant, a beep) and per-participant lists are answered from what is known;
  reads that need the whole database (exports, counts, listing every participant) raise
  :class:`StoreUnavailable`; ``due_beeps`` is empty and ``claim_beep`` refuses, because exactly-once
  sending needs the database;
- every ``retry_interval_s`` (of the injected clock) the next call probes the database; when it
  answers, the journal is replayed in order and the store is healthy again. Replays are idempotent
  (beeps by id, reports by dedup key, events by id, field-level updates), so a crash in the middle
  of a replay never doubles a record: the next start replays the rest, and the repeats are no-ops.

``status()`` shows the outage (degraded, pending entries, outage count, last error) to the health
check and metrics.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import attrs
from cachetools import LRUCache

from esm_bot.domain.clock import utc_now
from esm_bot.domain.models import Beep, BeepStatus, Event, Participant, ParticipantStatus, Report
from esm_bot.store.base import Store, StoreStatus
from esm_bot.store.codec import check_changes, decode, decode_value, encode, encode_value
from esm_bot.store.codec import field_types as _field_types
from esm_bot.store.errors import DuplicateKey, StoreError, StoreUnavailable
from esm_bot.store.journal import Journal, JournalEntry

__all__ = ["ResilientStore"]

R = TypeVar("R")

_log = logging.getLogger("esm_bot.store")


#: "Since the beginning" for :attr:`ResilientStore._beeps_from`.
_ALWAYS = dt.datetime.min.replace(tzinfo=dt.UTC)


def _encode_changes(cls: type[Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    types_ = _field_types(cls)
    return {k: encode_value(types_[k], v) for k, v in changes.items()}


def _decode_changes(cls: type[Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    types_ = _field_types(cls)
    return {k: decode_value(types_[k], v) for k, v in changes.items()}


class ResilientStore:
    """A :class:`~esm_bot.store.base.Store` that journals writes while the database is down.

    Args:
        inner: The real store (SQLite or MongoDB).
        journal_path: The journal file (processes on one machine may share it).
        clock: Monotonic seconds, for retry timing and outage length (injected in tests).
        utcnow: The wall clock, for ``updated_at`` of updates made during an outage.
        retry_interval_s: How often a degraded store probes the database.
        cache_size: How many participants to remember (with six beeps each, the report lists of
            one in twenty, and as many recent reports for duplicate detection): memory stays
            bounded however long the study runs.
        fsync: Whether journal appends are fsync'd (keep True in production).
    """

    def __init__(
        self,
        inner: Store,
        journal_path: str | os.PathLike[str],
        *,
        clock: Callable[[], float] = time.monotonic,
        utcnow: Callable[[], dt.datetime] = utc_now,
        retry_interval_s: float = 5.0,
        cache_size: int = 2000,
        fsync: bool = True,
    ) -> None:
        self.inner = inner
        self.journal = Journal(journal_path, fsync=fsync)
        self._clock = clock
        self._utcnow = utcnow
        self._retry_interval = retry_interval_s
        self._lock = threading.RLock()
        self._probing = threading.Lock()
        self._outages = 0
        self._last_error: str | None = None
        self._last_error_at: float | None = None
        self._outage_started: float | None = None
        self._next_probe = clock()
        self._next_journal_look = clock() + retry_interval_s
        self._replayed = 0
        self._healthy = len(self.journal) == 0
        if not self._healthy:  # a previous run stopped during an outage: replay before anything
            self._outages = 1
            self._outage_started = clock()
        self._participants: LRUCache[str, Participant] = LRUCache(cache_size)
        self._telegram: LRUCache[int, str] = LRUCache(cache_size)
        self._beeps: LRUCache[str, Beep] = LRUCache(cache_size * 6)
        self._reports: LRUCache[str, list[Report]] = LRUCache(max(16, cache_size // 20))
        self._dedup: LRUCache[str, Report] = LRUCache(cache_size)
        # Whose beeps are fully known from when on (read from the database, or a participant
        # created here): an outage answers beeps_for only within what is complete.
        self._beeps_from: LRUCache[str, dt.datetime] = LRUCache(cache_size)
        self._meta: dict[str, Any] = {}

    # health

    @property
    def degraded(self) -> bool:
        """True while writes go to the journal."""
        return not self._healthy

    def status(self) -> StoreStatus:
        """Return backend, degraded flag, pending journal entries, outages and the last error."""
        inner = self.inner.status()
        started = self._outage_started
        return StoreStatus(
            backend=inner.backend,
            degraded=not self._healthy,
            pending=len(self.journal),
            outages=self._outages,
            last_error=self._last_error,
            last_error_at=self._last_error_at,
            outage_seconds=0.0 if started is None else max(0.0, self._clock() - started),
            target=inner.target,
            rejected=len(self.journal.rejected()),
            replayed=self._replayed,
        )

    def ping(self) -> float:
        """Ping the database (raises :class:`StoreUnavailable`); a success ends an outage."""
        try:
            took = self.inner.ping()
        except StoreUnavailable as exc:
            self._enter_outage(exc)
            raise
        if not self._healthy:
            self.recover(force=True)
        return took

    def recover(self, *, force: bool = False) -> bool:
        """Probe the database now (if due, or ``force``) and replay the journal; True if healthy."""
        if self._healthy:
            return True
        if not force and self._clock() < self._next_probe:
            return False
        # One thread probes; the others go on degraded at once instead of queueing behind a ping
        # that may take the driver's whole server-selection timeout.
        if not self._probing.acquire(blocking=force):
            return False
        try:
            return self._probe(force=force)
        finally:
            self._probing.release()

    def _probe(self, *, force: bool) -> bool:
        if not force and self._clock() < self._next_probe:
            return not self.degraded
        try:
            self.inner.ping()
        except StoreUnavailable as exc:
            self._note_error(exc)
            self._next_probe = self._clock() + self._retry_interval
            return False
        with self._lock:
            if not self.degraded:  # another thread recovered meanwhile
                return True
            try:
                self._replay()
            except StoreUnavailable as exc:
                self._note_error(exc)
                self._next_probe = self._clock() + self._retry_interval
                return False
            lasted = 0.0 if self._outage_started is None else self._clock() - self._outage_started
            _log.warning("database reachable again after %.1f s; journal replayed", lasted)
            self._healthy = True
            self._outage_started = None
            return True

    def close(self) -> None:
        """Close the inner store (the journal stays on disk until replayed)."""
        self.inner.close()

    # plumbing

    def _note_error(self, exc: BaseException) -> None:
        self._last_error = str(exc)[:300]
        self._last_error_at = self._clock()

    def _enter_outage(self, exc: BaseException) -> None:
        with self._lock:
            self._note_error(exc)
            self._next_probe = self._clock() + self._retry_interval
            if self._healthy:
                self._healthy = False
                self._outages += 1
                self._outage_started = self._clock()
                _log.warning(
                    "database unreachable, writing to the journal %s: %s",
                    self.journal.path,
                    self._last_error,
                )

    def _online(self) -> bool:
        """True when calls may go to the database (probing and replaying first when due)."""
        if self._healthy and self._clock() >= self._next_journal_look:
            self._adopt_foreign_entries()
        return self._healthy or self.recover()

    def _adopt_foreign_entries(self) -> None:
        """Replay entries another process left in a shared journal (say, it died mid-outage)."""
        with self._lock:
            self._next_journal_look = self._clock() + self._retry_interval
            try:
                waiting = self.journal.path.stat().st_size > 0
            except OSError:
                waiting = False
            if waiting and self._healthy:
                self._healthy = False
                self._next_probe = self._clock()

    def _direct(self, call: Callable[[], R]) -> tuple[bool, R | None]:
        """Run ``call`` against the database if it is up; ``(False, None)`` if it is not."""
        if not self._online():
            return False, None
        try:
            return True, call()
        except StoreUnavailable as exc:
            self._enter_outage(exc)
            return False, None

    def _append(self, op: str, args: Mapping[str, Any], participant_id: str | None) -> None:
        with self._lock:
            try:
                self.journal.append(op, args, participant_id=participant_id)
            except OSError as exc:
                raise StoreUnavailable(
                    f"the database is unreachable and the journal {self.journal.path} cannot be"
                    f" written: {exc}"
                ) from exc
            if self._healthy:
                # Another thread recovered while this one decided to journal: replay it next.
                self._healthy = False
                self._next_probe = self._clock()

    def _offline(self, what: str) -> StoreUnavailable:
        return StoreUnavailable(f"{what}: the database is unreachable ({self._last_error})")

    # replay

    def _replay(self) -> None:
        """Apply the journal in order; drop what was applied (raises StoreUnavailable midway)."""
        applied: list[str] = []
        try:
            for entry in self.journal.entries():
                try:
                    self._apply(entry)
                except StoreUnavailable:
                    raise
                except (StoreError, TypeError, ValueError, KeyError) as exc:
                    _log.error(
                        "journal entry %s (%s) cannot be applied, kept aside: %s",
                        entry.n,
                        entry.op,
                        exc,
                    )
                    self.journal.reject(entry, f"{type(exc).__name__}: {exc}")
                    continue
                applied.append(entry.id)
                self._replayed += 1
        finally:
            self.journal.drop(applied)

    def _apply(self, entry: JournalEntry) -> None:
        inner, args = self.inner, entry.args
        if entry.op == "add_participant":
            participant = decode(Participant, args["participant"])
            try:
                inner.add_participant(participant)
            except DuplicateKey:
                if inner.get_participant(participant.id) is None:
                    raise
        elif entry.op == "update_participant":
            inner.update_participant(args["id"], **_decode_changes(Participant, args["changes"]))
        elif entry.op == "upsert_beeps":
            beeps = [decode(Beep, b) for b in args["beeps"]]
            inner.upsert_beeps(beeps, replace_unsent=bool(args["replace_unsent"]))
        elif entry.op == "update_beep":
            if_status = args["if_status"]
            inner.update_beep(
                args["id"],
                if_status=None if if_status is None else {BeepStatus(s) for s in if_status},
                **_decode_changes(Beep, args["changes"]),
            )
        elif entry.op == "cancel_future_beeps":
            after = decode_value(dt.datetime, args["after"])
            inner.cancel_future_beeps(args["participant_id"], after)
        elif entry.op == "add_report":
            inner.add_report(decode(Report, args["report"]))
        elif entry.op == "append_event":
            inner.append_event(decode(Event, args["event"]))
        elif entry.op == "set_meta":
            inner.set_meta(args["key"], args["value"])
        elif entry.op == "delete_participant_data":
            inner.delete_participant_data(args["participant_id"])
        else:
            raise ValueError(f"unknown journal operation {entry.op!r}")

    # remembering

    def _remember(self, participant: Participant | None) -> Participant | None:
        if participant is not None:
            with self._lock:
                self._participants[participant.id] = participant
                if participant.telegram_id is not None:
                    self._telegram[participant.telegram_id] = participant.id
        return participant

    def _remember_beeps(self, beeps: Iterable[Beep | None]) -> None:
        with self._lock:
            for beep in beeps:
                if beep is not None:
                    self._beeps[beep.id] = beep

    def _remember_report(self, report: Report) -> None:
        with self._lock:
            self._dedup[report.dedup_key] = report
            known = self._reports.get(report.participant_id)
            if known is not None and all(r.id != report.id for r in known):
                known.append(report)
                known.sort(key=lambda r: (r.received_at, r.id))

    def _known_new(self, participant: Participant) -> None:
        """A participant created here has no beeps or reports elsewhere: all of them are known."""
        with self._lock:
            self._beeps_from[participant.id] = _ALWAYS
            self._reports.setdefault(participant.id, [])

    def _forget(self, participant_id: str) -> None:
        with self._lock:
            self._beeps_from.pop(participant_id, None)
            participant = self._participants.pop(participant_id, None)
            if participant is not None and participant.telegram_id is not None:
                self._telegram.pop(participant.telegram_id, None)
            for key in [k for k, b in self._beeps.items() if b.participant_id == participant_id]:
                del self._beeps[key]
            self._reports.pop(participant_id, None)
            for key in [k for k, r in self._dedup.items() if r.participant_id == participant_id]:
                del self._dedup[key]

    # participants

    def add_participant(self, participant: Participant) -> Participant:
        """Store a new participant (journaled during an outage)."""
        ok, result = self._direct(lambda: self.inner.add_participant(participant))
        if ok:
            self._remember(result)
            self._known_new(participant)
            return participant
        with self._lock:
            if participant.id in self._participants or (
                participant.telegram_id is not None and participant.telegram_id in self._telegram
            ):
                raise DuplicateKey(f"participant {participant.id} (or its Telegram id) exists")
            self._append("add_participant", {"participant": encode(participant)}, participant.id)
            self._remember(participant)
            self._known_new(participant)
        return participant

    def get_participant(self, participant_id: str) -> Participant | None:
        """Return the participant; during an outage the remembered one (or StoreUnavailable)."""
        ok, result = self._direct(lambda: self.inner.get_participant(participant_id))
        if ok:
            return self._remember(result)
        with self._lock:
            known = self._participants.get(participant_id)
        if known is None:
            raise self._offline(f"participant {participant_id} is not known offline")
        return known

    def get_participant_by_telegram(self, telegram_id: int) -> Participant | None:
        """Return the participant with this Telegram id (remembered during an outage)."""
        ok, result = self._direct(lambda: self.inner.get_participant_by_telegram(telegram_id))
        if ok:
            return self._remember(result)
        with self._lock:
            participant_id = self._telegram.get(telegram_id)
            known = None if participant_id is None else self._participants.get(participant_id)
        if known is None:
            raise self._offline("this Telegram user is not known offline")
        return known

    def update_participant(self, participant_id: str, **changes: Any) -> Participant:
        """Set fields; during an outage, journal them and update the remembered participant."""
        changes.setdefault("updated_at", self._utcnow())
        checked = check_changes(Participant, changes)
        ok, result = self._direct(lambda: self.inner.update_participant(participant_id, **checked))
        if ok:
            assert result is not None
            self._remember(result)
            return result
        with self._lock:
            known = self._participants.get(participant_id)
            if known is None:
                raise self._offline(f"participant {participant_id} is not known offline")
            updated = attrs.evolve(known, **checked)
            if known.telegram_id is not None and updated.telegram_id != known.telegram_id:
                self._telegram.pop(known.telegram_id, None)
            self._append(
                "update_participant",
                {"id": participant_id, "changes": _encode_changes(Participant, checked)},
                participant_id,
            )
            self._remember(updated)
        return updated

    def list_participants(
        self, status: ParticipantStatus | Collection[ParticipantStatus] | None = None
    ) -> list[Participant]:
        """List participants (needs the database)."""
        ok, result = self._direct(lambda: self.inner.list_participants(status))
        if not ok or result is None:
            raise self._offline("the participant list needs the database")
        for participant in result[:1000]:
            self._remember(participant)
        return result

    # beeps

    def upsert_beeps(self, beeps: Iterable[Beep], *, replace_unsent: bool = False) -> int:
        """Store planned beeps (journaled during an outage)."""
        plan = list(beeps)
        ok, result = self._direct(
            lambda: self.inner.upsert_beeps(plan, replace_unsent=replace_unsent)
        )
        if ok:
            assert result is not None
            self._remember_stored(plan, replace_unsent=replace_unsent)
            return result
        with self._lock:
            written = self._remember_plan(plan, replace_unsent=replace_unsent)
            by_participant: dict[str, list[Beep]] = {}
            for beep in plan:
                by_participant.setdefault(beep.participant_id, []).append(beep)
            for participant_id, own in by_participant.items():  # one entry each, for /delete
                self._append(
                    "upsert_beeps",
                    {"beeps": [encode(b) for b in own], "replace_unsent": replace_unsent},
                    participant_id,
                )
        return written

    def _remember_plan(self, plan: Iterable[Beep], *, replace_unsent: bool) -> int:
        """Remember planned beeps as an upsert would store them; return how many."""
        written = 0
        with self._lock:
            for beep in plan:
                known = self._beeps.get(beep.id)
                replaceable = (
                    replace_unsent
                    and known is not None
                    and known.status in (BeepStatus.SCHEDULED, BeepStatus.CANCELLED)
                    and known.claimed_by is None
                )
                if known is None or replaceable:
                    self._beeps[beep.id] = beep
                    written += 1
        return written

    def _remember_stored(self, plan: list[Beep], *, replace_unsent: bool) -> None:
        """After an upsert, remember the beeps as stored, so an outage right after knows them.

        Reads them back (one query per participant); if the database went away meanwhile, the
        plan is remembered as the upsert rules would have stored it.
        """
        by_participant: dict[str, list[Beep]] = {}
        for beep in plan:
            by_participant.setdefault(beep.participant_id, []).append(beep)
        for participant_id, own in by_participant.items():
            ids = {b.id for b in own}
            slack = dt.timedelta(seconds=1)  # MongoDB keeps milliseconds only
            since = min(b.scheduled_at for b in own) - slack
            until = max(b.scheduled_at for b in own) + slack
            try:
                stored = self.inner.beeps_for(participant_id, since, until)
            except StoreUnavailable as exc:
                self._enter_outage(exc)
                self._remember_plan(own, replace_unsent=replace_unsent)
                continue
            self._remember_beeps(b for b in stored if b.id in ids)

    def get_beep(self, beep_id: str) -> Beep | None:
        """Return the beep (remembered during an outage)."""
        ok, result = self._direct(lambda: self.inner.get_beep(beep_id))
        if ok:
            self._remember_beeps([result])
            return result
        with self._lock:
            known = self._beeps.get(beep_id)
        if known is None:
            raise self._offline(f"beep {beep_id} is not known offline")
        return known

    def _known_beeps(self, keep: Callable[[Beep], bool]) -> list[Beep]:
        with self._lock:
            found = [b for b in self._beeps.values() if keep(b)]
        return sorted(found, key=lambda b: (b.scheduled_at, b.id))

    def beeps_for(
        self,
        participant_id: str,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[Beep]:
        """A participant's beeps; during an outage, the ones known."""
        ok, result = self._direct(lambda: self.inner.beeps_for(participant_id, since, until))
        start = since if since is not None else _ALWAYS
        if ok:
            assert result is not None
            self._remember_beeps(result)
            with self._lock:
                known_from = self._beeps_from.get(participant_id)
                if known_from is None or start < known_from:
                    self._beeps_from[participant_id] = start
            return result
        with self._lock:
            known_from = self._beeps_from.get(participant_id)
        if known_from is None or start < known_from:
            raise self._offline(f"the beeps of participant {participant_id} are not known offline")
        return self._known_beeps(
            lambda b: (
                b.participant_id == participant_id
                and (since is None or b.scheduled_at >= since)
                and (until is None or b.scheduled_at < until)
            )
        )

    def iter_beeps(self, since: dt.datetime | None = None) -> Iterator[Beep]:
        """Every beep (needs the database)."""
        if not self._online():
            raise self._offline("listing every beep needs the database")
        return self.inner.iter_beeps(since)

    def due_beeps(self, now: dt.datetime, limit: int = 100) -> list[Beep]:
        """Due beeps; none during an outage (sending exactly once needs the database)."""
        ok, result = self._direct(lambda: self.inner.due_beeps(now, limit))
        return result if ok and result is not None else []

    def beeps_in_status(
        self,
        status: BeepStatus,
        *,
        scheduled_before: dt.datetime | None = None,
        limit: int | None = None,
    ) -> list[Beep]:
        """Beeps in one status; during an outage, the ones known."""
        ok, result = self._direct(
            lambda: self.inner.beeps_in_status(
                status, scheduled_before=scheduled_before, limit=limit
            )
        )
        if ok:
            assert result is not None
            self._remember_beeps(result)
            return result
        found = self._known_beeps(
            lambda b: (
                b.status == status
                and (scheduled_before is None or b.scheduled_at < scheduled_before)
            )
        )
        return found if limit is None else found[:limit]

    def claim_beep(
        self,
        beep_id: str,
        worker: str,
        now: dt.datetime,
        lease: dt.timedelta,
        *,
        status: BeepStatus = BeepStatus.SCHEDULED,
    ) -> Beep | None:
        """Claim a beep; refused (None) during an outage."""
        ok, result = self._direct(
            lambda: self.inner.claim_beep(beep_id, worker, now, lease, status=status)
        )
        if ok:
            self._remember_beeps([result])
            return result
        return None

    def update_beep(
        self, beep_id: str, *, if_status: Collection[BeepStatus] | None = None, **changes: Any
    ) -> Beep | None:
        """Update a beep; during an outage, journal it and update the remembered beep."""
        checked = check_changes(Beep, changes)
        ok, result = self._direct(
            lambda: self.inner.update_beep(beep_id, if_status=if_status, **checked)
        )
        if ok:
            self._remember_beeps([result])
            return result
        with self._lock:
            known = self._beeps.get(beep_id)
            if known is None:
                raise self._offline(f"beep {beep_id} is not known offline")
            statuses = None if if_status is None else sorted(BeepStatus(s) for s in if_status)
            if statuses is not None and known.status not in statuses:
                return None
            updated = attrs.evolve(known, **checked)
            self._append(
                "update_beep",
                {
                    "id": beep_id,
                    "if_status": None if statuses is None else [s.value for s in statuses],
                    "changes": _encode_changes(Beep, checked),
                },
                known.participant_id,
            )
            self._beeps[beep_id] = updated
        return updated

    def cancel_future_beeps(self, participant_id: str, after: dt.datetime) -> int:
        """Cancel future scheduled beeps (journaled during an outage)."""
        ok, result = self._direct(lambda: self.inner.cancel_future_beeps(participant_id, after))
        if ok:
            assert result is not None
            cancelled = self._known_beeps(
                lambda b: (
                    b.participant_id == participant_id
                    and b.status == BeepStatus.SCHEDULED
                    and b.scheduled_at > after
                )
            )
            self._remember_beeps(attrs.evolve(b, status=BeepStatus.CANCELLED) for b in cancelled)
            return result
        with self._lock:
            targets = self._known_beeps(
                lambda b: (
                    b.participant_id == participant_id
                    and b.status == BeepStatus.SCHEDULED
                    and b.scheduled_at > after
                )
            )
            self._append(
                "cancel_future_beeps",
                {"participant_id": participant_id, "after": encode_value(dt.datetime, after)},
                participant_id,
            )
            self._remember_beeps(attrs.evolve(b, status=BeepStatus.CANCELLED) for b in targets)
        return len(targets)

    # reports

    def add_report(self, report: Report) -> tuple[Report, bool]:
        """Store a report once per dedup key (journaled during an outage)."""
        ok, result = self._direct(lambda: self.inner.add_report(report))
        if ok:
            assert result is not None
            self._remember_report(result[0])
            return result
        with self._lock:
            seen = self._dedup.get(report.dedup_key)
            if seen is not None:
                return seen, False
            self._append("add_report", {"report": encode(report)}, report.participant_id)
            self._remember_report(report)
        return report, True

    def reports_for(self, participant_id: str, *, beep_id: str | None = None) -> list[Report]:
        """A participant's reports; during an outage, the ones known."""
        ok, result = self._direct(lambda: self.inner.reports_for(participant_id))
        if ok:
            assert result is not None
            with self._lock:
                self._reports[participant_id] = list(result)
                for report in result:
                    self._dedup[report.dedup_key] = report
            known = result
        else:
            with self._lock:
                reports = self._reports.get(participant_id)
                if reports is None:
                    raise self._offline(
                        f"the reports of participant {participant_id} are not known offline"
                    )
                known = list(reports)
        return [r for r in known if beep_id is None or r.beep_id == beep_id]

    def iter_reports(self, since: dt.datetime | None = None) -> Iterator[Report]:
        """Every report (needs the database)."""
        if not self._online():
            raise self._offline("listing every report needs the database")
        return self.inner.iter_reports(since)

    # events

    def append_event(self, event: Event) -> Event:
        """Append an event (journaled during an outage; then ``seq`` is None until replay)."""
        ok, result = self._direct(lambda: self.inner.append_event(event))
        if ok:
            assert result is not None
            return result
        self._append("append_event", {"event": encode(event)}, event.participant_id)
        return event

    def iter_events(
        self,
        *,
        participant_id: str | None = None,
        kind: str | None = None,
        since: dt.datetime | None = None,
    ) -> Iterator[Event]:
        """The audit trail (needs the database)."""
        if not self._online():
            raise self._offline("reading the audit trail needs the database")
        return self.inner.iter_events(participant_id=participant_id, kind=kind, since=since)

    # whole store

    def counts(self) -> dict[str, int]:
        """Record counts (needs the database)."""
        ok, result = self._direct(self.inner.counts)
        if not ok or result is None:
            raise self._offline("counting records needs the database")
        return result

    def delete_participant_data(self, participant_id: str) -> dict[str, int]:
        """Erase a participant's data in the database and in the journal.

        During an outage the journal entries about the participant are removed at once and the
        deletion itself is journaled, to complete when the database returns.
        """
        with self._lock:
            purged = self.journal.purge(lambda e: e.participant_id == participant_id)
        if purged:
            _log.info("removed %d journal entries of a participant on request", purged)
        ok, result = self._direct(lambda: self.inner.delete_participant_data(participant_id))
        self._forget(participant_id)
        if ok:
            assert result is not None
            return result
        self._append("delete_participant_data", {"participant_id": participant_id}, participant_id)
        return {"reports": 0, "beeps": 0, "events": 0, "participants": 0}

    def get_meta(self, key: str) -> Any:
        """A metadata value (the last known one during an outage)."""
        ok, result = self._direct(lambda: self.inner.get_meta(key))
        if ok:
            self._meta[key] = result
            return result
        if key not in self._meta:
            raise self._offline(f"metadata {key!r} is not known offline")
        return self._meta[key]

    def set_meta(self, key: str, value: Any) -> None:
        """Set a metadata value (journaled during an outage)."""
        ok, _ = self._direct(lambda: self.inner.set_meta(key, value))
        if not ok:
            self._append("set_meta", {"key": key, "value": value}, None)
        self._meta[key] = value

    # raw documents

    def iter_raw_participants(self) -> Iterator[dict[str, Any]]:
        """Raw participant documents (needs the database: migrations never run degraded)."""
        if not self._online():
            raise self._offline("migrations need the database")
        return self.inner.iter_raw_participants()

    def patch_raw_participant(self, participant_id: str, fields: Mapping[str, Any]) -> bool:
        """Patch a raw participant document (needs the database)."""
        ok, result = self._direct(lambda: self.inner.patch_raw_participant(participant_id, fields))
        if not ok:
            raise self._offline("migrations need the database")
        with self._lock:
            self._participants.pop(participant_id, None)
        return bool(result)
