from django.db import migrations, models


class Migration(migrations.Migration):
    """``Member.listed``: the user's "complete and active" state on the member row, so the
    members list reads one table (rules §16). A constant default: on PostgreSQL adding the
    column rewrites no row, however many members there are."""

    dependencies = [
        ("profiles", "0002_interest_catalogue"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="listed",
            field=models.BooleanField(default=True, editable=False),
        ),
    ]
