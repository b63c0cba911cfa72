from django import template

from apps.cameras.presenters import camera_state as state_of

register = template.Library()


@register.filter
def camera_state(camera):
    """The camera's one console state (presenters.camera_state): `{% with s=camera|camera_state %}`."""
    return state_of(camera.provision_state, camera.stream_state, camera.provision_error, camera.stream_reason)
