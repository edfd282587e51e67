"""Read reports from plain text, CSV and JSON Lines files, or from a stream, one at a time.

Every reader is lazy: opening a source checks that it exists, is readable and has a ``text``
column (CSV), then :meth:`ReportSource.reports` streams the records. Every problem the user can fix
becomes an :class:`InputError` whose message names the file and, where it helps, the line.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Final

import attrs

from ._errors import EsmValidateError

__all__ = [
    "CSV_SUFFIXES",
    "JSONL_SUFFIXES",
    "SINGLE_COLUMN",
    "TEXT_COLUMN",
    "InputError",
    "Record",
    "ReportSource",
    "looks_like_path",
    "open_path",
    "open_stream",
    "open_texts",
]

#: The column (CSV) or field (JSONL) holding the report text.
TEXT_COLUMN = "text"
CSV_SUFFIXES = frozenset({".csv", ".tsv"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
_TEXT_SUFFIXES = frozenset({".txt", ".text", ".log", ".md"})
_KNOWN_SUFFIXES = CSV_SUFFIXES | JSONL_SUFFIXES | _TEXT_SUFFIXES | {".json"}
_DELIMITERS = (",", ";", "\t", "|")
_ENCODING = "utf-8-sig"  # UTF-8, with or without a byte-order mark
#: The "delimiter" of a one-column CSV: a control character no report contains.
SINGLE_COLUMN = "\x1f"


class InputError(EsmValidateError, ValueError):
    """An input file or stream cannot be read as reports (the message says why and where)."""


@attrs.frozen
class Record:
    """One input record: a report to validate, with the columns or fields it came with.

    Attributes:
        text: The report text.
        fields: Every original column (CSV) or field (JSONL), in order, the text included.
        origin: Where it came from, as ``"file:line"`` (for messages).
    """

    text: str
    fields: Mapping[str, Any]
    origin: str


@attrs.frozen
class ReportSource:
    """A named source of reports whose columns are known before reading the rows.

    Attributes:
        name: The file name, ``"<stdin>"`` or ``"<arguments>"``.
        columns: The original column names in order (the text column included).
        delimiter: The CSV delimiter, for CSV sources; None otherwise.
    """

    name: str
    columns: tuple[str, ...]
    _read: Callable[[], Iterator[Record]] = attrs.field(alias="read", repr=False)
    delimiter: str | None = None

    def reports(self) -> Iterator[Record]:
        """Stream the reports of this source, in order."""
        return self._read()


def looks_like_path(arg: str) -> bool:
    """Guess whether a command-line argument that does not exist was meant as a file path.

    True for a single word ending in a known suffix (``reports.csv``, ``data/day1.txt``) or
    starting like a path (``./day1``, ``../data``, ``/tmp/x``, ``~/x``), so a typo gives
    "no such file" instead of being validated as a report. A one-word report such as ``да/нет``
    or ``Sad.`` is still a report.
    """
    if not arg or any(ch.isspace() for ch in arg):
        return False
    if Path(arg).suffix.lower() in _KNOWN_SUFFIXES:
        return True
    return arg.startswith(("./", "../", "/", "~/", ".\\", "..\\"))


def open_texts(texts: Iterable[str], *, name: str = "<arguments>") -> ReportSource:
    """Wrap report texts given directly (command-line arguments) as a source."""
    items = tuple(texts)

    def read() -> Iterator[Record]:
        for number, text in enumerate(items, start=1):
            yield Record(text=text, fields={TEXT_COLUMN: text}, origin=f"{name}:{number}")

    return ReportSource(name=name, columns=(TEXT_COLUMN,), read=read)


def open_stream(stream: IO[bytes] | IO[str], *, name: str = "<stdin>") -> ReportSource:
    """Read one report per line from a binary or text stream (blank lines skipped)."""

    def read() -> Iterator[Record]:
        text_stream = _as_text(stream)
        yield from _text_lines(text_stream, name)

    return ReportSource(name=name, columns=(TEXT_COLUMN,), read=read)


def open_path(
    path: str | os.PathLike[str],
    *,
    column: str = TEXT_COLUMN,
    encoding: str = _ENCODING,
) -> ReportSource:
    """Open a report file by its suffix: CSV/TSV, JSON Lines, or plain text (one report a line).

    Args:
        path: The file.
        column: The CSV column / JSONL field holding the report (matched ignoring case).
        encoding: The file's text encoding (UTF-8 with or without BOM by default).

    Raises:
        InputError: The file is missing, unreadable, not text in *encoding*, a ``.json`` file, or a
            CSV without the text column.
    """
    file = Path(path)
    name = str(path)
    if not file.exists():
        raise InputError(f"{name}: no such file")
    if file.is_dir():
        raise InputError(f"{name}: is a directory, expected a .txt, .csv or .jsonl file")
    suffix = file.suffix.lower()
    if suffix == ".json":
        raise InputError(
            f"{name}: a .json file is not supported; use JSON Lines (.jsonl), one object per line"
        )
    _check_readable(file, name, encoding)
    if suffix in CSV_SUFFIXES:
        return _open_csv(file, name, column=column, encoding=encoding, tsv=suffix == ".tsv")
    if suffix in JSONL_SUFFIXES:
        return _open_jsonl(file, name, column=column, encoding=encoding)
    return _open_txt(file, name, encoding=encoding)


def _check_readable(file: Path, name: str, encoding: str) -> None:
    try:
        with file.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    try:
        "".encode(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None
    _refuse_binary(head, name, encoding)


#: How much of a file is looked at to tell text from binary data.
_SNIFF_BYTES: Final = 8192
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
#: Leading bytes of files people mistake for report files.
_BINARY_MAGIC: Final = (
    (b"PK\x03\x04", "a ZIP archive or an Excel/Word file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Word file"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3", "an SQLite database"),
)


def _refuse_binary(head: bytes, name: str, encoding: str) -> None:
    """Refuse a file that is not text, saying what to give instead (not ``--encoding``)."""
    wide = encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32"))
    if not wide and head.startswith(_UTF16_BOMS):
        raise InputError(f"{name}: UTF-16 text; save it as UTF-8, or pass --encoding utf-16")
    kind = next((what for magic, what in _BINARY_MAGIC if head.startswith(magic)), None)
    if kind is None and not wide and b"\x00" in head:
        kind = "binary data"
    if kind is not None:
        raise InputError(
            f"{name}: not a text file (it looks like {kind}); give the reports as .txt (one per "
            "line), .csv with a 'text' column or .jsonl (save a spreadsheet as CSV UTF-8 first)"
        )


def _open_file(file: Path, name: str, encoding: str) -> IO[str]:
    try:
        return file.open(encoding=encoding, newline="")
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None


def _decode_error(name: str, line: int, encoding: str) -> InputError:
    shown = "UTF-8" if encoding.lower().replace("_", "-") in ("utf-8", "utf-8-sig") else encoding
    if name == "<stdin>":  # --encoding applies to files only
        return InputError(
            f"{name}:{line}: not UTF-8 text; send text (not a binary file), converted to UTF-8 "
            "if needed (for example: iconv -f cp1251 -t utf-8 FILE | esm-validate -)"
        )
    hint = ", or pass its encoding with --encoding (for example cp1251)" if shown == "UTF-8" else ""
    return InputError(f"{name}:{line}: not valid {shown} text; save the file as UTF-8{hint}")


def _as_text(stream: IO[bytes] | IO[str]) -> IO[str]:
    sample: object = stream.read(0)
    if isinstance(sample, bytes):
        return io.TextIOWrapper(stream, encoding=_ENCODING, newline=None)  # type: ignore[type-var]
    return stream  # type: ignore[return-value]


def _text_lines(stream: IO[str], name: str, encoding: str = "utf-8") -> Iterator[Record]:
    number = 0
    try:
        for number, line in enumerate(stream, start=1):
            text = line.strip()
            if text:
                yield Record(text=text, fields={TEXT_COLUMN: text}, origin=f"{name}:{number}")
    except UnicodeDecodeError:
        raise _decode_error(name, number + 1, encoding) from None


def _open_txt(file: Path, name: str, *, encoding: str) -> ReportSource:
    def read() -> Iterator[Record]:
        with _open_file(file, name, encoding) as handle:
            yield from _text_lines(handle, name, encoding)

    return ReportSource(name=name, columns=(TEXT_COLUMN,), read=read)


# --- CSV ---


def _choose_delimiter(header_line: str, column: str, *, tsv: bool) -> str:
    """Pick the delimiter that makes *column* a header cell, else the one giving most cells.

    A one-column header says nothing about the delimiter; then rows are read whole (quotes still
    work), so an unquoted comma in a report does not split it.
    """
    if tsv:
        return "\t"
    best, best_cells = ",", 0
    for delimiter in _DELIMITERS:
        row = next(csv.reader([header_line], delimiter=delimiter), [])
        cells = [cell.strip().lower() for cell in row]
        if column.lower() in cells and len(cells) > 1:
            return delimiter
        if len(cells) > best_cells:
            best, best_cells = delimiter, len(cells)
    return SINGLE_COLUMN if best_cells <= 1 else best


def _read_header(file: Path, name: str, encoding: str) -> str:
    with _open_file(file, name, encoding) as handle:
        try:
            return handle.readline()
        except UnicodeDecodeError:
            raise _decode_error(name, 1, encoding) from None


def _open_csv(file: Path, name: str, *, column: str, encoding: str, tsv: bool) -> ReportSource:
    header_line = _read_header(file, name, encoding)
    if not header_line.strip():
        raise InputError(f"{name}: empty CSV file; expected a header row with a {column!r} column")
    delimiter = _choose_delimiter(header_line, column, tsv=tsv)
    header = next(csv.reader([header_line], delimiter=delimiter))
    header = [cell.strip() for cell in header]
    index = _text_index(header, column, name)
    duplicates = sorted({cell for cell in header if header.count(cell) > 1})
    if duplicates:
        raise InputError(f"{name}: duplicate column name(s) in the header: {', '.join(duplicates)}")

    def read() -> Iterator[Record]:
        with _open_file(file, name, encoding) as handle:
            yield from _csv_rows(handle, name, header, index, delimiter, encoding)

    shown = "," if delimiter == SINGLE_COLUMN else delimiter  # what output should use
    return ReportSource(name=name, columns=tuple(header), read=read, delimiter=shown)


def _text_index(header: list[str], column: str, name: str) -> int:
    lowered = [cell.lower() for cell in header]
    if column.lower() not in lowered:
        shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
        raise InputError(f"{name}: no {column!r} column (columns: {shown})")
    return lowered.index(column.lower())


def _csv_rows(
    handle: IO[str],
    name: str,
    header: list[str],
    index: int,
    delimiter: str,
    encoding: str,
) -> Iterator[Record]:
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        next(reader)  # the header, already parsed
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip() and len(header) > 1):
                continue  # a blank line between rows
            if len(row) > len(header):
                raise InputError(
                    f"{name}:{line}: {len(row)} fields but the header has {len(header)}; "
                    "is a text with the delimiter not quoted?"
                )
            row = row + [""] * (len(header) - len(row))
            yield Record(
                text=row[index], fields=dict(zip(header, row, strict=True)), origin=f"{name}:{line}"
            )
    except UnicodeDecodeError:
        raise _decode_error(name, reader.line_num + 1, encoding) from None
    except csv.Error as exc:
        raise InputError(f"{name}:{reader.line_num}: malformed CSV ({exc})") from None


# --- JSON Lines ---


def _open_jsonl(file: Path, name: str, *, column: str, encoding: str) -> ReportSource:
    def read() -> Iterator[Record]:
        with _open_file(file, name, encoding) as handle:
            yield from _jsonl_objects(handle, name, column, encoding)

    columns = _jsonl_columns(read)
    return ReportSource(name=name, columns=columns, read=read)


def _jsonl_columns(read: Callable[[], Iterator[Record]]) -> tuple[str, ...]:
    """Scan the file once for every field name, in order of first appearance (constant memory)."""
    seen: dict[str, None] = {}
    for report in read():
        for key in report.fields:
            seen.setdefault(key, None)
    return tuple(seen) or (TEXT_COLUMN,)


def _jsonl_objects(handle: IO[str], name: str, column: str, encoding: str) -> Iterator[Record]:
    number = 0
    try:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            yield _jsonl_report(line, f"{name}:{number}", column)
    except UnicodeDecodeError:
        raise _decode_error(name, number + 1, encoding) from None


def _jsonl_report(line: str, origin: str, column: str) -> Record:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{origin}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(value, dict):
        raise InputError(
            f"{origin}: expected a JSON object with a {column!r} field, got {type(value).__name__}"
        )
    key = next((k for k in value if k.lower() == column.lower()), None)
    if key is None:
        raise InputError(f"{origin}: no {column!r} field")
    text = value[key]
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise InputError(f"{origin}: the {key!r} field must be a string, got {type(text).__name__}")
    return Record(text=text, fields=value, origin=origin)
