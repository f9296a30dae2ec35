from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        # The smart-match cache is this app's: its receivers (dropping a user's cached smart
        # matches when the profile, interests or preferences of the lower layers change, see
        # docs/architecture.md "Side effects") and its beat tasks are registered here.
        # The profile page's view is recorded here too (matching.signals: profiles sends
        # member_page_viewed, a layer below cannot call matching).
        from . import signals, smart_tasks  # noqa: F401
        from .smart import signals as smart_signals

        smart_signals.connect()
        signals.connect()
