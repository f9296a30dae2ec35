from django.db import migrations, models


class Migration(migrations.Migration):
    """``Member.preferred_age_min`` / ``preferred_age_max``: copies of the user's preferred age
    range (User stays the source of truth) so smart-match scoring reads one table (rules §11,
    §16). Constant defaults (User's): on PostgreSQL adding the columns rewrites no row; the
    next migration copies the users' values."""

    dependencies = [
        ("profiles", "0005_member_listing_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="preferred_age_min",
            field=models.PositiveSmallIntegerField(
                default=18, editable=False, help_text="Copy of User.preferred_age_min (years)"
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="preferred_age_max",
            field=models.PositiveSmallIntegerField(
                default=100, editable=False, help_text="Copy of User.preferred_age_max (years)"
            ),
        ),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.CheckConstraint(
                condition=models.Q(preferred_age_min__gte=18, preferred_age_max__lte=100)
                & models.Q(preferred_age_min__lte=models.F("preferred_age_max")),
                name="profiles_member_preferred_age_range",
            ),
        ),
    ]
