"""The built-in rules: one small class per issue code, each mapped to a DES criterion (Q1-Q11).

A rule is anything with a ``code`` and a ``check(report)`` that returns (or yields)
:class:`Issue` objects (the :class:`LocalRule` Protocol). The built-in rules return a tuple, empty
when the report is fine (cheaper than a generator on the hot path). Add your own with
``LocalValidator(rules=DEFAULT_RULES + (MyRule(),))``.
"""

from __future__ import annotations

import re

import attrs

from esm_validate._types import Issue, Severity
from esm_validate.protocols import LocalRule

from .report import Report, Span, hit_in

__all__ = [
    "DEFAULT_RULES",
    "ISSUE_PRIORITY",
    "AbstractLabelRule",
    "AvoidanceRule",
    "BehaviorOnlyRule",
    "EmptyRule",
    "GeneralizationRule",
    "HedgingRule",
    "InferredRule",
    "LocalRule",
    "NotMomentaryRule",
    "PresuppositionRule",
    "ReactionToBeepRule",
    "ReadingInnerVoiceRule",
    "TheorizingRule",
    "TooShortRule",
    "UnspecifiedThinkingRule",
    "has_content",
    "is_empty",
    "mental_mention",
]

#: Built-in codes from most to least important (ties of severity are ordered by this).
ISSUE_PRIORITY: tuple[str, ...] = (
    "empty",
    "too_short",
    "avoidance",
    "behavior_only",
    "reaction_to_beep",
    "not_momentary",
    "generalization",
    "inferred",
    "theorizing",
    "unspecified_thinking",
    "hedging",
    "abstract_label",
    "reading_inner_voice",
    "presupposition",
)

# The members as module constants: on Python 3.11 each ``Severity.X`` is a class attribute look-up
# through the enum's metaclass (about 900 instructions); a module global costs a few dozen.
_ERROR = Severity.ERROR
_WARNING = Severity.WARNING
_INFO = Severity.INFO

#: Issues that day 1 (training) treats as notes rather than faults.
_LENIENT_ON_DAY_ONE = frozenset(
    {"unspecified_thinking", "hedging", "abstract_label", "theorizing", "presupposition"}
)


def is_empty(report: Report) -> bool:
    """True when the report has no word characters at all."""
    return report.words == 0


def _severity(report: Report, code: str, severity: Severity) -> Severity:
    if (
        report.training_day == 1
        and not report.config.strict_mode
        and code in _LENIENT_ON_DAY_ONE
        and severity is _WARNING
    ):
        return _INFO
    return severity


#: Markers of non-momentary talk that is not behaviour either.
_NOT_BEHAVIOUR = (
    "generalization",
    "self_theory",
    "causal",
    "interpretation",
    "inferred",
    "period",
    "beep_reaction",
    "abstract",
    "hedge",
)


def mental_mention(report: Report) -> Span | None:
    """The first mention of something mental that is not bare perception, or None.

    "a gut feeling", "I felt", «внутри», "I realised": something was in experience, though its
    form is unknown. "I saw my friend" / «слышала телевизор» alone is perception, i.e. context.
    """
    perception = report.hits.get("perception", ())
    spans = [s for s in report.hits.get("experiential", ()) if s not in perception]
    for category in ("speech_intuition", "thought_word", "bodily"):
        spans.extend(report.hits.get(category, ()))
    return min(spans) if spans else None


#: Derived hits that are experiential content though no phenomenon (see :mod:`.content`).
CONTENT_CATEGORIES = ("x_sensory", "x_bodily")


def has_content(report: Report) -> bool:
    """True when the report has experiential content of any kind: a phenomenon, a sensory
    quality or a bodily sensation (with or without a framing verb)."""
    return bool(report.phenomena) or report.has_any(CONTENT_CATEGORIES)


def _has_experience(report: Report) -> bool:
    return has_content(report) or report.has("blank")


@attrs.frozen
class EmptyRule:
    """Nothing written (or only emoji and punctuation)."""

    code: str = "empty"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag a report without a single word."""
        if report.words == 0:  # (is_empty without the call)
            return (report.issue(self.code, None, _ERROR),)
        return ()


@attrs.frozen
class TooShortRule:
    """Fewer words or characters than the config's minimum."""

    code: str = "too_short"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag a report too short to describe a moment (milder when it names a phenomenon)."""
        words = report.words
        if words == 0:
            return ()
        config = report.config
        # Each word has at least one character that is not a space: with as many words as the
        # minimum of characters, the letter count needs no look.
        if words < config.required_words or (
            words < config.min_length and _fewer_letters(report.text, config.min_length)
        ):
            if report.words >= 2 and report.has_any(CONTENT_CATEGORIES):
                return ()  # «плечи каменные»: two words of concrete content are a report
            severity = _WARNING if report.phenomena else _ERROR
            return (report.issue(self.code, None, severity),)
        return ()


def _fewer_letters(text: str, minimum: int) -> bool:
    """True when ``text`` has fewer than ``minimum`` non-space characters (a prefix first)."""
    if len(text) < minimum:
        return True
    if len("".join(text[: 2 * minimum].split())) >= minimum:
        return False
    return len("".join(text.split())) < minimum


@attrs.frozen
class AvoidanceRule:
    """Q11: an evasive answer ("nothing special", «как обычно»); honest absence is not one."""

    code: str = "avoidance"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag evasive phrases, and a bare "nothing"/«нормально» when that is all there is."""
        hits = report.hits
        blank = hits.get("blank", ())
        avoidance = hits.get("avoidance")
        spans = _not_within(avoidance, blank) if avoidance else []
        if not spans and report.words <= 4 and not _has_experience(report):
            spans = _not_within(hits.get("avoidance_weak", ()), blank)
        if spans:
            severity = _WARNING if report.phenomena else _ERROR
            return (report.issue(self.code, spans[0], severity),)
        if blank and not has_content(report) and not _described(report):
            # A bare "nothing" («ничего не думал», "mind blank"): not thinking is not the
            # absence of experience; the tip asks what was there.
            return (report.issue(self.code, blank[0], _WARNING),)
        return ()


def _described(report: Report) -> bool:
    """A blank with something concrete beside it («белый шум, глаза на пятне на обоях») or
    during an activity (just doing): a real report, not a bare "nothing"."""
    return report.has_any(("x_detail", "activity", "doing_cue", "gaze"))


def _within(span: Span, others: tuple[Span, ...]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in others)


def _not_within(spans: tuple[Span, ...], others: tuple[Span, ...]) -> list[Span]:
    """The ``spans`` that lie inside none of ``others``."""
    if not spans or not others:
        return list(spans)
    return [s for s in spans if not _within(s, others)]


@attrs.frozen
class GeneralizationRule:
    """Q3/Q10: habits, generalities and self-theories ("usually", «я визуал», "everyone")."""

    code: str = "generalization"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag the first generalisation that is not itself negated ("not usually")."""
        span = report.first("generalization", "self_theory")
        if span is not None:
            return (report.issue(self.code, span, _WARNING),)
        return ()


def generalization_count(report: Report) -> int:
    """How many generalisation markers the report has ("not usually" is not one)."""
    return report.count("generalization") + report.count("self_theory")


#: A period marker that starts like this is a duration: it times the experience itself.
_DURATION = re.compile(
    r"(?:all|the\s+whole|for|during|throughout|since|over\s+the|весь|всю|вс[её]|целый|целое|"
    r"в\s+течение|на\s+протяжении|последние|с\s+утра)(?!\w)"
)
_THOUGHTS = ("thinking_unspecified", "ut_cue", "inner_speech", "inner_seeing", "thought_word")


def _thought_content(report: Report, span: Span) -> bool:
    """True for "picturing the drawing from this morning", «представляла, как вечером буду
    гулять»: after a thought or an image in the same sentence, a point in time (not a duration)
    names what the thought was about, not when the experience happened."""
    if _DURATION.match(report.normalised, span[0]):
        return False
    return hit_in(report.hits, _THOUGHTS, (report.sentence_of(span[0])[0], span[0]))


@attrs.frozen
class NotMomentaryRule:
    """Q1: a period, earlier or later events, plans, instead of the moment of the beep."""

    code: str = "not_momentary"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag period markers, or a narrative sequence ("and then ... after that")."""
        span = None
        for period in report.hits.get("period", ()):
            if not _thought_content(report, period):
                span = period
                break
        if span is None and report.count("sequence") >= 2:
            span = report.first("sequence")
        if span is not None:
            return (report.issue(self.code, span, _WARNING),)
        return ()


@attrs.frozen
class ReactionToBeepRule:
    """Q2: the reaction to the beep or the writing moment instead of what the beep interrupted."""

    code: str = "reaction_to_beep"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag "the beep startled me", «после сигнала», "now as I write"."""
        span = report.first("beep_reaction")
        if span is not None:
            return (report.issue(self.code, span, _WARNING),)
        return ()


@attrs.frozen
class TheorizingRule:
    """Q6: causal explanation or interpretation ("because", «это значит, что я...»)."""

    code: str = "theorizing"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag the first causal or interpretive marker outside quotes."""
        span = report.first("causal", "interpretation")
        if span is not None:
            return (report.issue(self.code, span, _severity(report, self.code, _WARNING)),)
        return ()


@attrs.frozen
class InferredRule:
    """Q5: experience inferred rather than apprehended ("I must have been", «должно быть»)."""

    code: str = "inferred"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag the first inference marker."""
        span = report.first("inferred")
        if span is not None:
            return (report.issue(self.code, span, _WARNING),)
        return ()


def hedge_spans(report: Report) -> list[Span]:
    """Hedges that are not part of an inference marker (those count as ``inferred``)."""
    hedges = report.hits.get("hedge", ())
    inferred = report.hits.get("inferred", ())
    if not hedges or not inferred:
        return list(hedges)
    return [s for s in hedges if not any(a < s[1] and s[0] < b for a, b in inferred)]


@attrs.frozen
class HedgingRule:
    """Q7: subjunctification and hedges ("probably", «кажется», «было бы»); similes are fine."""

    code: str = "hedging"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag the first hedge outside quotes and outside an inference marker."""
        spans = hedge_spans(report)
        if spans:
            return (report.issue(self.code, spans[0], _severity(report, self.code, _WARNING)),)
        return ()


@attrs.frozen
class BehaviorOnlyRule:
    """Q4: activity or context with no experience at all ("I was driving")."""

    code: str = "behavior_only"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag a report with words but no phenomenon, feeling, thought, sensation or blank."""
        # (is_empty, and has_content's first test, without the calls)
        if report.words == 0 or report.phenomena or _has_experience(report):
            return ()
        if report.has_any(_PRESUPPOSED):
            return ()  # a form was named (presupposition), not only behaviour
        if report.has("thinking_unspecified") or mental_mention(report) is not None:
            return ()  # something thought, felt, noticed; "I saw my friend" alone is context
        if report.has("avoidance") or (report.words <= 4 and report.has("avoidance_weak")):
            return ()
        if report.words < 3 and not report.has("activity"):
            return ()
        if report.has_any(("beep_reaction", "abstract")) or (
            not report.has("activity") and report.has_any(_NOT_BEHAVIOUR)
        ):
            return ()  # a habit, a theory, a plan: flagged by their own rules, not behaviour
        # Graded, not gated: a warning whose weight the score takes from the report's concrete
        # outward detail (a cursor after 'invoice' ranks above "worked on the project").
        return (report.issue(self.code, report.first("activity"), _WARNING),)


#: Looking, reading, words on a screen: outward attention, the context of a moment.
_OUTWARD_ATTENTION = (
    "gaze",
    "perception",
    "reading",
    "quote_other_speaker",
    "quote_frame",
    "c_doing",
    "doing_cue",
)


def scene_with_qualities(report: Report) -> bool:
    """True for "a blue mug on the sill, a chipped handle": things and their qualities, with no
    doing named, no look at a screen and no number read off one. Such a report may give what
    was present to the writer (an image, a sensation the detector missed) rather than what they
    did: the score takes half the behaviour-only deduction from it."""
    hits = report.hits
    details = hits.get("x_detail", ())
    if (
        not details
        or not hits.get("sensory_quality")
        or hits.get("activity")
        or report.has_any(_OUTWARD_ATTENTION)
    ):
        return False
    normalised = report.normalised
    for start, end in details:
        for char in normalised[start:end]:
            if char.isdigit():
                return False  # a count, a time or a reading: the context of a doing
    return True


#: Phenomena that give a thought its form.
_FORMED = frozenset({"inner_speech", "inner_seeing", "inner_hearing", "unsymbolized_thinking"})


@attrs.frozen
class UnspecifiedThinkingRule:
    """Q8: "I was thinking about X" with no form (words? image? wordless?)."""

    code: str = "unspecified_thinking"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag "thinking about" when no form of the thought is given."""
        if report.has_any(_PRESUPPOSED):
            return ()  # the presupposition tip asks for the words or the image
        thoughts = report.hits.get("thinking_unspecified", ())
        span = None
        for thought in thoughts:
            if not _beside(report, thought, _REACTION):
                span = thought
                break
        if (
            not thoughts
            and not report.phenomena  # (has_content's first test, without the call)
            and not has_content(report)
            and not report.has("blank")
        ):
            if _voice_while_reading(report) is not None:
                return ()  # the reading_inner_voice question asks what the voice was like
            # something mental is named ("a gut feeling", "my inner voice told me") but no form
            span = mental_mention(report)
            if span is not None and _beside(report, span, _REACTION):
                span = None
        if span is not None and report.phenomena.isdisjoint(_FORMED):
            return (report.issue(self.code, span, _severity(report, self.code, _WARNING)),)
        return ()


def _beside(report: Report, span: Span, categories: tuple[str, ...]) -> bool:
    """True when a hit of ``categories`` starts in the sentence of ``span``."""
    return hit_in(report.hits, categories, report.sentence_of(span[0]))


#: A thought beside these is about the beep ("when it beeped I thought I'd forgotten again",
#: «после сигнала подумала»), not of the moment it interrupted: the reaction-to-beep tip asks
#: for that moment, so asking for the thought's form would be the wrong tip.
_REACTION = ("beep_reaction",)


#: A label beside these is not a lone label: a body part or a detail in its sentence places or
#: describes it ("a bit of sadness, somewhere in the chest", «тоска, под рёбрами тянет»).
_NOT_LONE = ("c_body_part", "detail")


@attrs.frozen
class AbstractLabelRule:
    """Q9: an emotion or evaluation label with no experiential detail ("felt good")."""

    code: str = "abstract_label"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag a lone label: a feeling without any detail, or an evaluation with no phenomenon."""
        phenomena = report.phenomena
        if phenomena:  # a feeling alone, without any detail
            if len(phenomena) != 1 or "feeling" not in phenomena:
                return ()
            if report.quotes or report.has_any(("bodily", "x_bodily", "detail", "simile")):
                return ()  # some experiential detail
            span = report.evidence["feeling"][0]
        elif report.has("abstract"):
            span = report.hits["abstract"][0]
        elif report.has("feeling") and report.words <= 12:
            span = report.hits["feeling"][0]  # a guessed or non-momentary label (not a feeling)
        else:
            return ()
        if _beside(report, span, _NOT_LONE):
            return ()
        return (report.issue(self.code, span, _severity(report, self.code, _WARNING)),)


#: Hits of a form named with no content (see :class:`PresuppositionRule`).
_PRESUPPOSED = ("x_presupposition", "speech_vague", "x_presupposition_form", "form_vague")
#: The message and tip key of a presupposed image or sound (not inner words).
PRESUPPOSED_FORM = "presupposition_form"
_IMAGERY = frozenset({"inner_seeing", "inner_hearing"})


@attrs.frozen
class PresuppositionRule:
    """Q8/Q9: a form named with no content («мысленно что-то проговаривал», "some self-talk",
    "the usual voice in my head", «картинка какая-то была», "song stuck in my head"): the form
    presupposed, its words, what was seen or which tune not given."""

    code: str = "presupposition"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag inner speech named without its words, an image or a sound without its content."""
        severity = _severity(report, self.code, _WARNING)
        span = report.first("speech_vague", "x_presupposition")
        if span is not None and "inner_speech" not in report.phenomena:
            return (report.issue(self.code, span, severity),)
        span = report.first("x_presupposition_form", "form_vague")
        if span is not None and _no_known_imagery(report):
            # "a picture in my head of something": the message names an image or a sound
            message = report.message(PRESUPPOSED_FORM, report.extend_words(span, 2))
            return (Issue(self.code, message, severity, span),)
        return ()


def _no_known_imagery(report: Report) -> bool:
    """True when every image or sound found is one named without its content (a tune with no
    name stays inner hearing, filed also as ``x_presupposition_form``)."""
    presupposed = report.hits.get("x_presupposition_form", ())
    evidence = report.evidence
    for code in _IMAGERY:
        for span in evidence.get(code, ()):
            if span not in presupposed:
                return False
    return True


def _voice_while_reading(report: Report) -> Span | None:
    """Where an inner voice is claimed while reading (what :class:`ReadingInnerVoiceRule` flags)."""
    return report.first("reading_voice", "inner_speech") if report.has("reading") else None


@attrs.frozen
class ReadingInnerVoiceRule:
    """An inner voice claimed while reading: a follow-up question, never a fault (Brouwers 2018)."""

    code: str = "reading_inner_voice"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """Flag reading plus a voice claim, with the follow-up question in the message."""
        span = _voice_while_reading(report)
        if span is None:
            return ()
        data = report.data
        informal = report.config.address == "informal"
        catalogue = data.follow_up_informal if informal else data.follow_up
        follow_up = catalogue.get(self.code, "")
        message = f"{report.message(self.code)} {follow_up}".strip()
        return (Issue(self.code, message, _INFO, span),)


#: The built-in rules, in the order they run.
DEFAULT_RULES: tuple[LocalRule, ...] = (
    EmptyRule(),
    TooShortRule(),
    AvoidanceRule(),
    BehaviorOnlyRule(),
    ReactionToBeepRule(),
    NotMomentaryRule(),
    GeneralizationRule(),
    InferredRule(),
    TheorizingRule(),
    UnspecifiedThinkingRule(),
    HedgingRule(),
    AbstractLabelRule(),
    ReadingInnerVoiceRule(),
    PresuppositionRule(),
)

#: The rules that still run when ``use_golden_standard`` is off.
BASIC_RULE_CODES: frozenset[str] = frozenset({"empty", "too_short", "avoidance"})

#: For a built-in rule class, the hit categories of which at least one must be present for its
#: check to find anything (the engine skips the call otherwise). Only these exact classes: a
#: subclass or a custom rule always runs.
RULE_TRIGGERS: dict[type, frozenset[str]] = {
    AvoidanceRule: frozenset({"avoidance", "avoidance_weak", "blank"}),
    ReactionToBeepRule: frozenset({"beep_reaction"}),
    NotMomentaryRule: frozenset({"period", "sequence"}),
    GeneralizationRule: frozenset({"generalization", "self_theory"}),
    InferredRule: frozenset({"inferred"}),
    TheorizingRule: frozenset({"causal", "interpretation"}),
    UnspecifiedThinkingRule: frozenset(
        {"thinking_unspecified", "experiential", "speech_intuition", "thought_word", "bodily"}
    ),
    HedgingRule: frozenset({"hedge"}),
    ReadingInnerVoiceRule: frozenset({"reading"}),
    PresuppositionRule: frozenset(
        {"speech_vague", "x_presupposition", "x_presupposition_form", "form_vague"}
    ),
}
