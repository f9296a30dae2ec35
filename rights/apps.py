from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    """The member's rights over their data (docs/rules.md §3): download it, delete the account.

    On top of the layers: it reads and deletes every app's rows."""

    name = "rights"
    verbose_name = _("Account rights")
