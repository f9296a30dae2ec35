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
