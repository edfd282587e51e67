"""How long ``import esm_validate`` takes, and what it loads.

Each measurement is a fresh interpreter (``sys.executable``), so nothing is cached in memory:

* **wall time**: ``python -c "import esm_validate"`` against ``python -c "pass"`` (the baseline),
  interleaved, ``--runs`` of each; the difference of the medians is what the import costs.
* **-X importtime**: the cumulative microseconds CPython reports for ``esm_validate`` itself
  (median over the runs), without the interpreter's own start-up.
* **what it loads**: how many modules ``sys.modules`` holds after the import, and whether httpx,
  tenacity or asyncio are among them (the AI stack is imported on first use).

Run: ``python benchmarks/bench_import.py [--runs 30] [--src DIR ...]``. Each ``--src`` puts a
source tree first on ``PYTHONPATH`` (default: this checkout's ``src``); given several (e.g. an
older checkout and this one), their runs are interleaved so that both see the same load on a
shared machine. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_PROBE = (
    "import sys, esm_validate; "
    "heavy = [m for m in ('httpx', 'tenacity', 'asyncio') if m in sys.modules]; "
    "print(len(sys.modules), ','.join(heavy) or '-')"
)
_CUMULATIVE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| esm_validate$", re.M)


def _env(src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _wall(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.perf_counter() - started


def _importtime_us(env: dict[str, str]) -> int:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import esm_validate"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    match = _CUMULATIVE.search(proc.stderr)
    if match is None:
        raise SystemExit("no 'esm_validate' line in the -X importtime output")
    return int(match.group(1))


def main(argv: list[str] | None = None) -> int:
    """Measure and print one block of figures per source tree."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="interpreters per measurement")
    parser.add_argument("--src", type=Path, action="append", help="source tree(s) to import")
    args = parser.parse_args(argv)
    trees: list[Path] = [p.resolve() for p in (args.src or [ROOT / "src"])]
    envs = [_env(tree) for tree in trees]

    for env in envs:
        _wall("import esm_validate", env)  # warm the file-system cache and the .pyc files
    bare: list[list[float]] = [[] for _ in trees]
    full: list[list[float]] = [[] for _ in trees]
    cumulative: list[list[int]] = [[] for _ in trees]
    for _ in range(args.runs):
        for index, env in enumerate(envs):
            bare[index].append(_wall("pass", env))
            full[index].append(_wall("import esm_validate", env))
            cumulative[index].append(_importtime_us(env))

    print(f"runs: {args.runs} interpreters per measurement, source trees interleaved")
    for index, (tree, env) in enumerate(zip(trees, envs, strict=True)):
        loaded = subprocess.run(
            [sys.executable, "-c", _PROBE], env=env, check=True, capture_output=True, text=True
        ).stdout.split()
        bare_ms = statistics.median(bare[index]) * 1000
        full_ms = statistics.median(full[index]) * 1000
        times = cumulative[index]
        print(f"\nsource tree: {tree}")
        print(f"  python -c 'pass'                median {bare_ms:6.1f} ms")
        print(f"  python -c 'import esm_validate' median {full_ms:6.1f} ms")
        print(f"  import cost (difference of medians)    {full_ms - bare_ms:6.1f} ms")
        median_ms = statistics.median(times) / 1000
        print(
            f"  -X importtime, esm_validate cumulative: median {median_ms:.1f} ms,"
            f" best {min(times) / 1000:.1f} ms"
        )
        print(f"  modules in sys.modules after the import: {loaded[0]}")
        print(f"  httpx / tenacity / asyncio loaded: {loaded[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
