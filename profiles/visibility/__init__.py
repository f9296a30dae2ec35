"""Settings → Visibility (rules §5): pause my profile, incognito (premium), show my distance.
The discovery side of these rules is one filter, :func:`matching.selectors.discoverable`;
distances are dropped where they are made (cards, profile page, smart matches)."""
