from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StreamingConfig(AppConfig):
    name = "apps.streaming"
    label = "streaming"

    def ready(self):
        from apps.streaming.schedules import ensure_periodic_schedules

        # Beat's schedules are data: put them back whenever the tables were created or emptied.
        post_migrate.connect(ensure_periodic_schedules, dispatch_uid="streaming.ensure_periodic_schedules")
