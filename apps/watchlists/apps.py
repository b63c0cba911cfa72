from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WatchlistsConfig(AppConfig):
    name = "apps.watchlists"
    label = "watchlists"
    verbose_name = "Watch lists"

    def ready(self):
        from apps.watchlists.schedules import ensure_periodic_schedules

        # Beat's schedules are data: put them back whenever the tables were created or emptied.
        post_migrate.connect(ensure_periodic_schedules, dispatch_uid="watchlists.ensure_periodic_schedules")
