from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (``manage.py seed_demo``, docs/rules.md §14). On top of the layers: it creates
    every kind of row through the apps' services and bulk inserts."""

    name = "demo"
    verbose_name = _("Demo data")
