from django.db import migrations

# One UPDATE ... FROM (PostgreSQL; SQLite >= 3.33) that writes only the members whose user
# chose a range other than the defaults the columns were added with.
COPY_USER_RANGE = """
UPDATE profiles_member AS m
   SET preferred_age_min = u.preferred_age_min,
       preferred_age_max = u.preferred_age_max
  FROM accounts_user AS u
 WHERE u.id = m.user_id
   AND (m.preferred_age_min <> u.preferred_age_min OR m.preferred_age_max <> u.preferred_age_max)
"""


class Migration(migrations.Migration):
    """Copies every user's preferred age range onto their member (see 0006). Reversing is a
    no-op: the reverse of 0006 drops the columns."""

    dependencies = [
        ("profiles", "0006_member_preferred_age"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(COPY_USER_RANGE, migrations.RunSQL.noop, elidable=True),
    ]
