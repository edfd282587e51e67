"""Content lexicons by lemma: the vocabulary of the senses and of the body, in both languages.

Participants type the content of a moment straight away, without a framing verb: «мокрый
асфальт пахнет железом», "tingling in my left foot". These lists name that content by *lemma*
(Russian: pymorphy3's normal form, ``ё`` written ``е``; English: any form, reduced to its Snowball
stem when the index is built), so one entry covers every inflection (:mod:`.morphology`).

Categories:

* ``quality``: a sensory quality (temperature, texture, taste, smell, sound, light);
* ``quality_weak``: a quality that is often figurative («тяжелый день», "a hard day"): content
  only beside a body part or a sensory thing;
* ``colour``: a colour or shade (visual detail);
* ``sense``: a sensory thing or event (a smell, a click, a glint, a draught);
* ``sense_verb``: a verb whose subject is a sensation («пахнуть», "hum", "glint");
* ``body_part``: a part of the body;
* ``matter``: a substance that can be felt on the skin or in the mouth (grit, salt, grease,
  «песок», «мука»): content only in a clause with a body part ("grit between my teeth");
* ``body_feel``: a bodily sensation (an ache, numbness, «мурашки», «затечь»);
* ``own``: a bodily sensation no feeling is felt as (an itch, hunger, numbness, «ноги гудят», a
  chafe, a sore throat): beside a named feeling, a sensation of its own, not the feeling's
  bodily side;
* ``place``: a place or a thing of a scene (a kitchen, a garage, a stairwell, a face): with a
  possessive or a past owner before it ("grandpa's garage", «сестрёнкина комната», "her old
  school") and a description after it, a scene seen while absent (inner seeing);
* ``voice``: a voice or a tune (English; «голос», «мелодия» have their own markers): after
  "X's" and a word or two ("coach's raspy voice"), or a tune named and nothing more ("the
  tetris tune, the fast version"), heard innerly;
* ``doing``: an everyday bodily activity («резать», «гладить», "fold", "scrub"): what "just
  doing" is done with, typed bare («режу лук, больше ничего», "folding towels, nothing else").

Adding a word is adding it to its set; nothing else changes.
"""

from __future__ import annotations

from typing import Final

__all__ = ["EN_WORDS", "RU_LEMMAS"]


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``."""
    return frozenset(text.split())


RU_LEMMAS: Final[dict[str, frozenset[str]]] = {
    "quality": _words(
        """
        ароматный бархатный блестящий ватный визгливый влажный вонючий вяжущий гладкий
        глухой горький горько горячий громкий громко гулкий душистый душно душный дымный
        едкий жаркий жарко жгучий затекший затхлый звонкий зернистый зудящий каменный
        кисло кислый колючий колющий ледяной липкий мерцающий металлический мокро мокрый
        монотонный морозный мятный ноющий обжигающий онемевший онемелый ослепительный
        писклявый пресный приглушенный приторный прозрачный пронзительный прохладно
        прохладный пряный пульсирующий пушистый раскаленный ритмичный рыхлый сияющий
        скользкий скрипучий сладкий сладко солено соленый спертый студеный сухо сухой
        сыро сырой терпкий тусклый тянущий упругий холодно холодный хриплый шелковый
        шершавый шуршащий щекотный яркий ярко
        """
    ),
    "quality_weak": _words(
        """
        деревянный жесткий легкий мягкий острый резкий ровный свежий светло сильный
        слабый темно тепло теплый тихий тихо тупой тяжелый
        сжатый сжаться сжиматься дрожать
        """
    ),
    "colour": _words(
        """
        алый бежевый белый бирюзовый бордовый голубой желтый зеленый золотистый золотой
        изумрудный коричневый красный лиловый малиновый оранжевый пурпурный розовый
        рыжий салатовый серебристый серебряный серый синий сиреневый фиолетовый черный
        """
    ),
    "sense": _words(
        """
        аромат блеск блик бульканье ветер ветерок вкус влага вой вонь горечь грохот
        гудение гул дребезжание духи духота дым жар жужжание журчание запах звон звук
        изморось капель капля кислинка лай луч лязг мерцание отблеск отражение оттенок
        пар писк плеск полоска послевкусие привкус прохлада рокот свет свист сияние
        сквозняк скрежет скрип сладость стук сырость текстура тень тепло тиканье топот
        треск урчание хлорка холод холодок хруст цвет чириканье шаг шарканье шелест
        шорох шум шуршание щебет щелчок эхо
        кислятина
        """
    ),
    "sense_verb": _words(
        """
        благоухать блестеть блестнуть бликовать булькать вонять греметь гудеть
        дребезжать жечь жужжать журчать завывать затекать затечь звенеть звучать знобить
        зудеть капать колоть ломить лязгать мерцать неметь ныть обдавать обжигать
        онеметь пахнуть переливаться пищать покалывать пульсировать саднить сверкать
        свистеть сиять скрипеть слепить стучать тикать трещать урчать холодить хрустеть
        чесаться шелестеть шибать шипеть шуршать щекотать щипать
        свести сводить першить кольнуть дергаться болеть слезиться
        гореть натереть пищать звякать бренчать тренькать гудок
        щелкать щелкнуть грохотать рокотать плескаться топать скрежетать лаять шуметь
        барабанить хлопать
        """
    ),
    "body_part": _words(
        """
        бедро веко висок глаз голень горло грудь губа желудок живот запястье затылок зуб
        икра кисть кожа колено кулак ладонь лицо лоб лодыжка локоть лопатка макушка
        мышца небо нога нос нёбо палец переносица плечо подбородок позвоночник поясница
        пятка ребро рот рука сердце солнечное спина стопа ступня темечко ухо челюсть шея
        щека язык
        бровь скула ресница ноготь предплечье подмышка десна кадык пупок ноздря грудина
        ключица сустав мизинец
        коленка пальчик щечка животик пяточка
        """
    ),
    "matter": _words(
        """
        брызги воск глина грязь жир клей краска крем крошка масло мазут мел морось мука
        мыло опилки пена пепел песок песчинка пыль пыльца сажа сахар слюна смола соль
        тесто
        """
    ),
    "body_feel": _words(
        """
        боль давление дрожь жажда жжение зевота зуд испарина ломота мурашек мурашка
        мурашки напряжение озноб онемение оскомина покалывание пульсация спазм судорога
        сухость тошнота тяжесть щекотка щекотно
        резь изжога икота першение колики
        голод
        """
    ),
    "own": _words(
        """
        зуд зудеть чесаться голод голодный жажда онеметь онемение онемевший затечь
        затекать затекший гудеть натереть мозоль
        першить першение саднить
        """
    ),
    "place": _words(
        """
        балкон веранда гараж дача двор дверь диван дом квартира класс коридор комната
        кухня лестница лицо машина море мост набережная огород озеро общага общежитие
        остановка парк пляж подъезд площадка прихожая река сад спальня стадион стол
        улица училище школа аудитория вокзал платформа перрон кабинет могила кровать
        баня предбанник сарай сервант шкаф беседка палатка качели гамак печка камин чердак
        подвал погреб калитка забор крыльцо верстак лодка велосипед холодильник буфет
        """
    ),
    "doing": _words(
        """
        бежать вешать вязать гладить грести жевать идти копать крутить листать мешать
        мыть подметать пылесосить развешивать резать рисовать складывать стирать
        строгать тереть чистить шагать шить ехать плыть нарезать протирать вытирать
        мести полоть поливать собирать раскладывать печатать помешивать сидеть стоять ждать
        """
    ),
}

EN_WORDS: Final[dict[str, frozenset[str]]] = {
    "quality": _words(
        """
        achy acrid bitter bland bright bumpy chilly clammy cold creamy crisp crunchy
        damp dim faint fishy fragrant freezing fresh furry fuzzy glaring glinting glossy
        grainy greasy gritty hoarse humid icy itchy loud lukewarm metallic minty moist
        monotonous muffled musty numb peppery prickly pungent quiet rhythmic rough salty
        scalding scratchy shimmering shiny shrill silky slippery smoky smooth soggy sour
        sparkling spicy stale sticky stiff stinging stuffy sweaty sweet tacky tangy
        throbbing tingly translucent velvety wet whiny
        """
    ),
    "quality_weak": _words(
        """
        burning cool dry dull fresh hard heavy hot light quiet sharp soft sore stiff
        strong tight warm weak
        shake shaking clench clenched tremble raw wobbly
        """
    ),
    "colour": _words(
        """
        beige black blue brown crimson gold golden gray green grey lilac navy orange
        pink purple red scarlet silver silvery teal turquoise violet white yellow
        """
    ),
    "sense": _words(
        """
        aftertaste aroma breeze buzz buzzing chill chirp chirping chlorine clack clatter
        click clicking clink color colour coolness crackle creak draft draught drip
        dripping echo flavor flavour flicker footsteps glare gleam glint glow gurgle
        heat hiss hue hum humming jingle light noise odor odour reflection roar rumble
        rustle rustling scent screech shade shadow shimmer smell smoke sound sparkle
        splash squeak steam stench taste texture thud thump ticking warmth whiff whir
        whirr wind
        whistling rattle chime clang honk patter
        sunlight sunshine streetlight drumming squeal
        """
    ),
    "sense_verb": _words(
        """
        ache burn buzz chirp clatter click creak drip flicker gleam glint glow growl hiss hum
        itch prickle pulse reek rumble rustle shimmer smell smelled smells smelt sparkle
        squeak sting stink throb tick tickle tingle twitch whir
        whistle rattle chime honk patter thrum clang
        """
    ),
    "body_part": _words(
        """
        ankle arm arms back belly calf cheek cheeks chest chin ear ears elbow eye eyelid
        eyelids eyes face feet finger fingers fingertip fingertips foot forehead gut
        hand hands heart heel hip hips jaw knee knees leg legs lip lips mouth muscle
        muscles neck nose nostril palm palms scalp shin shoulder shoulders skin spine
        stomach teeth temple temples thigh throat thumb toe toes tongue tooth wrist
        calves forearm forearms rib ribs breastbone collarbone eyebrow eyebrows brow knuckle
        knuckles lung lungs sinuses gums tummy armpit ribcage nape
        fingernail fingernails toenail toenails eyelash eyelashes earlobe kneecap
        """
    ),
    "matter": _words(
        """
        ash butter chalk crumb crumbs dirt drizzle dust flour foam glitter glue grease grime
        grit gravel honey lather lotion mud pollen powder resin salt sand sap sawdust sleet
        soap soot splinter sugar sunscreen talc toothpaste wax
        """
    ),
    "body_feel": _words(
        """
        ache aching burning cramp dizziness fatigue goosebumps heartbeat heaviness
        hunger itch itching jitters knot lump nausea needles numbness pain pins pressure
        prickle pulse queasiness queasy shakiness shiver shivers soreness stiffness
        sweat tension thirst throbbing tickle tightness tingle tingling twinge
        trembling shaky jittery
        hungry thirsty
        """
    ),
    "own": _words(
        "itch itchy itching hunger hungry thirst thirsty numb numbness cramp blister scratchy sore"
    ),
    "place": _words(
        """
        attic balcony basement bathroom beach bedroom bridge car classroom corridor
        desk door driveway face field flat garage garden grave hall hallway house kitchen
        lake landing office park platform playground porch roundabout school shed sofa
        stairwell staircase station street yard
        workbench treehouse caravan pool tent fireplace cellar swing hammock barn cottage
        cabin kayak boat bike fridge cupboard wardrobe dresser armchair bench fence gate place
        """
    ),
    "voice": _words("voice tune jingle melody"),
    "doing": _words(
        """
        brush carry chop climb cycle dig drive fold hang hoover iron jog knit load mop
        paint pedal peel pour rake rinse row scrub sew slice sort stack stir sweep swim
        tap type walk wash weed whisk wipe sit stand scroll wait queue
        """
    ),
}
