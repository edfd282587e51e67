"""Validate a CSV of reports and summarise it per participant (standard library only).

    python examples/validate_csv.py                      # the bundled examples/reports.csv
    python examples/validate_csv.py my_reports.csv --out scored.csv

The CSV needs a ``text`` column; a ``participant`` column and a ``training_day`` column are used
when present. ``--out`` writes every original column plus the results, like
``esm-validate --format csv``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

import esm_validate

HERE = Path(__file__).resolve().parent


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV (with or without BOM) that has a ``text`` column."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if "text" not in (reader.fieldnames or []):
            raise SystemExit(
                f"{path}: no 'text' column (columns: {', '.join(reader.fieldnames or [])})"
            )
        return list(reader)


def training_day(row: dict[str, str]) -> int | None:
    """The row's training day, when it has a usable one."""
    value = row.get("training_day", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def main(argv: list[str]) -> int:
    """Validate, print a per-participant summary, optionally write the scored CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", type=Path, default=HERE / "reports.csv")
    parser.add_argument("--out", type=Path, help="write the scored CSV here")
    args = parser.parse_args(argv)

    rows = read_rows(args.csv)
    # One call per row so each report is judged with its own training day; validate_many would
    # do for a single training day: esm_validate.validate_many(texts, training_day=2).
    assessments = [esm_validate.validate(r["text"], training_day=training_day(r)) for r in rows]

    by_participant: dict[str, list[esm_validate.Assessment]] = defaultdict(list)
    for row, assessment in zip(rows, assessments, strict=True):
        by_participant[row.get("participant") or "-"].append(assessment)

    print(f"{len(rows)} reports from {args.csv.name}\n")
    print(f"{'participant':<12} {'n':>3} {'mean':>6}  {'best quality':<12} most frequent issue")
    for participant, items in sorted(by_participant.items()):
        mean = sum(a.score for a in items) / len(items)
        best = max(items, key=lambda a: a.score).quality
        issues = Counter(a.main_issue.code for a in items if a.main_issue)
        common = issues.most_common(1)[0][0] if issues else "-"
        print(f"{participant:<12} {len(items):>3} {mean:>6.1f}  {best:<12} {common}")

    qualities = Counter(a.quality for a in assessments)
    phenomena = Counter(p for a in assessments for p in a.phenomena)
    print(
        "\nquality:   " + ", ".join(f"{q} {qualities[q]}" for q, _ in esm_validate.QUALITY_LEVELS)
    )
    print("phenomena: " + (", ".join(f"{p} {n}" for p, n in phenomena.most_common()) or "none"))
    lowest = min(zip(rows, assessments, strict=True), key=lambda pair: pair[1].score)
    print(f"\nlowest score ({lowest[1].score}): {lowest[0]['text'][:60]!r}")
    print(f"feedback it gets: {lowest[1].feedback or '(none)'}")

    if args.out:
        write_scored(args.out, rows, assessments)
        print(f"\nwrote {args.out}")
    return 0


def write_scored(
    path: Path, rows: list[dict[str, str]], assessments: list[esm_validate.Assessment]
) -> None:
    """Write every original column plus score, quality, phenomena, issue codes and feedback."""
    extra = ["score", "quality", "phenomena", "issue_codes", "main_issue", "feedback"]
    fields = [c for c in rows[0] if c not in extra] + extra if rows else ["text", *extra]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=fields, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        for row, a in zip(rows, assessments, strict=True):
            writer.writerow(
                {
                    **row,
                    "score": a.score,
                    "quality": a.quality,
                    "phenomena": ";".join(sorted(a.phenomena)),
                    "issue_codes": ";".join(a.issue_codes),
                    "main_issue": a.main_issue.code if a.main_issue else "",
                    "feedback": a.feedback,
                }
            )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
