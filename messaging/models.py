"""Messaging: one-to-one messages with per-participant flags (rules §2, §8)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from miel.models import UUIDModel
from profiles.models import Member

MESSAGE_MAX_CHARS = 2000


class Message(UUIDModel):
    """A message from ``sender`` to ``recipient``.

    Starred / archived / deleted are kept per participant (rules §8 fix: the original shared one
    flag between both people). A message deleted by both sides is removed from the database.
    """

    text = models.TextField(max_length=MESSAGE_MAX_CHARS)
    # No single-column indexes: message_sender_idx / message_recipient_idx start with these
    # columns. A plain recipient index made the planner sort a member's whole mailbox for
    # each page instead of walking the ordered index for 11 rows (rules §16).
    sender = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="messages_sent", db_index=False
    )
    recipient = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="messages_received", db_index=False
    )
    created = models.DateTimeField(default=timezone.now)
    date_read = models.DateTimeField(null=True, blank=True)
    sender_deleted = models.BooleanField(default=False)
    recipient_deleted = models.BooleanField(default=False)
    sender_starred = models.BooleanField(default=False)
    recipient_starred = models.BooleanField(default=False)
    sender_archived = models.BooleanField(default=False)
    recipient_archived = models.BooleanField(default=False)
    story = models.ForeignKey(
        "stories.Story",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reply_messages",
    )
    #: The sender's idempotency key (issue 13 item 14): the chat form carries a fresh random id
    #: per message, so a POST retried after a lost answer finds the first message instead of
    #: storing a second. Unique per sender; NULL for messages sent without one.
    client_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    #: The text matched the nudge list (issue 16): the recipient is asked "Does this bother
    #: you?" with a one-tap report (the sender confirmed it after "Are you sure?").
    nudged = models.BooleanField(default=False)
    #: The first message between the two, sent by an account under the new-conversation limit
    #: (issue 16: at most NEW_CONVERSATIONS_PER_DAY for new accounts or without an approved
    #: photo); only such accounts' messages are flagged, as only their count is needed.
    opens_conversation = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "client_key"],
                condition=models.Q(client_key__isnull=False),
                name="messaging_message_unique_client_key",
            ),
            models.CheckConstraint(
                condition=~models.Q(sender=models.F("recipient")), name="messaging_message_not_self"
            ),
            # Counted in characters, not bytes (rules §8).
            models.CheckConstraint(
                condition=models.Q(
                    GreaterThanOrEqual(Length("text"), 1),
                    LessThanOrEqual(Length("text"), MESSAGE_MAX_CHARS),
                ),
                name="messaging_message_text_length",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created", "-id"], name="message_recipient_idx"),
            models.Index(fields=["sender", "-created", "-id"], name="message_sender_idx"),
            models.Index(fields=["sender", "recipient", "-created"], name="message_pair_idx"),
            # The navigation badge counts unread messages on every page (rules §8): a small
            # partial index keeps that one query cheap however large the mailbox grows.
            models.Index(
                fields=["recipient"],
                condition=models.Q(date_read__isnull=True, recipient_deleted=False),
                name="message_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender_id} → {self.recipient_id}"


class MessageEmailNotice(UUIDModel):
    """E-mail state of one conversation direction (``sender`` → ``recipient``), rules §8.

    One row per pair (a unique constraint). The "new message" task locks this row before
    sending, so duplicated or concurrent tasks send at most one e-mail per hour per
    conversation; the reminder is claimed with a conditional UPDATE on ``reminder_sent_at``.
    """

    recipient = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    sender = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    #: The message the last "new message" e-mail was about (its reminder depends on it).
    last_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    new_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "sender"], name="messaging_emailnotice_unique_pair"
            )
        ]
        indexes = [
            models.Index(
                fields=["new_sent_at"],
                condition=models.Q(reminder_sent_at__isnull=True),
                name="emailnotice_reminder_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"e-mail state {self.sender_id} → {self.recipient_id}"


class ConversationState(UUIDModel):
    """One member's own settings for their conversation with ``other`` (issue 15): archived
    and muted are per participant; the other member sees nothing of them.

    ``archived_at``: the conversation is archived while no message is newer than this moment,
    so a new message brings it back to the list. ``muted``: no e-mail about new messages in
    this conversation goes to ``owner``. One row per (owner, other), database-unique; no row =
    not archived, not muted."""

    owner = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    archived_at = models.DateTimeField(null=True, blank=True)
    muted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "other"], name="messaging_conversationstate_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(owner=models.F("other")),
                name="messaging_conversationstate_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} about {self.other_id}"
