# The single-column sender / recipient indexes duplicate the leading column of
# message_sender_idx / message_recipient_idx; with them the planner sorted a member's whole
# mailbox per page instead of walking the ordered index (rules §16). Only the indexes are
# dropped: Django's AlterField would also drop and re-validate both foreign keys (a full scan).

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "recipient_id": "messaging_message_recipient_id_6eb91564",
    "sender_id": "messaging_message_sender_id_7a7088e6",
}


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_unread_index_and_email_notice"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages_received",
                        to="profiles.member",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="sender",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages_sent",
                        to="profiles.member",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON messaging_message ({column})",
                )
                for column, name in INDEXES.items()
            ],
        ),
    ]
