"""English markers, one regular expression per category (the markers and
confusers of docs/method.md, reviewed).

Patterns match the *normalised* text (lower case, typographic apostrophes made ``'``). Each is
wrapped in ``(?<!\\w)(?:...)(?!\\w)`` when compiled, so whole words only. Keep repetition bounded
(``{0,4}``) so that no pattern can backtrack catastrophically.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CONJUNCTIONS", "NEGATORS", "PATTERNS"]

_W = r"(?:[\w'-]+\W+)"  # one word and what follows it
_BEEP = r"(?:beep(?:er)?|signal|notification|ping|buzz(?:er)?|prompt|alarm|alert|vibration)"
_HEAD = r"(?:my|the)\s+(?:head|mind)"
_EMOTION = (
    r"angry|anger|annoy\w*|irritat\w*|frustrat\w*|furious|rage|mad|sad|sadness|sorrow|grief|"
    r"unhappy|happy|happiness|glad|joy\w*|delight\w*|cheerful|anxious|anxiety|nervous\w*|"
    r"nerves|worr(?:y|ied|ying)|afraid|scared|fear\w*|panic\w*|dread\w*|excite\w*|embarrass\w*|asham\w*|"
    r"shame|guilt\w*|bored|boredom|relie(?:f|ved)|disappoint\w*|calm|calmness|peaceful|lonely|"
    r"loneliness|jealous\w*|envy|envious|proud|pride|tender\w*|affection\w*|contempt|disgust\w*|"
    r"resent\w*|impatien\w*|restless\w*|stressed|stress|overwhelm\w*|amused|amusement|elated|thrill\w*|"
    r"awkward|uneas\w*|upset|hopeful|hopeless\w*|despair|longing|nostalgi\w*|irritable|grumpy|"
    r"contentment|serene|love|loving|hatred|curiosity|curious|tense|apprehensi\w*|dismay\w*|"
    r"homesick\w*|giddy|fuming|pissed(?:\s+off)?|livid|gutted|chuffed|miffed|exasperat\w*|"
    r"sheepish|smug|wistful|elation|glee\w*|gratitude|grateful|hurt\s+feelings|heartbroken|mortif\w*|"
    r"on\s+edge|cring\w*|flustered|antsy|fed\s+up|terrified|horrified|shocked|surprised|"
    r"stunned|ecstatic|blissful|gloomy|glum|melanchol\w*|insecure|humiliat\w*|regret\w*|remorse\w*|"
    r"tearful|teary|weepy|choked\s+up|peeved|cranky|crabby|tetchy|edgy|hangry|yearning"
)
_BODY = (
    r"chest|stomach|gut|belly|throat|face|cheeks?|neck|shoulders?|jaw|head|hands?|fingers?|heart|"
    r"back|arms?|legs?|eyes|forehead|temples|body|skin|feet|toes|lips|ears|spine"
)
_BODY_SENSATION = (
    r"tight|tightness|tightening|tension|knot|lump|pressure|heaviness|heavy|warmth|heat|hot|cold|"
    r"chill|flutter\w*|butterflies|ache|aching|pain|sinking|tingl\w*|pound\w*|racing|clench\w*|"
    r"churn\w*|hollow\w*|flush\w*|sting\w*|throb\w*|prickl\w*|burning|squeez\w*|constrict\w*|"
    r"pang|twinge|nausea|queasy|numb\w*"
)
_SENSORY_QUALITY = (
    r"colou?rs?|hue|shades?|tint|red|reddish|blue|bluish|green|greenish|yellow|orange|purple|pink|"
    r"golden|gold|silver\w*|turquoise|brown|glint\w*|gleam\w*|glow\w*|shine|shiny|shining|sparkl\w*|"
    r"glitter\w*|shimmer\w*|sheen|glossy|light|sunlight|shadows?|reflections?|brightness|bright|"
    r"texture\w*|rough\w*|smooth\w*|softness|soft|silky|grain\w*|fuzz\w*|velvet\w*|coolness|cool|"
    r"cold|coldness|warmth|warm|heat|hot|chill|sounds?|hum|humming|buzz\w*|whirr\w*|hiss\w*|rustl\w*|"
    r"creak\w*|click\w*|tick\w*|rumbl\w*|drone|droning|ringing|chirp\w*|tone|pitch|echo\w*|"
    r"murmur\w*|whistl\w*|patter\w*|smells?|scent\w*|aroma\w*|odou?rs?|fragran\w*|tastes?|"
    r"flavou?rs?|bitter\w*|sweet\w*|sour\w*|salt\w*|tang\w*|pressure|weight|heaviness|tingl\w*|"
    r"itch\w*|tickl\w*|vibrat\w*|rhythm\w*|steam|dampness|wetness|crispness|crunch\w*|fizz\w*|"
    r"bubbl\w*|pain|ache|aching|itch\w*|breath\w*|heartbeat|pulse|hunger|thirst|stiffness|"
    r"numbness|sheen|pattern|curves?|contours?|edges?|surface|grey|gray|white|black|dark|darkness"
)
_ACTIVITY = (
    r"working|driving|eating|walking|cooking|reading|watching|scrolling|talking|typing|writing|"
    r"sitting|standing|lying|waiting|cleaning|washing|showering|shopping|studying|running|riding|"
    r"commuting|texting|chatting|playing|browsing|checking|doing|making|having|brushing|folding|"
    r"packing|cutting|chopping|ironing|vacuuming|drinking|coding|programming|answering|paying|"
    r"climbing|jogging|queuing|queueing|buying|filling|opening|putting|looking|searching|getting|"
    r"scrubbing|stirring|peeling|wiping|sweeping|mopping|hoovering|knitting|drawing|painting|"
    r"sewing|stretching|lifting|swimming|cycling|hiking|pouring|mixing|frying|baking|slicing|"
    r"rinsing|drying|tidying|dusting|sorting|tying|unpacking|loading|unloading|parking"
)

PATTERNS: Final[dict[str, str]] = {
    # ---- the moment (Q1) ----
    "moment_anchor": (
        rf"(?:at|just\s+before|right\s+before|immediately\s+before|before|when|as|by)\s+the\s+{_BEEP}"
        rf"|(?:a|one)\s+(?:split\s+)?(?:second|moment|instant)\s+before"
        rf"|(?:at|in)\s+(?:that|this|the)\s+(?:exact\s+|very\s+)?(?:instant|moment|second)"
        rf"|right\s+then|just\s+then|the\s+{_BEEP}\s+(?:caught|interrupted|came|sounded|went\s+off)"
        rf"|at\s+the\s+(?:exact\s+)?(?:moment|instant|second|time)\s+of"
    ),
    # ---- reaction to the beep or the writing moment (Q2) ----
    "beep_reaction": (
        rf"(?:(?:the|my|that|this)\s+)?(?:{_BEEP}|phone)\s+(?:startled|surprised|scared|annoyed|"
        rf"irritated|jolted|distracted|made\s+me\s+(?:jump|think|realize|realise|feel|notice)|"
        rf"(?:buzzed|beeped|rang|vibrated|pinged|went\s+off)\s+and\s+i\s+(?:almost\s+|nearly\s+)?"
        rf"(?:jumped|flinched|jolted|groaned|sighed|dropped|spilled|spilt|got\s+(?:a\s+)?"
        rf"(?:scared|fright|startled)|was\s+(?:scared|startled)))"
        rf"|(?:startled|surprised|scared|annoyed|irritated|jolted)\s+by\s+the\s+{_BEEP}"
        rf"|(?:when|as\s+soon\s+as|once)\s+(?:the\s+|my\s+)?(?:{_BEEP}|phone)\s+(?:buzzed|beeped|rang|"
        rf"vibrated|went\s+off|sounded|came)\W+i\s+(?:jumped|thought|felt|realized|realised|got|"
        rf"said|wondered|groaned|sighed|noticed|decided|remembered|was\s+(?:a\s+bit\s+|a\s+little\s+|so\s+|"
        rf"really\s+)?(?:startled|annoyed))"
        rf"|after\s+the\s+{_BEEP}"
        rf"|(?:when|as\s+soon\s+as|once)\s+(?:i\s+heard\s+)?the\s+{_BEEP}\s+(?:went\s+off|came|sounded|"
        rf"rang|buzzed)\W+i\s+(?:thought|felt|realized|realised|jumped|got|said|wondered|groaned|"
        rf"sighed|noticed|decided|remembered)"
        rf"|hearing\s+the\s+{_BEEP}|my\s+first\s+thought\s+(?:after|when|on\s+hearing)"
        rf"|now\W+(?:as|while|that)\s+i(?:'m|\s+am)?\s+(?:write|writing|type|typing|think|answer\w*)"
        rf"|as\s+i\s+(?:write|type)\s+this|while\s+(?:writing|typing)\s+(?:this|the\s+report)"
        rf"|looking\s+back|in\s+hindsight|now\s+i\s+(?:realize|realise|think|see|notice)"
        rf"|(?:when|as\s+soon\s+as|once)\s+it\s+(?:buzzed|beeped|went\s+off|rang|pinged|vibrated)"
        rf"|the\s+{_BEEP}\s+made\s+me|(?:the\s+)?sound\s+of\s+the\s+{_BEEP}"
        r"|(?:reply|replying|respond|responding|answer|answering|write|writing|say|type|typing|"
        r"report|reporting|put)\s+(?:to\s+|in\s+|into\s+|for\s+)?(?:the|this)\s+(?:bot|app|"
        r"questionnaire|survey|form|chat)|what\s+to\s+(?:reply|write|answer|put|report|type)"
        r"(?:\s+(?:here|to\s+the\s+\w+|in\s+the\s+\w+))?(?=\W*$|\s+(?:here|to\s+the\s+bot|in\s+the))"
        r"|(?:the|this)\s+(?:bot|questionnaire|survey)|filling\s+(?:in|out)\s+(?:the|this)\s+\w+"
        r"|what\s+i\s+(?:should|would|could|ought\s+to)\s+(?:write|reply|answer|put|report|type|say)"
        r"\s+(?:here|to\s+the\s+bot)"
        r"|what\s+counts\s+as|what\s+i\s+(?:was|am|'m)\s+supposed\s+to\s+(?:notice|write|report|say)"
    ),
    # ---- generalisation and self-theory (Q3, Q10) ----
    "generalization": (
        r"always|usually|often|generally|typically|normally|constantly|frequently|sometimes|"
        r"all\s+the\s+time|every\s+time|whenever|most\s+of\s+the\s+time|as\s+a\s+rule|tends?\s+to|"
        r"lately|these\s+days|on\s+most\s+days|i\s+never|i'm\s+never|never\s+(?:think|have|do|feel|"
        r"notice|see|hear)|like\s+i\s+(?:always|usually)\s+do|like\s+every\s+\w+|as\s+ever"
        r"|for\s+(?:years|months|ages|a\s+long\s+time|decades)(?:\s+now)?|(?:the\s+)?(?:last|past)"
        r"\s+(?:few\s+|couple\s+of\s+)?(?:years|months)|in\s+recent\s+(?:years|months)|all\s+my"
        r"\s+life|my\s+whole\s+life|since\s+(?:childhood|i\s+was\s+(?:a\s+)?(?:kid|child|little))"
        r"|most\s+days|every\s+(?:day|morning|evening|single\s+day|night|afternoon|week|weekend|month"
        r"|year|shift|winter|summer|spring|autumn|fall)"
        r"|in\s+the\s+(?:mornings|evenings|afternoons)|(?:on|at)\s+(?:weekends|weekdays)"
    ),
    "self_theory": (
        r"i'm\s+(?:the\s+)?(?:kind|sort|type)\s+of\s+person|i\s+am\s+(?:the\s+)?(?:kind|sort|type)"
        r"\s+of\s+person|i'm\s+an?\s+(?:visual|verbal|auditory|kinesthetic)\s+(?:thinker|person|"
        r"learner|type)|(?:everyone|everybody|most\s+people|all\s+people)|people\s+(?:always|"
        r"usually|often|tend|generally)|my\s+(?:inner\s+voice|mind|brain)\s+(?:always|never|"
        r"constantly)|i\s+(?:always|constantly)\s+have\s+an?\s+inner|in\s+general|by\s+nature|"
        r"(?:i'm|i\s+am)\s+an?\s+(?:\w+\s+)?person|that's\s+(?:just\s+)?(?:how|who)\s+i\s+am|"
        r"typical\s+(?:of|for)\s+me|as\s+a\s+person|(?:i'm|i\s+am)\s+someone\s+who"
        r"|(?:i'm|i\s+am)\s+(?:the\s+)?(?:kind|sort|type)\s+of\s+(?:\w+\s+)?(?:who|that)"
        r"|(?:i'm|i\s+am)\s+(?:just\s+)?(?:like\s+that|wired\s+(?:that\s+way|like\s+that))"
    ),
    "generalization_negator": r"not|don't|doesn't|didn't|isn't|wasn't|do\s+not|does\s+not",
    # ---- a period, events before or after (Q1) ----
    "period": (
        r"all\s+(?:day|morning|afternoon|evening|night|week|the\s+way)|the\s+whole\s+(?:day|morning|"
        r"time|evening|lesson|meeting|lecture|afternoon|ride|trip|way)|for\s+(?:the\s+)?(?:last|past)"
        r"\s+(?:few\s+|couple\s+of\s+)?(?:\w+\s+)?(?:minutes|hours|hour|days|weeks|while)"
        r"|for\s+(?:a\s+|an\s+|the\s+|some\s+|several\s+|\w+\s+)?(?:minutes|hours|an\s+hour|"
        r"half\s+an\s+hour|a\s+while|ages)|(?:minutes|hours|"
        r"an\s+hour|half\s+an\s+hour|a\s+while)\s+(?:ago|before|earlier)|earlier\s+(?:today|this|"
        r"that)|this\s+(?:morning|afternoon|evening|week|month)|yesterday|tomorrow|tonight|today|next\s+week|"
        r"later\s+(?:on|today|tonight)|throughout|during\s+the\s+(?:whole|entire|day|morning|meeting|"
        r"lecture|class|lesson|evening|afternoon)|since\s+(?:this\s+morning|yesterday|lunch|"
        r"breakfast|i\s+woke)|i\s+(?:will|'ll)\s+\w+|i'll\s+\w+|i(?:'m|\s+am)\s+going\s+to|"
        r"i\s+was\s+going\s+to|(?:i'm|i\s+am|i\s+was)\s+planning|i\s+plan\s+to|in\s+the\s+evening"
        r"\s+i|the\s+whole\s+time|over\s+the\s+(?:last|past)"
        r"|(?:this|that|the)\s+(?:whole|entire)\s+(?:week|month|year|summer|winter|weekend|term)"
        r"|all\s+(?:month|year|summer|winter|weekend)|over\s+the\s+course\s+of"
        r"|most\s+of\s+the\s+(?:day|morning|afternoon|evening|night|week|month|year)"
    ),
    "sequence": r"and\s+then|after\s+that|afterwards|later|then\s+i\s+(?:went|got|decided|started)",
    # ---- evasive answers vs honest absence (Q11) ----
    "avoidance": (
        r"nothing\s+(?:special|much|interesting|in\s+particular|really|important|new|unusual|"
        r"remarkable|significant)|not\s+much|as\s+usual|as\s+always|same\s+as\s+(?:always|usual|"
        r"ever)|the\s+usual|all\s+(?:good|fine|ok|okay)|everything(?:'s|\s+is|\s+was)\s+(?:fine|ok|"
        r"okay|normal|good)|idk|dunno|i\s+don't\s+know|i\s+do\s+not\s+know|"
        r"(?:i\s+)?(?:don't|can't|do\s+not|cannot)\s+remember(?!\s+exactly)|nothing\s+to\s+report|"
        r"n/a|just\s+(?:normal|regular|a\s+normal|an\s+ordinary)|an?\s+(?:ordinary|normal|regular)"
        r"\s+(?:day|moment)"
    ),
    "avoidance_weak": r"nothing|fine|ok|okay|meh|normal|same|usual|boring|no|whatever|no\s+idea",
    "blank": (
        r"white\s+noise(?:\s+in\s+my\s+(?:head|mind))?|"
        rf"{_HEAD}\s+was\s+(?:completely\s+|totally\s+|just\s+|entirely\s+)?(?:blank|empty|quiet|"
        rf"silent|still)|(?:blank|empty)\s+(?:mind|head)|(?:wasn't|was\s+not|not)\s+thinking\s+"
        rf"(?:about\s+|of\s+)?anything|(?:i\s+)?(?:had|have)\s+no\s+thoughts?|nothing\s+(?:at\s+all\s+)?(?:was\s+)?"
        rf"(?:in|going\s+on\s+in|present\s+in)\s+(?:{_HEAD}|my\s+(?:experience|awareness))"
        rf"|there\s+was\s+nothing\s+(?:at\s+all\s+)?(?:in\s+(?:my\s+)?(?:experience|awareness|"
        rf"mind|head)|there)|(?:i\s+)?(?:wasn't|was\s+not)\s+aware\s+of\s+anything|no\s+thoughts?"
        rf"(?:\s+at\s+all)?|nothing\s+was\s+there|(?:an\s+)?(?:empty|blank)\s+(?:space|moment|"
        rf"screen)|my\s+mind\s+went\s+blank|mind\s+blank|nothing\s+at\s+all\s+in\s+experience"
        r"|nothing\s+(?:else\s+)?(?:in\s+there|up\s+there|in\s+my\s+head|going\s+on\s+inside)"
    ),
    # ---- a form named, its content declared unknown (a presupposition) ----
    "content_unknown": (
        r"(?:can't|cant|cannot|can\s+not|couldn't|couldnt|could\s+not|don't|dont|didn't|do\s+not|"
        r"did\s+not)\s+(?:really\s+)?(?:remember|say|tell|recall|describe|make\s+out)\s+"
        r"(?:exactly\s+)?(?:what|which|anything|the\s+words)|could\s+describe\s+nothing"
        r"|no\s+idea\s+what|not\s+sure\s+what\s+(?:it|the|was|they)|not\s+sure\s+what(?=\s*(?:[,.;!?]|$))"
        r"|(?:couldn't|could\s+not|can't|cannot)\s+say\s+(?:whether|if)\s+(?:it|this|there)"
        r"|(?:of|picturing|imagining|visuali[sz]ing|hearing|saying)\s+something(?=\s*(?:[,.;!?]|$))"
        r"|of\s+some\s+(?:kind|sort)|about\s+(?:stuff|things|something|whatever|this\s+and\s+that)"
    ),
    #: near an image, a sound or inner speech: its content left unknown or only indefinite
    #: ("not sure what", "cant name it", "something from the radio"); an indefinite right after
    #: the form ("pictured something") is found by phenomena.py
    "form_unknown": (
        r"(?:not\s+sure|no\s+idea|idk|dunno|don'?t\s+know)\s+what(?:\s+it\s+was)?"
        r"(?=\s*(?:[,.;!?)]|$))|(?:can'?t|cannot|couldn'?t|could\s+not)\s+(?:name|place|"
        r"make\s+out|pin\s+(?:it\s+)?down|say\s+which|tell\s+which)"
        r"|something\s+from\s+(?:the\s+|my\s+|a\s+)?[\w']+(?=\s*(?:[,.;!?]|$))"
        r"|some\s+(?:random\s+)?(?:song|tune|melody|jingle|image|picture|voice)(?!\w)"
    ),
    #: a form named vaguely by itself ("something visual", "some kind of image")
    "form_vague": (
        r"something\s+(?:visual|like\s+an?\s+(?:memory|image|picture|flashback|song|tune))"
        r"|(?:some|a)\s+(?:kind|sort)\s+of\s+(?:image|picture|memory|flashback|tune|song|visual)"
        r"|memory\s+of\s+some\s+(?:kind|sort)|random\s+(?:images?|pictures?|memor(?:y|ies)|"
        r"songs?|tunes?)"
    ),
    # ---- hedging and inferred experience (Q7, Q5) ----
    "hedge": (
        r"i\s+guess|probably|maybe|perhaps|possibly|might\s+have|may\s+have|would\s+have|"
        r"could\s+have|i\s+think\s+(?:i|it|that|my|there|he|she|maybe)|i\s+suppose|i\s+believe|"
        r"i'd\s+say|sort\s+of|(?<!a\s)kind\s+of|kinda|sorta|seems|it\s+seemed|not\s+sure|"
        r"not\s+certain|(?:don't|can't|do\s+not)\s+remember\s+exactly|more\s+or\s+less|i\s+reckon|"
        r"something\s+like\s+that|or\s+something|apparently|likely|i\s+feel\s+like\s+(?:i|it)"
    ),
    "inferred": (
        r"must\s+have|must've|i\s+assume|i\s+suppose\s+i|(?:i\s+)?would\s+have\s+been|"
        r"judging\s+by|probably\s+(?:was|were|had|felt|thinking|thought|i)|(?:i\s+)?guess\s+i\s+(?:was|"
        r"felt|had)|i\s+imagine\s+i\s+(?:was|felt)|i\s+think\s+i\s+(?:was|felt|had)|"
        r"i\s+was\s+probably|i\s+probably"
    ),
    # ---- causal theorising and interpretation (Q6) ----
    "causal": (
        r"because|cuz|since\s+(?:i|it|he|she|we|they|the|my|there)|so\s+that|"
        r"that's\s+why|that\s+is\s+why|due\s+to|the\s+reason|as\s+a\s+result|which\s+(?:made|makes)"
        r"\s+me|it\s+made\s+me|caused\s+by|owing\s+to|therefore|this\s+is\s+why"
    ),
    "interpretation": (
        r"(?:this|which|it|that)\s+(?:means|meant|shows|showed|proves|suggests)|deep\s+down|"
        r"subconsciously|unconsciously|my\s+(?:subconscious|unconscious|brain)|it's\s+(?:a\s+sign|"
        r"typical\s+of\s+me)|(?:related|connected)\s+to\s+my|in\s+reality\s+i|i\s+(?:tend|seem)\s+to"
        r"|the\s+truth\s+is|i\s+realized\s+(?:that\s+)?i'm|i\s+realised\s+(?:that\s+)?i'm"
    ),
    # ---- phenomena ----
    "only_this": (
        r"nothing\s+else|just\s+that|only\s+that|only\s+the\s+\w+ing|just\s+the\s+\w+ing|"
        r"that'?s\s+(?:it|all)(?!\s+i\s+(?:can|could|remember|recall|know))|no\s+thoughts?|only\s+the\s+(?:doing|movement|motion|action)"
    ),
    "doing_cue": r"just|simply|only",
    "gaze": r"(?:eyes|gaze|staring|stared|looking)\s+(?:\w+\s+)?(?:on|at|into)\s+\w+",
    "scene_noun": (
        r"(?:face|kitchen|room|bedroom|house|flat|hallway|garden|street|car|dress|office|desk|"
        r"balcony|classroom|school|beach|lake|yard|porch|sofa|hall|bathroom)(?=\s*[,:.)!?]|\s*$)"
    ),
    "speech_vague": (
        r"some\s+(?:self[-\s]?talk|(?:inner|internal)\s+(?:talk|speech|chatter|monologue|dialogue)|talking|words|"
        r"chatter|mumbling)|(?:saying|said|telling|muttering|mumbling|repeating)\s+(?:something|"
        r"some\s+stuff|stuff|things|whatever)|the\s+usual\s+(?:inner\s+)?(?:voice|chatter|"
        r"monologue|self-talk)|(?:inner|mental)\s+(?:chatter|noise)|self-talk\s+(?:going\s+on|"
        r"in\s+the\s+background)|(?:voice|monologue|chatter)\s+(?:in\s+my\s+head\s+)?(?:going|"
        r"running)\s+(?:on|in\s+the\s+background)"
        r"|(?:it\s+was|there\s+were|just|only|mostly)\s+words(?=\s*(?:[.;!?)]|$))"
    ),
    "inner_speech": (
        r"(?:said|say|saying|says|told|tell|telling|asked|ask|asking|whispered|muttered|repeated|"
        r"repeating|reminded|reminding|cursed|yelled|shouted|scolded|talked|talking|spoke|speaking|"
        r"answered|explained|promised|warned|went|whispering|muttering|mumbling|mumbled|yelling|"
        r"shouting|screaming|screamed|cursing|swearing|swore|scolding|pleading|begging|urging|"
        r"cheering|coaching|lecturing|lectured|nagging|arguing|argued)\s+(?:to\s+|at\s+)?"
        r"(?:myself|herself|himself)"
        rf"|in\s+{_HEAD}\W+i\s+(?:said|was\s+saying|say|told|asked|went|heard\s+myself)"
        rf"|(?:said|saying|say|repeated|repeating|rehears\w+|spoke|speaking|asked|asking)\s+(?:it\s+|"
        rf"the\s+words\s+|this\s+|that\s+|the\s+\w+\s+)?(?:in\s+{_HEAD}|silently|innerly|inwardly|"
        rf"internally|in\s+my\s+own\s+voice)"
        r"|innerly\s+(?:saying|said|speaking|spoke|asking|asked|telling|told|say|going)"
        r"|inner(?:ly)?\s+speech|(?:convo|conversation|chat|argument|debate|dialogue)\s+with\s+myself"
        r"|(?:inner|internal)\s+(?:voice|monologue|dialogue|narration|narrator|"
        r"speaking|speech)"
        r"|(?:in|with)\s+my\s+(?:own\s+)?(?:voice|tone)|my\s+own\s+voice|heard\s+myself\s+(?:say|"
        r"saying|think|thinking)|talking\s+to\s+myself|self-talk|rehearsing\s+(?:what|the|my)"
        r"|(?:words|sentence|phrase)\s+(?:in\s+)?(?:my\s+)?(?:own\s+)?voice"
        r"|narrating|subvocali\w+|sounding\s+out|count(?:ing|ed)\s+(?:in\s+my\s+head|to\s+myself|"
        r"silently)|(?:repeat\w*|rehears\w*|said|saying|telling|reciting|recited)\s+(?:[\w'-]+\s+)"
        r"{1,4}?(?:to\s+myself|in\s+my\s+head|silently|under\s+my\s+breath)"
    ),
    #: inner words typed after a colon: "in my head: not again"
    "speech_colon": (
        r"(?:(?:in\s+my\s+head|in\s+my\s+mind|to\s+myself|inside|silently|innerly|inwardly)"
        r"(?:\s+to\s+(?:the\s+|my\s+)?[\w'-]+)?|thinking|i\s+thought)(?=\s*:\s*"
        r"(?!(?:the\s+|that\s+|a\s+)?(?:song|tune|melody|music|jingle|chorus|image|picture|voice|face)\b)"
        r"[\w\"'“‘])"
    ),
    "speech_intuition": (
        r"inner\s+voice\s+(?:told|tells|was\s+telling|suggested|warned|whispered)\s+me\s+(?:to|that)"
        r"|gut\s+feeling|intuition"
    ),
    "quote_frame": (
        rf"myself|in\s+{_HEAD}|silently|innerly|inwardly|internally|thought|thinking|think|"
        r"wondered|went|voice|words|phrase|sentence|i\s+said|i\s+asked|i\s+was\s+like|repeat\w*|"
        r"rehears\w*|told|telling|asking|inside|not\s+(?:out\s+)?loud|not\s+aloud|"
        r"through\s+(?:my\s+)?(?:gritted\s+)?teeth|under\s+my\s+breath"
    ),
    "quote_other_speaker": (
        r"(?:she|he|they|you|someone|somebody|my\s+\w+|the\s+\w+)\s+(?:keep\s+|kept\s+)?(?:said|says|asked|asks|asking|shouted|"
        r"wrote|texted|told|tells|yelled|replied|answered)|(?:said|say|says|saying|told|tell|asked|"
        r"shouted|replied|replying|answered|answering|whispered|explain\w*)\s+(?:to\s+)?(?:her|him|"
        r"them|me|us|you)|(?:sign|label|title|screen|message|email|text|headline|book|song|caption)"
        r"\s+(?:said|says|read|reads)?|(?:after|before)\s+the\s+word|reading|read|titled|called|named|typed|typing|writing|wrote|"
        r"aloud|out\s+loud|to\s+(?:the|her|him|them|his|our|a|an)\s+\w+|to\s+my\s+(?!own|head|mind|self)\w+"
        r"|(?:told|tell|telling|asked|ask|asking)\s+(?:my|the|a|an|his|her|our|their)\s+(?!own|head|mind|self)\w+"
    ),
    "inner_hearing": (
        r"(?:song|tune|melody|music|jingle|chorus|lyrics?|riff|refrain|beat|theme|anthem|ringtone|bass\s?line|hymn|drums?)\W+(?:[\w'-]+\W+){0,4}?"
        rf"(?:in\s+{_HEAD}|stuck|on\s+repeat|looping|playing\s+in)"
        rf"|in\s+{_HEAD}\W+(?:[\w'-]+\W+){{0,3}}?(?:song|tune|melody|music|jingle|chorus|theme|anthem)"
        rf"|(?:singing|sings|sang|humming|hums)\s+(?:\S+\s+){{0,2}}?in\s+{_HEAD}"
        rf"|(?:heard|hearing|hear|could\s+hear)\s+(?:[\w'-]+\s+){{0,3}}?(?:voice|song|tune|melody|music"
        rf"|words)\s+(?:[\w'-]+\s+){{0,3}}?(?:in\s+{_HEAD}|innerly|inwardly|in\s+my\s+imagination)"
        rf"|(?:(?<='s\s)|(?<=his\s)|(?<=her\s)|(?<=their\s))voice\s+(?:in\s+{_HEAD}|saying|echoing|"
        r"telling|told|says|said|shouting|calling|whispering|asking)"
        rf"|voice\s+of\s+(?:my\s+)?[\w-]+\s+in\s+{_HEAD}"
        r"|imagined\s+(?:hearing|the\s+sound)|heard\s+(?:it\s+)?(?:innerly|inwardly)"
        r"|(?:song|tune|melody|jingle|chorus|theme|anthem|ringtone|bass\s?line|hymn)\s+(?:[\w'-]+\s+){0,4}?(?:going\s+round|looping|on\s+"
        r"loop|on\s+repeat|playing|replaying|running)|earworm"
        r"|(?:was|were)\s+(?:innerly\s+|inwardly\s+)?hearing|innerly\s+hearing|hearing\s+(?:it\s+)?"
        r"in\s+(?:my\s+head|imagination)|(?:(?<=s\s)|(?<=his\s)|(?<=her\s)|(?<=their\s))"
        r"(?:voice|tone)(?!\s+(?:was\s+)?(?:cracked|broke))"
        r"|(?:song|tune|melody|jingle|chorus|lyrics?|riff|refrain)\s+(?:[\w'-]+\s+){0,4}?(?:still|"
        r"again|round\s+and\s+round|over\s+and\s+over|stuck|looping|on\s+loop)"
        r"|(?:the|that|this)\s+(?:song|tune|jingle|melody)\s+(?:from|about|with|by)"
        r"|(?:mum|mom|dad|mother|father|boss|teacher|sister|brother|grandma|gran|nan|grandad|"
        r"husband|wife|partner|coach|friend)\s+(?:going|goes|saying|says|telling\s+me|"
        r"voice|nagging|asking)(?=\W+(?:[\w'-]+\W+){0,3}?[\"'“‘«])"
        r"|(?:theme\s+tune|intro|chorus|jingle|lyrics|earworm)(?!\s+(?:on|from)\s+(?:the\s+)?"
        r"(?:radio|speakers?|tv|telly|headphones))"
        r"|(?:remember\w*|recall\w*)\s+(?:\w+\s+){0,3}?(?:voice|saying|tone|laugh)"
        r"|in\s+my\s+(?:head|ears)\s*:\s*(?:[\w'-]+\s+){0,2}?(?:song|tune|melody|jingle|chorus|music)"
    ),
    "inner_seeing": (
        r"pictur(?:ed|ing)|visuali[sz]\w*|imagin(?:ed|ing)\s+(?!(?:the\s+|a\s+|an\s+)?(?:smell|"
        r"taste|sound|feel|touch|texture|scent|voice|noise)\w*)(?:seeing|the|a|an|my|her|his|their|"
        r"its|it|myself|how\s+\w+\s+looks?)|in\s+my\s+mind's\s+eye|mind's\s+eye|mental\s+(?:image|"
        r"picture|snapshot|movie|scene)s?|(?:an?|the)\s+(?:\w+\s+)?(?:image|picture)\s+of"
        rf"|(?:saw|see|seeing|could\s+see)\W+(?:[\w'-]+\W+){{0,3}}?(?:in\s+{_HEAD}|innerly|inwardly|in\s+"
        rf"my\s+imagination)|innerly\s+(?:saw|see|seeing)|(?:saw|see|seeing|pictured)\s+myself"
        rf"|(?:image|picture|scene|face|snapshot|vision)s?\s+(?:\w+\s+)?(?:in|inside)\s+{_HEAD}"
        r"|(?:image|picture|face|scene)\s+(?:popped|flashed|came|appeared)\s+(?:up|into|in)"
        r"|(?:vivid|blurry|fuzzy|clear|dim|colou?red|black-and-white|faint|detailed|bright|"
        r"static|moving|still)\s+(?:image|picture)"
        r"|(?:picture|image|vision)\s+of|vivid(?:ly)?|(?:very|so|really|super|crystal)\s+clear"
        r"(?!\s+(?:that|to|what|how|why|whether))|in\s+my\s+(?:head|mind)\s+i\s+(?:could\s+)?"
        r"(?:see|saw)|i\s+(?:could|can)\s+see\s+(?:it|him|her|them)\s+(?:clearly|so\s+clearly)"
        r"|seeing(?!\s+(?:if|whether|that|how|what|to))|(?:from\s+)?(?:up\s+high|above)\s*,?\s+"
        r"(?:rows|like)"
        r"|(?:her|his|their)\s+(?:\w+\s+)?(?:face|dress|smile)\s+(?:from|when|as|at)\b"
        r"|like\s+(?:a|in\s+a)\s+(?:photo|film|movie|snapshot|video)|(?:black\s+and\s+white|in\s+colou?r)"
        r"|(?:remember\w*|recall\w*)\s+(?:\w+\s+){0,3}?(?:face|smile|look|how\s+\w+\s+looked)"
        r"|i\s+(?:can\s+|could\s+)?see(?=\s+(?!(?:what|that|how|why|if|whether|the\s+screen)\b)\w)"
        rf"|(?:flash|glimpse|snapshot)\s+of(?!\s+(?:{_EMOTION})(?!\w))|(?:popped|flashed)\s+(?:up\s+)?(?:in(?:to)?\s+)?(?:my\s+)?"
        r"(?:head|mind)"
    ),
    "ut_cue": (
        r"(?:just|simply)\s+knew|a\s+(?:clear\s+|distinct\s+)?sense\s+(?:that|of\s+(?:knowing|"
        r"wondering))|wondering\s+(?:whether|if|how|why|what|when)|wondered\s+(?:whether|if|how|"
        r"why|what)|it\s+was\s+clear\s+to\s+me|(?:understood|realized|realised|grasped)\s+(?:that|"
        r"how|what|i|it)|an?\s+(?:awareness|knowing|understanding)\s+that|the\s+thought\s+(?:was\s+)?that"
        r"|knowing\s+(?:that|it)|felt\s+that|a\s+feeling\s+that|sense\s+that"
        r"|it\s+(?:hit|struck)\s+me\s+that|dawned\s+on\s+me\s+that|(?:knew|knowing)(?=\s*:\s*\w)"
    ),
    "symbol_negation": (
        r"(?:without|no|not\s+in|not\s+as|with\s+no|not)\s+(?:any\s+)?(?:inner\s+)?words|wordless\w*"
        r"|nothing\s+(?:said|heard)\s+or\s+seen|(?:without|no|with\s+no)\s+(?:any\s+)?(?:images?|pictures?|symbols?|visuals?)"
        r"|neither\s+words\s+nor\s+(?:images|pictures)|not\s+(?:in\s+)?(?:a\s+)?(?:picture|image)s?"
        r"|not\s+verbal|non-verbal|nonverbal|no\s+(?:inner\s+)?(?:voice|speech)"
        r"|not\s+(?:in\s+)?worded|unworded|not\s+put\s+into\s+words"
        r"|(?:didn't|did\s+not)\s+(?:say|hear|see)\s+(?:any|anything)"
    ),
    "word_negation": (
        r"(?:without|no|not\s+in|not\s+as|with\s+no)\s+(?:any\s+)?(?:inner\s+)?words|wordless\w*"
        r"|no\s+(?:inner\s+)?(?:voice|speech)|not\s+verbal|non-?verbal"
    ),
    "thought_word": (
        r"thoughts?|thinking|idea|knew|knowing|understood|understanding|realiz\w*|realis\w*|"
        r"sense|wonder\w*|question|notion|aware|awareness|meaning|concept|plan|intention"
    ),
    "feeling": (
        rf"{_EMOTION}|(?:a\s+)?(?:wave|surge|pang|rush|flash|twinge|flicker|jolt|stab)\s+of\s+"
        r"(?!(?:the|a|an|my|his|her|its|their|this|that|light|colou?r|blue|red|white|green)(?!\w))\w+"
        r"|felt\s+(?:down|low|blue|miserable)"
    ),
    "bodily": (
        rf"(?:{_BODY_SENSATION})\W+(?:[\w'-]+\W+){{0,4}}?(?:{_BODY})"
        rf"|(?:my\s+)?(?:{_BODY})\s+(?:was\s+|were\s+|got\s+|went\s+|started\s+|began\s+)?(?:tight\w*|clench\w*|"
        r"pound\w*|racing|raced|sank|sinking|churn\w*|burn\w*|hot|flushed|heavy|flutter\w*|tense\w*|"
        r"tensing|knotted|dropped|skipped|hurt|ached|aching|throbb\w*|tingl\w*|froze|numb)"
        r"|goosebumps|shiver\w*|butterflies|lump\s+in\s+my\s+throat|heart\s+(?:sank|raced|pounded)"
    ),
    "sensory_attend": (
        r"noticed|noticing|notice|(?:was|got|became|felt)\s+(?:drawn|absorbed|fascinated|"
        r"captivated|struck|transfixed|mesmerized|mesmerised|taken)|drawn\s+to|absorbed\s+in|"
        r"zeroed\s+in\s+on|zeroing\s+in\s+on|focus(?:ed|ing|sed|ssing)?\s+on|fixated\s+on|"
        r"attending\s+to|paying\s+attention\s+to|(?:was\s+)?aware\s+of|captivated\s+by|struck\s+by|"
        r"mesmeri[sz]ed\s+by|staring\s+at|gazing\s+at|listening\s+to|savou?ring|enjoying|"
        r"feeling\s+the|felt\s+the|relishing|marvell?ing\s+at|admiring|attention\s+(?:was\s+)?on|"
        r"taking\s+in|sensing|tasting|smelling|soaking\s+in|watching\s+the\s+way|the\s+way\s+the|"
        r"filled\s+my\s+(?:awareness|attention|experience)|in\s+my\s+awareness|all\s+i\s+noticed|"
        r"imagin(?:ed|ing)(?=\s+(?:the\s+|a\s+)?(?:smell|taste|scent|feel|touch|texture))|"
        r"(?:felt|feel|feeling)(?=\s+(?:a|an|my|the)\s)"
    ),
    "sensory_quality": _SENSORY_QUALITY,
    "instrumental": (
        r"in\s+order\s+to|so\s+(?:that\s+)?i\s+could|to\s+(?:read|find|grab|get|check|press|click|"
        r"open|use|pick|see\s+(?:if|what|whether)|look\s+for|reach)|looking\s+for|searching\s+for"
    ),
    "just_doing": (
        rf"(?:just|only|simply)\s+(?:the\s+)?(?:{_ACTIVITY})\W+(?:[\w'-]+\W+){{0,5}}?(?:nothing\s+"
        r"else|no\s+(?:other\s+)?thoughts?)|only\s+the\s+(?:doing|movement|motion|"
        r"action)|on\s+autopilot\W+(?:[\w'-]+\W+){0,4}?nothing\s+else|pure(?:ly)?\s+(?:doing|"
        r"action|movement)"
    ),
    "activity": (
        rf"(?:was|were|i'm|am|i\s+was|i\s+am)\s+(?:just\s+)?(?:{_ACTIVITY})"
        r"|(?:i\s+)?(?:worked|drove|ate|walked|cooked|watched|scrolled|talked|typed|wrote|sat|"
        r"waited|cleaned|washed|showered|shopped|studied|ran|rode|texted|played|browsed|checked|"
        r"went|came\s+home|got\s+up|made\s+(?:tea|coffee|dinner|lunch))"
        r"|at\s+(?:work|home|the\s+office|school|the\s+gym|a\s+meeting|university|lunch|the\s+store"
        r"|my\s+desk)|in\s+(?:a|the)\s+(?:meeting|class|lecture|car|bus|train|subway|metro|kitchen|"
        r"shop|office|queue|line)|on\s+(?:the|a)\s+(?:bus|train|phone|call|way)"
    ),
    "experiential": (
        r"felt|feel|feeling|saw|heard|hearing|sensed|experienced|experience|awareness|aware|"
        r"pictured|imagined|wondered|noticed|in\s+my\s+(?:head|mind)|inner|innerly|hear|see"
    ),
    "perception": r"saw|see|seeing|heard|hear|hearing|looked|looking|watched|watching",
    "thinking_unspecified": (
        r"(?:thinking|thinkin|thought|thinks?|pondering|considering|reflecting|mulling|contemplating|ruminating|"
        r"worrying|daydreaming)\s+(?:about|of|over|on|through)|thoughts?\s+(?:about|of|on|were)"
        r"|on\s+my\s+mind|in\s+my\s+thoughts|my\s+mind\s+(?:was\s+)?(?:on|wandering|elsewhere|"
        r"drifting)|mentally|(?:i\s+was|was)\s+thinking(?!\s*[:\"'“«])|lost\s+in\s+thought"
    ),
    "reading": (r"reading|read|re-?reading|reread\w*|skimming|skimmed"),
    "reading_voice": (
        r"inner\s+voice|voice\s+(?:in\s+my\s+head|reading|narrating)|narrat\w+|"
        r"(?:heard|hearing|hear)\s+(?:the\s+)?(?:words|text|sentences?)|read\w*\s+(?:it\s+|the\s+text"
        r"\s+|them\s+)?(?:to\s+myself|in\s+my\s+head|aloud\s+in\s+my\s+head)|subvocali\w+|"
        r"sounding\s+out|in\s+my\s+(?:own\s+)?voice|my\s+voice"
        r"|(?:heard|hearing|hear)\s+(?:it|them)\s+(?:in\s+my\s+head|inside|in\s+my\s+mind)"
    ),
    "abstract": (
        r"productiv\w*|success\w*|meaningful|meaningless|motivat\w*|efficien\w*|(?:good|bad|great)"
        r"\s+mood|in\s+a\s+(?:good|bad)\s+mood|felt\s+(?:good|bad|fine|ok|okay|great|nice|weird|"
        r"strange|normal|positive|negative|off)|(?:was|it\s+was|i\s+was)\s+(?:good|bad|fine|great"
        r"|nice|weird|strange)|vibe\w*"
    ),
    "simile": r"as\s+if|as\s+though|like\s+a|like\s+the|like\s+someone",
    "detail": (
        r"own\s+voice|loud\w*|quiet\w*|whisper\w*|fast|quick\w*|slow\w*|tone|intonation|inflect\w*|"
        r"vivid\w*|blurry|fuzzy|clear\w*|dim|bright\w*|detailed|from\s+above|from\s+behind|"
        r"from\s+the\s+side|black-and-white|in\s+colou?r|colou?r\w*|red|blue|green|yellow|grey|gray|"
        r"static|moving|motionless|left|right|upper|lower|centre|center|behind\s+my\s+eyes|"
        r"in\s+front\s+of\s+me|size|distance|texture|faint\w*|sharp\w*|dull|warm\w*|cold|cool|"
        rf"{_BODY}"
    ),
    "negator": (
        r"not|no|never|without|nor|neither|none|don't|didn't|wasn't|weren't|isn't|couldn't|can't|"
        r"won't|hardly|barely|nothing"
    ),
}

#: Words negating what follows within three words of a clause («не было образов», "no words").
NEGATORS: Final[frozenset[str]] = frozenset(
    [
        "barely",
        "can't",
        "couldn't",
        "didn't",
        "don't",
        "hardly",
        "isn't",
        "neither",
        "never",
        "no",
        "none",
        "nor",
        "not",
        "nothing",
        "wasn't",
        "weren't",
        "without",
        "won't",
    ]
)
#: Words that start a new clause: a negation before them does not reach past them.
CONJUNCTIONS: Final[frozenset[str]] = frozenset(["and", "but", "however", "or", "yet"])
