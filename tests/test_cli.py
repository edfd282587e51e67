"""The esm-validate command: inputs, formats, round trips, colour, streaming and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

import esm_validate
from esm_validate.cli import main

ROOT = Path(__file__).resolve().parent.parent
REPORTS_CSV = ROOT / "examples" / "reports.csv"
ANSI = "\033["


class FakeTty(io.StringIO):
    """A stdout that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run(
    args: Sequence[str],
    *,
    stdin: bytes | None = None,
    environ: dict[str, str] | None = None,
    stdout: io.StringIO | None = None,
) -> tuple[int, str, str]:
    """Run the CLI in-process and return (exit code, stdout, stderr)."""
    out = stdout if stdout is not None else io.StringIO()
    err = io.StringIO()
    code = main(
        list(args),
        stdin=io.BytesIO(stdin if stdin is not None else b""),
        stdout=out,
        stderr=err,
        environ=environ if environ is not None else {},
    )
    return code, out.getvalue(), err.getvalue()


def _csv_rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


class TestTable:
    def test_texts_give_a_readable_table(self) -> None:
        """Two report texts: a header, one row each with the score and quality, and a summary."""
        texts = ["Я думал о работе", "At the beep I said to myself 'keys!'"]

        code, out, err = run(texts)

        lines = out.splitlines()
        expected = [esm_validate.validate(t) for t in texts]
        assert code == 0
        assert err == ""
        assert lines[0].split()[:4] == ["#", "score", "quality", "phenomena"]
        for number, (line, assessment) in enumerate(
            zip(lines[1:3], expected, strict=True), start=1
        ):
            cells = line.split()
            assert [str(number), str(assessment.score), assessment.quality] == cells[:3]
        assert "Я думал о работе" in lines[1]
        assert lines[-1].startswith("2 reports, mean score")
        assert ANSI not in out

    def test_long_text_is_truncated_to_the_width(self) -> None:
        """A long report is cut with an ellipsis so each row fits the terminal width."""
        code, out, _ = run(["word " * 200], environ={"COLUMNS": "100"})

        row = out.splitlines()[1]
        assert code == 0
        assert row.endswith("…")
        assert len(row) <= 100

    def test_colour_on_a_terminal(self) -> None:
        """On a terminal the table is coloured."""
        _, out, _ = run(["hello there"], stdout=FakeTty())

        assert ANSI in out

    def test_no_color_is_honoured(self) -> None:
        """NO_COLOR turns colour off even on a terminal."""
        _, out, _ = run(["hello there"], stdout=FakeTty(), environ={"NO_COLOR": "1"})

        assert ANSI not in out

    def test_color_always_and_never(self) -> None:
        """--color always/never override the terminal check."""
        assert ANSI in run(["--color", "always", "x y"])[1]
        assert ANSI not in run(["--color", "never", "x y"], stdout=FakeTty())[1]

    def test_bundled_examples_csv(self) -> None:
        """The README's first command: the bundled CSV gives one row per report and exit 0."""
        with REPORTS_CSV.open(encoding="utf-8") as handle:
            count = sum(1 for _ in csv.DictReader(handle))

        code, out, err = run([str(REPORTS_CSV)])

        assert code == 0, err
        assert out.splitlines()[-1].startswith(f"{count} reports")
        assert count + 3 == len(out.splitlines())  # header, rows, blank line, summary


class TestFormats:
    def test_csv_round_trip_keeps_every_column(self, tmp_path: Path) -> None:
        """--format csv: original columns in order, unchanged, then the result columns."""
        path = tmp_path / "in.csv"
        rows = [
            {
                "participant": "p1",
                "text": 'Я сказал себе: «ну же», быстро, "вслух"',
                "beep_time": "09:00",
            },
            {
                "participant": "p2",
                "text": "I was thinking about work,\nusually.",
                "beep_time": "10:30",
            },
            {"participant": "p3", "text": "", "beep_time": "11:00"},
        ]
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["participant", "text", "beep_time"])
            writer.writeheader()
            writer.writerows(rows)

        code, out, err = run(["--format", "csv", "-f", str(path)])

        result = _csv_rows(out)
        assert code == 0, err
        assert list(result[0]) == [
            "participant",
            "text",
            "beep_time",
            "score",
            "quality",
            "phenomena",
            "issue_codes",
            "main_issue",
            "feedback",
            "lang",
            "source",
        ]
        for original, row in zip(rows, result, strict=True):
            expected = esm_validate.validate(original["text"])
            assert original == {k: row[k] for k in original}
            assert str(expected.score) == row["score"]
            assert expected.quality == row["quality"]
            assert ";".join(sorted(expected.phenomena)) == row["phenomena"]
            assert ";".join(expected.issue_codes) == row["issue_codes"]
            assert (expected.main_issue.code if expected.main_issue else "") == row["main_issue"]
            assert expected.feedback == row["feedback"]

    def test_csv_keeps_the_input_delimiter(self, tmp_path: Path) -> None:
        """A ';' CSV comes back ';'-separated, so Excel opens it the same way."""
        path = tmp_path / "in.csv"
        path.write_text("\ufeffid;text\n7;я думал, что опоздаю\n", encoding="utf-8")

        code, out, _ = run(["--format", "csv", str(path)])

        row = _csv_rows(out, ";")[0]
        assert code == 0
        assert (row["id"], row["text"]) == ("7", "я думал, что опоздаю")

    def test_csv_keeps_clashing_columns(self, tmp_path: Path) -> None:
        """Validating an already validated file keeps its earlier results as <name>_input."""
        path = tmp_path / "in.csv"
        path.write_text("text,score,quality\nhello,99,pristine\n", encoding="utf-8")

        _, out, _ = run(["--format", "csv", str(path)])

        row = _csv_rows(out)[0]
        assert (row["score_input"], row["quality_input"]) == ("99", "pristine")
        assert str(esm_validate.validate("hello").score) == row["score"]

    def test_csv_validated_twice_round_trips(self, tmp_path: Path) -> None:
        """Output CSV fed back in reads fine and keeps every column of the first pass."""
        first = tmp_path / "first.csv"
        code, out, _ = run(["--format", "csv", str(REPORTS_CSV)])
        first.write_text(out, encoding="utf-8")

        code2, out2, err2 = run(["--format", "csv", str(first)])

        again = _csv_rows(out2)
        assert (code, code2) == (0, 0), err2
        assert _csv_rows(out)[0]["score"] == again[0]["score_input"]
        assert len(_csv_rows(out)) == len(again)

    def test_jsonl_passes_fields_through(self, tmp_path: Path) -> None:
        """--format jsonl on a JSONL file keeps every field with its type and adds the results."""
        path = tmp_path / "in.jsonl"
        objects = [
            {"id": 1, "text": "I said to myself 'go'", "tags": ["a"]},
            {"text": "nothing special"},
        ]
        path.write_text("\n".join(json.dumps(o) for o in objects) + "\n", encoding="utf-8")

        code, out, _ = run(["--format", "jsonl", str(path)])

        results = [json.loads(line) for line in out.splitlines()]
        assert code == 0
        assert len(results) == 2
        for original, result in zip(objects, results, strict=True):
            expected = esm_validate.validate(original["text"])
            assert original == {k: result[k] for k in original}
            assert expected.score == result["score"]
            assert sorted(expected.phenomena) == result["phenomena"]
            assert list(expected.issue_codes) == result["issue_codes"]
            assert [i["code"] for i in result["issues"]] == result["issue_codes"]

    def test_jsonl_to_csv_keeps_every_field(self, tmp_path: Path) -> None:
        """JSONL into CSV: fields seen on any line become columns; nested values become JSON."""
        path = tmp_path / "in.jsonl"
        lines = [{"text": "first", "meta": {"a": 1}}, {"text": "second", "late": True}]
        path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")

        code, out, _ = run(["--format", "csv", str(path)])

        rows = _csv_rows(out)
        assert code == 0
        assert list(rows[0])[:3] == ["text", "meta", "late"]
        assert (rows[0]["meta"], rows[0]["late"]) == ('{"a": 1}', "")
        assert (rows[1]["meta"], rows[1]["late"]) == ("", "True")

    def test_json_is_one_array(self) -> None:
        """--format json prints one JSON array, one object per report, in order."""
        code, out, _ = run(["--format", "json", "first report", "second report"])

        data = json.loads(out)
        assert code == 0
        assert [d["text"] for d in data] == ["first report", "second report"]

    def test_json_with_no_reports_is_an_empty_array(self, tmp_path: Path) -> None:
        """An input with no reports gives [] (still valid JSON)."""
        path = tmp_path / "empty.txt"
        path.write_text("\n\n", encoding="utf-8")

        code, out, _ = run(["--format", "json", str(path)])

        assert (code, json.loads(out)) == (0, [])

    def test_mixed_sources_share_one_csv_header(self, tmp_path: Path) -> None:
        """A text argument and a CSV with extra columns: one header, blanks where missing."""
        path = tmp_path / "in.csv"
        path.write_text("p,text\np9,from the file\n", encoding="utf-8")

        _, out, _ = run(["--format", "csv", "from the arguments", str(path)])

        rows = _csv_rows(out)
        assert [r["text"] for r in rows] == ["from the arguments", "from the file"]
        assert [r["p"] for r in rows] == ["", "p9"]


class TestInputs:
    def test_stdin_dash(self) -> None:
        """'-' reads one report per line from stdin; blank lines are skipped."""
        code, out, _ = run(["--format", "jsonl", "-"], stdin="один\n\ntwo\n".encode())

        assert code == 0
        assert [json.loads(x)["text"] for x in out.splitlines()] == ["один", "two"]

    def test_stdin_without_arguments_when_piped(self) -> None:
        """With no arguments and a piped stdin, stdin is read."""
        code, out, _ = run(["--format", "jsonl"], stdin=b"a report\n")

        assert (code, json.loads(out)["text"]) == (0, "a report")

    def test_order_texts_files_then_dash_f(self, tmp_path: Path) -> None:
        """Positional inputs keep their order; -f files follow them."""
        a = tmp_path / "a.txt"
        b = tmp_path / "b.txt"
        a.write_text("from a\n", encoding="utf-8")
        b.write_text("from b\n", encoding="utf-8")

        _, out, _ = run(["--format", "jsonl", "-f", str(b), "first", str(a), "last"])

        assert [json.loads(x)["text"] for x in out.splitlines()] == [
            "first",
            "from a",
            "last",
            "from b",
        ]

    def test_lang_and_training_day_are_passed_on(self) -> None:
        """--lang and --training-day reach the validator."""
        text = "I was thinking about work"

        _, out, _ = run(["--format", "jsonl", "--lang", "en", "--training-day", "1", text])

        expected = esm_validate.validate(text, lang="en", training_day=1)
        result = json.loads(out)
        assert (expected.score, expected.lang, list(expected.issue_codes)) == (
            result["score"],
            result["lang"],
            result["issue_codes"],
        )

    def test_streams_before_reading_all_input(self) -> None:
        """The first result is written after reading only the start of a long stdin."""
        data = b"".join(
            f"report number {i}, I was saying to myself 'go'\n".encode() for i in range(3_000)
        )
        stdin = io.BytesIO(data)
        positions: list[int] = []

        class Probe(io.StringIO):
            def write(self, s: str) -> int:
                if not positions:
                    positions.append(stdin.tell())
                return super().write(s)

        out = Probe()
        code = main(
            ["--format", "jsonl", "-"], stdin=stdin, stdout=out, stderr=io.StringIO(), environ={}
        )

        assert code == 0
        assert len(out.getvalue().splitlines()) == 3_000
        assert positions[0] < len(data) // 5


class TestErrors:
    @pytest.mark.parametrize(
        ("files", "expected"),
        [
            ({"r.csv": "id,body\n1,x\n"}, "no 'text' column"),
            ({"r.jsonl": '{"text": "ok"}\n{oops\n'}, "r.jsonl:2: invalid JSON"),
            ({"r.jsonl": '{"body": "x"}\n'}, "r.jsonl:1: no 'text' field"),
            ({"r.json": "[]"}, "use JSON Lines"),
            ({"r.csv": "text,p\nok,1\na,b,c\n"}, "r.csv:3: 3 fields"),
        ],
    )
    def test_bad_files(self, tmp_path: Path, files: dict[str, str], expected: str) -> None:
        """A bad file: exit 2 and one line 'esm-validate: error: ...' naming the problem."""
        for name, content in files.items():
            (tmp_path / name).write_text(content, encoding="utf-8")

        code, _, err = run(["-f", str(tmp_path / next(iter(files)))])

        assert code == 2
        assert len(err.splitlines()) == 1
        assert err.startswith("esm-validate: error: ")
        assert expected in err

    def test_missing_file_given_with_f(self, tmp_path: Path) -> None:
        """-f with a missing file: exit 2, one line."""
        code, out, err = run(["-f", str(tmp_path / "missing.txt")])

        assert (code, out) == (2, "")
        assert err == f"esm-validate: error: {tmp_path / 'missing.txt'}: no such file\n"

    def test_missing_file_as_positional(self) -> None:
        """A positional that looks like a file but does not exist is an error, not a report."""
        code, out, err = run(["does-not-exist.csv"])

        assert (code, out) == (2, "")
        assert "does-not-exist.csv: no such file" in err

    def test_not_utf8(self, tmp_path: Path) -> None:
        """A cp1251 file: exit 2 with a hint; --encoding cp1251 reads it."""
        path = tmp_path / "r.txt"
        path.write_bytes("я думал\n".encode("cp1251"))

        code, _, err = run([str(path)])
        code2, out2, _ = run(["--encoding", "cp1251", "--format", "jsonl", str(path)])

        assert code == 2
        assert "--encoding" in err
        assert (code2, json.loads(out2)["text"]) == (0, "я думал")

    def test_unreadable_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A file the OS refuses to open (permissions): exit 2, one line with the reason."""
        path = tmp_path / "secret.txt"
        path.write_text("x\n", encoding="utf-8")

        def refuse(self: Path, *args: object, **kwargs: object) -> object:
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "open", refuse)  # root may read anything, so chmod cannot show it
        code, _, err = run([str(path)])

        assert code == 2
        assert err == f"esm-validate: error: {path}: cannot read (Permission denied)\n"

    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            (["--lang", "de", "x"], "invalid choice: 'de'"),
            (["--training-day", "0", "x"], "training day starts at 1"),
            (["--training-day", "two", "x"], "expected a whole number"),
            (["--format", "xml", "x"], "invalid choice: 'xml'"),
        ],
    )
    def test_usage_errors(self, args: list[str], expected: str) -> None:
        """Bad options: exit 2, usage line and one error line."""
        code, out, err = run(args)

        assert (code, out) == (2, "")
        assert err.splitlines()[0].startswith("usage: esm-validate")
        assert err.splitlines()[-1].startswith("esm-validate: error: ")
        assert expected in err

    def test_help_and_version(self) -> None:
        """--help and --version print to stdout and exit 0."""
        code, out, _ = run(["--help"])
        vcode, vout, _ = run(["--version"])

        assert (code, vcode) == (0, 0)
        assert "--training-day" in out
        assert vout.strip() == f"esm-validate {esm_validate.__version__}"


def _entry_point() -> list[str]:
    script = Path(sys.executable).with_name("esm-validate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "esm_validate.cli"]


class TestInstalledCommand:
    @pytest.mark.process
    def test_bundled_csv_as_in_the_readme(self) -> None:
        """The installed command on examples/reports.csv exits 0 and prints the table."""
        proc = subprocess.run(
            [*_entry_point(), "examples/reports.csv"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "NO_COLOR": "1"},
            check=False,
        )

        assert proc.returncode == 0, proc.stderr
        assert "score" in proc.stdout.splitlines()[0]
        assert "reports, mean score" in proc.stdout.splitlines()[-1]

    @pytest.mark.process
    def test_error_has_no_traceback(self, tmp_path: Path) -> None:
        """A bad file through the real command: exit 2, one line, no traceback."""
        bad = tmp_path / "bad.csv"
        bad.write_text("body\nx\n", encoding="utf-8")

        proc = subprocess.run(
            [*_entry_point(), str(bad)], capture_output=True, text=True, timeout=60, check=False
        )

        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr
        assert [
            "esm-validate: error: " + f"{bad}: no 'text' column (columns: body)"
        ] == proc.stderr.splitlines()

    @pytest.mark.process
    def test_pipe_streams_results(self) -> None:
        """From a pipe, a result appears before stdin is closed (tail -f | esm-validate works)."""
        proc = subprocess.Popen(
            [*_entry_point(), "--format", "jsonl", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdin is not None
        assert proc.stdout is not None
        watchdog = threading.Timer(
            30, proc.kill
        )  # a broken stream fails the test instead of hanging
        watchdog.start()
        try:
            proc.stdin.write("first report, at the beep I said 'hi'\n")
            proc.stdin.flush()
            first = json.loads(proc.stdout.readline())
            proc.stdin.write("second\n")
            proc.stdin.close()
            rest = proc.stdout.read()
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)

        assert first["text"] == "first report, at the beep I said 'hi'"
        assert json.loads(rest)["text"] == "second"


class TestAi:
    def test_ai_without_a_key_notes_it_and_validates_locally(self) -> None:
        """--ai with no AI configured: a note on stderr, local results, exit 0."""
        code, out, err = run(["--ai", "--format", "jsonl", "I was thinking about work"])

        assert code == 0
        assert err.startswith("esm-validate: note: no AI backend configured")
        assert json.loads(out)["source"] == "local"

    def test_ai_with_an_openai_server(self) -> None:
        """--ai reaches a server speaking the OpenAI wire format for every report; no key leaks."""
        from tests.llm_servers import LLMServer, good_answer

        texts = [f"At the beep I said to myself 'number {i}'" for i in range(12)]
        with LLMServer("openai") as server:
            server.default = server.success(good_answer(score=81, quality="excellent"))
            environ = {"OPENAI_API_KEY": "sk-cli-test-key", "OPENAI_BASE_URL": server.base_url}

            code, out, err = run(["--ai", "--format", "jsonl", *texts], environ=environ)

            requests = len(server.requests)
        results = [json.loads(line) for line in out.splitlines()]
        assert (code, err) == (0, "")
        assert [r["source"] for r in results] == ["ai"] * 12  # no rate limit in a batch run
        assert [r["score"] for r in results] == [81] * 12
        assert requests == 12
        assert "sk-cli-test-key" not in out

    def test_ai_falls_back_when_the_server_is_down(self) -> None:
        """--ai with an unreachable server: local results with a fallback reason, exit 0."""
        from tests.llm_servers import LLMServer

        with LLMServer("openai") as server:
            server.default = server.error(401, "bad key")
            environ = {"OPENAI_API_KEY": "sk-wrong", "OPENAI_BASE_URL": server.base_url}

            code, out, _ = run(["--ai", "--format", "jsonl", "Я думал о работе"], environ=environ)

        result = json.loads(out)
        assert code == 0
        assert (result["source"], result["fallback_reason"]) == ("local", "ai_auth")
        assert result["score"] == esm_validate.validate("Я думал о работе").score

    def test_bad_ai_setting_is_a_one_line_error(self) -> None:
        """A wrong AI setting: exit 2 and the message naming the variable, never the key."""
        environ = {"OPENAI_API_KEY": "sk-secret-value", "ESM_AI_TIMEOUT": "soon"}

        code, out, err = run(["--ai", "x"], environ=environ)

        assert (code, out) == (2, "")
        assert err.startswith("esm-validate: error: ESM_AI_TIMEOUT")
        assert "sk-secret-value" not in err


@pytest.mark.process
def test_closed_pipe_is_quiet() -> None:
    """`esm-validate ... | head -1`: the reader goes away early; no traceback, no noise."""
    proc = subprocess.Popen(
        [*_entry_point(), "--format", "jsonl", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    lines = b"".join(f"report {i}: I said to myself 'go'\n".encode() for i in range(3000))

    def feed() -> None:
        try:
            proc.stdin.write(lines)  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]
        except BrokenPipeError:
            pass

    feeder = threading.Thread(target=feed)
    feeder.start()
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    feeder.join(timeout=60)

    assert json.loads(first)["text"] == "report 0: I said to myself 'go'"
    assert stderr == ""
    assert code == 0
