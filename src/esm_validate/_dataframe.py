"""Add assessment columns to a pandas DataFrame of reports (needs the ``pandas`` extra).

pandas is imported only when :func:`assess_dataframe` runs: ``import esm_validate`` never needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._batch import validate_many
from ._output import RESULT_COLUMNS, flat_columns
from .protocols import Validator

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DATAFRAME_COLUMNS", "assess_dataframe"]

#: The columns :func:`assess_dataframe` adds (with its *prefix* in front): the same ones the
#: command line adds to a CSV, so results from both join the same way.
DATAFRAME_COLUMNS = RESULT_COLUMNS


def assess_dataframe(
    df: pd.DataFrame,
    column: str = "text",
    *,
    lang: str | None = None,
    training_day: int | None = None,
    progress: bool = False,
    validator: Validator | None = None,
    prefix: str = "",
) -> pd.DataFrame:
    """Return a copy of *df* with the assessment of each report in *column* added as columns.

    The added columns are :data:`DATAFRAME_COLUMNS`: ``score`` (int), ``quality``, ``phenomena``
    and ``issue_codes`` (``;``-joined strings, as in the CLI's CSV; ``df.phenomena.str.split(";")``
    gives lists), ``main_issue`` (empty string when none), ``feedback``, ``lang`` and ``source``.
    Missing reports (NaN/None) are assessed as empty reports, so every row gets a result and the
    index is kept, ready to join. *df* itself is not changed.

    Args:
        df: The reports, one per row.
        column: The column with the report text.
        lang: ``"ru"`` or ``"en"`` for every report; detected per report when None.
        training_day: The training day to judge by; day 3 rules when None.
        progress: Show a tqdm progress bar when tqdm is installed.
        validator: Any :class:`~esm_validate.Validator`; the local rules when None.
        prefix: Put in front of every added column name (e.g. ``"esm_"``) to keep existing ones.

    Raises:
        KeyError: *column* is not a column of *df* (the message lists the columns).
    """
    import pandas as pd

    if column not in df.columns:
        msg = f"no column {column!r} in the DataFrame (columns: {', '.join(map(str, df.columns))})"
        raise KeyError(msg)
    texts = [_as_text(value) for value in df[column].tolist()]
    rows = [
        flat_columns(a)
        for a in validate_many(
            texts, lang=lang, training_day=training_day, progress=progress, validator=validator
        )
    ]
    results = pd.DataFrame(rows, columns=list(DATAFRAME_COLUMNS), index=df.index)
    results["score"] = results["score"].astype("int64")
    out = df.copy()
    for name in DATAFRAME_COLUMNS:
        out[prefix + name] = results[name]
    return out


def _as_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    return value if isinstance(value, str) else str(value)
