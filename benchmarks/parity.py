"""Dump local assessments of a fixed, seeded set of texts, one JSON object per line.

Used to show that two builds of :mod:`esm_validate` judge alike: ``nox -s compiled`` runs this
once against the pure-Python sources and once against the mypyc-compiled wheel and compares the
files byte for byte. The texts are the test corpus, the benchmark reports and seeded variations
of them (upper case, line breaks, typographic quotes, splices, fragments, word salads), under
every training day and both the default and the strict configuration.

Run: ``python benchmarks/parity.py OUT.jsonl``
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path

import bench_local

from esm_validate import ValidationConfig
from esm_validate.local import assess

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
_CONFIGS = (ValidationConfig(), ValidationConfig(strict_mode=True))


def _corpus() -> list[str]:
    texts: list[str] = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle if line.strip())
    for reports in bench_local.REPORTS.values():
        texts.extend(reports)
    return texts


def texts(seed: int = 2026) -> Iterator[str]:
    """The corpus, then seeded variations of it (deterministic for a given ``seed``)."""
    base = _corpus()
    rng = random.Random(seed)
    yield from base
    for text in base:
        yield text.upper()
        yield text.replace(" ", "\n", 3)
        yield text.replace("'", "’").replace("е", "ё")
    for _ in range(300):
        yield f"{rng.choice(base)} {rng.choice(base)}"
    for _ in range(300):
        text = rng.choice(base)
        start, end = sorted((rng.randint(0, len(text)), rng.randint(0, len(text))))
        yield text[start:end]
    words = " ".join(base).split()
    for _ in range(600):
        yield " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
    yield from ("", " ", "😀", "нет", "no", "a" * 5000)


def main() -> None:
    """Write one line per (text, training day, configuration) to the output file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="where to write the JSON lines")
    args = parser.parse_args()
    count = 0
    with args.out.open("w", encoding="utf-8") as out:
        for number, text in enumerate(texts()):
            for config in _CONFIGS:
                for day in (None, 1, 2, 3):
                    assessment = assess(text, training_day=day, config=config)
                    record = assessment.to_dict() | {
                        "n": number,
                        "day": day,
                        "spans": [issue.span for issue in assessment.issues],
                    }
                    out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
                    count += 1
    print(f"{count} assessments written to {args.out}")


if __name__ == "__main__":
    main()
