from django.apps import AppConfig


class MielConfig(AppConfig):
    name = "miel"
    verbose_name = "Miel"
