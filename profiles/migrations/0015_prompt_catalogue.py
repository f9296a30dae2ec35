"""Data migration: the fixed prompt catalogue (40 prompts, English + Hebrew; issue 18)."""

from django.db import migrations

CATALOGUE = [
    # slug, English, Hebrew
    ("perfect-saturday", "A perfect Saturday", "שבת מושלמת"),
    ("know-its-right", "I'll know it's right when…", "אדע שזה זה כש…"),
    ("irrational-fear", "My most irrational fear", "הפחד הכי לא הגיוני שלי"),
    ("simple-pleasures", "My simple pleasures", "ההנאות הפשוטות שלי"),
    ("green-flag", "A green flag for me", "דגל ירוק בשבילי"),
    ("dealbreaker", "My dealbreaker", "מה שיגרום לי לוותר"),
    ("first-date", "The best first date would be", "הדייט הראשון הכי טוב יהיה"),
    ("geek-out", "I geek out on", "אני חופר/ת על"),
    ("never-shut-up", "I won't shut up about", "אני לא מפסיק/ה לדבר על"),
    ("unpopular-opinion", "My unpopular opinion", "הדעה הלא פופולרית שלי"),
    ("change-my-mind", "Change my mind about", "תשכנעו אותי לגבי"),
    ("friday-night", "A typical Friday night", "שישי בערב טיפוסי"),
    ("best-travel", "The best trip I've taken", "הטיול הכי טוב שעשיתי"),
    ("comfort-food", "My comfort food", "אוכל הנחמה שלי"),
    ("hidden-talent", "My hidden talent", "הכישרון הנסתר שלי"),
    ("life-goal", "A life goal of mine", "מטרה בחיים שלי"),
    ("proud-of", "Something I'm proud of", "משהו שאני גאה בו"),
    ("together-we", "Together, we could", "ביחד נוכל"),
    ("win-me-over", "You'll win me over if", "תכבשו אותי אם"),
    ("looking-for", "I'm looking for", "אני מחפש/ת"),
    ("love-language", "My love language is", "שפת האהבה שלי היא"),
    ("shower-thought", "My best shower thought", "המחשבה הכי טובה שלי במקלחת"),
    ("last-laugh", "The last thing that made me laugh out loud", "הדבר האחרון שהצחיק אותי בקול"),
    ("friends-say", "My friends would describe me as", "החברים שלי יתארו אותי כ"),
    ("song-on-repeat", "The song on repeat right now", "השיר שמתנגן אצלי בלופ עכשיו"),
    ("weirdest-gift", "The weirdest gift I've received", "המתנה הכי מוזרה שקיבלתי"),
    ("two-truths", "Two truths and a lie", "שתי אמיתות ושקר"),
    ("dream-dinner", "Dinner with anyone, alive or not", "ארוחת ערב עם כל אחד, חי או לא"),
    ("childhood-dream", "As a kid I wanted to be", "כשהייתי ילד/ה רציתי להיות"),
    ("guilty-pleasure", "My guilty pleasure", "התענוג האשם שלי"),
    ("recent-discovery", "Something I recently discovered", "משהו שגיליתי לאחרונה"),
    ("best-advice", "The best advice I've been given", "העצה הכי טובה שקיבלתי"),
    ("spontaneous", "The most spontaneous thing I've done", "הדבר הכי ספונטני שעשיתי"),
    ("ideal-vacation", "My ideal holiday", "החופשה האידיאלית שלי"),
    ("bucket-list", "On my bucket list", "ברשימת הדברים שאני חייב/ת לעשות"),
    ("sunday-morning", "Sunday morning looks like", "בוקר של יום ראשון נראה כמו"),
    ("favourite-place", "My favourite place in Israel", "המקום האהוב עליי בארץ"),
    ("cook-for-you", "I'd cook you", "הייתי מבשל/ת לך"),
    ("best-way-to-ask", "The way to ask me out is", "הדרך להזמין אותי לצאת היא"),
    ("fact-about-me", "A random fact about me", "עובדה אקראית עליי"),
]


def add_catalogue(apps, schema_editor):
    Prompt = apps.get_model("profiles", "Prompt")
    Prompt.objects.bulk_create(
        [Prompt(slug=s, text=en, text_he=he) for s, en, he in CATALOGUE], ignore_conflicts=True
    )


def remove_catalogue(apps, schema_editor):
    Prompt = apps.get_model("profiles", "Prompt")
    Prompt.objects.filter(slug__in=[row[0] for row in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("profiles", "0014_prompts_and_details")]

    operations = [migrations.RunPython(add_catalogue, remove_catalogue)]
