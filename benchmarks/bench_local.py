"""Benchmark of the local validator: median time per typical ~200-character report.

Compares :func:`esm_validate.validate` with one tokenising pass over the same text
(``re.findall(r"\\w+", text)``), the floor of any word-level analysis. Prints a small table
(median and best call; the ratio is of the medians); no timed assertions (the figures depend on
the machine and its load).

Run: ``python benchmarks/bench_local.py [--rounds N]``
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable

import esm_validate

#: Typical reports of about 200 characters (one moment, a few clauses), both languages.
REPORTS: dict[str, tuple[str, ...]] = {
    "ru": (
        "В момент сигнала я говорила себе: «где же ключи?» — своим голосом, быстро. "
        "Было лёгкое раздражение и тяжесть в плечах, смотрела на синюю кружку на столе, "
        "и тиканье часов, больше ничего.",
        "Обычно в это время я думаю о работе, потому что у меня много дел, наверное, "
        "думала о проекте и о том, что завтра надо сдать отчёт начальнику, как всегда в "
        "пятницу, и это меня всегда напрягает.",
        "Представляла море: серо-зелёные волны, мокрый песок, картинка неподвижная, "
        "как фото. Без слов. Одновременно чувствовала спокойствие, тепло в груди и "
        "лёгкость в руках, как после сна.",
    ),
    "en": (
        "At the beep I was saying to myself 'where are my keys?' in my own voice, fast. "
        "I felt a bit annoyed, a heaviness in my shoulders, looking at the blue mug on "
        "the desk and the ticking clock. Nothing else.",
        "I usually think about work in the afternoon because I always have a lot on my "
        "mind, so probably I was thinking about the project and the deadline tomorrow, "
        "as usual on Fridays, which always stresses me.",
        "I was picturing the sea, grey-green waves and wet sand, still like a photo. No "
        "words. At the same time I felt calm, a warmth spreading in my chest and a "
        "lightness in my arms, like after a nap.",
    ),
}

_TOKENS = re.compile(r"\w+")


def _samples(function: Callable[[str], object], texts: tuple[str, ...], rounds: int) -> list[float]:
    """Seconds per call of ``function``, each text in turn, ``rounds`` times."""
    samples: list[float] = []
    clock = time.perf_counter
    for _ in range(rounds):
        for text in texts:
            start = clock()
            function(text)
            samples.append(clock() - start)
    return samples


def build() -> str:
    """``"compiled (mypyc)"`` when the hot-path modules are extension modules, else pure Python."""
    from esm_validate.local import report

    compiled = not (report.__file__ or "").endswith(".py")
    return "compiled (mypyc)" if compiled else "pure Python"


def main() -> None:
    """Print median (and best) microseconds per report for validate() and one tokenising pass."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000, help="repetitions per report")
    args = parser.parse_args()
    for texts in REPORTS.values():  # warm up: compile the lexicons once
        for text in texts:
            esm_validate.validate(text)
    print(f"esm_validate build: {build()}")
    print(
        f"{'lang':<5}{'chars':>7}{'validate µs':>14}{'(best)':>8}"
        f"{'tokenise µs':>14}{'(best)':>8}{'ratio':>8}"
    )
    # perf_counter medians: wall time, so a loaded machine inflates both columns alike. The best
    # call shows what the machine can do when nothing else runs.
    for lang, texts in REPORTS.items():
        chars = round(statistics.mean(len(t) for t in texts))
        ours = _samples(esm_validate.validate, texts, args.rounds)
        floor = _samples(_TOKENS.findall, texts, args.rounds)
        median, tokenise = statistics.median(ours), statistics.median(floor)
        print(
            f"{lang:<5}{chars:>7}{median * 1e6:>14.1f}{min(ours) * 1e6:>8.1f}"
            f"{tokenise * 1e6:>14.2f}{min(floor) * 1e6:>8.2f}{median / tokenise:>8.0f}"
        )


if __name__ == "__main__":
    main()
