"""Demo texts in Hebrew and English: profile descriptions and chat lines.

Faker gives the names; its "lorem" sentences are random word salad in both languages (they read
as nonsense on a dating profile), so descriptions are built from these phrase banks (gendered in
Hebrew) and the member's own interests.
"""

from __future__ import annotations

import random

# (male form, female form); English has one form.
HE_OPENERS = (
    (
        "אוהב {a} ו{b}, ומחפש מישהי לחלוק איתה את זה.",
        "אוהבת {a} ו{b}, ומחפשת מישהו לחלוק איתו את זה.",
    ),
    ('בסופ"ש תמצאו אותי ב{a} או ב{b}.', 'בסופ"ש תמצאו אותי ב{a} או ב{b}.'),
    ("{a}, {b} וקפה טוב — זה אני בשלוש מילים.", "{a}, {b} וקפה טוב — זו אני בשלוש מילים."),
    ("מכור ל{a}, מתחיל להתאהב ב{b}.", "מכורה ל{a}, מתחילה להתאהב ב{b}."),
    ("הכי נהנה כשיש {a} ברקע ו{b} על השולחן.", "הכי נהנית כשיש {a} ברקע ו{b} על השולחן."),
)
HE_SENTENCES = (
    ("עובד בהייטק אבל הלב שלי בטבע.", "עובדת בהייטק אבל הלב שלי בטבע."),
    ("אופטימי, סקרן ואוהב לצחוק.", "אופטימית, סקרנית ואוהבת לצחוק."),
    ("מחפש קשר רציני עם מישהי כנה.", "מחפשת קשר רציני עם מישהו כן."),
    ("מבשל מעולה, שוטף כלים פחות.", "מבשלת מעולה, שוטפת כלים פחות."),
    ("טיפוס של בוקר, קפה ראשון לפני שבע.", "טיפוס של בוקר, קפה ראשון לפני שבע."),
    ("מאמין ששיחה טובה שווה יותר מכל אפליקציה.", "מאמינה ששיחה טובה שווה יותר מכל אפליקציה."),
    ("גר ליד הים ולא מתכוון לעזוב.", "גרה ליד הים ולא מתכוונת לעזוב."),
    ("סטודנט, חולם לטייל בדרום אמריקה.", "סטודנטית, חולמת לטייל בדרום אמריקה."),
    ("יש לי כלב שמחליט עליי הכול.", "יש לי כלבה שמחליטה עליי הכול."),
    ("אוהב אנשים עם הומור עצמי.", "אוהבת אנשים עם הומור עצמי."),
    ("לא מוותר על ארוחת שישי עם המשפחה.", "לא מוותרת על ארוחת שישי עם המשפחה."),
    ("תמיד בדרך לחוויה הבאה.", "תמיד בדרך לחוויה הבאה."),
)
EN_OPENERS = (
    "Big fan of {a} and {b}.",
    "Weekends are for {a} and {b}.",
    "{a}, {b} and good coffee: that's me in a nutshell.",
    "Happiest with some {a} and a bit of {b}.",
    "Looking for someone who's into {a} (bonus points for {b}).",
)
EN_SENTENCES = (
    "Curious, optimistic and always up for an adventure.",
    "I work in tech but my heart is outdoors.",
    "Looking for something real with someone kind.",
    "I cook better than I clean.",
    "Morning person, first coffee before seven.",
    "A good conversation beats any app.",
    "Dog person, but cats are fine too.",
    "Planning my next trip as we speak.",
    "Family dinners on Friday are sacred.",
    "Tell me your favourite book and I'll tell you mine.",
)

HE_MESSAGES = (
    "היי! ראיתי שגם את/ה אוהב/ת {a} 😊",
    "מה שלומך?",
    "איזה כיף שהתאמנו!",
    'מה את/ה עושה בסופ"ש?',
    "בא לך לשתות קפה השבוע?",
    "חחח לגמרי",
    "נשמע מעולה, מתי נוח לך?",
    "יום חמישי בערב?",
    "סגור, נתראה!",
    "איך היה היום שלך?",
)
EN_MESSAGES = (
    "Hi! I saw you're into {a} too 😊",
    "How's your week going?",
    "So nice that we matched!",
    "Any plans for the weekend?",
    "Fancy a coffee this week?",
    "Haha, totally",
    "Sounds great, when suits you?",
    "Thursday evening?",
    "Deal, see you then!",
    "How was your day?",
)


def description(
    *,
    rng: random.Random,
    hebrew: bool,
    female: bool,
    interests: list[str],
) -> str:
    """A 2-3 sentence bio in the member's language mentioning two of their ``interests``
    (interest names already in that language)."""
    a, b = (interests + interests)[:2] if len(interests) < 2 else rng.sample(interests, 2)
    form = 1 if female else 0
    if hebrew:
        parts = [rng.choice(HE_OPENERS)[form].format(a=a, b=b)]
        parts += [s[form] for s in rng.sample(HE_SENTENCES, rng.randint(1, 2))]
    else:
        parts = [rng.choice(EN_OPENERS).format(a=a.lower(), b=b.lower())]
        parts += rng.sample(EN_SENTENCES, rng.randint(1, 2))
    return " ".join(parts)


def chat_line(*, rng: random.Random, hebrew: bool, position: int, interest: str) -> str:
    """A chat message; the first of a conversation is an opener naming a shared ``interest``."""
    bank = HE_MESSAGES if hebrew else EN_MESSAGES
    line = bank[0] if position == 0 else rng.choice(bank[1:])
    return line.format(a=interest if hebrew else interest.lower())


# --- the demo login's conversations and stories (showcase.py) ----------------------------------
# Each thread is a list of (speaker, text): 0 = the match, 1 = the demo login (a woman, so the
# Hebrew addresses her in the feminine and she speaks in the feminine). ``{hers}`` is one of
# her interests, ``{his}`` one of the match's.
HE_THREADS: tuple[tuple[tuple[int, str], ...], ...] = (
    (
        (0, "היי! ראיתי שגם את אוהבת {hers} 😊"),
        (1, "היי! כן, זה החלק הכי טוב בשבוע שלי"),
        (0, "איפה הכי כיף לך לעשות את זה בתל אביב?"),
        (1, "יש מקום קטן ליד שוק הכרמל, חייבת להראות לך"),
        (0, "סגור! בא לך ביום חמישי בערב?"),
        (1, "נשמע מעולה 🙂"),
        (0, "אז חמישי ב-20:00, אני אביא את הקפה ☕"),
    ),
    (
        (0, 'בוקר טוב! איך עבר הסופ"ש?'),
        (1, "מושלם, הייתי בים כל היום 🌊 ואצלך?"),
        (0, "טיול בצפון, עדיין מחפש את הנשימה 😅"),
        (1, "חחח נשמע שווה. איפה הייתם?"),
        (0, "נחל עמוד. ממליץ בחום, אפשר לעשות אותו ביחד מתישהו"),
    ),
    (
        (1, "היי! ראיתי שגם אתה בקטע של {his} 😄"),
        (0, "איזה כיף לשמוע! ממתי את בעניין?"),
        (1, "כבר כמה שנים, אבל רק עכשיו התחלתי ברצינות"),
        (0, "אז מצאת מישהו להתאמן איתו 😉"),
    ),
    (
        (0, "איזה כיף שהתאמנו!"),
        (1, "גם אני שמחה 🙂 מה אתה עושה בחיים?"),
        (0, "מתכנת ביום, מבשל בלילה. ואת?"),
        (1, "מעצבת. ומה הכי טעים שאתה מבשל?"),
        (0, "שקשוקה. בשבת אני מזמין אותך לטעום 🍳"),
    ),
)
EN_THREADS: tuple[tuple[tuple[int, str], ...], ...] = (
    (
        (0, "Hi! I saw you're into {hers} too 😊"),
        (1, "Hey! Yes, it's the best part of my week"),
        (0, "Where's your favourite spot for it in Tel Aviv?"),
        (1, "There's a tiny place near the Carmel market, I have to show you"),
        (0, "Deal! Thursday evening?"),
        (1, "Sounds great 🙂"),
        (0, "Thursday at 8 then, I'll bring the coffee ☕"),
    ),
    (
        (0, "Good morning! How was your weekend?"),
        (1, "Perfect, I spent the whole day at the beach 🌊 You?"),
        (0, "Hiking up north, still catching my breath 😅"),
        (1, "Haha sounds amazing. Where did you go?"),
        (0, "Nahal Amud. Highly recommended, we could do it together some time"),
    ),
    (
        (1, "Hi! I saw you're into {his} too 😄"),
        (0, "Love to hear it! How long have you been into it?"),
        (1, "A few years, but only now I'm taking it seriously"),
        (0, "Then you've found someone to practise with 😉"),
    ),
    (
        (0, "So nice that we matched!"),
        (1, "Same here 🙂 What do you do?"),
        (0, "Developer by day, cook by night. You?"),
        (1, "I'm a designer. What's your best dish?"),
        (0, "Shakshuka. Come over on Saturday and taste it 🍳"),
    ),
)
# Story captions per scene (see scenes.py), and replies to the demo login's own story.
HE_CAPTIONS = {
    "beach": "שקיעה בחוף גורדון 🌅",
    "mountains": 'סופ"ש בצפון 🏔️',
    "city": "תל אביב בלילה ✨",
    "coffee": "קודם קפה ☕",
    "desert": "זריחה במכתש 🐪",
    "park": "יום ראשון בפארק הירקון 🌳",
}
EN_CAPTIONS = {
    "beach": "Gordon beach sunset 🌅",
    "mountains": "Weekend up north 🏔️",
    "city": "Tel Aviv nights ✨",
    "coffee": "Coffee first ☕",
    "desert": "Sunrise at the crater 🐪",
    "park": "Sunday in Park HaYarkon 🌳",
}
HE_STORY_REPLY = "איזה יופי! איפה זה? 😍"
EN_STORY_REPLY = "Wow, where is this? 😍"


def thread_lines(*, hebrew: bool, number: int, hers: str, his: str) -> list[tuple[int, str]]:
    """Conversation ``number`` (any int, taken modulo the number of threads) as (speaker,
    text) pairs, 0 = the match, 1 = the demo login; may name one of her interests ``hers``
    or one of his, ``his`` (interest names already in that language)."""
    threads = HE_THREADS if hebrew else EN_THREADS
    if not hebrew:
        hers, his = hers.lower(), his.lower()
    return [(who, text.format(hers=hers, his=his)) for who, text in threads[number % len(threads)]]


# Demo prompt answers (issue 18): prompt slug → (English answers, Hebrew answers).
PROMPT_ANSWERS = {
    "perfect-saturday": (
        (
            "Sunrise swim, long brunch, a nap, then friends and a bonfire.",
            "Farmers market, a long hike and pizza on the balcony.",
        ),
        (
            "שחייה בזריחה, בראנץ' ארוך, שנ\"צ ומדורה עם חברים.",
            "שוק איכרים, טיול ארוך ופיצה במרפסת.",
        ),
    ),
    "know-its-right": (
        (
            "We can sit in silence and it still feels like a conversation.",
            "You laugh at my worst jokes and tell me better ones.",
        ),
        (
            "כשנוכל לשתוק יחד וזה עדיין ירגיש כמו שיחה.",
            "כשתצחק/י מהבדיחות הכי גרועות שלי ותספר/י לי טובות יותר.",
        ),
    ),
    "irrational-fear": (
        ("Escalators that end too suddenly.", "Pigeons. They know something."),
        ("מדרגות נעות שנגמרות פתאום.", "יונים. הן יודעות משהו."),
    ),
    "simple-pleasures": (
        ("Fresh bread, the first rain, a clean kitchen.", "Cold watermelon on a hot day."),
        ("לחם טרי, הגשם הראשון ומטבח נקי.", "אבטיח קר ביום חם."),
    ),
    "green-flag": (
        ("You're kind to waiters.", "You text back when you say you will."),
        ("נחמדות למלצרים.", "מי שחוזר/ת אליי כשאמר/ה שיחזור/תחזור."),
    ),
    "first-date": (
        (
            "Coffee that turns into a walk that turns into dinner.",
            "A street-food tour; whoever finds the best bite wins.",
        ),
        (
            "קפה שהופך להליכה שהופכת לארוחת ערב.",
            "סיבוב אוכל רחוב בשוק, מי שמוצא/ת את הביס הכי טוב מנצח/ת.",
        ),
    ),
    "comfort-food": (
        ("My grandmother's chicken soup.", "Shakshuka at midnight."),
        ("מרק העוף של סבתא.", "שקשוקה בחצות."),
    ),
    "favourite-place": (
        ("Ein Gedi in winter.", "The Jaffa port at sunset."),
        ("עין גדי בחורף.", "נמל יפו בשקיעה."),
    ),
    "two-truths": (
        (
            "I've met a president, I can juggle, I hate chocolate.",
            "I ran a marathon, I speak four languages, I've never seen snow.",
        ),
        (
            "פגשתי נשיא, אני יודע/ת ללהטט, אני שונא/ת שוקולד.",
            "רצתי מרתון, אני מדבר/ת ארבע שפות, אף פעם לא ראיתי שלג.",
        ),
    ),
    "never-shut-up": (
        ("Why everyone should learn to bake bread.", "The last podcast I listened to."),
        ("למה כל אחד צריך ללמוד לאפות לחם.", "הפודקאסט האחרון ששמעתי."),
    ),
    "together-we": (
        ("Finally try every hummus place in town.", "Plan a trip and actually go."),
        ("סוף סוף לנסות את כל מקומות החומוס בעיר.", "לתכנן טיול ובאמת לצאת אליו."),
    ),
    "hidden-talent": (
        ("I can parallel park anywhere on the first try.", "I remember every birthday."),
        ("אני חונה במקביל בכל מקום בניסיון הראשון.", "אני זוכר/ת את כל ימי ההולדת."),
    ),
}
