"""Staff moderation queue (rules §14): pending photos, pending videos and open reports."""
