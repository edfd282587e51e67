"""Compare the local rules with an AI backend on the same reports.

    OPENAI_API_KEY=... python examples/compare_local_ai.py [reports.csv]

The AI comes from the environment (``esm_validate.from_env()``: OPENAI_API_KEY, ANTHROPIC_API_KEY,
or ESM_AI_BASE_URL for an OpenAI-compatible server such as Ollama or vLLM; see the configuration
page of the docs). With no key set it says so and shows the local results alone, so it always runs.

It prints both verdicts side by side and how far they agree: mean absolute score difference,
same quality label, and Spearman's rank correlation (do both put the reports in the same order?).
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import esm_validate

HERE = Path(__file__).resolve().parent
AI_VARIABLES = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ESM_AI_BASE_URL")


def ai_configured() -> bool:
    """True when the environment names an AI backend."""
    if os.environ.get("ESM_AI_PROVIDER", "").strip().lower() == "local":
        return False
    return any(os.environ.get(name, "").strip() for name in AI_VARIABLES)


def ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Spearman's rho, or None when either side has no spread."""
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    return cov / (va * vb) ** 0.5 if va and vb else None


def load_texts(path: Path) -> list[str]:
    """The ``text`` column of a CSV."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle) if row["text"].strip()]


def main(argv: list[str]) -> int:
    """Validate with both, print the comparison."""
    texts = load_texts(Path(argv[0]) if argv else HERE / "reports.csv")
    local = list(esm_validate.validate_many(texts))

    if not ai_configured() or not hasattr(esm_validate, "from_env"):
        print(
            "No AI backend configured (set OPENAI_API_KEY, ANTHROPIC_API_KEY or ESM_AI_BASE_URL);"
        )
        print(f"showing the local rules alone on {len(texts)} reports.\n")
        for text, a in zip(texts, local, strict=True):
            print(f"{a.score:>4} {a.quality:<10} {text[:70]}")
        return 0

    # The per-participant rate limit protects the bot; a one-off batch comparison turns it off.
    validator = esm_validate.from_env({**os.environ, "ESM_RATE_LIMIT": "0"})
    ai: list[esm_validate.Assessment] = []
    try:
        for text in texts:
            ai.append(validator.validate(text, user_id="compare-example"))
            if len(ai) == 3 and all(a.fallback_reason for a in ai):
                print(f"The AI is not answering ({ai[-1].fallback_reason}); stopped after 3.\n")
                break
    finally:
        close = getattr(validator, "close", None)
        if callable(close):
            close()

    print(f"{'local':>10} {'AI':>10}  source      text")
    texts, local = texts[: len(ai)], local[: len(ai)]
    for text, lo, remote in zip(texts, local, ai, strict=True):
        source = remote.source if remote.fallback_reason is None else remote.fallback_reason
        print(
            f"{lo.score:>4} {lo.quality:<5.5} {remote.score:>4} {remote.quality:<5.5}  "
            f"{source:<10.10}  {text[:50]}"
        )

    answered = [(lo, remote) for lo, remote in zip(local, ai, strict=True) if remote.source == "ai"]
    print(f"\nAI answered {len(answered)} of {len(texts)} reports (the rest fell back to local).")
    if answered:
        diff = sum(abs(lo.score - r.score) for lo, r in answered) / len(answered)
        same = sum(lo.quality == r.quality for lo, r in answered) / len(answered)
        rho = spearman([lo.score for lo, _ in answered], [r.score for _, r in answered])
        print(f"mean |local - AI| score: {diff:.1f}; same quality label: {same:.0%}")
        print("Spearman rank correlation: " + ("n/a (no spread)" if rho is None else f"{rho:.2f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
