"""Measure a validator on a researcher's own labelled reports (``esm-validate --evaluate FILE``).

The file is CSV or JSON Lines with a ``text`` and a ``label`` (``good`` / ``poor``; ``excellent``
counts as good, ``mid`` is shown in the score means but left out of AUROC and the confusion), and
optionally ``phenomena`` and ``issues`` (a JSON list, or ``;``/``,``-separated in CSV), ``lang`` and
``day``.

Modules: :mod:`.rows` reads and scores the reports, :mod:`.stats` holds AUROC and the bootstrap,
:mod:`.figures` computes every figure, :mod:`.render` prints them. Everything but
:func:`read_rows` is a pure function of its arguments: the bootstrap takes an injected
:class:`random.Random`, so a fixed seed gives the same figures on every run.
"""

from __future__ import annotations

from esm_validate._io import InputError

from .figures import (
    DEFAULT_SEED,
    CodeFigure,
    Confusion,
    Evaluation,
    Figure,
    GroupResult,
    PhenomenonFigure,
    evaluate,
)
from .render import render_table
from .rows import LABELS, EvalRow, ScoredRow, read_rows, score_rows
from .stats import DEFAULT_RESAMPLES, auroc, bootstrap_interval, word_count

__all__ = [
    "DEFAULT_RESAMPLES",
    "DEFAULT_SEED",
    "LABELS",
    "CodeFigure",
    "Confusion",
    "EvalRow",
    "Evaluation",
    "Figure",
    "GroupResult",
    "InputError",
    "PhenomenonFigure",
    "ScoredRow",
    "auroc",
    "bootstrap_interval",
    "evaluate",
    "read_rows",
    "render_table",
    "score_rows",
    "word_count",
]
