def alert_settings(request):
    """The user's alert sound for every console page's alerts.js; asked only where a page renders it."""
    from apps.watchlists.services import alert_sound_enabled

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"alert_sound_on": lambda: alert_sound_enabled(user)}
