"""What consoles, events and logs may know of a camera."""

# A camera's one state as the console shows it. "Ready" (provisioned) alone says nothing of the video, so
# it is never shown apart from the stream's state: once provisioned, the stream's state is the camera's.
STREAM_LABELS = {"online": "Online", "offline": "Offline", "frozen": "Frozen", "unknown": "Ready, checking video…"}


def camera_state(provision_state, stream_state, provision_error="", stream_reason=""):
    """{"state", "state_label", "state_reason"}: the badge's class, its words, and why (empty when fine)."""
    if provision_state == "pending":
        return {"state": "pending", "state_label": "Provisioning…", "state_reason": ""}
    if provision_state == "error":
        return {"state": "error", "state_label": "Provisioning failed", "state_reason": provision_error}
    reason = stream_reason if stream_state in ("offline", "frozen") else ""
    return {"state": stream_state, "state_label": STREAM_LABELS.get(stream_state, stream_state), "state_reason": reason}


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
        "stream_reason": camera.stream_reason,
        "stream_state_since": camera.stream_state_since.isoformat() if camera.stream_state_since else None,
    } | camera_state(camera.provision_state, camera.stream_state, camera.provision_error, camera.stream_reason)
