from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_migrate


class StreamingConfig(AppConfig):
    name = "apps.streaming"
    label = "streaming"

    def ready(self):
        from apps.streaming.schedules import ensure_periodic_schedules

        # Beat's schedules are data: put them back whenever the tables were created or emptied.
        post_migrate.connect(ensure_periodic_schedules, dispatch_uid="streaming.ensure_periodic_schedules")
        user_logged_out.connect(_logged_out, dispatch_uid="streaming.media_grant_end")


def _logged_out(sender, request=None, **kwargs):
    """A logout ends the session's watch tokens now and kicks out its open video at the next sweep,
    which is asked for at once."""
    from apps.streaming import tasks
    from apps.streaming.media_auth import login_grant_end
    from vms.outbox import enqueue

    login_grant_end(getattr(request, "session", None))
    enqueue(tasks.media_sessions_sweep)
