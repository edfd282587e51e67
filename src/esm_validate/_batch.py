"""Validate many reports lazily, in input order, with an optional progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import TextIO, TypeAlias

from ._types import Assessment
from .protocols import Validator

__all__ = ["validate_many"]


def validate_many(
    texts: Iterable[str],
    *,
    lang: str | None = None,
    training_day: int | None = None,
    progress: bool = False,
    validator: Validator | None = None,
) -> Iterator[Assessment]:
    """Assess every report in *texts*, yielding one :class:`~esm_validate.Assessment` per report.

    Results stream: each report is read from *texts* only when its result is requested, so a
    generator over a huge file never has to fit in memory. Order is the input order.

    Args:
        texts: Any iterable of report texts (a list, a generator, a pandas Series...).
        lang: ``"ru"`` or ``"en"`` for every report; detected per report when None.
        training_day: The training day to judge by (1..3); day 3 rules when None.
        progress: Show a tqdm progress bar on stderr. Silently no bar when tqdm is not
            installed (``pip install esm-validate[progress]``).
        validator: Any :class:`~esm_validate.Validator` (for example the stack returned by
            ``esm_validate.from_env()``); the local rules (:func:`esm_validate.validate`) when None.

    Yields:
        One assessment per input text, in order.

    Raises:
        TypeError: When an item of *texts* is not a string (raised when that item is reached).
    """
    check = _local_check() if validator is None else _protocol_check(validator)
    for index, text in enumerate(_with_progress(texts, enabled=progress)):
        yield check(_require_str(index, text), lang, training_day)


def _require_str(index: int, text: object) -> str:
    if not isinstance(text, str):
        msg = f"validate_many: item {index} is {type(text).__name__}, expected str"
        raise TypeError(msg)
    return text


_Check: TypeAlias = Callable[[str, str | None, int | None], Assessment]


def _local_check() -> _Check:
    from .local import validate

    def check(text: str, lang: str | None, training_day: int | None) -> Assessment:
        return validate(text, lang=lang, training_day=training_day)

    return check


def _protocol_check(validator: Validator) -> _Check:
    def check(text: str, lang: str | None, training_day: int | None) -> Assessment:
        return validator.validate(text, lang=lang, training_day=training_day)

    return check


def _with_progress(
    texts: Iterable[str], *, enabled: bool, stream: TextIO | None = None
) -> Iterable[str]:
    """Wrap *texts* in a tqdm bar when asked and tqdm is importable; otherwise return it as is."""
    if not enabled:
        return texts
    try:
        from tqdm import tqdm
    except ImportError:
        return texts
    total = len(texts) if isinstance(texts, Sized) else None
    bar: Iterable[str] = tqdm(
        texts,
        total=total,
        unit="report",
        file=stream or sys.stderr,
        leave=False,
        dynamic_ncols=True,
    )
    return bar
