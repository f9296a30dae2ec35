"""Data migration: the fixed interest catalogue (about 70 interests in the seed's 10 categories,
each with an emoji and Hebrew + English names; rules §2)."""

from django.db import migrations

CATALOGUE = [
    # slug, English, Hebrew, emoji, category
    ("music", "Music", "מוזיקה", "🎵", "entertainment"),
    ("movies", "Movies", "סרטים", "🎬", "entertainment"),
    ("art", "Art", "אמנות", "🎨", "entertainment"),
    ("theater", "Theater", "תיאטרון", "🎭", "entertainment"),
    ("dance", "Dance", "ריקוד", "💃", "entertainment"),
    ("concerts", "Concerts", "הופעות", "🎤", "entertainment"),
    ("tv-series", "TV series", "סדרות", "📺", "entertainment"),
    ("reading", "Reading", "קריאה", "📚", "entertainment"),
    ("travel", "Travel", "טיולים בעולם", "✈️", "outdoor"),
    ("sports", "Sports", "ספורט", "⚽", "outdoor"),
    ("hiking", "Hiking", "הליכה בטבע", "🥾", "outdoor"),
    ("camping", "Camping", "קמפינג", "🏕️", "outdoor"),
    ("beach", "Beach", "ים", "🏖️", "outdoor"),
    ("cycling", "Cycling", "רכיבה על אופניים", "🚴", "outdoor"),
    ("running", "Running", "ריצה", "🏃", "outdoor"),
    ("surfing", "Surfing", "גלישה", "🏄", "outdoor"),
    ("cooking", "Cooking", "בישול", "🍳", "hobbies"),
    ("photography", "Photography", "צילום", "📷", "hobbies"),
    ("gaming", "Gaming", "גיימינג", "🎮", "hobbies"),
    ("crafts", "Crafts", "יצירה", "🧶", "hobbies"),
    ("gardening", "Gardening", "גינון", "🌱", "hobbies"),
    ("writing", "Writing", "כתיבה", "✍️", "hobbies"),
    ("board-games", "Board games", "משחקי קופסה", "🎲", "hobbies"),
    ("technology", "Technology", "טכנולוגיה", "💻", "tech"),
    ("programming", "Programming", "תכנות", "👩‍💻", "tech"),
    ("ai", "AI", "בינה מלאכותית", "🤖", "tech"),
    ("science", "Science", "מדע", "🔬", "tech"),
    ("startups", "Startups", "סטארטאפים", "🚀", "tech"),
    ("gadgets", "Gadgets", "גאדג'טים", "📱", "tech"),
    ("space", "Space", "חלל", "🛰️", "tech"),
    ("yoga", "Yoga", "יוגה", "🧘", "wellness"),
    ("meditation", "Meditation", "מדיטציה", "🕉️", "wellness"),
    ("fitness", "Fitness", "כושר", "💪", "wellness"),
    ("nutrition", "Nutrition", "תזונה", "🥗", "wellness"),
    ("pilates", "Pilates", "פילאטיס", "🤸", "wellness"),
    ("spa", "Spa days", "ספא", "🧖", "wellness"),
    ("mindfulness", "Mindfulness", "מיינדפולנס", "🌿", "wellness"),
    ("wine", "Wine", "יין", "🍷", "food"),
    ("coffee", "Coffee", "קפה", "☕", "food"),
    ("restaurants", "Restaurants", "מסעדות", "🍽️", "food"),
    ("baking", "Baking", "אפייה", "🧁", "food"),
    ("street-food", "Street food", "אוכל רחוב", "🌮", "food"),
    ("vegan", "Vegan food", "אוכל טבעוני", "🥑", "food"),
    ("craft-beer", "Craft beer", "בירה מקומית", "🍺", "food"),
    ("volunteering", "Volunteering", "התנדבות", "🤝", "social"),
    ("politics", "Politics", "פוליטיקה", "🗳️", "social"),
    ("clubbing", "Clubbing", "מסיבות", "🪩", "social"),
    ("activism", "Activism", "אקטיביזם", "📣", "social"),
    ("festivals", "Festivals", "פסטיבלים", "🎪", "social"),
    ("stand-up", "Stand-up comedy", "סטנדאפ", "😂", "social"),
    ("karaoke", "Karaoke", "קריוקי", "🎙️", "social"),
    ("religion", "Religion", "דת", "🕍", "spiritual"),
    ("astrology", "Astrology", "אסטרולוגיה", "♈", "spiritual"),
    ("tarot", "Tarot", "טארוט", "🔮", "spiritual"),
    ("spirituality", "Spirituality", "רוחניות", "✨", "spiritual"),
    ("kabbalah", "Kabbalah", "קבלה", "📜", "spiritual"),
    ("dogs", "Dogs", "כלבים", "🐶", "pets"),
    ("cats", "Cats", "חתולים", "🐱", "pets"),
    ("birds", "Birds", "ציפורים", "🐦", "pets"),
    ("horses", "Horses", "סוסים", "🐴", "pets"),
    ("fish", "Aquariums", "אקווריומים", "🐠", "pets"),
    ("languages", "Languages", "שפות", "🗣️", "education"),
    ("history", "History", "היסטוריה", "🏛️", "education"),
    ("philosophy", "Philosophy", "פילוסופיה", "🤔", "education"),
    ("astronomy", "Astronomy", "אסטרונומיה", "🔭", "education"),
    ("psychology", "Psychology", "פסיכולוגיה", "🧠", "education"),
    ("economics", "Economics", "כלכלה", "📈", "education"),
    ("podcasts", "Podcasts", "פודקאסטים", "🎧", "education"),
]


def add_catalogue(apps, schema_editor):
    Interest = apps.get_model("profiles", "Interest")
    Interest.objects.bulk_create(
        [Interest(slug=s, name=en, name_he=he, icon=icon, category=cat) for s, en, he, icon, cat in CATALOGUE],
        ignore_conflicts=True,
    )


def remove_catalogue(apps, schema_editor):
    Interest = apps.get_model("profiles", "Interest")
    Interest.objects.filter(slug__in=[row[0] for row in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]

    operations = [migrations.RunPython(add_catalogue, remove_catalogue)]
