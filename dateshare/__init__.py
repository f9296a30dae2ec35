"""Share my date (rules §6 safety): a member tells a friend who they are meeting, when and where,
through an unguessable link that works without an account and expires 24 hours after the
date."""
