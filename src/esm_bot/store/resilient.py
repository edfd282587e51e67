"""Keep the bot working, and lose nothing, while the database is unreachable.

Every call tries the database; during an outage writes go to a durable journal (replayed in order
when the database returns) and reads are answered from what is known. docs/storage.md ("Outages:
the journal") describes what is answered, what is refused and how the replay stays idempotent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

import attrs
from cachetools import LRUCache

from esm_bot.domain.models import Beep, BeepStatus, Event, Participant, Report, utc_now
from esm_bot.store import codec
from esm_bot.store.base import Store, StoreStatus
from esm_bot.store.errors import DuplicateKey, StoreError, StoreUnavailable
from esm_bot.store.journal import Journal

__all__ = ["ResilientStore"]

R = TypeVar("R")

_log = logging.getLogger("esm_bot.store")

_KINDS = ("reports", "beeps", "events", "participants")

#: "Since the beginning", for :attr:`ResilientStore._beeps_from`.
_ALWAYS = dt.datetime.min.replace(tzinfo=dt.UTC)


def _changes(cls: type[Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    types_ = codec.field_types(cls)
    return {k: codec.decode_value(types_[k], v) for k, v in changes.items()}


def _add_participant(store: Store, doc: Mapping[str, Any]) -> None:
    participant = codec.decode(Participant, doc)
    try:
        store.add_participant(participant)
    except DuplicateKey:  # a replay after the first one applied it
        if store.get_participant(participant.id) is None:
            raise


def _by_participant(beeps: Iterable[Beep]) -> dict[str, list[Beep]]:
    found: dict[str, list[Beep]] = {}
    for beep in beeps:
        found.setdefault(beep.participant_id, []).append(beep)
    return found


#: How each journaled write is applied when the database returns (``a``: its JSON arguments).
_REPLAY: dict[str, Callable[[Store, Mapping[str, Any]], object]] = {
    "add_participant": lambda s, a: _add_participant(s, a["participant"]),
    "update_participant": lambda s, a: s.update_participant(
        a["id"], **_changes(Participant, a["changes"])
    ),
    "upsert_beeps": lambda s, a: s.upsert_beeps(
        [codec.decode(Beep, b) for b in a["beeps"]], replace_unsent=bool(a["replace_unsent"])
    ),
    "update_beep": lambda s, a: s.update_beep(
        a["id"],
        if_status=None if a["if_status"] is None else {BeepStatus(x) for x in a["if_status"]},
        **_changes(Beep, a["changes"]),
    ),
    "cancel_future_beeps": lambda s, a: s.cancel_future_beeps(
        a["participant_id"], codec.decode_value(dt.datetime, a["after"])
    ),
    "add_report": lambda s, a: s.add_report(codec.decode(Report, a["report"])),
    "append_event": lambda s, a: s.append_event(codec.decode(Event, a["event"])),
    "set_meta": lambda s, a: s.set_meta(a["key"], a["value"]),
    "delete_participant_data": lambda s, a: s.delete_participant_data(a["participant_id"]),
}


def _through(
    name: str,
    offline: Callable[..., Any] | str,
    seen: Callable[..., Any] | None = None,
    prepare: Callable[[ResilientStore, dict[str, Any]], object] | None = None,
) -> Any:
    """A Store method: ``inner.<name>`` (``seen``, by default ``_learn``, remembers its result),
    else ``offline``'s answer (or a refusal with that message); all get the bound arguments, with
    defaults, once ``prepare`` checked or converted them (before any write or journal entry)."""
    signature = inspect.signature(getattr(Store, name))

    def method(self: ResilientStore, *given: Any, **named: Any) -> Any:
        call = signature.bind(self, *given, **named)
        call.apply_defaults()
        if prepare is not None:
            prepare(self, call.arguments)
        args, kwargs = call.args[1:], call.kwargs
        if self._online():
            try:
                result = getattr(self.inner, name)(*args, **kwargs)
            except StoreUnavailable as exc:
                self._enter_outage(exc)
            else:
                (seen or ResilientStore._learn)(self, result, *args, **kwargs)
                return result
        if isinstance(offline, str):
            raise self._offline(offline)
        return offline(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = getattr(Store, name).__doc__
    return method


class ResilientStore(Store):
    """A :class:`~esm_bot.store.base.Store` over ``inner`` that journals writes to ``journal_path``
    while the database is down (parameters: docs/storage.md, "Outages: the journal")."""

    def __init__(
        self,
        inner: Store,
        journal_path: str | os.PathLike[str],
        *,
        clock: Callable[[], float] = time.monotonic,
        utcnow: Callable[[], dt.datetime] = utc_now,
        retry_interval_s: float = 5.0,
        cache_size: int = 2000,
    ) -> None:
        self.inner = inner
        self.journal = Journal(journal_path)
        self._clock = clock
        self._utcnow = utcnow
        self._retry_interval = retry_interval_s
        self._lock = threading.RLock()
        self._probing = threading.Lock()
        self._last_error: str | None = None
        self._last_error_at: float | None = None
        self._next_probe = clock()
        self._next_journal_look = clock() + retry_interval_s
        self._replayed = 0
        # Entries left by a previous run that stopped during an outage: replay before anything.
        self._healthy = len(self.journal) == 0
        self._outages = 0 if self._healthy else 1
        self._outage_started = None if self._healthy else clock()
        self._participants: LRUCache[str, Participant] = LRUCache(cache_size)
        self._telegram: LRUCache[int, str] = LRUCache(cache_size)
        self._beeps: LRUCache[str, Beep] = LRUCache(cache_size * 6)
        self._reports: LRUCache[str, list[Report]] = LRUCache(max(16, cache_size // 20))
        self._dedup: LRUCache[str, Report] = LRUCache(cache_size)
        # Whose beeps are all known from when on: offline, beeps_for answers only within that.
        self._beeps_from: LRUCache[str, dt.datetime] = LRUCache(cache_size)
        self._meta: dict[str, Any] = {}

    # health

    def status(self) -> StoreStatus:
        """Return backend, degraded flag, pending journal entries, outages and the last error."""
        started = self._outage_started
        return attrs.evolve(
            self.inner.status(),
            degraded=not self._healthy,
            pending=len(self.journal),
            outages=self._outages,
            last_error=self._last_error,
            last_error_at=self._last_error_at,
            outage_seconds=0.0 if started is None else max(0.0, self._clock() - started),
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
        # One thread probes; the others go on degraded at once instead of queueing behind a ping
        # that may take the driver's whole server-selection timeout.
        if not self._probe_due(force) or not self._probing.acquire(blocking=force):
            return False
        try:
            if not self._probe_due(force):  # another thread probed meanwhile
                return self._healthy
            self.inner.ping()
            with self._lock:
                if not self._healthy:
                    self._replay()
                    lasted = self._clock() - (self._outage_started or self._clock())
                    _log.warning("database reachable again after %.1f s; journal replayed", lasted)
                    self._healthy = True
                    self._outage_started = None
            return True
        except StoreUnavailable as exc:
            self._note_error(exc)
            return False
        finally:
            self._probing.release()

    def close(self) -> None:
        """Close the inner store (the journal stays on disk until replayed)."""
        self.inner.close()

    # plumbing

    def _probe_due(self, force: bool) -> bool:
        return force or self._clock() >= self._next_probe

    def _note_error(self, exc: BaseException) -> None:
        self._last_error = str(exc)[:300]
        self._last_error_at = self._clock()
        self._next_probe = self._clock() + self._retry_interval

    def _enter_outage(self, exc: BaseException) -> None:
        with self._lock:
            self._note_error(exc)
            if self._healthy:
                self._healthy = False
                self._outages += 1
                self._outage_started = self._clock()
                _log.warning(
                    "database unreachable, writing to the journal %s: %s",
                    self.journal.path,
                    self._last_error,
                )

    def _replay_soon(self) -> None:
        self._healthy = False
        self._next_probe = self._clock()

    def _online(self) -> bool:
        if self._healthy and self._clock() >= self._next_journal_look:
            # Another process may have left entries in a shared journal (say, it died mid-outage).
            with self._lock, contextlib.suppress(OSError):
                self._next_journal_look = self._clock() + self._retry_interval
                if self._healthy and self.journal.path.stat().st_size > 0:
                    self._replay_soon()
        return self._healthy or self.recover()

    def _checked(self, cls: type[Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        stamp = {"updated_at": self._utcnow()} if cls is Participant else {}
        return codec.check_changes(cls, {**stamp, **changes})

    def _offline(self, what: str) -> StoreUnavailable:
        return StoreUnavailable(f"{what}: the database is unreachable ({self._last_error})")

    def _journaled(self, op: str, args: Mapping[str, Any], participant_id: str | None, ack: R) -> R:
        with self._lock:
            try:
                self.journal.append(op, args, participant_id=participant_id)
            except OSError as exc:
                raise StoreUnavailable(
                    f"the database is unreachable and the journal {self.journal.path} cannot be"
                    f" written: {exc}"
                ) from exc
            if self._healthy:  # another thread recovered meanwhile: replay this next
                self._replay_soon()
        return ack

    def _replay(self) -> None:
        applied: list[str] = []
        try:
            for entry in self.journal.entries():
                try:
                    _REPLAY[entry.op](self.inner, entry.args)
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

    # remembering

    def _learn(self, found: Any, *_: Any, **__: Any) -> None:
        """Remember the participants, beeps and reports in a result (one, a list or a pair)."""
        with self._lock:
            for record in found if isinstance(found, list | tuple) else [found]:
                if isinstance(record, Participant):
                    self._participants[record.id] = record
                    if record.telegram_id is not None:
                        self._telegram[record.telegram_id] = record.id
                elif isinstance(record, Beep):
                    self._beeps[record.id] = record
                elif isinstance(record, Report):
                    self._dedup[record.dedup_key] = record
                    known = self._reports.get(record.participant_id)
                    if known is not None and all(r.id != record.id for r in known):
                        known.append(record)
                        known.sort(key=lambda r: (r.received_at, r.id))

    def _known_new(self, participant: Participant) -> None:
        # A participant created here has no beeps or reports elsewhere: all of them are known.
        with self._lock:
            self._learn(participant)
            self._beeps_from[participant.id] = _ALWAYS
            self._reports.setdefault(participant.id, [])

    def _remember_plan(self, plan: Iterable[Beep], replace_unsent: bool) -> int:
        written = 0
        with self._lock:
            for beep in plan:
                known = self._beeps.get(beep.id)
                if known is None or (
                    replace_unsent
                    and known.status in (BeepStatus.SCHEDULED, BeepStatus.CANCELLED)
                    and known.claimed_by is None
                ):
                    self._beeps[beep.id] = beep
                    written += 1
        return written

    def _remember_stored(self, plan: list[Beep], replace_unsent: bool) -> None:
        slack = dt.timedelta(seconds=1)  # MongoDB keeps milliseconds only
        for participant_id, own in _by_participant(plan).items():
            ids = {b.id for b in own}
            since = min(b.scheduled_at for b in own) - slack
            until = max(b.scheduled_at for b in own) + slack
            try:
                stored = self.inner.beeps_for(participant_id, since, until)
            except StoreUnavailable as exc:
                self._enter_outage(exc)
                self._remember_plan(own, replace_unsent)
                continue
            self._learn([b for b in stored if b.id in ids])

    def _known_beeps(self, keep: Callable[[Beep], bool]) -> list[Beep]:
        with self._lock:
            found = [b for b in self._beeps.values() if keep(b)]
        return sorted(found, key=lambda b: (b.scheduled_at, b.id))

    def _cancel_known(self, participant_id: str, after: dt.datetime) -> int:
        with self._lock:
            targets = self._known_beeps(
                lambda b: (
                    b.participant_id == participant_id
                    and b.status == BeepStatus.SCHEDULED
                    and b.scheduled_at > after
                )
            )
            self._learn([attrs.evolve(b, status=BeepStatus.CANCELLED) for b in targets])
        return len(targets)

    def _forget(self, participant_id: str) -> None:
        with self._lock:
            self._beeps_from.pop(participant_id, None)
            self._reports.pop(participant_id, None)
            participant = self._participants.pop(participant_id, None)
            if participant is not None and participant.telegram_id is not None:
                self._telegram.pop(participant.telegram_id, None)
            for cache in (self._beeps, self._dedup):
                for key in [k for k, r in cache.items() if r.participant_id == participant_id]:
                    del cache[key]

    # offline answers (the lock is reentrant: a write and its journal entry are one step)

    def _recall(self, known: Mapping[Any, R], key: Any, what: str) -> R:
        with self._lock:
            found = known.get(key)
        if found is None:
            raise self._offline(f"{what} not known offline")
        return found

    def _add_participant_offline(self, participant: Participant) -> Participant:
        with self._lock:
            if participant.id in self._participants or participant.telegram_id in self._telegram:
                raise DuplicateKey(f"participant {participant.id} (or its Telegram id) exists")
            args = {"participant": codec.encode(participant)}
            self._journaled("add_participant", args, participant.id, None)
            self._known_new(participant)
        return participant

    def _update_participant_offline(self, participant_id: str, **checked: Any) -> Participant:
        with self._lock:
            known = self._recall(
                self._participants, participant_id, f"participant {participant_id} is"
            )
            updated = attrs.evolve(known, **checked)
            if known.telegram_id is not None and updated.telegram_id != known.telegram_id:
                self._telegram.pop(known.telegram_id, None)
            args = {"id": participant_id, "changes": codec.encode_changes(Participant, checked)}
            self._journaled("update_participant", args, participant_id, None)
            self._learn(updated)
        return updated

    def _upsert_beeps_offline(self, plan: list[Beep], replace_unsent: bool) -> int:
        with self._lock:
            for participant_id, own in _by_participant(plan).items():  # one each, for /delete
                args = {"beeps": [codec.encode(b) for b in own], "replace_unsent": replace_unsent}
                self._journaled("upsert_beeps", args, participant_id, None)
            return self._remember_plan(plan, replace_unsent)

    def _beeps_for_seen(self, found: list[Beep], participant_id: str, since: Any, _: Any) -> None:
        start = _ALWAYS if since is None else since
        with self._lock:
            self._learn(found)
            known_from = self._beeps_from.get(participant_id, start)
            self._beeps_from[participant_id] = min(start, known_from)

    def _beeps_for_offline(self, participant_id: str, since: Any, until: Any) -> list[Beep]:
        start = _ALWAYS if since is None else since
        with self._lock:
            known_from = self._beeps_from.get(participant_id)
        if known_from is None or start < known_from:
            raise self._offline(f"the beeps of participant {participant_id} are not known offline")
        return self._known_beeps(
            lambda b: (
                b.participant_id == participant_id
                and b.scheduled_at >= start
                and (until is None or b.scheduled_at < until)
            )
        )

    def _beeps_in_status_offline(self, status: BeepStatus, **query: Any) -> list[Beep]:
        before = query["scheduled_before"]
        found = self._known_beeps(
            lambda b: b.status == status and (before is None or b.scheduled_at < before)
        )
        return found[: query["limit"]]

    def _update_beep_offline(
        self, beep_id: str, *, if_status: Collection[BeepStatus] | None, **checked: Any
    ) -> Beep | None:
        with self._lock:
            known = self._recall(self._beeps, beep_id, f"beep {beep_id} is")
            statuses = None if if_status is None else sorted(BeepStatus(s) for s in if_status)
            if statuses is not None and known.status not in statuses:
                return None
            args = {
                "id": beep_id,
                "if_status": None if statuses is None else [s.value for s in statuses],
                "changes": codec.encode_changes(Beep, checked),
            }
            self._journaled("update_beep", args, known.participant_id, None)
            self._beeps[beep_id] = attrs.evolve(known, **checked)
            return self._beeps[beep_id]

    def _cancel_future_beeps_offline(self, participant_id: str, after: dt.datetime) -> int:
        with self._lock:
            args = {"participant_id": participant_id, "after": after.isoformat()}
            self._journaled("cancel_future_beeps", args, participant_id, None)
            return self._cancel_known(participant_id, after)

    def _add_report_offline(self, report: Report) -> tuple[Report, bool]:
        with self._lock:
            seen = self._dedup.get(report.dedup_key)
            if seen is not None:
                return seen, False
            self._journaled(
                "add_report", {"report": codec.encode(report)}, report.participant_id, None
            )
            self._learn(report)
        return report, True

    def _reports_seen(self, found: list[Report], participant_id: str, **_: Any) -> None:
        with self._lock:
            self._learn(found)
            self._reports[participant_id] = list(found)

    def _meta_offline(self, key: str) -> Any:
        if key not in self._meta:
            raise self._offline(f"metadata {key!r} is not known offline")
        return self._meta[key]

    def _set_meta_offline(self, key: str, value: Any) -> None:
        self._journaled("set_meta", {"key": key, "value": value}, None, None)
        self._meta[key] = value

    # the Store methods: the database's answer while it answers, else the offline one

    add_participant = _through(
        "add_participant", _add_participant_offline, lambda s, _, p: s._known_new(p)
    )
    get_participant = _through(
        "get_participant", lambda s, pid: s._recall(s._participants, pid, f"participant {pid} is")
    )
    get_participant_by_telegram = _through(
        "get_participant_by_telegram",
        lambda s, tid: s._recall(s._participants, s._telegram.get(tid), "this Telegram user is"),
    )
    update_participant = _through(
        "update_participant",
        _update_participant_offline,
        prepare=lambda s, call: call.update(changes=s._checked(Participant, call["changes"])),
    )
    list_participants = _through(
        "list_participants",
        "the participant list needs the database",
        lambda s, found, *_: s._learn(found[:1000]),
    )
    upsert_beeps = _through(
        "upsert_beeps",
        _upsert_beeps_offline,
        lambda s, _, plan, replace_unsent: s._remember_stored(plan, replace_unsent),
        lambda s, call: call.update(beeps=list(call["beeps"])),  # read once, used thrice
    )
    get_beep = _through("get_beep", lambda s, bid: s._recall(s._beeps, bid, f"beep {bid} is"))
    beeps_for = _through("beeps_for", _beeps_for_offline, _beeps_for_seen)
    iter_beeps = _through("iter_beeps", "listing every beep needs the database")
    due_beeps = _through("due_beeps", lambda *_: [])
    beeps_in_status = _through("beeps_in_status", _beeps_in_status_offline)
    claim_beep = _through("claim_beep", lambda *_, **__: None)
    update_beep = _through(
        "update_beep",
        _update_beep_offline,
        prepare=lambda s, call: call.update(changes=s._checked(Beep, call["changes"])),
    )
    cancel_future_beeps = _through(
        "cancel_future_beeps",
        _cancel_future_beeps_offline,
        lambda s, _, participant_id, after: s._cancel_known(participant_id, after),
    )
    add_report = _through("add_report", _add_report_offline)
    _reports_for = _through(
        "reports_for",
        lambda s, pid, **_: list(
            s._recall(s._reports, pid, f"the reports of participant {pid} are")
        ),
        _reports_seen,
    )
    iter_reports = _through("iter_reports", "listing every report needs the database")
    append_event = _through(
        "append_event",
        lambda s, e: s._journaled("append_event", {"event": codec.encode(e)}, e.participant_id, e),
    )
    iter_events = _through("iter_events", "reading the audit trail needs the database")
    counts = _through("counts", "counting records needs the database")
    _delete_participant_data = _through(
        "delete_participant_data",
        lambda s, pid: s._journaled(
            "delete_participant_data", {"participant_id": pid}, pid, dict.fromkeys(_KINDS, 0)
        ),
    )
    get_meta = _through(
        "get_meta", _meta_offline, lambda s, value, key: s._meta.update({key: value})
    )
    set_meta = _through(
        "set_meta", _set_meta_offline, lambda s, _, key, value: s._meta.update({key: value})
    )
    iter_raw_participants = _through("iter_raw_participants", "migrations need the database")
    patch_raw_participant = _through(
        "patch_raw_participant",
        "migrations need the database",
        lambda s, _, participant_id, fields: s._participants.pop(participant_id, None),
    )

    def reports_for(self, participant_id: str, *, beep_id: str | None = None) -> list[Report]:
        """A participant's reports (remembered whole, so an outage can answer from them)."""
        known: list[Report] = self._reports_for(participant_id)
        return [r for r in known if beep_id is None or r.beep_id == beep_id]

    def delete_participant_data(self, participant_id: str) -> dict[str, int]:
        """Erase a participant's data: the journal's entries about them at once, then the rest."""
        with self._lock:
            purged = self.journal.purge(participant_id)
        if purged:
            _log.info("removed %d journal entries of a participant on request", purged)
        result: dict[str, int] = self._delete_participant_data(participant_id)
        self._forget(participant_id)
        return result
