"""Keep only the newest SmartMatchCache row per user, before 0004 makes ``user`` unique.

The rows are a recomputable cache (rules §11), so dropping the older duplicates loses nothing.
Reversing is a no-op.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def drop_duplicates(apps, schema_editor):  # type: ignore[no-untyped-def]
    SmartMatchCache = apps.get_model("matching", "SmartMatchCache")
    newest = (
        SmartMatchCache.objects.filter(user_id=OuterRef("user_id"))
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    SmartMatchCache.objects.exclude(id=Subquery(newest)).delete()


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_match_notification")]

    operations = [migrations.RunPython(drop_duplicates, migrations.RunPython.noop)]
