"""Staff moderation queue (SPEC §14): pending photos, pending videos and open reports."""
