"""The report readers: text, CSV (dialects, BOM, quoting), JSON Lines, streams, and errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from esm_validate._io import InputError, looks_like_path, open_path, open_stream, open_texts


def _write(path: Path, content: str, *, encoding: str = "utf-8") -> Path:
    path.write_bytes(content.encode(encoding))
    return path


class TestText:
    def test_one_report_per_line_blank_lines_skipped(self, tmp_path: Path) -> None:
        """A .txt file gives one report per non-blank line, stripped, with its line number."""
        path = _write(tmp_path / "r.txt", "первый отчёт\n\n   \nsecond report  \r\nthird\n")

        reports = list(open_path(path).reports())

        assert [r.text for r in reports] == ["первый отчёт", "second report", "third"]
        assert reports[1].origin.endswith("r.txt:4")
        assert reports[2].fields == {"text": "third"}

    def test_unknown_suffix_is_read_as_text(self, tmp_path: Path) -> None:
        """A file without a known suffix is one report per line."""
        path = _write(tmp_path / "reports", "a\nb\n")

        assert [r.text for r in open_path(path).reports()] == ["a", "b"]

    def test_stream_bytes_with_bom(self) -> None:
        """A binary stream (stdin) is decoded as UTF-8 and a BOM is dropped."""
        stream = io.BytesIO("\ufeffя говорил себе\n\nhello\n".encode())

        assert [r.text for r in open_stream(stream).reports()] == ["я говорил себе", "hello"]

    def test_text_stream(self) -> None:
        """A text stream works too."""
        assert [r.text for r in open_stream(io.StringIO("x\ny")).reports()] == ["x", "y"]

    def test_texts_keep_order(self) -> None:
        """Texts given directly keep their order and get a text field."""
        reports = list(open_texts(["b", "a"]).reports())

        assert [r.fields["text"] for r in reports] == ["b", "a"]


class TestCsv:
    def test_extra_columns_and_quoting(self, tmp_path: Path) -> None:
        """Every column comes through; quoted commas, quotes and newlines stay inside the text."""
        content = (
            "participant,text,beep_time\n"
            'p1,"I said ""hi"", then, well\nmore",09:00\n'
            "p2,«короткий»,10:00\n"
        )
        source = open_path(_write(tmp_path / "r.csv", content))

        reports = list(source.reports())

        assert source.columns == ("participant", "text", "beep_time")
        assert reports[0].text == 'I said "hi", then, well\nmore'
        assert reports[1].fields == {
            "participant": "p2",
            "text": "«короткий»",
            "beep_time": "10:00",
        }
        assert source.delimiter == ","

    def test_semicolon_and_bom_are_detected(self, tmp_path: Path) -> None:
        """A ';'-separated file saved with a BOM (Excel in many locales) is read correctly."""
        path = tmp_path / "r.csv"
        path.write_bytes("\ufeffid;Text;note\n1;я думал, что...;a,b\n".encode())
        source = open_path(path)

        reports = list(source.reports())

        assert source.delimiter == ";"
        assert reports[0].text == "я думал, что..."
        assert reports[0].fields == {"id": "1", "Text": "я думал, что...", "note": "a,b"}

    def test_one_column_file_keeps_unquoted_commas(self, tmp_path: Path) -> None:
        """With only a text column, an unquoted comma does not split a report."""
        source = open_path(
            _write(tmp_path / "r.csv", 'text\nI was thinking, then stopped\n"a, b"\n')
        )

        assert [r.text for r in source.reports()] == ["I was thinking, then stopped", "a, b"]
        assert source.delimiter == ","

    def test_tsv(self, tmp_path: Path) -> None:
        """A .tsv file is tab-separated."""
        source = open_path(_write(tmp_path / "r.tsv", "text\tp\nhello, world\t1\n"))

        assert [r.text for r in source.reports()] == ["hello, world"]

    def test_empty_text_rows_are_kept(self, tmp_path: Path) -> None:
        """A row with an empty text is kept (it is assessed as empty) so rows still join back."""
        source = open_path(_write(tmp_path / "r.csv", "text,p\n,1\nx,2\n"))

        assert [r.text for r in source.reports()] == ["", "x"]

    def test_short_rows_are_padded(self, tmp_path: Path) -> None:
        """A row with fewer cells than the header gets empty cells."""
        source = open_path(_write(tmp_path / "r.csv", "p,text,note\n1,hello\n"))

        assert next(source.reports()).fields == {"p": "1", "text": "hello", "note": ""}

    def test_other_text_column(self, tmp_path: Path) -> None:
        """``column=`` picks another column."""
        source = open_path(_write(tmp_path / "r.csv", "id,report\n1,hi\n"), column="report")

        assert [r.text for r in source.reports()] == ["hi"]

    @pytest.mark.parametrize(
        ("content", "expected"),
        [
            ("id,body\n1,x\n", "no 'text' column (columns: id, body)"),
            ("", "empty CSV file"),
            ("text,text\nx,y\n", "duplicate column name(s) in the header: text"),
        ],
    )
    def test_header_errors(self, tmp_path: Path, content: str, expected: str) -> None:
        """Header problems are found when the file is opened, before any output."""
        with pytest.raises(InputError, match=r".*") as info:
            open_path(_write(tmp_path / "r.csv", content))

        assert expected in str(info.value)
        assert "r.csv" in str(info.value)

    def test_too_many_fields_names_the_line(self, tmp_path: Path) -> None:
        """A row with more cells than the header is an error naming its line."""
        source = open_path(_write(tmp_path / "r.csv", "text,p\nok,1\nnot, quoted,2\n"))

        with pytest.raises(InputError) as info:
            list(source.reports())

        assert "r.csv:3: 3 fields but the header has 2" in str(info.value)

    def test_not_utf8_suggests_encoding(self, tmp_path: Path) -> None:
        """A cp1251 file gives a clear error, and reads fine with ``encoding='cp1251'``."""
        path = _write(tmp_path / "r.csv", "text\nя думал о работе\n", encoding="cp1251")

        with pytest.raises(InputError) as info:
            list(open_path(path).reports())

        assert "not valid" in str(info.value)
        assert "--encoding" in str(info.value)
        assert [r.text for r in open_path(path, encoding="cp1251").reports()] == [
            "я думал о работе"
        ]


class TestJsonl:
    def test_fields_pass_through_with_their_types(self, tmp_path: Path) -> None:
        """Every field of each object is kept with its JSON type; blank lines are skipped."""
        lines = [
            {"id": 1, "text": "hello", "meta": {"a": [1, 2]}},
            {"text": "second", "extra": True},
        ]
        path = _write(
            tmp_path / "r.jsonl", json.dumps(lines[0]) + "\n\n" + json.dumps(lines[1]) + "\n"
        )
        source = open_path(path)

        reports = list(source.reports())

        assert lines == [dict(r.fields) for r in reports]
        assert source.columns == ("id", "text", "meta", "extra")

    def test_null_text_is_empty(self, tmp_path: Path) -> None:
        """``"text": null`` is an empty report, not an error."""
        path = _write(tmp_path / "r.jsonl", '{"text": null}\n')

        assert [r.text for r in open_path(path).reports()] == [""]

    @pytest.mark.parametrize(
        ("line", "expected"),
        [
            ("{not json", "r.jsonl:2: invalid JSON"),
            ('{"body": "x"}', "r.jsonl:2: no 'text' field"),
            ('["text"]', "r.jsonl:2: expected a JSON object"),
            ('{"text": 5}', "r.jsonl:2: the 'text' field must be a string"),
        ],
    )
    def test_bad_lines(self, tmp_path: Path, line: str, expected: str) -> None:
        """A bad line is an error naming the file and line (found at open time)."""
        path = _write(tmp_path / "r.jsonl", '{"text": "fine"}\n' + line + "\n")

        with pytest.raises(InputError) as info:
            list(open_path(path).reports())

        assert expected in str(info.value)


class TestPaths:
    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is an InputError naming it."""
        with pytest.raises(InputError, match=r"nope\.csv: no such file"):
            open_path(tmp_path / "nope.csv")

    def test_directory(self, tmp_path: Path) -> None:
        """A directory is refused with a hint."""
        with pytest.raises(InputError, match="is a directory"):
            open_path(tmp_path)

    def test_json_is_refused_with_a_hint(self, tmp_path: Path) -> None:
        """A .json file points to JSON Lines."""
        with pytest.raises(InputError, match=r"use JSON Lines \(\.jsonl\)"):
            open_path(_write(tmp_path / "r.json", "[]"))

    @pytest.mark.parametrize(
        ("arg", "expected"),
        [
            ("reports.csv", True),
            ("data/day1.txt", True),
            ("./day1", True),
            ("/tmp/answers", True),
            ("да/нет", False),
            ("and/or", False),
            ("notes.TXT", True),
            ("I was thinking", False),
            ("Sad.", False),
            ("ok", False),
            ("", False),
        ],
    )
    def test_looks_like_path(self, arg: str, expected: bool) -> None:
        """File-like words are taken for paths; reports (with spaces or no suffix) are not."""
        assert expected == looks_like_path(arg)
