from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "assistant"
    verbose_name = _("Assistant")

    def ready(self) -> None:
        # The assistant is built on smart matches and trust scores; their receivers (cache
        # invalidation, trust recomputation) are connected here because it is the one app
        # config this work owns.
        from matching import smart_tasks  # noqa: F401  (registers the warm-up tasks)
        from matching.smart import signals as smart_signals
        from profiles import trust

        smart_signals.connect()
        trust.connect()
