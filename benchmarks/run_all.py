"""Run every ``benchmarks/bench_*.py`` and collect what each prints (``nox -s bench`` calls this).

Each benchmark runs in its own process (``sys.executable``, the repository root as working
directory and on ``PYTHONPATH``, the caller's environment, so ``MONGO_URI`` and ``REDIS_URL`` reach
the ones that use them), one after another so they do not compete for the cores. Its output is
echoed as it arrives and collected; at the end a summary lists each benchmark's exit code and wall
time. ``--output FILE`` also writes everything as Markdown (machine description, then one fenced
block per benchmark), the raw material of ``docs/benchmarks.md``.

Run: ``python benchmarks/run_all.py [--only NAME ...] [--output FILE] [--timeout S]
[--directory DIR]``. The exit
code is 0 when every benchmark exited 0, else 1; benchmarks assert nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@attrs.frozen
class BenchResult:
    """One benchmark's run: its name, exit code (None on a time-out), wall time and output."""

    name: str
    returncode: int | None
    seconds: float
    output: str

    @property
    def ok(self) -> bool:
        """True when the benchmark exited 0."""
        return self.returncode == 0


def discover(directory: Path = HERE, only: Sequence[str] = ()) -> list[Path]:
    """The ``bench_*.py`` files in ``directory``, sorted; ``only`` keeps those named (``local`` or
    ``bench_local`` or ``bench_local.py``).

    Raises:
        SystemExit: A name in ``only`` matches no benchmark.
    """
    found = sorted(directory.glob("bench_*.py"))
    if not only:
        return found
    wanted = {name.removesuffix(".py").removeprefix("bench_") for name in only}
    known = {path.stem.removeprefix("bench_") for path in found}
    unknown = sorted(wanted - known)
    if unknown:
        msg = f"no such benchmark: {', '.join(unknown)} (have: {', '.join(sorted(known))})"
        raise SystemExit(msg)
    return [path for path in found if path.stem.removeprefix("bench_") in wanted]


def machine() -> str:
    """A few lines describing where the figures were measured."""
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "n/a"
    return "\n".join(
        [
            f"date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
            f"python: {platform.python_version()} ({platform.python_implementation()})",
            f"platform: {platform.platform()}",
            f"cores: {os.cpu_count()}",
            f"load average (1, 5, 15 min): {load}",
        ]
    )


def run_one(path: Path, *, timeout: float) -> BenchResult:
    """Run one benchmark script, echoing its output line by line; never raises on its failure."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    env["PYTHONUNBUFFERED"] = "1"
    started = time.monotonic()
    lines: list[str] = []
    with subprocess.Popen(
        [sys.executable, str(path)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            for line in proc.stdout:
                print(line, end="", flush=True)
                lines.append(line)
            code: int | None = proc.wait()
        finally:
            timer.cancel()
        if time.monotonic() - started >= timeout and code != 0:
            code = None
            lines.append(f"[killed after {timeout:.0f} s]\n")
            print(lines[-1], end="")
    return BenchResult(path.stem, code, time.monotonic() - started, "".join(lines))


def summary(results: Sequence[BenchResult]) -> str:
    """One line per benchmark: name, outcome, wall time."""
    rows = []
    for result in results:
        if result.returncode is None:
            outcome = "timed out"
        else:
            outcome = "ok" if result.ok else f"exit {result.returncode}"
        rows.append(f"{result.name:<24} {outcome:<10} {result.seconds:8.1f} s")
    return "\n".join(rows)


def markdown(results: Sequence[BenchResult], about: str) -> str:
    """Everything as Markdown: the machine, then each benchmark's output in a fenced block."""
    parts = ["# Benchmark run", "", "```text", about, "```", ""]
    for result in results:
        parts += [f"## {result.name} ({result.seconds:.1f} s)", "", "```text"]
        parts += [result.output.rstrip("\n"), "```", ""]
    parts += ["## Summary", "", "```text", summary(results), "```", ""]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; return 0 when all succeeded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", default=(), metavar="NAME", help="run only these")
    parser.add_argument("--output", type=Path, help="also write the results as Markdown here")
    parser.add_argument(
        "--directory", type=Path, default=HERE, help="where the bench_*.py files are (this one's)"
    )
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="seconds allowed per benchmark (900)"
    )
    args = parser.parse_args(argv)
    about = machine()
    print(about, flush=True)
    results = []
    for path in discover(args.directory, args.only):
        print(f"\n===== {path.name} =====", flush=True)
        results.append(run_one(path, timeout=args.timeout))
    print("\n===== summary =====")
    print(summary(results))
    if args.output is not None:
        args.output.write_text(markdown(results, about), encoding="utf-8")
        print(f"written: {args.output}")
    return 0 if results and all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
