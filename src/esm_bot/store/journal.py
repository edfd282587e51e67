"""A durable, append-only journal of store writes (JSON lines, fsync'd).

While the database is unreachable, :class:`~esm_bot.store.resilient.ResilientStore` appends each
write here; once the database answers again, the entries are replayed in order and dropped. Every
entry is flushed and ``fsync``'d before the write is acknowledged, so a crash loses nothing that
was acknowledged. A torn last line (a crash in the middle of an append) is ignored; an unreadable
line elsewhere is moved to ``<journal>.rejected`` rather than lost. Rewrites (dropping replayed
entries, purging a participant) go through a temporary file and an atomic rename.

One journal file belongs to one process: give each bot process its own path.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

__all__ = ["Journal", "JournalEntry"]


@attrs.frozen
class JournalEntry:
    """One journaled write.

    Attributes:
        n: Sequence number (increasing within the file).
        op: The store method (``"add_report"``, ``"update_beep"``...).
        args: Its JSON-encoded arguments.
        participant_id: Whom the write concerns, if anyone (for deletion on request).
    """

    n: int
    op: str
    args: Mapping[str, Any]
    participant_id: str | None = None

    def to_line(self) -> str:
        """Return the entry as one JSON line (with the trailing newline)."""
        record = {"n": self.n, "op": self.op, "pid": self.participant_id, "args": self.args}
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"

    @classmethod
    def from_line(cls, line: str) -> JournalEntry:
        """Parse one line (raises ``ValueError``/``KeyError``/``TypeError`` when malformed)."""
        record = json.loads(line)
        return cls(
            n=int(record["n"]),
            op=str(record["op"]),
            args=dict(record["args"]),
            participant_id=record.get("pid"),
        )


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
        self._fsync = fsync
        self._lock = threading.RLock()
        entries = self._load()
        self._next = (entries[-1].n + 1) if entries else 1
        self._count = len(entries)

    def __len__(self) -> int:
        """How many entries are pending."""
        return self._count

    def _load(self) -> list[JournalEntry]:
        """Read the entries; move unreadable lines (except a torn last one) to the rejected file."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
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
            self._atomic_write(self.path, [e.to_line() for e in entries])
        return entries

    def entries(self) -> list[JournalEntry]:
        """Return the pending entries in order."""
        with self._lock:
            return self._load()

    def append(
        self, op: str, args: Mapping[str, Any], *, participant_id: str | None = None
    ) -> JournalEntry:
        """Append one entry durably (flushed and fsync'd) and return it."""
        with self._lock:
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

    def drop_through(self, n: int) -> None:
        """Remove entries numbered ``n`` or lower (they were replayed)."""
        with self._lock:
            self._rewrite([e for e in self._load() if e.n > n])

    def purge(self, predicate: Callable[[JournalEntry], bool]) -> int:
        """Remove the entries (pending or rejected) ``predicate`` selects; return how many."""
        with self._lock:
            entries = self._load()
            kept = [e for e in entries if not predicate(e)]
            removed = len(entries) - len(kept)
            if removed:
                self._rewrite(kept)
            return removed + self._purge_rejected(predicate)

    def reject(self, entry: JournalEntry, reason: str) -> None:
        """Move an entry that can never be applied to the rejected file (kept for a human)."""
        with self._lock:
            record = json.loads(entry.to_line())
            record["rejected_because"] = reason
            self._append_rejected([json.dumps(record, ensure_ascii=False) + "\n"])
            self._rewrite([e for e in self._load() if e.n != entry.n])

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
            try:
                entry = JournalEntry(
                    int(record["n"]), str(record["op"]), dict(record["args"]), record.get("pid")
                )
            except (KeyError, TypeError, ValueError):
                kept.append(json.dumps(record, ensure_ascii=False) + "\n")
                continue
            if predicate(entry):
                removed += 1
            else:
                kept.append(json.dumps(record, ensure_ascii=False) + "\n")
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
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            out.writelines(lines)
            out.flush()
            if self._fsync:
                os.fsync(out.fileno())
        os.replace(tmp, path)
        if self._fsync:
            _fsync_dir(path.parent)
