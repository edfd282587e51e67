"""A durable, append-only journal of store writes (JSON lines, fsync'd).

While the database is unreachable, :class:`~esm_bot.store.resilient.ResilientStore` appends each
write here; once the database answers again, the entries are replayed in file order and dropped.
Every entry is flushed and ``fsync``'d before the write is acknowledged, so a crash loses nothing
that was acknowledged. A torn last line (a crash in the middle of an append) is ignored; an
unreadable line elsewhere is moved to ``<journal>.rejected`` rather than lost. Rewrites (dropping
replayed entries, purging a participant) go through a temporary file and an atomic rename.

Several processes may share one journal file (for instance two bot processes started in the same
directory with the default path): every operation holds an advisory lock (``fcntl.flock`` on
``<journal>.lock``, where the platform has it), and replayed entries are dropped by their unique
id, so one process never drops an entry another appended while it was replaying.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

_FileLock = tuple[Callable[[int, int], None], int, int]

try:  # POSIX advisory locks; elsewhere one process per journal file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    _FLOCK: _FileLock | None = None
else:
    _FLOCK = (fcntl.flock, fcntl.LOCK_EX, fcntl.LOCK_UN)

__all__ = ["Journal", "JournalEntry"]


@attrs.frozen
class JournalEntry:
    """One journaled write.

    Attributes:
        n: Sequence number (increasing within one process, for people reading the file).
        op: The store method (``"add_report"``, ``"update_beep"``...).
        args: Its JSON-encoded arguments.
        participant_id: Whom the write concerns, if anyone (for deletion on request).
        id: Unique id of the entry (replayed entries are dropped by id).
    """

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

    def to_line(self) -> str:
        """Return the entry as one JSON line (with the trailing newline)."""
        return json.dumps(self.to_record(), ensure_ascii=False, separators=(",", ":")) + "\n"

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> JournalEntry:
        """Build an entry from its dict (raises ``KeyError``/``TypeError``/``ValueError``)."""
        n = int(record["n"])
        return cls(
            n=n,
            op=str(record["op"]),
            args=dict(record["args"]),
            participant_id=record.get("pid"),
            id=str(record.get("id") or f"n{n}"),
        )

    @classmethod
    def from_line(cls, line: str) -> JournalEntry:
        """Parse one line (raises ``ValueError``/``KeyError``/``TypeError`` when malformed)."""
        record = json.loads(line)
        if not isinstance(record, dict):
            raise TypeError("a journal line must be a JSON object")
        return cls.from_record(record)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


class Journal:
    """Append-only JSON-lines file of pending writes.

    Args:
        path: The journal file (created with its directory on first append).
        fsync: Whether to ``fsync`` each append (keep True outside tests of speed).
    """

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = True) -> None:
        self.path = Path(path)
        self.rejected_path = self.path.with_name(self.path.name + ".rejected")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._fsync = fsync
        self._lock = threading.RLock()
        entries = self.entries()
        self._next = max((e.n for e in entries), default=0) + 1

    def __len__(self) -> int:
        """How many entries are pending (as of this process's last look at the file)."""
        return self._count

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold this process's lock and, where available, the file lock shared by processes."""
        with self._lock:
            if _FLOCK is None:  # pragma: no cover - Windows
                yield
                return
            flock, exclusive, unlock = _FLOCK
            self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            with self.lock_path.open("a") as handle:
                flock(handle.fileno(), exclusive)
                try:
                    yield
                finally:
                    flock(handle.fileno(), unlock)

    def _load(self) -> list[JournalEntry]:
        """Read the entries (lock held); repair the file if a line is torn or unreadable."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self._count = 0
            return []
        lines = raw.splitlines(keepends=True)
        entries: list[JournalEntry] = []
        bad: list[str] = []
        damaged = False
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                entries.append(JournalEntry.from_line(line))
            except (ValueError, KeyError, TypeError):
                damaged = True
                torn = i == len(lines) - 1 and not line.endswith("\n")
                if not torn:  # a torn last line was never acknowledged: drop it
                    bad.append(line if line.endswith("\n") else line + "\n")
        if bad:
            self._append_rejected(bad)
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
            line = entry.to_line()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new_file = not self.path.exists()
            with self.path.open("a", encoding="utf-8") as out:
                if out.tell() > 0 and not self._ends_with_newline():
                    out.write("\n")  # a torn line from a crash: keep ours on a line of its own
                out.write(line)
                out.flush()
                if self._fsync:
                    os.fsync(out.fileno())
            if new_file and self._fsync:
                _fsync_dir(self.path.parent)
            self._next += 1
            self._count += 1
            return entry

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"

    def drop(self, ids: Collection[str]) -> None:
        """Remove the entries with these ids (they were replayed); others' entries stay."""
        if not ids:
            return
        wanted = set(ids)
        with self._locked():
            entries = self._load()
            kept = [e for e in entries if e.id not in wanted]
            if len(kept) != len(entries):
                self._rewrite(kept)

    def purge(self, predicate: Callable[[JournalEntry], bool]) -> int:
        """Remove the entries (pending or rejected) ``predicate`` selects; return how many."""
        with self._locked():
            entries = self._load()
            kept = [e for e in entries if not predicate(e)]
            removed = len(entries) - len(kept)
            if removed:
                self._rewrite(kept)
            return removed + self._purge_rejected(predicate)

    def reject(self, entry: JournalEntry, reason: str) -> None:
        """Move an entry that can never be applied to the rejected file (kept for a human)."""
        with self._locked():
            record = entry.to_record()
            record["rejected_because"] = reason
            self._append_rejected([json.dumps(record, ensure_ascii=False) + "\n"])
            self._rewrite([e for e in self._load() if e.id != entry.id])

    def rejected(self) -> list[dict[str, Any]]:
        """Return the rejected entries (each a dict; unparseable lines as ``{"line": ...}``)."""
        try:
            lines = self.rejected_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out: list[dict[str, Any]] = []
        for line in lines:
            try:
                value = json.loads(line)
            except ValueError:
                value = None
            out.append(value if isinstance(value, dict) else {"line": line})
        return out

    def _purge_rejected(self, predicate: Callable[[JournalEntry], bool]) -> int:
        kept: list[str] = []
        removed = 0
        for record in self.rejected():
            line = json.dumps(record, ensure_ascii=False) + "\n"
            try:
                entry = JournalEntry.from_record(record)
            except (KeyError, TypeError, ValueError):
                kept.append(line)
                continue
            if predicate(entry):
                removed += 1
            else:
                kept.append(line)
        if removed:
            self._atomic_write(self.rejected_path, kept)
        return removed

    def _append_rejected(self, lines: Iterable[str]) -> None:
        self.rejected_path.parent.mkdir(parents=True, exist_ok=True)
        with self.rejected_path.open("a", encoding="utf-8") as out:
            out.writelines(lines)
            out.flush()
            if self._fsync:
                os.fsync(out.fileno())

    def _rewrite(self, entries: list[JournalEntry]) -> None:
        self._atomic_write(self.path, [e.to_line() for e in entries])
        self._count = len(entries)

    def _atomic_write(self, path: Path, lines: list[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with tmp.open("w", encoding="utf-8") as out:
            out.writelines(lines)
            out.flush()
            if self._fsync:
                os.fsync(out.fileno())
        os.replace(tmp, path)
        if self._fsync:
            _fsync_dir(path.parent)
