"""The ``esm-validate`` command: validate reports given as arguments, files or stdin.

Usage::

    esm-validate [TEXT ...] [-f FILE ...] [-] [--lang ru|en] [--training-day N]
                 [--format table|json|jsonl|csv]
    esm-validate --evaluate FILE [--threshold N] [--group-by COLUMN] [--seed N]
                 [--bootstrap N] [--format table|json]

Exit codes: 0 on success, 2 on a usage or input error (one line on stderr, never a traceback),
1 on an unexpected failure, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn, TextIO

from ._batch import validate_many
from ._errors import EsmValidateError
from ._io import (
    TEXT_COLUMN,
    InputError,
    Record,
    ReportSource,
    looks_like_path,
    open_path,
    open_stream,
    open_texts,
)
from ._output import FORMATS, CsvWriter, JsonLinesWriter, JsonWriter, TableWriter, Writer
from ._types import QUALITY_LEVELS
from .config import ValidationConfig
from .evaluate import DEFAULT_RESAMPLES, DEFAULT_SEED, evaluate, read_rows, render_table, score_rows
from .local import LocalValidator
from .protocols import Validator

__all__ = ["build_parser", "main"]

PROG = "esm-validate"


class _UsageError(Exception):
    """A command-line mistake: reported on one line with exit code 2."""


class _Exit(Exception):
    """argparse asked to exit (``--help``, ``--version``)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that writes to injected streams and never calls :func:`sys.exit`."""

    stdout: TextIO = sys.stdout
    stderr: TextIO = sys.stderr

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            (self.stderr if file is sys.stderr else self.stdout).write(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self.stderr.write(message)
        raise _Exit(status)

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _training_day(value: str) -> int:
    try:
        day = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of days, got {value!r}"
        ) from None
    if day < 1:
        raise argparse.ArgumentTypeError(f"training day starts at 1, got {day}")
    return day


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of ``esm-validate`` (used by :func:`main` and the docs)."""
    from . import __version__

    parser = _Parser(
        prog=PROG,
        description=(
            "Check Descriptive Experience Sampling reports against Hurlburt's criteria: "
            "score, quality, phenomena, issues and a feedback tip for each report."
        ),
        epilog=(
            "Files: .txt (one report per line), .csv/.tsv (a 'text' column; other columns are "
            "passed through), .jsonl (a 'text' field). An argument naming an existing file is read "
            "as that file; '-' reads stdin, one report per line. Colour only on a terminal; "
            "NO_COLOR turns it off."
        ),
    )
    parser.add_argument(
        "inputs", nargs="*", metavar="TEXT", help="a report, a file path, or - for stdin"
    )
    parser.add_argument(
        "-f",
        "--file",
        action="append",
        default=[],
        metavar="FILE",
        dest="files",
        help="a file of reports (repeatable)",
    )
    parser.add_argument(
        "--lang", choices=("ru", "en"), help="language of the reports (default: detect each)"
    )
    parser.add_argument(
        "--training-day",
        type=_training_day,
        metavar="N",
        help="judge as on training day N (default: day 3 rules)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table)"
    )
    parser.add_argument(
        "--column",
        default=TEXT_COLUMN,
        metavar="NAME",
        help="CSV column / JSONL field with the report (default: text)",
    )
    parser.add_argument(
        "--encoding",
        default="utf-8-sig",
        help="encoding of input files (default: UTF-8, BOM or not)",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the table (default: auto, only on a terminal and without NO_COLOR)",
    )
    parser.add_argument(
        "--progress", action="store_true", help="show a progress bar on stderr (needs tqdm)"
    )
    parser.add_argument(
        "--ai",
        action="store_true",
        help="use the AI stack configured by the environment (default: local rules only)",
    )
    evaluation = parser.add_argument_group(
        "evaluation", "measure the validator on your own labelled reports (docs: evaluation.md)"
    )
    evaluation.add_argument(
        "--evaluate",
        metavar="FILE",
        help="a .csv/.jsonl file with 'text' and 'label' (good/excellent/poor/mid), optional "
        "'phenomena', 'issues', 'lang', 'day': print AUROC, confusion, precision/recall",
    )
    evaluation.add_argument(
        "--threshold",
        type=_score,
        metavar="N",
        help="score at or above which a report is called good (default: the day-3 pass mark)",
    )
    evaluation.add_argument(
        "--group-by", metavar="COLUMN", help="also give every figure per value of COLUMN"
    )
    evaluation.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"bootstrap seed (default: {DEFAULT_SEED}, so runs repeat exactly)",
    )
    evaluation.add_argument(
        "--bootstrap",
        type=_resamples,
        default=DEFAULT_RESAMPLES,
        metavar="N",
        help=f"bootstrap resamples, 0 for none (default: {DEFAULT_RESAMPLES})",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _score(value: str) -> int:
    try:
        score = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a score 0..100, got {value!r}") from None
    if not 0 <= score <= 100:
        raise argparse.ArgumentTypeError(f"expected a score 0..100, got {score}")
    return score


def _resamples(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if not 0 <= count <= 100_000:
        raise argparse.ArgumentTypeError(f"expected 0..100000 resamples, got {count}")
    return count


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: IO[Any] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run ``esm-validate`` and return its exit code.

    Args:
        argv: The arguments (``sys.argv[1:]`` when None).
        stdin: Where ``-`` reads from (``sys.stdin``'s bytes when None).
        stdout: Where results go (``sys.stdout`` when None).
        stderr: Where errors go (``sys.stderr`` when None).
        environ: The environment (``os.environ`` when None): ``NO_COLOR``, ``COLUMNS``, AI keys.
    """
    out = stdout if stdout is not None else _utf8(sys.stdout)
    err = stderr if stderr is not None else sys.stderr
    env = os.environ if environ is None else environ
    parser = build_parser()
    assert isinstance(parser, _Parser)
    parser.stdout, parser.stderr = out, err
    try:
        args = parser.parse_args(argv)
        return _run(args, stdin=stdin, out=out, err=err, environ=env)
    except _Exit as exc:
        return exc.status
    except _UsageError as exc:
        err.write(parser.format_usage())
        return _fail(err, str(exc))
    except EsmValidateError as exc:  # InputError, ConfigurationError, ...
        out.flush()
        return _fail(err, str(exc))
    except BrokenPipeError:  # `esm-validate ... | head`: the reader has all it wanted
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        err.write("\n")
        return 130
    except Exception as exc:  # the last line of defence: no traceback
        return _fail(err, f"unexpected {type(exc).__name__}: {exc}", status=1)


def _fail(err: TextIO, message: str, *, status: int = 2) -> int:
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    err.write(f"{PROG}: error: {first_line}\n")
    err.flush()
    return status


def _utf8(stream: TextIO) -> TextIO:
    """Make sure Russian text can be written to stdout whatever the locale says."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if encoding != "utf8" and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8", errors="replace")
    return stream


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _run(
    args: argparse.Namespace,
    *,
    stdin: IO[Any] | None,
    out: TextIO,
    err: TextIO,
    environ: Mapping[str, str],
) -> int:
    if args.evaluate is not None:
        return _evaluate(args, out=out, err=err, environ=environ)
    if args.threshold is not None or args.group_by is not None:
        raise _UsageError("--threshold and --group-by go with --evaluate FILE")
    sources = _sources(args, stdin=stdin)
    validator = _ai_validator(environ, err) if args.ai else None
    writer = _writer(
        args.format, sources, out=out, environ=environ, colour=args.color, text_column=args.column
    )
    pending: collections.deque[Record] = collections.deque()

    def texts() -> Iterator[str]:
        for source in sources:
            for report in source.reports():
                pending.append(report)
                yield report.text

    try:
        for assessment in validate_many(
            texts(),
            lang=args.lang,
            training_day=args.training_day,
            progress=args.progress,
            validator=validator,
        ):
            writer.write(pending.popleft().fields, assessment)
            out.flush()  # a reader at the other end of a pipe sees each result as it exists
    finally:
        _close(validator)
    writer.close()
    out.flush()
    return 0


def _evaluate(
    args: argparse.Namespace, *, out: TextIO, err: TextIO, environ: Mapping[str, str]
) -> int:
    """``--evaluate FILE``: score labelled reports and print the figures."""
    if args.inputs or args.files:
        raise _UsageError("--evaluate reads only its FILE; drop the other inputs")
    if args.format not in ("table", "json"):
        raise _UsageError("--evaluate prints --format table or json")
    rows = read_rows(args.evaluate, column=args.column, encoding=args.encoding)
    config = ValidationConfig()
    threshold = config.pass_mark(3) if args.threshold is None else args.threshold
    note = _threshold_note(threshold, given=args.threshold is not None)
    validator: Validator = _ai_validator(environ, err) if args.ai else LocalValidator(config)
    try:
        scored = score_rows(
            rows,
            lambda text, lang, day: validator.validate(
                text, lang=lang or args.lang, training_day=day or args.training_day
            ),
        )
    finally:
        _close(validator)
    result = evaluate(
        scored,
        threshold=threshold,
        seed=args.seed,
        resamples=args.bootstrap,
        group_by=args.group_by,
        source=args.evaluate,
    )
    if args.format == "json":
        json.dump(result.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(render_table(result, threshold_note=note))
    out.flush()
    return 0


def _threshold_note(threshold: int, *, given: bool) -> str:
    """Say where the threshold comes from and which quality label starts there."""
    source = "--threshold" if given else "the day-3 pass mark"
    label = next((name for name, lowest in QUALITY_LEVELS if lowest == threshold), None)
    return f"{source}; quality {label!r} starts there" if label else source


def _close(validator: object) -> None:
    close = getattr(validator, "close", None)
    if callable(close):
        close()


def _sources(args: argparse.Namespace, *, stdin: IO[Any] | None) -> list[ReportSource]:
    """Turn arguments into sources, in order: plain texts, files, stdin; then ``-f`` files."""
    sources: list[ReportSource] = []
    texts: list[str] = []

    def flush_texts() -> None:
        if texts:
            sources.append(open_texts(list(texts)))
            texts.clear()

    for arg in args.inputs:
        if arg == "-":
            flush_texts()
            sources.append(open_stream(_stdin(stdin)))
        elif _is_file(arg):
            flush_texts()
            sources.append(open_path(arg, column=args.column, encoding=args.encoding))
        elif looks_like_path(arg):
            raise InputError(f"{arg}: no such file")
        else:
            texts.append(arg)
    flush_texts()
    sources.extend(
        open_path(path, column=args.column, encoding=args.encoding) for path in args.files
    )
    if not sources:
        stream = _stdin(stdin)
        if _isatty(stream):
            raise _UsageError(
                "nothing to validate: give a report, a file (-f FILE), or - to read stdin"
            )
        sources.append(open_stream(stream))
    return sources


def _is_file(arg: str) -> bool:
    try:
        return Path(arg).exists()
    except (OSError, ValueError):  # a name too long or with a NUL byte is not a path
        return False


def _stdin(stdin: IO[Any] | None) -> IO[Any]:
    if stdin is not None:
        return stdin
    return getattr(sys.stdin, "buffer", sys.stdin)


def _isatty(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _writer(
    fmt: str,
    sources: list[ReportSource],
    *,
    out: TextIO,
    environ: Mapping[str, str],
    colour: str,
    text_column: str = "text",
) -> Writer:
    if fmt == "json":
        return JsonWriter(out)
    if fmt == "jsonl":
        return JsonLinesWriter(out)
    if fmt == "csv":
        columns = list(dict.fromkeys(column for source in sources for column in source.columns))
        delimiter = next((s.delimiter for s in sources if s.delimiter), ",")
        return CsvWriter(out, columns, delimiter=delimiter)
    tty = _isatty(out)
    return TableWriter(
        out,
        width=_width(out, environ, tty=tty),
        colour=_colour(colour, environ, tty=tty),
        text_column=text_column,
    )


def _colour(choice: str, environ: Mapping[str, str], *, tty: bool) -> bool:
    if choice != "auto":
        return choice == "always"
    return tty and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def _width(out: TextIO, environ: Mapping[str, str], *, tty: bool) -> int:
    columns = environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if tty:
        try:
            return os.get_terminal_size(out.fileno()).columns
        except (OSError, ValueError):
            pass
    return 140


def _ai_validator(environ: Mapping[str, str], err: TextIO) -> Validator:
    """The validator stack configured by the environment (``esm_validate.from_env``)."""
    import esm_validate

    from_env = getattr(esm_validate, "from_env", None)
    if from_env is None:
        raise _UsageError("--ai is not available in this version; validating locally needs no flag")
    if not _ai_configured(environ):
        err.write(
            f"{PROG}: note: no AI backend configured (set OPENAI_API_KEY or ANTHROPIC_API_KEY); "
            "using the local rules\n"
        )
    # The per-user rate limit protects a bot's budget; a batch run is one user with many
    # reports, so it is off unless ESM_RATE_LIMIT is set explicitly.
    settings = {"ESM_RATE_LIMIT": "0", **environ}
    validator: Validator = from_env(settings)
    return validator


def _ai_configured(environ: Mapping[str, str]) -> bool:
    if environ.get("ESM_AI_PROVIDER", "").strip().lower() == "local":
        return False
    return any(environ.get(name, "").strip() for name in _AI_VARIABLES)


_AI_VARIABLES = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ESM_AI_API_KEY", "ESM_AI_BASE_URL")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
