from django.db import migrations, models

LISTING_COLUMNS = ("latitude", "longitude", "gender", "date_of_birth", "user_id", "boosted_until")


class Migration(migrations.Migration):
    """The members list's indexes over listed members (rules §16), replacing the ones over
    every member that only the list used. Built after the backfill, so they index the final
    values once."""

    dependencies = [
        ("profiles", "0004_member_listed_backfill"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="member", name="member_active_idx"),
        migrations.RemoveIndex(model_name="member", name="member_newest_idx"),
        migrations.RemoveIndex(model_name="member", name="member_boosted_idx"),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("listed", True)),
                fields=["-last_active_at", "-id"],
                include=LISTING_COLUMNS,
                name="member_listed_active_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("listed", True)),
                fields=["-created", "-id"],
                include=LISTING_COLUMNS,
                name="member_listed_newest_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("boosted_until__isnull", False), ("listed", True)),
                fields=["-last_active_at", "-id"],
                include=LISTING_COLUMNS,
                name="member_boosted_active_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("boosted_until__isnull", False), ("listed", True)),
                fields=["-created", "-id"],
                include=LISTING_COLUMNS,
                name="member_boosted_newest_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("listed", True)),
                fields=["latitude", "longitude"],
                include=(
                    "gender",
                    "date_of_birth",
                    "user_id",
                    "boosted_until",
                    "last_active_at",
                    "created",
                ),
                name="member_listed_geo_idx",
            ),
        ),
    ]
