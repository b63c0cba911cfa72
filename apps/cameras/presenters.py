"""What consoles, events and logs may know of a camera."""


def camera_public(camera):
    """What consoles, events and logs may know of a camera: never the password."""
    return {
        "id": camera.pk,
        "name": camera.name,
        "rtsp_url": camera.masked_url,
        "enabled": camera.enabled,
        "ai_enabled": camera.ai_enabled,
        "recording_mode": camera.recording_mode,
        "provision_state": camera.provision_state,
        "provision_error": camera.provision_error,
        "stream_state": camera.stream_state,
        "stream_state_since": camera.stream_state_since.isoformat() if camera.stream_state_since else None,
    }
