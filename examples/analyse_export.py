"""Analyse an exported DES study: compliance, quality over training days, phenomena, issues.

    esm-bot export --format csv --out study.csv
    python examples/analyse_export.py study.csv

Without a file it analyses a simulated study (see ``simulated_study.py``), so it runs offline.
Needs pandas (``pip install esm-validate[pandas]``).

What it prints, the questions a lab meeting asks:

1. Compliance: answered beeps per study day.
2. Did training work? Share of reports rated good or better per study day (the original MSE bot
   promises "from 40% to 70%+"), and the mean score, training days against sampling days.
3. Phenomena: how often each appears, next to Heavey & Hurlburt (2008)'s sampling norms.
4. The issue codes that remain on sampling days, and the participants who need a word.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

try:
    import pandas as pd
except ImportError:  # pragma: no cover - depends on the installation
    print("This example needs pandas: pip install 'esm-validate[pandas]'")
    sys.exit(0)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import simulated_study  # the sibling module, found through the line above

#: Share of sampled moments with each phenomenon (Heavey & Hurlburt 2008, 30 participants).
NORMS = {
    "inner_seeing": 0.34,
    "inner_speech": 0.26,
    "feeling": 0.26,
    "unsymbolized_thinking": 0.22,
    "sensory_awareness": 0.22,
}
GOOD_OR_BETTER = {"good", "excellent", "pristine"}
#: Column names of older exports or hand-made files, mapped to the names ``esm-bot export`` uses.
ALIASES = {"text": "report_text", "beep_utc": "scheduled_utc", "source": "validator_source"}


def load(path: Path) -> pd.DataFrame:
    """Read an export CSV; the codes columns become lists."""
    df = pd.read_csv(path, dtype={"phenomena": str, "issue_codes": str}, keep_default_na=False)
    df = df.rename(columns={k: v for k, v in ALIASES.items() if k in df and v not in df})
    for column in ("phenomena", "issue_codes"):
        df[column] = df[column].map(lambda s: [c for c in str(s).split(";") if c])
    df["training"] = df["training"].astype(str).str.lower().isin({"true", "1", "yes"})
    df["score"] = pd.to_numeric(df["score"], errors="coerce")
    return df


def answered(df: pd.DataFrame) -> pd.DataFrame:
    """The rows with a report (first attempts only, when the export has retries)."""
    reports = df[df["report_text"].astype(str).str.len() > 0]
    if "attempt" in reports:
        reports = reports[pd.to_numeric(reports["attempt"], errors="coerce").fillna(1) == 1]
    return reports


def compliance_by_day(df: pd.DataFrame) -> pd.Series:
    """Answered share of scheduled beeps, per study day."""
    beeps = df.drop_duplicates(["participant", "study_day", "beep_index"])
    is_answered = beeps["report_text"].astype(str).str.len() > 0
    return is_answered.groupby(beeps["study_day"]).mean().rename("compliance")


def quality_by_day(reports: pd.DataFrame) -> pd.DataFrame:
    """Per study day: reports, mean score, share good or better."""
    good = reports["quality"].isin(GOOD_OR_BETTER)
    return pd.DataFrame(
        {
            "reports": reports.groupby("study_day").size(),
            "mean_score": reports.groupby("study_day")["score"].mean().round(1),
            "good_or_better": good.groupby(reports["study_day"]).mean().round(2),
        }
    )


def phenomena_against_norms(reports: pd.DataFrame) -> pd.DataFrame:
    """Share of sampling-day reports showing each phenomenon, next to the published norms."""
    sampled = reports[~reports["training"]]
    if sampled.empty:
        sampled = reports
    counts = sampled["phenomena"].explode().value_counts()
    order = [*NORMS, "inner_hearing"]
    share = (counts / len(sampled)).reindex(order).fillna(0.0)
    table = pd.DataFrame({"this_study": share.round(2), "heavey_hurlburt_2008": pd.Series(NORMS)})
    return table.reindex(order)


def main(argv: list[str]) -> int:
    """Analyse the export given, or a simulated one."""
    if argv:
        path = Path(argv[0])
        if not path.is_file():
            print(f"analyse_export: no such file: {path}", file=sys.stderr)
            return 2
        return report(load(path), str(path))
    with tempfile.TemporaryDirectory() as tmp:
        path = simulated_study.write_export(Path(tmp) / "study_export.csv")
        return report(load(path), "a simulated study (simulated_study.py)")


def report(df: pd.DataFrame, name: str) -> int:
    """Print the analysis of one export."""
    reports = answered(df)
    participants = df["participant"].nunique()
    print(f"Study: {name}: {participants} participants, {len(df)} beeps, {len(reports)} reports\n")

    print("1. Compliance by study day")
    print(compliance_by_day(df).round(2).to_string(), "\n")

    print("2. Quality by study day (training days first)")
    by_day = quality_by_day(reports)
    print(by_day.to_string())
    first, last = by_day["good_or_better"].iloc[0], by_day["good_or_better"].iloc[-1]
    print(f"   good or better: {first:.0%} on day 1 -> {last:.0%} on the last day")
    split = reports.groupby("training")["score"].mean().reindex([True, False]).dropna()
    split = split.rename({True: "training", False: "sampling"})
    print("   mean score: " + ", ".join(f"{k} {v:.1f}" for k, v in split.items()), "\n")

    print("3. Phenomena on sampling days against Heavey & Hurlburt (2008)")
    print(phenomena_against_norms(reports).to_string(), "\n")

    sampling = reports[~reports["training"]]
    print("4. Issues left on sampling days")
    issues = sampling["issue_codes"].explode().dropna().value_counts().head(6)
    print((issues.to_string() if len(issues) else "   none"), "\n")
    weakest = sampling.groupby("participant")["score"].mean().sort_values().head(2).round(1)
    print(
        "   lowest mean score on sampling days: "
        + ", ".join(f"{p} {s}" for p, s in weakest.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
