"""Print CheckList pass rates per capability: ``python -m tests.checklist [--failures] [--floors]``.

``--failures`` shows a few failing cases under each capability; ``--floors`` prints a FLOORS table
at today's rates rounded down, ready to paste into tests/test_checklist.py when raising the ratchet.
"""

from __future__ import annotations

import argparse
import sys

import esm_validate

from .generator import generate
from .suite import floors_table, run, summary


def main(argv: list[str] | None = None) -> int:
    """Run the suite against the local validator and print the table."""
    parser = argparse.ArgumentParser(prog="python -m tests.checklist", description=__doc__)
    parser.add_argument("--failures", action="store_true", help="show failing cases")
    parser.add_argument("--floors", action="store_true", help="print a FLOORS table to paste")
    parser.add_argument("--lang", choices=("en", "ru"), action="append", help="only this language")
    args = parser.parse_args(argv)
    cases = generate(tuple(args.lang or ("en", "ru")))
    outcomes = run(cases, lambda text, lang: esm_validate.validate(text, lang=lang))
    if args.floors:
        print(floors_table(outcomes))
        return 0
    from tests.test_checklist import FLOORS

    print(summary(outcomes, FLOORS, show_failures=args.failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
