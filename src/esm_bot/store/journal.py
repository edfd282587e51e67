"""A durable, append-only journal of store writes (JSON lines, fsync'd, shared by processes).

How it survives crashes and how processes share it: docs/storage.md ("Outages: the journal").
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import uuid
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

if sys.platform != "win32":  # POSIX advisory locks; on Windows one process per journal file
    import fcntl

__all__ = ["Journal", "JournalEntry"]


def _line(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


@attrs.frozen
class JournalEntry:
    """One journaled write: store method ``op``, its JSON ``args``, whom it concerns, a sequence
    number ``n`` (for people reading the file) and a unique ``id`` (replayed entries go by id)."""

    n: int
    op: str
    args: Mapping[str, Any]
    participant_id: str | None = None
    id: str = attrs.field(factory=lambda: uuid.uuid4().hex)

    def to_record(self) -> dict[str, Any]:
        """Return the entry as a JSON-ready dict."""
        return {
            "id": self.id,
            "n": self.n,
            "op": self.op,
            "pid": self.participant_id,
            "args": self.args,
        }

    @classmethod
    def from_record(cls, record: Any) -> JournalEntry:
        """Build an entry from its dict (raises ``KeyError``/``TypeError``/``ValueError``)."""
        if not isinstance(record, dict):
            raise TypeError("a journal line must be a JSON object")
        n = int(record["n"])
        pid = record.get("pid")
        return cls(
            n, str(record["op"]), dict(record["args"]), pid, str(record.get("id") or f"n{n}")
        )


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # platforms without directory fds
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Journal:
    """Append-only JSON-lines file of pending writes at ``path`` (each append ``fsync``'d)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.rejected_path = self.path.with_name(self.path.name + ".rejected")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock = threading.RLock()
        self._next = max((e.n for e in self.entries()), default=0) + 1

    def __len__(self) -> int:
        """How many entries are pending (as of this process's last look at the file)."""
        return self._count

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            if sys.platform == "win32":  # pragma: no cover
                yield
                return
            self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            with self.lock_path.open("a") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _load(self) -> list[JournalEntry]:
        # Lock held. A torn or unreadable line is repaired away (moved to the rejected file).
        try:
            *lines, last = self.path.read_text(encoding="utf-8").split("\n")
        except FileNotFoundError:
            lines, last = [], ""
        entries: list[JournalEntry] = []
        bad: list[str] = []
        damaged = False
        for i, line in enumerate([*lines, last]):
            if line.strip():
                try:
                    entries.append(JournalEntry.from_record(json.loads(line)))
                except (ValueError, KeyError, TypeError):
                    damaged = True
                    # a torn last line (a crash mid-append) was never acknowledged: drop it
                    if i < len(lines):
                        bad.append(line + "\n")
        if bad:
            self._write(self.rejected_path, bad)
        if damaged:
            self._rewrite(entries)
        self._count = len(entries)
        return entries

    def entries(self) -> list[JournalEntry]:
        """Return the pending entries in order."""
        with self._locked():
            return self._load()

    def append(
        self, op: str, args: Mapping[str, Any], *, participant_id: str | None = None
    ) -> JournalEntry:
        """Append one entry durably (flushed and fsync'd) and return it."""
        with self._locked():
            entry = JournalEntry(self._next, op, dict(args), participant_id)
            self._write(self.path, [_line(entry.to_record())])
            self._next += 1
            self._count += 1
            return entry

    def drop(self, ids: Collection[str]) -> None:
        """Remove the entries with these ids (they were replayed); others' entries stay."""
        if ids:
            with self._locked():
                self._rewrite([e for e in self._load() if e.id not in ids])

    def purge(self, participant_id: str) -> int:
        """Remove every entry about a participant, pending or rejected; return how many."""
        with self._locked():
            entries = self._load()
            records = self.rejected()
            kept = [e for e in entries if e.participant_id != participant_id]
            aside = [_line(r) for r in records if r.get("pid") != participant_id]
            if len(kept) < len(entries):
                self._rewrite(kept)
            if len(aside) < len(records):
                self._atomic_write(self.rejected_path, aside)
            return len(entries) - len(kept) + len(records) - len(aside)

    def reject(self, entry: JournalEntry, reason: str) -> None:
        """Move an entry that can never be applied to the rejected file (kept for a human)."""
        with self._locked():
            self._write(
                self.rejected_path, [_line({**entry.to_record(), "rejected_because": reason})]
            )
            self._rewrite([e for e in self._load() if e.id != entry.id])

    def rejected(self) -> list[dict[str, Any]]:
        """Return the rejected entries (each a dict; unparseable lines as ``{"line": ...}``)."""
        try:
            lines = self.rejected_path.read_text(encoding="utf-8").split("\n")
        except FileNotFoundError:
            return []
        out: list[dict[str, Any]] = []
        for line in filter(None, lines):
            try:
                value = json.loads(line)
            except ValueError:
                value = None
            out.append(value if isinstance(value, dict) else {"line": line})
        return out

    def _write(self, path: Path, lines: list[str], mode: str = "a+b") -> None:
        """Append (or with ``mode="wb"`` write) ``lines`` durably: flushed and fsync'd."""
        path.parent.mkdir(parents=True, exist_ok=True)
        new_file = not path.exists()
        with path.open(mode) as out:
            if out.tell() > 0:  # appending
                out.seek(-1, os.SEEK_END)
                if out.read(1) != b"\n":  # a torn line from a crash: ours on its own line
                    out.write(b"\n")
            out.write("".join(lines).encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        if new_file:
            _fsync_dir(path.parent)

    def _rewrite(self, entries: list[JournalEntry]) -> None:
        self._atomic_write(self.path, [_line(e.to_record()) for e in entries])
        self._count = len(entries)

    def _atomic_write(self, path: Path, lines: list[str]) -> None:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        self._write(tmp, lines, "wb")
        os.replace(tmp, path)
        _fsync_dir(path.parent)
