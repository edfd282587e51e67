"""The project speaks of itself (issue 14, item 7): the bot's code and the docs call the system it
replaces "the original MSE bot", never "the seed", and cite no file outside the repository.

Both packages, the examples, the README and every page of docs/ are read; a random generator's
seed is a different word and stays.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: "seed" meaning the original bot: the seed's, (seed: 6), the seed system, as in the seed ...
ORIGINAL_AS_SEED = re.compile(
    r"\bseed's\b|\(seed(?::\s*\d|\s+``)|\bseed (?:system|target|claim|name)\b|\bin the seed\b|"
    r"\b[Tt]he seed (?:ran|also|recommends|promises|uses)\b|Seed (?:claim|name)\b"
)
OUTSIDE_FILES = re.compile(
    r"\b(?:DES|ORIGINAL_CONFIG|ESM_PRACTICE|AI_BACKENDS|TEST_INFRA)\.md|/shared/"
)


def _texts() -> dict[str, str]:
    paths = [
        *ROOT.glob("src/**/*.py"),
        *ROOT.glob("examples/*.py"),
        *ROOT.glob("docs/**/*.md"),
        ROOT / "README.md",
    ]
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in paths}


def test_no_seed_for_the_original_bot() -> None:
    """Nowhere in the bot's code or the docs is the original MSE bot called the seed."""
    found = [
        f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m[0]}"
        for name, text in _texts().items()
        for m in ORIGINAL_AS_SEED.finditer(text)
    ]

    assert found == []


def test_no_reference_to_files_outside_the_repository() -> None:
    """What a reader needs is in docs/, not in a file they do not have."""
    found = [
        f"{name}: {m[0]}" for name, text in _texts().items() for m in OUTSIDE_FILES.finditer(text)
    ]

    assert found == []
