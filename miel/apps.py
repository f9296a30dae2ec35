from django.apps import AppConfig


class MielConfig(AppConfig):
    name = "miel"
    verbose_name = "Miel"

    def ready(self) -> None:
        from . import media

        media.connect()  # stored files are deleted with their rows (rules §4)

        from . import metrics

        metrics.connect()  # Prometheus: SQL queries and Celery tasks (issue 21)
