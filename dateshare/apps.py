from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DateshareConfig(AppConfig):
    name = "dateshare"
    verbose_name = _("Share my date")
