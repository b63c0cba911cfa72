from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecordingsConfig(AppConfig):
    name = "apps.recordings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from apps.recordings.schedules import ensure_periodic_schedules

        post_migrate.connect(ensure_periodic_schedules, dispatch_uid="recordings.ensure_periodic_schedules")
