"""Which DES phenomena a report shows (multi-label), with the spans of the evidence.

The rules follow the definitions (Heavey & Hurlburt 2008; docs/method.md) rather than vocabulary:

* inner speech: a self-talk marker («сказала себе», "in my own voice") or a quotation framed as
  one's own words, or a report that is only the words («"где ж ключи-то"»); not the intuition
  idiom «внутренний голос подсказывал», not speech to others, not speech named without its
  words or with only its topic (a presupposition: «мысленно что-то проговаривал», "talking to
  myself about work"), not a voice claimed while reading;
* inner seeing / inner hearing: imagery markers, not cancelled by a negation («не было образов»),
  and a scene described as seen while absent («мамин балкон», "grandma's kitchen"); someone
  else's voice or a tune is hearing, not speech;
* unsymbolized thinking: a wordless-thought marker ("just knew", «было понимание, что»), or a
  thought that is explicitly without words or images («без слов»); a blank mind is not one,
  nor a feeling without words ("anxious ... no words or images with it");
* feeling: an emotion word that is not negated, not guessed, not outside the moment, not
  hypothetical or the usual, not asked about ("was i nervous??"), not explained as a habit in
  its sentence, not another's ("is he mad at me?"), not the tone of an inner voice
  or of words described (bodily sensation alone is not a feeling; a feeling felt "cold, under my
  ribs" is a feeling, not sensory awareness);
* sensory awareness: attention *to* a sensory quality («залюбовалась бликом», "drawn to the
  hum"), or a clause whose content is a sensory quality or a bodily sensation stated for itself
  («мокрый асфальт пахнет железом», "tingling in my left foot"); not an object seen while doing
  a task ("looked at the screen to read the email"), not one the report says went unnoticed,
  not in a need, a plan or a sequence of events told («надо купить холодный чай», «потом
  звонок»);
* just doing: an explicit statement that only the doing was there ("just folding towels,
  nothing else").

In a report of habits, theories and hedges nothing is a phenomenon of the moment; with fewer of
them, feelings and sensations in such a clause are context, not phenomena.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Mapping

from .content import any_within, hit_starts
from .report import Span, hit_in, sentence_at

__all__ = ["phenomena_of"]

#: Words that make a quotation the reporter's own inner speaking even next to a song or a voice.
_SELF_FRAME = (
    "себе",
    "про себя",
    "мысленно",
    "своим голосом",
    "моим голосом",
    "подумал",
    "myself",
    "silently",
    "innerly",
    "inwardly",
    "my own voice",
    "my voice",
    "свой голос",
    "мой голос",
    "i thought",
    "не вслух",
    "not out loud",
    "not aloud",
    "under my breath",
    "through my teeth",
)
#: A voice heard («папин голос», "her voice").
_VOICE = ("голос", "voice")
#: One's own voice named: words in it are one's own inner speech.
_OWN_VOICE = (
    "my voice",
    "my own voice",
    "своим голосом",
    "моим голосом",
    "свой голос",
    "мой голос",
)
_START = re.Match.start
_CLAUSE = re.compile(r"[^,;:.!?…—–\n]+")
_CONTRAST_WORDS = ("but", "но", "а", "however", "однако")
# The whole words of _CONTRAST_WORDS, i.e. (?<!\w)(?:but|но|...)(?!\w), written with the
# look-behind after each first letter ((?<!\w.): no word character before that letter): a
# pattern that starts with literals lets the regex engine skip other characters quickly.
_CONTRAST = re.compile(
    "(?:"
    + "|".join(re.escape(w[0]) + r"(?<!\w.)" + re.escape(w[1:]) for w in _CONTRAST_WORDS)
    + r")(?!\w)"
)
#: Categories whose clause does not describe the moment.
_DISCOUNTING = ("generalization", "self_theory", "inferred")
#: The categories that :func:`_discounted` starts from (with none, it finds nothing).
_DISCOUNTING_ANY = frozenset((*_DISCOUNTING, "causal"))


def _overlaps(span: Span, others: tuple[Span, ...]) -> bool:
    start, end = span
    # A loop rather than any() over a generator (two calls each on Python 3.11).
    for s, e in others:  # noqa: SIM110
        if s < end and start < e:
            return True
    return False


def _quoted_speech(
    hits: Mapping[str, tuple[Span, ...]],
    normalised: str,
    quotes: tuple[Span, ...],
    sentences: tuple[Span, ...],
) -> list[Span]:
    found: list[Span] = []
    frames = hits.get("quote_frame", ())
    others = hits.get("quote_other_speaker", ())
    no_words = hits.get("word_negation", ())
    unknown = hits.get("content_unknown", ())
    for quote in quotes:
        inner = quote[1] - quote[0] - 2
        if inner < 1:
            continue
        start, end = sentence_at(sentences, quote[0])
        start = min(start, quote[0])
        end = max(end, quote[1])
        sentence = normalised[start:end]
        framed = False
        for s, e in frames:  # (a loop: a generator in any() costs a call on 3.11)
            if start <= s and e <= end and not (quote[0] <= s < quote[1]):
                framed = True
                break
        colon_before = normalised[max(0, quote[0] - 3) : quote[0]].strip().endswith((":", "—"))
        if not (framed or colon_before):
            continue
        near_other = bool(others) and any(
            quote[0] - 40 <= s < quote[0] or quote[1] <= s < quote[1] + 25 for s, _ in others
        )
        hearing = _starts_in(hits.get("inner_hearing", ()), start, end)
        if (near_other or hearing) and not any(f in sentence for f in _SELF_FRAME):
            continue  # someone else's words, a title, a song: not one's own inner speaking
        if _starts_in(no_words, start, end) or _starts_in(unknown, quote[1], end):
            continue  # "... but could not say what any of the words were": not the words
        found.append(quote)
    return found


def _discounted(hits: Mapping[str, tuple[Span, ...]], normalised: str) -> list[Span]:
    """Stretches that do not describe the moment: a generalising or inferring clause, and what
    follows a causal marker in its clause ("I always have an inner monologue", "because I worry").
    """
    markers: list[int] = []
    for category in _DISCOUNTING:
        for start, _ in hits.get(category, ()):
            markers.append(start)
    causal = hits.get("causal", ())
    if not markers and not causal:
        return []
    markers.sort()
    # Past the last marker (and a clause it carries over to) nothing more is found.
    last = max(markers[-1] if markers else -1, causal[-1][0] if causal else -1)
    count = len(markers)
    # Where "but"/«но» words start, found once when first needed. A contrast word is a whole
    # word and no word crosses a clause boundary, so the first one at or after a clause's start
    # and before its end is what a search within the clause finds.
    contrasts: list[int] | None = None
    found: list[Span] = []
    carry = False  # a parenthetical marker («должно быть,», "probably,") governs the next clause
    for match in _CLAUSE.finditer(normalised):
        start, end = match.span()
        if start > last and not carry:
            break
        first = bisect.bisect_left(markers, start)  # the clause's first marker, if any
        has_marker = first < count and markers[first] < end
        marked = False
        if has_marker or carry:
            if contrasts is None:
                contrasts = list(map(_START, _CONTRAST.finditer(normalised)))
            index = bisect.bisect_left(contrasts, start)
            scope_end = contrasts[index] if index < len(contrasts) else end
            if scope_end > end:
                scope_end = end
            marked = has_marker and markers[first] < scope_end
            if marked or carry:
                found.append((start, scope_end))
        carry = marked and len(match.group().split()) <= 3
        for s, _ in causal:  # (a loop: a comprehension costs a call on Python 3.11)
            if start <= s < end:
                found.append((s, end))
    return found


def _outside_stretches(
    evidence: dict[str, list[Span]], stretches: list[Span]
) -> dict[str, list[Span]]:
    """The ``evidence`` whose spans start outside every one of ``stretches`` (codes left with
    none dropped)."""
    kept: dict[str, list[Span]] = {}
    for code, spans in evidence.items():
        inside: list[Span] = []
        for span in spans:
            start = span[0]
            for a, b in stretches:
                if a <= start < b:
                    break
            else:
                inside.append(span)
        if inside:
            kept[code] = inside
    return kept


def _starts_in(spans: tuple[Span, ...], start: int, end: int) -> bool:
    """True when one of ``spans`` starts within ``start``..``end`` (``end`` excluded)."""
    for s, _ in spans:  # noqa: SIM110  # (a loop: a generator in any() costs a call on 3.11)
        if start <= s < end:
            return True
    return False


def _sensory_awareness(
    hits: Mapping[str, tuple[Span, ...]], sentences: tuple[Span, ...]
) -> list[Span]:
    qualities = hits.get("sensory_quality", ())
    attends = hits.get("sensory_attend", ())
    if not qualities or not attends:
        return []
    instrumental = hits.get("instrumental", ())
    bodily = hits.get("bodily", ())
    feelings = hits.get("feeling", ())
    imagined = (
        hits.get("inner_speech", ()) + hits.get("inner_hearing", ()) + hits.get("inner_seeing", ())
    )
    found: list[Span] = []
    for attend in attends:
        clause_start, clause_end = sentence_at(sentences, attend[0])
        for quality in qualities:
            if not attend[0] - 60 <= quality[0] <= attend[1] + 70:
                continue
            if not (clause_start <= quality[0] and quality[1] <= clause_end):
                continue
            if _overlaps(quality, bodily) and _starts_in(feelings, clause_start, clause_end):
                continue  # the bodily side of a named feeling
            if _starts_in(feelings, attend[1], quality[0]) or _starts_in(
                feelings, quality[1], quality[1] + 2
            ):
                continue  # a feeling felt («ощутила тревогу ... как холодный комок», "a hot shame")
            if _starts_in(instrumental, clause_start, clause_end):
                continue  # seeing in order to do something: perception, not SA
            if _overlaps(quality, imagined):
                continue  # a quality of words, a voice or an image («в голове звучал голос»)
            found.append((attend[0], quality[1]))
            break
    return found


def _not_later(
    spans: list[Span], later: tuple[Span, ...], sentences: tuple[Span, ...]
) -> list[Span]:
    """The ``spans`` whose sentence does not open with a marker of what came later («Потом
    поняла, что это опять ваш бот», "then i realised ..."): a thought after the moment."""
    kept: list[Span] = []
    for span in spans:
        low = sentence_at(sentences, span[0])[0]
        for start, _ in later:
            if low <= start <= low + 2 and start < span[0]:
                break
        else:
            kept.append(span)
    return kept


#: Phenomena whose sensory qualities are their own detail (a loud inner voice, a red image).
_SYMBOLS = ("inner_speech", "inner_hearing", "inner_seeing")
#: In a content clause's sentence up to its end: the sensation serves a task, or is a thought's
#: topic (a clause before "thinking about" is not its topic).
_NOT_AWARENESS = ("instrumental", "thinking_unspecified")
#: In a content clause's sentence anywhere: a sequence of events told ("then the bell",
#: «сначала обжариваю морковь до золотистого цвета, потом мясо»), not a moment apprehended.
_TOLD = ("sequence",)


def _content_awareness(
    hits: Mapping[str, tuple[Span, ...]],
    normalised: str,
    sentences: tuple[Span, ...],
    evidence: dict[str, list[Span]],
) -> list[Span]:
    """Sensory awareness without an attention verb: a clause whose content is a sensory quality
    or a bodily sensation (see :mod:`.content`), stated for itself («мокрый асфальт пахнет
    железом», "tingling in my left foot"): not in an activity clause without an attention verb,
    not in service of a task, not a thought's topic, not the bodily side of a named feeling,
    not a quality of imagined words, sounds or scenes (the ``evidence`` of speech, hearing
    or seeing in the same sentence; of a scene only, for a bodily clause), not a quality of a
    feeling (in its clause, or after a feeling felt in its sentence: "I felt a dull dread, cold,
    under my ribs"), not a described blank («белый шум в голове»). A quality typed straight after
    a named feeling ("embarrassed, cheeks going red") is the feeling's; beside words, an image
    or a wordless thought and no feeling named, a sensation felt only where feelings are felt
    (see :func:`_feeling_side`) is a feeling's bodily side, filed in ``evidence`` as the
    feeling ("wordless: he's lying. a chill in my gut")."""
    found: list[Span] = []
    symbols: list[Span] = []
    for code in _SYMBOLS:
        symbols.extend(evidence.get(code, ()))
    # (words and sounds have no body: after them a bodily clause is one's own body; an image
    # may have one, "her face, cheeks red")
    seen = evidence.get("inner_seeing", [])
    blank = hits.get("blank", ())
    feelings = tuple(evidence.get("feeling", ()))
    felt = bool(feelings)
    # a feeling felt ("I felt a dull dread, cold, under my ribs"): what follows is its quality
    attended = [f for f in feelings if _in_sentence(hits.get("sensory_attend", ()), f, sentences)]
    # (beside words, an image or a wordless thought and no feeling named, a sensation in the
    # seat of a feeling is the feeling's bodily side: "wordless: he's lying. a chill in my gut")
    unnamed = not felt and (bool(symbols) or "unsymbolized_thinking" in evidence)
    sides: list[Span] = []
    bodily = False
    for name in ("x_sensory", "x_bodily"):
        # beside a named feeling, a bodily clause is its bodily side, unless it is a sensation
        # of its own ("bored + itchy scalp", "cat's fur hot under my palm")
        own = name == "x_bodily" and felt
        described = seen if name == "x_bodily" else symbols
        for clause in hits.get(name, ()):
            if own and (
                _overlaps(clause, feelings) or not _own_sensation(hits, normalised, clause)
            ):
                continue
            if (
                felt
                and _follows_feeling(feelings, normalised, clause)
                and _feeling_side(hits, normalised, clause, False)
            ):
                continue  # "mortified, neck going red", «досада, горячая, в щеках»
            if unnamed and name == "x_bodily" and _feeling_side(hits, normalised, clause):
                sides.append(clause)
                continue
            sentence = sentence_at(sentences, clause[0])
            if (
                hit_in(hits, _NOT_AWARENESS, (sentence[0], clause[1]))
                or hit_in(hits, _TOLD, sentence)
                or _describes_symbol(clause, sentence, described)
                or (attended and _describes_symbol(clause, sentence, attended))
            ):
                continue
            if _overlaps(clause, blank) or _overlaps(clause, feelings):
                continue  # a described blank; a feeling's quality ("a quiet sadness")
            found.append(clause)
            bodily = bodily or name == "x_bodily"
    if sides:
        evidence["feeling"] = sides
    # Beside words, an image or a wordless thought, a passing sensory clause is context:
    # sensory awareness needs two content words or more ("burnt-milk smell, sweet and
    # sickly"), not one ("while the kettle was hissing").
    if (
        found
        and (symbols or evidence.get("unsymbolized_thinking"))
        and _content_words(hits, found) + _body_parts(hits, normalised, found, bodily) < 2
    ):
        # one content word: still awareness in a sentence of its own, beside a wordless
        # thought ("cold tiles under bare feet. knowing, wordlessly, ...")
        if symbols:
            return []
        thought = tuple(evidence.get("unsymbolized_thinking", ()))
        return [c for c in found if not _overlaps(sentence_at(sentences, c[0]), thought)]
    return found


#: Before a hand or a foot: a thing touched ("under my palm", «между пальцами»), felt by touch.
_TOUCH = frozenset(["under", "between", "against", "beneath", "под", "между"])
#: The parts that touch: hands and feet (not "a stab under the ribs").
_TOUCHING = ("palm", "finger", "hand", "thumb", "foot", "feet", "ладон", "пал", "рук", "ступн")


def _own_sensation(hits: Mapping[str, tuple[Span, ...]], normalised: str, clause: Span) -> bool:
    """True when a bodily ``clause`` is a sensation of its own beside a named feeling, not the
    feeling's bodily side: a sensation no feeling is felt as (an itch, hunger, numbness,
    «ноги гудят»), or a thing touched, its quality felt under a hand or between the fingers
    ("dog's ear so soft between my fingers", «шерсть под ладонью тёплая»)."""
    start, end = clause
    for s, _ in hits.get("c_own", ()):
        if start <= s < end:
            return True
    for part, _ in hits.get("c_body_part", ()):
        if (
            start <= part < end
            and normalised.startswith(_TOUCHING, part)
            and not _TOUCH.isdisjoint(normalised[max(start, part - 16) : part].split()[-2:])
        ):
            return True
    return False


def _follows_feeling(feelings: tuple[Span, ...], normalised: str, clause: Span) -> bool:
    """True when ``clause`` comes right after a named feeling, only marks between them."""
    for _, end in feelings:
        if end <= clause[0] and not normalised[end : clause[0]].strip(_PUNCTUATION + " "):
            return True
    return False


def _feeling_side(
    hits: Mapping[str, tuple[Span, ...]], normalised: str, clause: Span, placed: bool = True
) -> bool:
    """True when a bodily ``clause`` is felt only in the seats of a feeling (``_FEELING_SIDE``),
    with no sensation of its own (an itch, a sore throat, a touch) and nothing sensed from
    outside but warmth or cold (a wind, a bass thudding; the sun on the face, «жар в лицо»; a
    verb of the body's own, "ache", is no outside thing):
    the bodily side of a feeling ("heat climbing up my neck", «холодок в животе»). With
    ``placed`` False a clause with no body part may be one too (a quality typed straight after
    the feeling, «досада, горячая»)."""
    start, end = clause
    seated = False
    for part, part_end in hits.get("c_body_part", ()):
        if not start <= part < end:
            continue
        before = normalised[max(start, part - 12) : part].split()[-2:]
        if (
            not normalised.startswith(_FEELING_SIDE, part)
            or not _ONTO.isdisjoint(before)
            or (before[-1:] == ["в"] and normalised[part:part_end] in _ONTO_RU)
        ):
            return False  # felt elsewhere, or coming onto the body from outside
        seated = True
    if (placed and not seated) or _own_sensation(hits, normalised, clause):
        return False
    felt = hits.get("c_body_feel", ())
    for name in ("c_sense", "c_sense_verb"):
        for s, e in hits.get(name, ()):
            if start <= s < end and not normalised.startswith(_WARMTH, s) and (s, e) not in felt:
                return False  # a thing from outside: wind on the cheeks, a bass in the ribs
    return True


def _describes_symbol(clause: Span, sentence: Span, symbols: list[Span]) -> bool:
    """True when a content ``clause`` is a quality of words, a sound or an image named in its
    ``sentence`` ("a loud inner voice", "seeing the folder, blue, with a stain"): the clause
    holds the symbol or follows it. A clause before every symbol of its sentence is a
    sensation of its own ("knee aching and throbbing, and I was saying to myself ...")."""
    for start, end in symbols:
        if sentence[0] <= start < sentence[1] and start < clause[1]:
            return True
        if start < clause[1] and clause[0] < end:
            return True
    return False


def _content_words(hits: Mapping[str, tuple[Span, ...]], clauses: list[Span]) -> int:
    """How many content words start in ``clauses``."""
    words = 0
    for name in _CONTENT_WORDS:
        for start, _ in hits.get(name, ()):
            for a, b in clauses:  # (loops: a generator in any() costs a call on 3.11)
                if a <= start < b:
                    words += 1
                    break
    return words


#: The seats of feelings: a sensation there beside words or an image is often a feeling's side.
_FEELING_SEATS = (
    "груд",
    "сердц",
    "живот",
    "горл",
    "желуд",
    "chest",
    "heart",
    "stomach",
    "gut",
    "throat",
    "belly",
    "tummy",
)
#: Where a feeling is felt in the body (the chest, the gut, the throat, a flushing face, neck
#: or ears): the stems a body part starts with.
_FEELING_SIDE = (
    *_FEELING_SEATS,
    "face",
    "cheek",
    "neck",
    "rib",
    "breastbone",
    "лиц",
    "щек",
    "ше",
    "ребр",
    "ребер",
    "грудин",
    "солнечн",
)

#: Before a body part: what comes onto it from outside ("sun on my face", "heat into my face").
_ONTO = frozenset(["on", "onto", "into", "against"])
#: After «в»: the body part as a direction, «жар в лицо», «ветер в шею» (not «в лице», «в шее»).
_ONTO_RU = frozenset(["лицо", "шею", "щеки", "щеку"])
#: Warmth and cold, felt inside as well as from outside ("heat climbing up my neck").
_WARMTH = ("chill", "cool", "heat", "warm", "жар", "прохлад", "тепл", "холод")


def _body_parts(
    hits: Mapping[str, tuple[Span, ...]], normalised: str, clauses: list[Span], bodily: bool
) -> int:
    """How many body parts, other than the seats of feelings, start in ``clauses`` when one of
    them is bodily: a sensation placed in the body ("cold tiles under my heels", "wind biting
    my ears") is one's own, not passing context (0 without a bodily clause)."""
    if not bodily:
        return 0
    parts = 0
    for start, _ in hits.get("c_body_part", ()):
        if normalised.startswith(_FEELING_SEATS, start):
            continue
        for a, b in clauses:  # (loops: a generator in any() costs a call on 3.11)
            if a <= start < b:
                parts += 1
                break
    return parts


#: The content-word categories of :mod:`.content` (counted for sensory awareness).
_CONTENT_WORDS = (
    "c_quality",
    "c_sense",
    "c_sense_verb",
    "c_body_feel",
    "c_quality_weak",
    "c_colour",
)


def _in_sentence(spans: tuple[Span, ...], span: Span, sentences: tuple[Span, ...]) -> bool:
    """True when one of ``spans`` starts in the sentence of ``span``."""
    return _starts_in(spans, *sentence_at(sentences, span[0]))


def _outside(spans: tuple[Span, ...], others: tuple[Span, ...]) -> list[Span]:
    """The ``spans`` that overlap none of ``others``."""
    if not others:
        return list(spans)
    return [s for s in spans if not _overlaps(s, others)]


def _speech_without_words(
    hits: Mapping[str, tuple[Span, ...]],
    normalised: str,
    spans: list[Span],
    quoted: bool,
    sentences: tuple[Span, ...],
) -> bool:
    """True when inner speech is named but no words are given: «мысленно что-то проговаривал»,
    "some self-talk going on", «разговаривала сама с собой» (a presupposition in DES)."""
    if quoted:
        return False
    if hits.get("speech_vague"):
        return True
    for start, end in spans:
        after = normalised[end : end + 80]
        stop = _SENTENCE_END.search(after)
        clause = after[: stop.start()] if stop else after
        if _WORDS_GIVEN.match(clause):
            return False
        before = normalised[sentence_at(sentences, start)[0] : start]
        for word in _WORD_RE.findall(before + " " + normalised[start:end]):
            if word not in _FRAME_WORDS and _SPEECH_WORD.match(word) is None:
                return False  # «произнесла его имя», "repeated the phone number"
        topic = False
        for word in _WORD_RE.findall(clause):
            if topic:  # what follows is what it was about, «про работу», until «что»
                topic = word not in _WORDS_AFTER_TOPIC  # «про дедлайн, что не успею»
                continue
            if word in _TOPIC:
                topic = True
                continue
            if word not in _FRAME_WORDS and _SPEECH_WORD.match(word) is None:
                return False
    return True


#: A topic after a speech marker: what the speech was about, not its words ("talking to myself
#: about work", «разговаривала сама с собой про работу», "inner monologue re work stuff").
_TOPIC = frozenset(["about", "re", "regarding", "про", "о", "об", "насчет"])
#: After a topic, the words that start the speech itself ("about the deadline that I'd never
#: make it", «про дедлайн, что не успею»).
_WORDS_AFTER_TOPIC = frozenset(["that", "like", "что", "чтобы"])


_WORD_RE = re.compile(r"[\w'-]+")
#: Words of the speech marker itself («проговаривала», "saying", «голосом»).
_SPEECH_WORD = re.compile(
    r"(?:say|said|tell|told|talk|speak|spoke|repeat|whisper|mutter|ask|narrat|rehears|count|"
    r"innerly|inwardly|internally|voice|monolog|dialog|speech|inner|self-talk|go|went|conv|chat|"
    r"argu|debat|"
    r"говор|сказ|проговар|произн|повтор|разговар|бормот|шепт|спрос|спраш|твер|бубн|монолог|"
    r"диалог|голос|реч|внутрен|мысленн|обраща|беседова|спорил)"
)


_SENTENCE_END = re.compile(r"[.!?…\n]")
#: Words around a speech marker that say where or how, not what («в голове», "to myself").
_FRAME_WORDS = frozenset(
    [
        "в",
        "голове",
        "уме",
        "про",
        "себя",
        "себе",
        "мысленно",
        "внутри",
        "тихо",
        "сам",
        "сама",
        "сами",
        "с",
        "собой",
        "опять",
        "снова",
        "постоянно",
        "всё",
        "все",
        "время",
        "фоне",
        "на",
        "как",
        "обычно",
        "я",
        "был",
        "была",
        "было",
        "мой",
        "моим",
        "свой",
        "своим",
        "i",
        "was",
        "were",
        "am",
        "my",
        "own",
        "in",
        "head",
        "mind",
        "to",
        "myself",
        "silently",
        "again",
        "quietly",
        "on",
        "the",
        "background",
        "all",
        "time",
        "as",
        "per",
        "usual",
        "having",
        "with",
        "had",
        "per",
        "a",
        "bit",
        "some",
        "me",
        "it",
        "at",
        "beep",
        "before",
        "just",
        "right",
        "moment",
        "signal",
        "then",
        "when",
        "момент",
        "сигнала",
        "сигналом",
        "перед",
        "прямо",
        "тот",
        "этот",
        "тогда",
        "когда",
    ]
)
#: After a speech marker: the words follow (a colon, a dash, "that ...", «что ...», "to ...").
_WORDS_GIVEN = re.compile(r"\s*(?:[:—–-]\s*\S|(?:that|to|что|чтобы|как)\s+\w)")


def _whole_quote(normalised: str, quotes: tuple[Span, ...]) -> list[Span]:
    """A report that is (almost) only a quotation, or that opens with one: the words
    themselves, typed as they were («"где ж ключи-то"», "'ok 3 more reps'", "'dont cry' and my
    eyes stinging")."""
    if not quotes:
        return []
    start, end = quotes[0]
    if end - start > 4 and not normalised[:start].strip():
        return [quotes[0]]
    if len(quotes) != 1:
        return []
    other = 0
    for word in _WORD_RE.findall(normalised[:start] + " " + normalised[end:]):
        if word not in _FRAME_WORDS:
            other += 1
    return [quotes[0]] if other <= 1 and end - start > 4 else []


#: Only a chat-length report is searched for repeated words (:func:`_repeated_words`).
_REPEAT_LIMIT = 240
#: Sounds, laughter and intensifiers, not words said: "la la la", «тук тук тук», "very very".
_NOT_SAID = frozenset(
    ["la", "da", "ha", "bla", "blah", "very", "so", "ла", "да", "ха", "хи", "та", "тук", "очень"]
)
#: Hits whose words, repeated, are a feeling, a sensation or a tune ("bored bored bored").
_NOT_WORDS = ("feeling", "sensory_quality", "c_quality", "c_sense", "c_sense_verb", "c_body_feel")
_EQ = operator.eq
#: Stripped from a whitespace-separated token to leave its word.
_PUNCT = ".,;:!?…—–-()[]\"'«»“”„"


def _repeated_words(
    hits: Mapping[str, tuple[Span, ...]], normalised: str, sentences: tuple[Span, ...]
) -> list[Span]:
    """The inner words typed as they came, repeated in a loop ("come on come on come on",
    "nearly there nearly there", «не успею не успею»): a phrase of two or three words said
    twice or more, or one word three times; not sounds or intensifiers (:data:`_NOT_SAID`),
    not a repeated feeling or sensation ("bored bored bored"), not after a sound in its
    sentence ("leaf blower, whiny, up and down up and down": the sound's course), not in a
    sentence with a tune ("mum singing in my head, row row row your boat": its words)."""
    raw_words = normalised.split()
    # (a quick no, compared in C: a loop repeats a token one to three tokens on)
    if not (
        any(map(_EQ, raw_words, raw_words[1:]))
        or any(map(_EQ, raw_words, raw_words[2:]))
        or any(map(_EQ, raw_words, raw_words[3:]))
    ):
        return []
    stripped = [raw.strip(_PUNCT) for raw in raw_words]
    words = [word for word in stripped if word]
    count = len(words)
    places: list[Span] = []  # the words' spans, found only for a loop
    for size in (3, 2, 1):
        need = 3 if size == 1 else 2
        # (a loop can only start where the word ``size`` on repeats this one: compared in C)
        for index in itertools.compress(itertools.count(), map(_EQ, words, words[size:])):
            if index + size * need > count:
                break
            unit = words[index : index + size]
            times = 1
            while words[index + size * times : index + size * (times + 1)] == unit:
                times += 1
            if times >= need and _NOT_SAID.isdisjoint(unit):
                places = places or _word_places(normalised, raw_words, stripped)
                span = (places[index][0], places[index + size * times - 1][1])
                if not any(_overlaps(span, hits.get(name, ())) for name in _NOT_WORDS):
                    low, high = sentence_at(sentences, span[0])
                    if _starts_in(hits.get("x_sensory", ()), low, span[0]) or _starts_in(
                        hits.get("inner_hearing", ()), low, high
                    ):
                        return []  # a sound's course, a song's words
                    return [span]
    return []


def _word_places(normalised: str, raw_words: list[str], stripped: list[str]) -> list[Span]:
    """Where each non-empty stripped word of ``normalised.split()`` stands (str.find, not a
    regex pass)."""
    places: list[Span] = []
    at = 0
    for raw, word in zip(raw_words, stripped, strict=True):
        at = normalised.index(raw, at)
        if word:
            start = at + raw.index(word)
            places.append((start, start + len(word)))
        at += len(raw)
    return places


#: An owner word before a scene noun: someone else's or a past place («мамин балкон»,
#: "grandma's kitchen", "last year's exam hall", «сестрёнкина комната», «старой квартиры»).
_OWNER_RU = re.compile(
    r"(?:мамин|папин|бабушкин|дедушкин|сестрин|стар|бывш|детск|прошл|(?:сестр|сестренк|брат|"
    r"братишк|тет|дяд|подруж|мам|пап)\w*ин|дедов|отцов)"
)
#: Before such a word in English: "my old flat", "her childhood room", "the former office".
_PAST = frozenset(["old", "childhood", "first", "former", "late"])
_OWNERS = frozenset(["my", "her", "his", "our", "their", "the"])
_POSSESSIVE = frozenset(["'s", "s'"])
#: Kin typed as a possessive without the apostrophe ("grandads workbench", "mums kitchen").
_KIN_S = frozenset(
    [
        "grandads",
        "grandpas",
        "grandmas",
        "grans",
        "nans",
        "mums",
        "moms",
        "dads",
        "aunties",
        "aunts",
        "uncles",
        "sisters",
        "brothers",
    ]
)
#: Every owner word of :func:`_remote` contains one of these.
_OWNER_CUE = re.compile(
    r"'|ин(?:[аоыуе]|ой|ого|ому|ым|ых|ую)?\s|стар|бывш|детск|прошл|old|childhood|first|former|late"
    r"|my\s|дедов|отцов|(?:grandad|grandpa|grandma|gran|nan|mum|mom|dad|auntie|aunt|uncle|sister|"
    r"brother)s\s"
)


def _remote(normalised: str, start: int) -> bool:
    """True when one of the two words before ``start`` names an owner or a past: a scene seen
    while absent, i.e. an image ("grandma's kitchen", "my old flat", «папин гараж»)."""
    window = normalised[max(0, start - 40) : start]
    if _OWNER_CUE.search(window) is None:  # most place words have no owner: a quick no
        return False
    words = window.split()[-3:]
    index = len(words) - 1
    while index >= 0 and index >= len(words) - 2:
        word = words[index]
        if word[-2:] == "s'" and (index == 0 or words[index - 1] not in _OWNERS - {"the"}):
            pass  # a kind of place, not an owner's ("the nurses' station", "teachers' lounge")
        elif word[-2:] in _POSSESSIVE or word in _KIN_S or _OWNER_RU.match(word) is not None:
            return True
        if index:
            before = words[index - 1]
            if (before == "my" and word[-1] == "s") or (word in _PAST and before in _OWNERS):
                return True
        index -= 1
    return False


#: After a place noun: its description follows within two words ("garage right there: ...").
_DESCRIBED = re.compile(r"(?:\s+[\w'-]+){0,3}\s*(?:[,:;.!?)—–-]|\W*$)")


def _other_voices(
    hits: dict[str, tuple[Span, ...]], normalised: str, voices: tuple[Span, ...]
) -> None:
    """File someone else's voice described with a word or two between ("coach's raspy voice",
    "the advert singer's high voice"), and a tune named and nothing more ("the tetris tune,
    the fast version"), as ``inner_hearing`` (the markers take "her voice", "song stuck")."""
    found: list[Span] = []
    for start, end in voices:
        window = normalised[max(0, start - 40) : start]
        if normalised[start] == "v":  # a voice
            if "'s " not in window:
                continue
            words = window.split()[-3:]
            if len(words) >= 2 and (words[-2].endswith("'s") or words[0].endswith("'s")):
                found.append((start, end))
        elif _NAMED_END.match(normalised, end) is not None and _NAMED.search(window):
            found.append((start, end))
    if found:
        hits["inner_hearing"] = tuple(sorted(hits.get("inner_hearing", ()) + tuple(found)))


#: A tune named: "the/that/this" a word or two before it, a clause mark or the end after it.
_NAMED = re.compile(r"(?<!\w)(?:the|that|this)\s+(?:[\w'-]+\s+){0,2}$")
_NAMED_END = re.compile(r"\s*(?:[,.;:!?)]|\W*$)")


#: A time long past right after a place: the place is remembered, seen while absent ("the beach
#: in crete from last summer", «пляж в анапе прошлым летом», «двор в детстве»).
_PAST_TIMES = (
    "last summer",
    "last winter",
    "last spring",
    "last autumn",
    "last year",
    "years ago",
    "as a kid",
    "as a child",
    "in childhood",
    "when i was little",
    "when i was a kid",
    "прошлым летом",
    "прошлой зимой",
    "прошлой весной",
    "прошлой осенью",
    "в прошлом году",
    "в детстве",
    "лет назад",
    "год назад",
    "когда была маленькой",
    "когда был маленьким",
)


def _long_ago(normalised: str, start: int, end: int) -> bool:
    """True when a place at ``start``..``end`` opens its sentence (one word or none before it:
    a scene named, not "we went to the beach last summer") and a time long past
    (:data:`_PAST_TIMES`) follows within 30 characters in the same sentence ("the beach in
    crete from last summer")."""
    before = normalised[max(0, start - 30) : start]
    for mark in ".!?\n":
        before = before.rpartition(mark)[2]
    if len(before.split()) > 1 or (start >= 30 and len(before) == 30):
        return False
    after = normalised[end : end + 30]
    stop = _SENTENCE_END.search(after)
    if stop is not None:
        after = after[: stop.start()]
    return any(time in after for time in _PAST_TIMES)


#: Right after a place: a clause of one's past there ("the park where we met", «улица, где я
#: жила»): the place is remembered. A past verb: "-ed" or a common irregular one; «-л», «-ла»,
#: «-ли», «-лся», «-лась», «-лись».
_WHERE_PAST = re.compile(
    r"[\w' -]{0,16}(?:,\s*)?(?:where|где)\s+(?:i|we|я|мы)\s+(?:used\s+to\s+)?"
    r"(?:\w+ed|met|grew|spent|had|went|was|were|\w+(?:л|ла|ли|лся|лась|лись))(?!\w)"
)
#: Before such a place: the reporter's own words (who was there, not a scene seen).
_OWN_WORDS = frozenset(
    ["i", "i'm", "im", "i've", "ive", "i'd", "me", "we", "us", "я", "мне", "меня", "мы", "нас"]
)


def _where_we_were(normalised: str, start: int, end: int) -> bool:
    """True when a place at ``start``..``end`` opens its sentence (up to four words before it,
    none of them the reporter's: "the bandstand in the park", not "we walked in the park") and
    a clause of one's past there follows (:data:`_WHERE_PAST`): a place remembered ("the
    bandstand in the park where we met, green railings")."""
    if _WHERE_PAST.match(normalised, end) is None:
        return False
    before = normalised[max(0, start - 40) : start]
    for mark in ".!?\n":
        before = before.rpartition(mark)[2]
    words = before.split()
    return (
        len(words) <= 4 and _OWN_WORDS.isdisjoint(words) and not (start >= 40 and len(before) == 40)
    )


def _remote_scenes(hits: Mapping[str, tuple[Span, ...]], normalised: str) -> list[Span]:
    """Scene nouns described as seen though absent (see :func:`_remote`): a scene noun before a
    punctuation mark, or a place word with its description within two words after it; or a
    place with a time long past right after it (:func:`_long_ago`)."""
    found: list[Span] = []
    for start, end in hits.get("scene_noun", ()):
        if (
            _remote(normalised, start)
            or _long_ago(normalised, start, end)
            or _where_we_were(normalised, start, end)
        ):
            found.append((start, end))
    for start, end in hits.get("c_place", ()):
        if (
            (_DESCRIBED.match(normalised, end) is not None and _remote(normalised, start))
            or _long_ago(normalised, start, end)
            or _where_we_were(normalised, start, end)
        ):
            found.append((start, end))
    return found


#: After a form named: it is negated like the one before it («слов не было, картинки тоже»).
#: (the end of the clause after it: not «картинка тоже была»)
_TOO = re.compile(r"\s*(?:тоже|также|either)\s*(?:[,;.!?…—–]|\Z)")


def _drop_negated_too(
    evidence: dict[str, list[Span]],
    negations: tuple[Span, ...],
    normalised: str,
    sentences: tuple[Span, ...],
) -> None:
    """Drop images, sounds and words named after a negation of words or images in their
    sentence with "too" or "either" right after them: negated in turn ("слов не было,
    картинки тоже", "no words, and no pictures either")."""
    for code in _SYMBOLS:
        spans = evidence.get(code)
        if not spans:
            continue
        kept: list[Span] = []
        for span in spans:
            low = sentence_at(sentences, span[0])[0]
            if _TOO.match(normalised, span[1]) is None or not any(
                low <= start < span[0] for start, _ in negations
            ):
                kept.append(span)
        if len(kept) < len(spans):
            _keep(evidence, code, kept)


#: A report's opening phrase: up to 40 characters before its first clause mark, one of
#: :data:`_OPENING_MARKS` (a list of details follows), not the end of a sentence.
_OPENING_LENGTH = 40
_FIRST_MARK = re.compile(r"[,:;—–.!?\n]")
_OPENING_MARKS = frozenset(",:—–")
#: Hits in the opening phrase that make it no object seen: a voice, a sound, a smell or a
#: sensation named, a feeling, words, a time ("dad's voice, ...", "this morning's practice: ...").
_NOT_SEEN = (
    "c_voice",
    "inner_hearing",
    "inner_speech",
    "feeling",
    "period",
    "c_sense",
    "c_sense_verb",
    "sensory_quality",
    "c_quality",
    "c_body_feel",
)
#: Hits in the opening's sentence that make what follows it no details seen: a habit, a
#: theory, a guess, an inference, a verdict ("boring", "as usual").
_NOT_DETAIL = ("generalization", "self_theory", "hedge", "inferred", "avoidance", "avoidance_weak")
#: Before a body part: one's own («моя рука», "my chin").
_MY = ("my ", "мой ", "моя ", "мою ", "моей ", "мои ", "моих ", "моим ", "моими ")
#: Words with "'s" that are no owner ("it's", "there's", "tomorrow's").
_NOT_OWNERS = frozenset(
    ["it's", "that's", "there's", "here's", "what's", "he's", "she's", "who's", "let's"]
)


def _remote_opening(
    hits: Mapping[str, tuple[Span, ...]],
    normalised: str,
    quotes: tuple[Span, ...],
    sentences: tuple[Span, ...],
) -> Span | None:
    """The opening phrase of a report that types an object or a place from elsewhere as if
    present, without an image word: a phrase of four words or fewer with an owner or a past
    (:func:`_remote`: "dad's old cortina", «бабушкин сундук»), then a clause mark and the
    details ("..., brown seats, a tear in the passenger side"). Not a voice, a sound, a smell,
    a feeling, words or a time named there, nor what the sentence places "in my head", tells
    as a habit, a guess or a verdict, or puts beside one's own body ("my chin on her head")."""
    mark = _FIRST_MARK.search(normalised, 0, _OPENING_LENGTH + 1)
    if mark is None or normalised[mark.start()] not in _OPENING_MARKS:
        return None
    end = mark.start()
    words = normalised[:end].split()
    if (
        not 1 < len(words) <= 4
        or not normalised[end + 1 :].strip(" \n.!?")
        or _OWNER_CUE.search(normalised, 0, end) is None
    ):
        return None
    if not _NOT_OWNERS.isdisjoint(words) or (quotes and quotes[0][0] < end):
        return None
    if hit_in(hits, _NOT_SEEN, (0, end)):
        return None
    sentence_end = sentence_at(sentences, 0)[1]
    for start, stop in hits.get("experiential", ()):
        if start < sentence_end and normalised.endswith(_IN_HEAD, start, stop):
            return None
    if hit_in(hits, _NOT_DETAIL, (0, sentence_end)):
        return None  # a habit, a guess, a verdict ("my boss's email, boring as usual")
    for start, _ in hits.get("c_body_part", ()):
        if start < sentence_end and normalised.endswith(_MY, 0, start):
            return None  # one's own body there: the thing is at hand ("..., my chin on her head")
    at = len(normalised[:end]) - len(normalised[:end].lstrip())
    for word in words:
        at = normalised.index(word, at)
        if at and _remote(normalised, at):
            return (len(normalised) - len(normalised.lstrip()), end)
        at += len(word)
    return None


#: Marker groups of a report that is not pristine: a habit, a theory, a hedge, an inference, a
#: period. Three or more and the report describes no apprehended moment (a narrative of
#: habits and reasons): what it names (a feeling, an image, words, a doing) is no phenomenon.
_NOT_PRISTINE = (
    ("generalization", "self_theory"),
    ("causal", "interpretation"),
    ("hedge",),
    ("inferred",),
    ("period",),
)
#: A feeling word that qualifies a voice or a tone ("in a disgusted tone", «с удивлением»).
_TONE_BEFORE = re.compile(r"(?:\bin\s+an?|\bwith|(?<!\w)с)\s+(?:\w+\s+)?\Z")
_TONE_AFTER = re.compile(r"\s+(?:tone|voice|тоном|голосом|интонаци)")
#: A feeling word that names a trait, not a moment ("anxious person", «человек тревожный»).
_TRAIT_AFTER = (
    " person",
    " type",
    " sort",
    " guy",
    " girl",
    " man",
    " woman",
    " человек",
    " натур",
)
_TRAIT_BEFORE = ("человек ", "натура ", "натуре ", "person ")
#: Markers that make a feeling in their clause unapprehended: guessed or not momentary
#: ("prob still upset", «наверное скучала», «все утро нервничала»).
_FEELING_DOUBT = ("hedge", "inferred", "period")


#: Up to the last clause mark (greedy, so the match ends just after it) / the next clause mark.
_THROUGH_LAST_MARK = re.compile(r".*[,;.!?\n]", re.DOTALL)
_NEXT_MARK = re.compile(r"[,;.!?\n]")


def _clause_of(normalised: str, position: int) -> Span:
    before = _THROUGH_LAST_MARK.match(normalised, 0, position)
    after = _NEXT_MARK.search(normalised, position)
    return (
        before.end() if before is not None else 0,
        after.start() if after is not None else len(normalised),
    )


#: Markers that make a sensation in their sentence unapprehended: a habit, a theory of oneself,
#: a guess, an inference ("I always notice the smell of coffee", «наверное, было холодно»).
_SENSATION_DOUBT = ("generalization", "self_theory", "hedge", "inferred")


#: In a sensation's clause: a condition or what would have been ("if it were colder", "i'd have
#: felt", «если бы»), or the usual, not this moment's ("the usual noise", «обычный шум»), or
#: before it ("got a headache earlier"; «раньше» is a period).
_UNREAL = frozenset(
    [
        *("if", "would", "бы", "б", "если", "usual", "will", "будет", "станет", "надо", "нужно"),
        *("gotta", "earlier"),
    ]
)
#: Before "to": a need or a plan, not what is there ("need to get the cold medicine").
_MODALS = frozenset(["need", "needs", "have", "has"])
_UNREAL_STEMS = ("обычн", "привычн")
#: Before "if" or «бы»: a simile or a filler, not a condition ("as if", «как бы», «будто бы»).
_SIMILE = frozenset(["as", "как", "будто", "словно", "точно"])
#: After "would"/"i'd": a name given, not a condition ("a cold drop i would call dismay").
_NAMING = frozenset(["call", "say", "describe", "name"])
#: A negation ("didn't notice any noise", «никакого запаха»), and a turn from what was not there
#: to what was ("no thoughts, just the hum", «только»).
_NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "without",
        "none",
        "nothing",
        "nor",
        "neither",
        "не",
        "ни",
        "нет",
        "без",
        "ничего",
    ]
)
_TURNS = frozenset(
    ["just", "only", "but", "except", "apart", "только", "лишь", "но", "кроме", "зато"]
)


def _unreal(text: str, words: list[str]) -> bool:
    """True when a clause's ``text`` (split into ``words``) is hypothetical, to come, a need or
    a plan, or of the usual ("if it were colder", "i'd be calm", «станет легче», «надо купить
    холодный чай», "need to get ...", "the usual noise")."""
    if (
        _UNREAL.isdisjoint(words)
        and "'d " not in text
        and "'ll " not in text
        and "обычн" not in text
        and "привычн" not in text
        and "need to" not in text
        and "needs to" not in text
        and "have to" not in text
        and "has to" not in text
    ):
        return False
    before = ""
    for index, word in enumerate(words):
        after = words[index + 1] if index + 1 < len(words) else ""
        if (
            (word in _UNREAL and before not in _SIMILE)
            or word.endswith(("'d", "'ll"))
            or word.startswith(_UNREAL_STEMS)
            or (word in _MODALS and after == "to")
        ) and after not in _NAMING:
            return True
        before = word
    return False


def _unreal_or_negated(
    hits: Mapping[str, tuple[Span, ...]], normalised: str, start: int, end: int
) -> bool:
    """True when the clause ``start``..``end`` is hypothetical or of the usual, or negated
    before its first content word with no turn after the negation. Word sets and substring
    tests, not a regex search: most clauses have none of these words."""
    text = normalised[start:end]
    words = text.split()
    if _unreal(text, words):
        return True
    dating = not _DATING.isdisjoint(words)
    if not dating and _NEGATIONS.isdisjoint(words) and "n't" not in text and "никак" not in text:
        return False
    first = _first_content(hits, start, end)
    if first is None:
        return False
    if dating and _dated(normalised[start:first].split()):
        return True
    negated = False
    for word in normalised[start:first].split():
        if word in _NEGATIONS or word.endswith("n't") or word.startswith("никак"):
            negated = True
        elif word in _TURNS:
            negated = False
    return negated


#: Words that open a clause of time: what it senses dates another event ("... before i heard
#: the click", «перед тем как услышала щелчок»), it is not the foreground.
_DATING = frozenset(["before", "after", "until", "till", "перед", "после", "до", "прежде"])
#: After "before"/"after": a subject, so a clause of time follows, not a thing ("after the rain").
_SUBJECTS = frozenset(["i", "we", "he", "she", "they", "you", "it"])


def _dated(words: list[str]) -> bool:
    """True when ``words`` (a clause up to its first content word) hold a conjunction of time
    with its clause: "before i", "after we", «перед тем как», «после того как», «до того как»,
    «прежде чем»."""
    for index, word in enumerate(words[:-1]):
        after = words[index + 1]
        if word in _DATING and (
            after in _SUBJECTS
            or (after in ("тем", "того") and words[index + 2 : index + 3] == ["как"])
            or (word == "прежде" and after == "чем")
        ):
            return True
    return False


#: Hedges that, just before a quality, give its degree ("kinda silvery", "sort of sticky").
_SOFTENERS = frozenset(["kinda", "sorta", "sort of", "kind of"])
#: The quality words a softener may stand before.
_SOFTENED = ("c_quality", "c_quality_weak", "c_colour", "sensory_quality")


def _cause_guesses(hits: Mapping[str, tuple[Span, ...]], normalised: str) -> list[int]:
    """Where the hedges that doubt no sensation start: a guess at a cause ("probably because I
    skipped breakfast", «наверное, из-за кофе»), a theory of why, not a doubt that it was
    there; a softener before a quality ("kinda silvery"), its degree."""
    hedges = hits.get("hedge", ())
    if not hedges:
        return []
    causal = hits.get("causal", ())
    qualities = (
        hit_starts(hits, _SOFTENED)
        if not _SOFTENERS.isdisjoint(normalised[s:e] for s, e in hedges)
        else []
    )
    found: list[int] = []
    for start, end in hedges:
        for cause, _ in causal:
            if end <= cause <= end + 3 and not normalised[end:cause].strip(" ,"):
                found.append(start)
                break
        else:
            if qualities and normalised[start:end] in _SOFTENERS and end + 1 in qualities:
                found.append(start)
    return found


#: Stems of noticing and attending ("noticed", «замечала», «внимания»).
_NOTICE_STEMS = ("notic", "attention", "замеч", "замет", "внимани")
#: Before a stem of noticing: it was not noticed ("barely noticed", «не обращала внимания»).
_HARDLY = frozenset(["barely", "hardly", "scarcely", "не", "not", "never", "едва"])


def _unnoticed(normalised: str, start: int, end: int) -> bool:
    """True when the sentence after a sensation at ``start`` (up to ``end``) says it was not
    noticed: a stem of noticing with a negation or "barely" among the three words before it
    ("there was a smell but i didn't really notice it", «пахло лекарством, но я этот запах
    особо не замечала»; not "i don't usually notice it, but at the beep ...")."""
    text = normalised[start:end]
    if not any(stem in text for stem in _NOTICE_STEMS):
        return False
    words = text.split()
    for index, word in enumerate(words):
        if word.startswith(_NOTICE_STEMS):
            for before in words[max(0, index - 3) : index]:
                if before in _HARDLY or before.endswith("n't"):
                    return True
    return False


#: Periods that name another day: a sensation in their sentence is not of the moment.
_OTHER_DAYS = ("yesterday", "tomorrow", "вчера", "завтра", "позавчера", "послезавтра")


def _another_day(periods: list[int], normalised: str, sentence: Span) -> bool:
    """True when one of ``periods`` in ``sentence`` names another day (:data:`_OTHER_DAYS`);
    not a day a sensation lasts since or comes from ("since yesterday", «со вчера», "yesterday's
    run")."""
    for start in periods:
        if (
            sentence[0] <= start < sentence[1]
            and normalised.startswith(_OTHER_DAYS, start)
            and not normalised.endswith(_SINCE, 0, start)
            and normalised[start : start + 12].find("'s") < 0
        ):
            return True
    return False


#: Between a period and a later clause of its sentence: the moment turned to ("but now", «а
#: сейчас»), so the period does not reach the clause.
_TURN_TO_NOW = frozenset(
    ["but", "now", "then", "suddenly", "а", "но", "сейчас", "теперь", "вдруг", "тут", "потом"]
)


def _period_before(periods: list[int], normalised: str, low: int, start: int) -> bool:
    """True when a period starts in the sentence before ``start`` (from ``low``) with no turn
    to the moment after it: the sentence tells the period ("all day grey weather, damp"). A
    period a sensation lasts since ("since yesterday, a dull throb") reaches the moment."""
    for period in periods:
        if (
            low <= period < start
            and _TURN_TO_NOW.isdisjoint(normalised[period:start].split())
            and not normalised.startswith(_SINCE, period)
            and not normalised.endswith(_SINCE, 0, period)
        ):
            return True
    return False


#: Words of a wish: what follows in the sentence is wanted, not there.
_WISH = frozenset(
    [
        "want",
        "wanna",
        "wish",
        "хочу",
        "хочется",
        "хотелось",
        "хотела",
        "хотел",
        "мечтаю",
        "мечтала",
    ]
)


def _wished_place(places: tuple[Span, ...], normalised: str, low: int, start: int) -> bool:
    """True when a wish and a place (one of ``places``) open the sentence before ``start``
    (from ``low``): the qualities that follow are the wished place's ("wish i was at the beach,
    warm sand", «хочу на море, тепло, песок»), not sensed."""
    return _starts_in(places, low, start) and not _WISH.isdisjoint(normalised[low:start].split())


#: Before a day: a sensation lasts from it till now.
_SINCE = ("since ", "со ", "с ")


def _drop_unapprehended_sensations(
    evidence: dict[str, list[Span]],
    sensations: list[Span],
    hits: dict[str, tuple[Span, ...]],
    normalised: str,
    sentences: tuple[Span, ...],
    guesses: list[int],
) -> None:
    """Drop sensory awareness that was not apprehended at the moment: in a sentence of a habit,
    a theory, a guess or an inference (not a guess at its cause, ``guesses``), in a
    hypothetical clause or one of the usual ("the usual noise"), or negated in its clause
    before its first content word ("I didn't notice any noise or smell"); a content clause
    negated or hypothetical is then no experiential content either (its ``x_*`` hit goes)."""
    doubts = hit_starts(hits, _SENSATION_DOUBT)
    if guesses:
        doubts = [d for d in doubts if d not in guesses]
    periods = hit_starts(hits, ("period",))
    places = hits.get("scene_noun", ())
    clauses = hits.get("x_sensory", ()) + hits.get("x_bodily", ())
    kept: list[Span] = []
    for span in sensations:
        low, high = sentence = sentence_at(sentences, span[0])
        if doubts and any_within(doubts, low, high):
            continue
        # (a content clause is its own clause; an attention span is found in its clause)
        start, end = span if span in clauses else _clause_of(normalised, span[0])
        if end < span[1]:
            end = span[1]
        if periods and any_within(periods, start, end):
            continue  # lasting a period in its own clause ("all morning a headache")
        if periods and _period_before(periods, normalised, low, start):
            continue  # the period's sentence goes on («погода весь день мерзкая, сыро»)
        if places and _wished_place(places, normalised, low, start):
            continue  # a place wished for, and its qualities («хочу на море, тепло, песок»)
        if periods and _another_day(periods, normalised, sentence):
            continue  # on another day in its sentence («вчера вечером ... пахло листьями»)
        if not _unreal_or_negated(hits, normalised, start, end) and not _unnoticed(
            normalised, span[0], high
        ):
            kept.append(span)
        elif span in clauses:
            for name in ("x_sensory", "x_bodily"):
                found = hits.get(name)
                if found and span in found:
                    left = tuple(c for c in found if c != span)
                    if left:
                        hits[name] = left
                    else:
                        del hits[name]
    if len(kept) < len(sensations):
        _keep(evidence, "sensory_awareness", kept)


def _keep(evidence: dict[str, list[Span]], code: str, kept: list[Span]) -> None:
    """Set ``code``'s evidence to ``kept``, or drop the code when nothing is kept."""
    if kept:
        evidence[code] = kept
    else:
        del evidence[code]


def _turns_to_senses(
    negations: tuple[Span, ...],
    sensed: tuple[Span, ...],
    normalised: str,
    sentences: tuple[Span, ...],
) -> bool:
    """True when a "no words" turns to sensory content in its sentence ("no words, only the
    cold tiles under my feet", «мыслей нет, только гул»): what was there, not a wordless
    thought."""
    if not sensed:
        return False
    for start, end in negations:
        stop = sentence_at(sentences, start)[1]
        at = end
        for word in normalised[end:stop].split():
            at = normalised.index(word, at)
            if word in _TURNS:
                if _overlaps((at, stop), sensed):
                    return True
                break
            at += len(word)
    return False


def _content_follows(negations: tuple[Span, ...], normalised: str) -> bool:
    """True when a colon follows a "no words" and opens what was known ("wordless: the check
    would bounce", «без слов: он врёт»): a wordless thought with its content."""
    for _, end in negations:  # noqa: SIM110  # (a loop: a generator costs a call on 3.11)
        if normalised[end : end + 2].lstrip().startswith(":"):
            return True
    return False


def _first_content(hits: Mapping[str, tuple[Span, ...]], start: int, end: int) -> int | None:
    """Where the first content word between ``start`` and ``end`` starts, if any."""
    first: int | None = None
    for name in (*_CONTENT_WORDS, "sensory_quality", "c_body_part"):
        for s, _ in hits.get(name, ()):
            if start <= s < end and (first is None or s < first):
                first = s
    return first


#: A voice, a tone or words, then up to 40 characters of the same sentence before a feeling
#: word: the feeling word describes them («голос был мой, спокойный», "her voice, high and
#: excited").
_VOICE_BEFORE = re.compile(
    r"(?:voice|tone|words|голос|голоса|тон|интонация|интонации|слова)(?![\w'])([^.!?\n]{0,40})\Z"
)
#: Before the voice: a manner ("said it in my own voice, relieved": the speaker is relieved).
_MANNER = re.compile(r"(?<!\w)in\s+(?:[\w']+\s+){0,2}\Z")
#: A comma and a conjunction: what follows is said for itself ("her exact tone, and then guilt").
_NEW_CLAUSE = re.compile(r",\s*(?:and|then|but|и|а|но|потом)(?!\w)")
_PUNCTUATION = ",.;:!?…\"'«»“”„()"
#: Who feels: the reporter (a first-person subject), or another (a third-person one).
_FIRST_PERSON = frozenset(["i", "i'm", "im", "i've", "ive", "i'd", "me", "я", "мне", "меня"])
_THIRD_PERSON = frozenset(
    ["he", "she", "they", "he's", "she's", "they're", "hes", "shes", "theyre", "он", "она", "они"]
)


def _voice_quality(normalised: str, start: int) -> bool:
    """True when the feeling word at ``start`` describes a voice, a tone or words just before
    it in its sentence, with no first-person subject, "felt" or new clause between ("the words
    were in my own voice, slightly impatient", «голос был мой, спокойный»; not "his voice, and i
    felt scared", «её тон, и обидно стало», nor the speaker's state after a manner: "saying it
    in my own voice, relieved")."""
    match = _VOICE_BEFORE.search(normalised, max(0, start - 60), start)
    if (
        match is None
        or _NEW_CLAUSE.search(match.group(1)) is not None
        or _MANNER.search(normalised, max(0, match.start() - 20), match.start()) is not None
    ):
        return False
    between = match.group(1).split()
    return _FIRST_PERSON.isdisjoint(between) and not any(
        w.startswith(("felt", "feel", "чувств", "ощущ")) for w in between
    )


def _someone_elses(before: list[str], normalised: str, quotes: tuple[Span, ...]) -> bool:
    """True when a feeling word is another's: a third-person subject among the three words
    ``before`` it in its clause, none of the first person after that subject, in a report the
    reporter writes in the first person outside quotations ("is he mad at me?", «думала, что
    она обиделась»; not a published report about "she")."""
    last = before[-3:]
    if _THIRD_PERSON.isdisjoint(last):
        return False
    index = max(i for i, word in enumerate(last) if word in _THIRD_PERSON)
    if not _FIRST_PERSON.isdisjoint(last[index:]):
        return False
    outside = normalised
    for a, b in reversed(quotes):
        outside = outside[:a] + outside[b:]
    # (a split only here, a rare case: no pass over every report)
    return any(word.strip(_PUNCTUATION) in _FIRST_PERSON for word in outside.split())


def _doubted(doubts: list[int], normalised: str, sentences: tuple[Span, ...], span: Span) -> bool:
    """True when one of ``doubts`` starts in the clause of ``span`` or before it in its sentence
    («Думаю, мне было уютно», "probably, i was annoyed", «в голове пусто вроде»)."""
    after = _NEXT_MARK.search(normalised, span[1])
    high = after.start() if after is not None else len(normalised)
    return any_within(doubts, sentence_at(sentences, span[0])[0], high)


#: In a feeling's clause: its object is everything or life, a mood, not a moment's feeling
#: ("fed up with everything", «устала от всего», «грустно от жизни»).
_WHOLE_LIFE = frozenset(["everything", "life", "всего", "всем", "жизни", "жизнью", "жизнь"])


#: The first word of a yes-or-no question, and Russian «ли» anywhere in one ("was i nervous?",
#: "is being bored an experience?", «было ли страшно?»).
_ASKING = frozenset(
    ["was", "were", "am", "is", "are", "did", "do", "does", "have", "had", "could", "ли"]
)


def _asked(normalised: str, sentence: Span) -> bool:
    """True when ``sentence`` is a yes-or-no question (it ends with "?" and opens with an
    auxiliary, or holds «ли»): a feeling in it is asked about, not reported ("was i nervous??";
    not "why am i so tense?", which presumes it)."""
    end = sentence[1]
    if normalised[end : end + 1] != "?":
        return False
    words = normalised[sentence[0] : end].split()
    return bool(words) and (words[0] in _ASKING or "ли" in words)


def _drop_unapprehended(
    evidence: dict[str, list[Span]],
    hits: dict[str, tuple[Span, ...]],
    normalised: str,
    sentences: tuple[Span, ...],
    quotes: tuple[Span, ...],
) -> None:
    """Drop what was not apprehended at the moment: every phenomenon of a report of habits,
    theories and hedges (:data:`_NOT_PRISTINE`); a guessed, non-momentary, hypothetical or usual
    feeling or sensation; a feeling word that only qualifies an inner voice's tone."""
    guesses = _cause_guesses(hits, normalised)
    groups = 0
    for names in _NOT_PRISTINE:
        for name in names:
            found = hits.get(name)
            if found and not (name == "hedge" and len(guesses) == len(found)):
                groups += 1
                break
    if groups >= 3:
        evidence.clear()
        return
    if groups == 2:
        evidence.pop("sensory_awareness", None)
    sensations = evidence.get("sensory_awareness")
    if sensations:
        _drop_unapprehended_sensations(evidence, sensations, hits, normalised, sentences, guesses)
    doing = evidence.get("just_doing")
    if doing:
        unsure = hit_starts(hits, _SENSATION_DOUBT)
        if unsure:
            done = [s for s in doing if not _doubted(unsure, normalised, sentences, s)]
            if len(done) < len(doing):
                _keep(evidence, "just_doing", done)  # a guessed doing («в голове пусто вроде»)
    feelings = evidence.get("feeling")
    if not feelings:
        return
    voiced = "inner_speech" in evidence or "inner_hearing" in evidence
    doubts = hit_starts(hits, _FEELING_DOUBT)
    habits = hit_starts(hits, _NOT_PRISTINE[0]) if groups == 2 else []
    kept: list[Span] = []
    for span in feelings:
        start, end = span
        if voiced and (
            _TONE_BEFORE.search(normalised, max(0, start - 16), start) is not None
            or _TONE_AFTER.match(normalised, end) is not None
        ):
            continue
        if voiced and _voice_quality(normalised, start):
            continue  # "the words were in my own voice, slightly impatient"
        if normalised.startswith(_TRAIT_AFTER, end) or normalised.endswith(_TRAIT_BEFORE, 0, start):
            continue
        low, high = _clause_of(normalised, start)
        text = normalised[low:high]
        words = text.split()
        if _unreal(text, words):
            continue  # hypothetical, to come or the usual: «тогда станет легче», "i'd be calm"
        if not _WHOLE_LIFE.isdisjoint(words):
            continue  # a mood about life, not a feeling now: "fed up with everything"
        if _someone_elses(normalised[low:start].split(), normalised, quotes):
            continue  # "is he mad at me?", «она обиделась»: another's feeling, not one's own
        if doubts and _doubted(doubts, normalised, sentences, (start, start)):
            continue  # a hedge in the feeling's clause or before it governs the feeling
        sentence = sentence_at(sentences, start)
        if _asked(normalised, sentence):
            continue  # "was i nervous??", «было ли страшно?»: asked, not reported
        if habits and any_within(habits, *sentence):
            continue  # explained as a habit («мне было скучно, потому что мне всегда скучно»)
        kept.append(span)
    if len(kept) < len(feelings):
        _keep(evidence, "feeling", kept)


def _presupposed_forms(
    hits: dict[str, tuple[Span, ...]],
    normalised: str,
    sentences: tuple[Span, ...],
    evidence: dict[str, list[Span]],
    unknown: tuple[Span, ...],
) -> None:
    """File an image or a sound named without its content as ``x_presupposition_form``: its
    content declared unknown or only indefinite ("a picture in my head of something", «какая-то
    картинка», "song stuck in my head, something from the radio"), or nothing but the form in
    its sentence ("song stuck in my head", «песня в голове»). Such an image is not counted as
    inner seeing; a tune or a voice stays inner hearing (as the blind writers label it), unless
    the report is nothing but the form and its place, with not even an indefinite ("song stuck
    in my head", «песня в голове»: a form named, no experience described)."""
    dropped: list[Span] = []
    shorts: list[Span] = []  # sentences short enough to hold a bare form (most reports: none)
    for sentence in sentences:
        if sentence[1] - sentence[0] <= _BARE_LENGTH:
            shorts.append(sentence)
    for code in ("inner_seeing", "inner_hearing"):
        spans = evidence.get(code)
        if not spans:
            continue
        known: list[Span] = []
        for span in spans:
            presupposed = (
                normalised.startswith(_INDEFINITE_HEADS, span[1] + 1)
                and _INDEFINITE_AFTER.match(normalised, span[1]) is not None
            )
            if not presupposed and unknown:
                start, end = sentence_at(sentences, span[0])
                presupposed = _starts_in(unknown, start, end)
            bare = False
            if not presupposed and shorts:
                for start, end in shorts:
                    if start <= span[0] < end:
                        presupposed = _bare_form(normalised, start, end)
                        # (the whole report: the form and its place, not even "some")
                        bare = (
                            presupposed
                            and len(sentences) == 1
                            and _INDEFINITE_WORDS.isdisjoint(normalised[start:end].split())
                        )
                        break
            if presupposed:
                dropped.append(span)
                if code == "inner_seeing" or bare:
                    # a tune with no name stays inner hearing ("some tune going round"), not
                    # a form named and nothing else ("song stuck in my head")
                    continue
            known.append(span)
        if not known:
            del evidence[code]
        elif len(known) < len(spans):
            evidence[code] = known
    if dropped:
        hits["x_presupposition_form"] = tuple(sorted(dropped))


#: Right after a named image or tune, an indefinite in place of its content («картинка
#: какая-то», «песня в голове какая-то», «представляла что-то,», "pictured something.").
#: The words :data:`_INDEFINITE_AFTER` starts with (a cheap test before it).
_INDEFINITE_HEADS = ("как", "что", "чтото", "something", "в голове")
_INDEFINITE_AFTER = re.compile(
    r"\s+(?:в\s+голове\s+)?(?:какой|какая|какое|какие|какую|каких)(?:-то|\s+то|то)(?!\w)"
    r"|\s+(?:что-то|что\s+то|чтото|something)(?=\s*(?:[,.;!?]|$))"
)


#: Words around a named image or tune that add nothing to it ("stuck in my head", «в голове»).
_BARE_FORM_WORDS = frozenset(
    [
        "stuck",
        "playing",
        "looping",
        "going",
        "round",
        "there",
        "had",
        "играла",
        "играет",
        "крутилась",
        "крутится",
        "звучала",
        "застряла",
        # an indefinite in place of the content («картинка была, какая то», "some image")
        "какая",
        "какой",
        "какое",
        "какие",
        "то",
        "some",
        "an",
        "kind",
        "sort",
        "of",
    ]
)
#: The indefinites of :data:`_BARE_FORM_WORDS`: a content admitted unknown, not left unsaid.
_INDEFINITE_WORDS = frozenset(["какая", "какой", "какое", "какие", "то", "some", "kind", "sort"])
#: The words that name an image or a tune itself («картинка», "song", "pictured").
_FORM_WORD = re.compile(
    r"(?:songs?|tunes?|melod|music|jingle|pictur|images?|imagin|visuali|voices?|sounds?|"
    r"картинк|образ|песн|мелоди|музык|голос|звук|представ|вообра)"
)


#: The longest sentence that can be a bare form («песня в голове», "song stuck in my head").
_BARE_LENGTH = 40


def _bare_form(normalised: str, start: int, end: int) -> bool:
    """True when the sentence from ``start`` to ``end`` holds nothing but a form and where it
    was ("song stuck in my head", «песня в голове», "a picture in my head")."""
    if end - start > _BARE_LENGTH:
        return False
    for word in _WORD_RE.findall(normalised, start, end):
        if (
            word not in _FRAME_WORDS
            and word not in _BARE_FORM_WORDS
            and _FORM_WORD.match(word) is None
        ):
            return False
    return True


#: The end of a frame that places content inside ("in my head", «в голове»).
_IN_HEAD = ("head", "голове", "башке")


def _heard_in_head(
    hits: Mapping[str, tuple[Span, ...]],
    normalised: str,
    sentences: tuple[Span, ...],
    evidence: dict[str, list[Span]],
    sensory: list[Span],
) -> list[Span]:
    """``sensory`` without a sound placed "in my head" right after it in its sentence ("my
    brother's whistle, two notes, in my head", «гудок поезда, как в детстве, в голове») or
    in its clause («в голове гудок парома, низкий»): not a sense but inner hearing (filed in
    ``evidence``); the caller asks that no words, image or tune be named in the report. A
    sensation of the body there ("in my head a throbbing ache") stays sensed."""
    kept: list[Span] = []
    heard: list[Span] = []
    for span in sensory:
        near = False
        low, high = sentence_at(sentences, span[0])
        for start, end in hits["experiential"]:
            if (
                low <= start
                and end <= high
                and (span[1] <= start <= span[1] + _HEAD_GAP or span[0] <= start < span[1])
                and normalised.endswith(_IN_HEAD, start, end)
            ):
                near = True
                break
        if (
            not near
            or _starts_in(hits.get("c_colour", ()), *span)
            or _starts_in(hits.get("c_body_feel", ()), *span)
        ):
            kept.append(span)
        elif hit_in(hits, _SOUND_NAMED, span):
            heard.append(span)
    if heard:
        evidence["inner_hearing"] = heard
    return kept


#: A sense named in a sensory span: what is placed "in my head" after it was heard.
_SOUND_NAMED = ("c_sense_verb", "c_sense")
#: How far (in characters) after a sound "in my head" may stand to place it there.
_HEAD_GAP = 24


def _felt_calm(
    hits: Mapping[str, tuple[Span, ...]], normalised: str, feelings: list[Span]
) -> list[Span]:
    """``feelings`` without a calm named and not described («было спокойно и продуктивно», "my
    baseline is quite calm"): calm is the absence of a feeling until the report says how it
    was felt; a bodily clause ("a flat tired calm, eyelids heavy"), a sensory one of its own or
    a verb of feeling right before it ("felt calm", «ощущала спокойствие») keeps it."""
    kept: list[Span] = []
    sensed = hits.get("x_sensory", ())
    for span in feelings:
        if (
            not normalised.startswith(_CALM, span[0])
            or _outside(sensed, (span,))
            or any(f in normalised[max(0, span[0] - 20) : span[0]] for f in _FELT)
        ):
            kept.append(span)
    return kept


#: The words of calm, by their start («спокойно», «спокоен», "calm").
_CALM = ("calm", "спокой")
#: A verb of feeling before a calm: the calm is attended to as felt.
_FELT = ("felt", "feel", "чувств", "ощущ")


#: The phenomena of imagery: content placed in the head beside them is theirs.
_IMAGERY = frozenset(["inner_seeing", "inner_hearing", "inner_speech"])


def phenomena_of(
    hits: dict[str, tuple[Span, ...]],
    normalised: str,
    quotes: tuple[Span, ...],
    sentences: tuple[Span, ...],
) -> tuple[frozenset[str], dict[str, tuple[Span, ...]]]:
    """The phenomenon codes of a report and the evidence spans of each, from its parts (see
    :func:`.report.scan`), so that :func:`.engine.analyse` builds the :class:`Report` once.

    Speech named without its words is not counted as inner speech: its spans are filed in
    ``hits`` as ``x_presupposition`` (the ``presupposition`` issue); an image or a tune whose
    content is declared unknown, likewise, as ``x_presupposition_form``.
    """
    evidence: dict[str, list[Span]] = {}
    voices = hits.get("c_voice")
    if voices:
        _other_voices(hits, normalised, voices)
    speech = _outside(hits.get("inner_speech", ()), hits.get("speech_intuition", ()))
    for colon in hits.get("speech_colon", ()):
        # «в голове: опять двадцать пять»: the words after the colon, unless the sentence
        # names a voice, a tune or an image (then they are what was heard or seen)
        if not (
            _in_sentence(hits.get("inner_hearing", ()), colon, sentences)
            or _in_sentence(hits.get("inner_seeing", ()), colon, sentences)
        ):
            speech.append(colon)
    quoted: list[Span] = []
    if quotes:
        quoted = _quoted_speech(hits, normalised, quotes, sentences)
        if not quoted and not hits.get("quote_other_speaker") and not hits.get("inner_hearing"):
            quoted = _whole_quote(normalised, quotes)
    hearing = hits.get("inner_hearing", ())
    if (
        hearing
        and quoted
        and (voices or any(normalised.endswith(_VOICE, s, e) for s, e in hearing))
        and not any(f in normalised for f in _OWN_VOICE)
    ):
        # "his teacher's voice counting 'one-and-two'", «папин голос ... «локоть выше»»: words
        # in another's voice heard are heard, not said
        quoted = [q for q in quoted if not _in_sentence(hearing, q, sentences)]
    if hearing and speech and not quoted:
        # «голос препода в голове», "her boss's voice": someone else's voice is hearing.
        speech = (
            [s for s in speech if not _overlaps(s, hearing)]
            if not any(f in normalised for f in _SELF_FRAME)
            else speech
        )
    if speech and not quoted and hits.get("reading"):
        speech = []  # an inner voice while reading: a question to ask (reading_inner_voice)
    unknown = hits.get("content_unknown", ())
    form_unknown = hits.get("form_unknown", ())
    if speech and (
        (unknown and not quoted)
        or (form_unknown and not quoted and _in_sentence(form_unknown, speech[0], sentences))
        or _speech_without_words(hits, normalised, speech, bool(quoted), sentences)
    ):
        hits["x_presupposition"] = tuple(speech)
        speech = []
    speech += quoted
    if not speech and not quotes and len(normalised) <= _REPEAT_LIMIT:
        speech = _repeated_words(hits, normalised, sentences)
    if speech:
        evidence["inner_speech"] = speech
    for code in ("inner_seeing", "inner_hearing", "just_doing"):
        if hits.get(code):
            evidence[code] = list(hits[code])
    if not quotes and ("inner_seeing" in evidence or "inner_hearing" in evidence):
        _presupposed_forms(hits, normalised, sentences, evidence, unknown + form_unknown)
    if "scene_noun" in hits or "c_place" in hits:
        scenes = _remote_scenes(hits, normalised)
        if scenes:
            evidence.setdefault("inner_seeing", []).extend(scenes)
    if "inner_seeing" not in evidence:
        opening = _remote_opening(hits, normalised, quotes, sentences)
        if opening is not None:
            evidence["inner_seeing"] = [opening]
    if "symbol_negation" in hits:
        _drop_negated_too(evidence, hits["symbol_negation"], normalised, sentences)
    # (the participant's reading: not "my teacher's voice reading the list")
    reading = (
        tuple(
            r
            for r in hits["reading"]
            if not normalised[max(0, r[0] - 7) : r[0]].rstrip().endswith(("voice", "голос"))
        )
        if "reading" in hits and "reading_voice" in hits
        else ()
    )
    if reading:
        # the text read, heard or voiced while reading ("reading the article and hearing the
        # words in my head", «внутренний голос произносил его фразы»): a question to ask
        # (reading_inner_voice), not inner speech or hearing
        for code in ("inner_speech", "inner_hearing"):
            if code in evidence:
                _keep(
                    evidence,
                    code,
                    [s for s in evidence[code] if not _in_sentence(reading, s, sentences)],
                )
    if "inner_hearing" in evidence and "inner_speech" in evidence:
        # «в голове звучал мой голос» is inner speech; another's voice or a song is hearing.
        kept = [s for s in evidence["inner_hearing"] if not _overlaps(s, tuple(speech))]
        _keep(evidence, "inner_hearing", kept)
    cues = hits.get("ut_cue", ())
    ut = list(cues)
    negations = hits.get("symbol_negation", ())
    # "just"/«только» counts as doing unless it starts "only the ticking of the clock" in a
    # report of sensory content («тишина, только часы тикают»)
    doing_cues = hits.get("doing_cue", ())
    sensed = hits.get("x_sensory", ()) + hits.get("x_bodily", ())
    doing = bool(
        "activity" in hits
        or "c_doing" in hits
        or (
            doing_cues
            and (
                not sensed
                or _outside(tuple(_outside(doing_cues, hits.get("only_this", ()))), sensed)
            )
        )
    )
    if negations and (
        ut
        or _outside(hits.get("thought_word", ()), hits.get("blank", ()))
        or _content_follows(negations, normalised)
        or not (
            doing
            or hits.get("blank")
            or hits.get("only_this")
            or _turns_to_senses(negations, sensed, normalised, sentences)
            or "feeling" in hits
        )
    ):
        ut += negations
    if ut and "sequence" in hits:
        ut = _not_later(ut, hits["sequence"], sentences)
    if ut:
        evidence["unsymbolized_thinking"] = ut
    if "feeling" in hits:
        feelings = _outside(hits["feeling"], cues)
        if feelings and "x_bodily" not in hits:
            feelings = _felt_calm(hits, normalised, feelings)
        if feelings:
            evidence["feeling"] = feelings
    if (
        "just_doing" not in evidence
        and doing
        and (hits.get("only_this") or hits.get("blank") or negations)
        and evidence.keys() <= {"sensory_awareness"}
    ):
        evidence["just_doing"] = list(hits.get("only_this") or hits.get("blank") or negations)
    if "just_doing" not in evidence:
        sensory = _sensory_awareness(hits, sentences)
        sensory += _content_awareness(hits, normalised, sentences, evidence)
        if (
            sensory
            and not quotes
            and "experiential" in hits
            and _IMAGERY.isdisjoint(evidence.keys())
        ):
            sensory = _heard_in_head(hits, normalised, sentences, evidence, sensory)
        if sensory:
            evidence["sensory_awareness"] = sensory
    elif "sensory_attend" in hits:
        # beside the doing, a quality attended to ("just noticing the carpet stripes, dark
        # light dark", «тёплая вода по пальцам, это и замечала») is sensory awareness too
        sensory = _sensory_awareness(hits, sentences)
        if sensory:
            evidence["sensory_awareness"] = sensory
    _drop_unapprehended(evidence, hits, normalised, sentences, quotes)
    discounted = [] if _DISCOUNTING_ANY.isdisjoint(hits.keys()) else _discounted(hits, normalised)
    for start, _ in hits.get("beep_reaction", ()):
        # from the reaction, or from a wondering that runs into it ("wondering what counts as")
        low = start
        for span in evidence.get("unsymbolized_thinking", ()):
            if span[0] < low and start < span[1]:
                low = span[0]
        discounted.append((low, sentence_at(sentences, start)[1]))
    if discounted and evidence:
        evidence = _outside_stretches(evidence, discounted)
    frozen: dict[str, tuple[Span, ...]] = {}
    for code, spans in evidence.items():
        if len(spans) > 1:
            spans.sort()
        frozen[code] = tuple(spans)
    return frozenset(frozen), frozen
