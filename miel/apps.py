from django.apps import AppConfig


class MielConfig(AppConfig):
    name = "miel"
    verbose_name = "Miel"

    def ready(self) -> None:
        from . import media

        media.connect()  # stored files are deleted with their rows (SPEC §4)
