"""The validation loop of ``bench_local.py``'s reports, for counting instructions with callgrind.

Wall-clock times on a shared machine move with its load; instruction counts do not. This script
warms the validator up, then validates the six ``bench_local.REPORTS`` ``--rounds`` times inside
one ``functools.reduce`` call, so that callgrind can count that call alone::

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=functools_reduce \\
        --callgrind-out-file=/dev/null python benchmarks/callgrind_local.py --rounds 10

Divide the "Collected" figure by ``6 * rounds`` for instructions per report. ``--tokenise``
counts one tokenising pass (``re.findall(r"\\w+", text)``) per report instead, the baseline of
``bench_local.py``.
"""

from __future__ import annotations

import argparse
import functools
import re

import bench_local

import esm_validate

_TOKENS = re.compile(r"\w+")


def main() -> None:
    """Warm up, then run the reports ``--rounds`` times inside one ``functools.reduce``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="repetitions of the six reports")
    parser.add_argument("--tokenise", action="store_true", help="count the baseline instead")
    args = parser.parse_args()
    texts = [text for reports in bench_local.REPORTS.values() for text in reports]
    step = _TOKENS.findall if args.tokenise else esm_validate.validate
    for text in texts:  # compile the lexicons and fill the memos outside the counted call
        step(text)
    functools.reduce(lambda _, text: step(text), texts * args.rounds, None)
    print(f"{len(texts) * args.rounds} calls inside functools.reduce")


if __name__ == "__main__":
    main()
