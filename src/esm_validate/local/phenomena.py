"""Which DES phenomena a report shows (multi-label), with the spans of the evidence.

The rules follow the definitions (DES.md §3.1) rather than vocabulary:

* inner speech: a self-talk marker («сказала себе», "in my own voice") or a quotation framed as
  one's own words; not the intuition idiom «внутренний голос подсказывал», not speech to others;
* inner seeing / inner hearing: imagery markers, not cancelled by a negation («не было образов»);
* unsymbolized thinking: a wordless-thought marker ("just knew", «было понимание, что»), or a
  thought that is explicitly without words or images («без слов»); a blank mind is not one;
* feeling: an emotion word that is not negated (bodily sensation alone is not a feeling);
* sensory awareness: attention *to* a sensory quality («залюбовалась бликом», "drawn to the
  hum"), not an object seen while doing a task ("looked at the screen to read the email");
* just doing: an explicit statement that only the doing was there.
"""

from __future__ import annotations

from .report import Report, Span

__all__ = ["detect_phenomena"]

_SELF_FRAME = (
    "себе",
    "про себя",
    "мысленно",
    "в голове",
    "в уме",
    "myself",
    "in my head",
    "in my mind",
    "silently",
    "innerly",
    "inwardly",
)


def _overlaps(span: Span, others: tuple[Span, ...]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in others)


def _quoted_speech(report: Report) -> list[Span]:
    found: list[Span] = []
    frames = report.hits.get("quote_frame", ())
    others = report.hits.get("quote_other_speaker", ())
    no_words = [s for s in report.hits.get("symbol_negation", ()) if "сл" in _text(report, s)]
    no_words += [s for s in report.hits.get("symbol_negation", ()) if "word" in _text(report, s)]
    for quote in report.quotes:
        inner = quote[1] - quote[0] - 2
        if inner < 1:
            continue
        start, end = report.sentence_of(quote[0])
        start = min(start, quote[0])
        end = max(end, quote[1])
        sentence = report.normalised[start:end]
        framed = any(start <= s and e <= end and not (quote[0] <= s < quote[1]) for s, e in frames)
        colon_before = (
            report.normalised[max(0, quote[0] - 3) : quote[0]].strip().endswith((":", "—"))
        )
        if not (framed or colon_before):
            continue
        near_other = any(
            quote[0] - 40 <= s < quote[0] or quote[1] <= s < quote[1] + 25 for s, _ in others
        )
        if near_other and not any(f in sentence for f in _SELF_FRAME):
            continue
        if any(start <= s < end for s, _ in no_words):
            continue
        found.append(quote)
    return found


def _text(report: Report, span: Span) -> str:
    return report.normalised[span[0] : span[1]]


def _sensory_awareness(report: Report) -> list[Span]:
    qualities = report.hits.get("sensory_quality", ())
    if not qualities:
        return []
    instrumental = report.hits.get("instrumental", ())
    bodily = report.hits.get("bodily", ())
    feeling_present = report.has("feeling")
    found: list[Span] = []
    for attend in report.hits.get("sensory_attend", ()):
        clause_start, clause_end = report.sentence_of(attend[0])
        for quality in qualities:
            if not (attend[0] <= quality[0] <= attend[1] + 70 and quality[1] <= clause_end):
                continue
            if feeling_present and _overlaps(quality, bodily):
                continue  # the bodily side of a named feeling
            if any(clause_start <= s < clause_end for s, _ in instrumental):
                continue  # seeing in order to do something: perception, not SA
            found.append((attend[0], quality[1]))
            break
    return found


def detect_phenomena(report: Report) -> tuple[frozenset[str], dict[str, tuple[Span, ...]]]:
    """Return the phenomenon codes of ``report`` and the evidence spans of each."""
    evidence: dict[str, list[Span]] = {}
    intuition = report.hits.get("speech_intuition", ())
    speech = [s for s in report.hits.get("inner_speech", ()) if not _overlaps(s, intuition)]
    speech += _quoted_speech(report)
    if speech:
        evidence["inner_speech"] = speech
    for code in ("inner_seeing", "inner_hearing", "just_doing"):
        if report.has(code):
            evidence[code] = list(report.hits[code])
    if "inner_hearing" in evidence and "inner_speech" in evidence:
        # «в голове звучал мой голос» is inner speech; another's voice or a song is hearing.
        hearing = [s for s in evidence["inner_hearing"] if not _overlaps(s, tuple(speech))]
        if hearing:
            evidence["inner_hearing"] = hearing
        else:
            del evidence["inner_hearing"]
    blank = report.hits.get("blank", ())
    thoughts = [s for s in report.hits.get("thought_word", ()) if not _overlaps(s, blank)]
    ut = list(report.hits.get("ut_cue", ()))
    if report.has("symbol_negation") and (thoughts or ut):
        ut += list(report.hits["symbol_negation"])
    if ut:
        evidence["unsymbolized_thinking"] = ut
    feelings = [
        s for s in report.hits.get("feeling", ()) if not _overlaps(s, report.hits.get("ut_cue", ()))
    ]
    if feelings:
        evidence["feeling"] = feelings
    sensory = _sensory_awareness(report)
    if sensory:
        evidence["sensory_awareness"] = sensory
    frozen = {code: tuple(sorted(spans)) for code, spans in evidence.items()}
    return frozenset(frozen), frozen
