from django.db import migrations


def unlist_hidden_members(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Members whose user is inactive (banned) or not complete are not listed. Only those
    rows are written (a handful), not every member."""
    Member = apps.get_model("profiles", "Member")
    Member.objects.exclude(user__is_active=True, user__profile_complete=True).update(listed=False)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0003_member_listed"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(unlist_hidden_members, migrations.RunPython.noop, elidable=True),
    ]
