"""English word lists of the CheckList generator.

Written from the DES definitions of the phenomena and of good and poor reports (docs/method.md), in
the words participants type; deliberately NOT taken from the validator's own lexicons, so that the
suite measures the rules instead of echoing them. Each item is a fragment a template slots in.
"""

from __future__ import annotations

# experiential content, one list per phenomenon

#: A sensory quality in the foreground, written as a nominal phrase (no attention verb).
SENSORY = (
    "the smell of wet asphalt, almost like iron",
    "the click of my pen, twice",
    "cold keys in my pocket against my knuckles",
    "the hum of the fridge, low and steady",
    "diesel smell on the bus, wet coats",
    "bitter coffee on the back of my tongue",
    "the glint of sun on the spoon",
    "orange streetlight on the wet tiles",
    "the rough wool of my sleeve on my wrist",
    "rain ticking on the window sill",
    "sour smell of the bin by the door",
    "the warm mug against my palm",
    "salt on my lips from the chips",
    "the blue light of the screen on the ceiling",
    "a drill next door, high and whining",
    "mint on my tongue, sharp",
)

#: A bodily sensation, located.
BODILY = (
    "tingling in my left foot",
    "neck stiff, a pull under the left shoulder blade",
    "pressure behind my eyes",
    "an itch on my right wrist",
    "my heartbeat thudding in my ears",
    "dry throat, scratchy when I swallow",
    "shoulders tight like stone",
    "a cramp in my right calf",
    "cold fingertips, numb at the tips",
    "a dull ache in my lower back",
    "my stomach growling and empty",
    "eyes burning from the screen",
)

#: Words of inner speech (what the voice said).
INNER_WORDS = (
    "where are the keys",
    "don't forget the milk",
    "okay, focus",
    "too late now",
    "why is he calling me",
    "one more page",
    "left, then the second right",
    "call mum tonight",
    "that was stupid",
    "it's fine, breathe",
)

#: What is seen in imagination (not present at the moment).
IMAGES = (
    "mum's balcony, washing on the line",
    "my brother's car, red, parked crooked",
    "the blue door of our old flat",
    "grandma's kitchen with the yellow curtains",
    "the lake at the dacha, grey and flat",
    "my desk at the old office, the green lamp",
    "the bus stop near school in the snow",
    "my friend's face, smiling, a bit blurry",
    "the beach at Sochi, pebbles, white foam",
    "the exam hall, rows of empty desks",
)

#: Heard in imagination: a tune or another person's voice.
HEARD = (
    "the jingle from the bank advert, in a woman's voice",
    "the chorus of that song from the radio",
    "my dad's voice saying my name",
    "the ringtone of my old phone",
    "a piano tune from the film last night",
    "my teacher's voice reading the list",
    "the metro announcement, the man's flat voice",
    "the opening bars of the anthem",
)

#: A specific wordless thought: the content, no words and no pictures.
WORDLESS = (
    "the meeting would run late",
    "I had left the iron on",
    "she was right about the plan",
    "the bus had already gone",
    "the numbers in the report did not add up",
    "I would not finish today",
    "the parcel had arrived",
    "he was joking, not angry",
)

#: A feeling with its bodily side.
FEELINGS = (
    ("irritation", "hot in my face"),
    ("anxiety", "a knot in my stomach"),
    ("sadness", "heavy in my chest"),
    ("joy", "warm and light in my chest"),
    ("embarrassment", "my ears burning"),
    ("relief", "my shoulders dropping"),
    ("dread", "cold in my belly"),
    ("tenderness", "soft and warm behind my ribs"),
)

#: An ongoing activity: the context of a moment (also "behaviour only" on its own).
ACTIVITIES = (
    "walking to the car",
    "washing the dishes",
    "typing an email",
    "standing at the bus stop",
    "stirring the pasta",
    "scrolling through the news",
    "waiting in the queue",
    "folding the laundry",
    "sitting in the meeting",
    "brushing my teeth",
)

#: Attention and framing phrases that introduce sensory or bodily content.
ATTENTION = (
    "At the beep I noticed",
    "Right before the beep I was focused on",
    "At that moment I was absorbed in",
    "Just before the beep my attention was on",
)

# poor reports

#: Topics of thinking without its form.
TOPICS = (
    "work",
    "the exam",
    "my project",
    "dinner",
    "my mother",
    "money",
    "the trip",
    "the weekend",
)

#: One-word labels.
LABELS = ("annoyed", "anxious", "sad", "bored", "tired", "happy", "stressed", "calm")

#: Evasive answers.
AVOIDANCE = ("nothing special", "nothing much, as usual", "fine", "don't know", "the usual stuff")

#: Bare "nothing" and "not thinking" reports.
NOTHING = ("Nothing.", "nothing", "I wasn't thinking anything.", "Nothing at all.", "no thoughts")

#: A concrete description of blankness (a real report).
BLANK = (
    "blank in my head, like white noise, my eyes on a stain on the wallpaper",
    "empty head, just the grey of the window in front of me",
    "no words, no pictures, only the ticking of the clock and my eyes on it",
)

#: Lifetime and trait generalisations, with no "always" or "usually".
GENERALISATIONS = (
    "for years now I get anxious before meetings",
    "I'm the kind of person who worries about everything",
    "lately my mind keeps going back to work",
    "my whole life I have hated Mondays",
    "in general I think in pictures",
    "these days I can't stop thinking about money",
)

#: Periods instead of a moment.
PERIODS = (
    "All morning I was stressed about the deadline.",
    "The whole day I was thinking about the trip.",
    "This week I have been tired and slow.",
    "Today I was mostly bored at work.",
)

#: Reactions to the beep or to the questionnaire.
REACTIONS = (
    "figuring out what to reply to the bot",
    "the beep startled me and I jumped",
    "when the phone buzzed I thought, oh no, another question",
    "trying to work out what to write here",
    "after the beep I wondered what to answer",
    "thinking about what to type for this survey",
)

#: Inferences instead of experience.
INFERENCES = (
    "I must have been thinking about {topic}",
    "I was probably worried about {topic}, I assume",
    "I suppose I was thinking of {topic}",
)

#: Causal explanations appended to a report.
REASONS = (
    "because I am stressed about the exams",
    "because I didn't sleep well",
    "because my boss was angry yesterday",
    "since I always worry about money",
)

#: Hedges put in front of a report.
HEDGES = ("I think maybe", "Probably", "I guess", "Maybe, I'm not sure, but")

#: Generalising openers put in front of a report.
HABITUAL = ("As always,", "As usual,", "Like every day,")

#: Contentless inner speech: a form with no words.
CONTENTLESS_SPEECH = (
    "some self-talk going on",
    "the usual voice in my head",
    "I was saying something to myself",
    "inner monologue, can't say what",
    "talking to myself in my head about stuff",
    "talking to myself about the meeting, can't remember what",
    "some internal dialogue about the project",
)

#: Reading with an inner voice.
READING = (
    "reading the article and hearing the words in my inner voice",
    "reading a book, my inner voice reading along",
    "I was reading the menu and saying the words in my head",
)

#: Emoji participants add.
EMOJI = ("🙂", "😅", "👍", "🤔")

#: Outward behaviour with concrete, momentary detail (anchored, but not inner experience).
CONCRETE_BEHAVIOUR = (
    "cursor after the word 'invoice', the third line in red",
    "my right hand on the mouse, scrolling to row 214 of the spreadsheet",
    "pouring milk into the mug, up to the chip in the rim",
    "typing 'kind regards' at the end of the email, second attempt",
    "stepping off the kerb with my left foot, the light just turned green",
    "unscrewing the lid of the blue jar, halfway round",
)

#: Objects perceived in service of a task: not sensory awareness.
TASK_PERCEPTION = (
    "looked at the screen to read the email",
    "checked the clock to see if I was late",
    "looked at the red button so I could press it",
    "read the label on the box to find the size",
    "glanced at the map to find the exit",
)

#: Kinds of expression that the second blind round showed (issue 13), each with the phenomenon it
#: must show: written from the DES definitions, not taken from the rules or from that corpus.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "words_after_colon": (
        "inner_speech",
        (
            "in my head: why did I say that",
            "to myself: ok, one more page",
            "silently: please don't pick me",
            "inside: breathe, it's fine",
        ),
    ),
    "someone_elses_voice_or_tune": (
        "inner_hearing",
        (
            "my coach's hoarse voice counting the reps",
            "the neighbour's shrill voice calling the dog",
            "that ice cream van jingle, the first bars",
            "the tetris tune, the slow version",
        ),
    ),
    "scene_while_absent": (
        "inner_seeing",
        (
            "on the bus but dad's garage right there: the door open, a bare bulb",
            "her old flat, the brown sofa, the lamp by the window",
            "my gran's kitchen, yellow curtains, the radio on the fridge",
            "my old school's corridor, green walls, dented lockers",
        ),
    ),
    "bare_doing": (
        "just_doing",
        (
            "chopping onions. nothing else",
            "scrubbing the pan, no thoughts",
            "ironing a shirt, nothing in there",
            "pedalling, no thought, no words",
        ),
    ),
}
