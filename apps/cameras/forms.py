"""Console forms for cameras. They collect input; the services hold the rules."""

from django import forms

from apps.cameras.models import RecordingMode


class CameraForm(forms.Form):
    name = forms.CharField(max_length=100)
    rtsp_url = forms.CharField(
        label="RTSP URL",
        max_length=500,
        help_text="rtsp://host:554/path — credentials in the URL are moved to the fields below.",
        widget=forms.TextInput(attrs={"placeholder": "rtsp://192.0.2.10:554/stream1", "autocomplete": "off"}),
    )
    username = forms.CharField(max_length=100, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    password = forms.CharField(
        max_length=200,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_password = forms.BooleanField(required=False, label="Remove the stored password")
    location = forms.CharField(max_length=200, required=False)
    enabled = forms.BooleanField(required=False, initial=True)
    ai_enabled = forms.BooleanField(required=False, label="AI enabled")
    plate_camera = forms.BooleanField(
        required=False, help_text="A close-up lane camera: plates are searched on every frame."
    )
    ai_fps = forms.FloatField(label="AI frames per second", initial=1.0, min_value=0.2, max_value=5.0)
    # Not required: a post without them (an older page, a script) keeps what the camera has.
    recording_mode = forms.ChoiceField(
        required=False, choices=RecordingMode.choices, initial=RecordingMode.OFF,
        help_text="Continuous keeps everything; events keeps only the minutes around detections and alerts.",
    )
    recording_retention_days = forms.IntegerField(
        required=False, label="Keep recordings (days)", initial=7, min_value=1, max_value=365,
        help_text="Older recordings are deleted; kept clips stay.",
    )

    def __init__(self, *args, camera=None, **kwargs):
        self.camera = camera
        if camera is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": camera.name,
                    "rtsp_url": camera.rtsp_url,
                    "username": camera.username,
                    "location": camera.location,
                    "enabled": camera.enabled,
                    "ai_enabled": camera.ai_enabled,
                    "plate_camera": camera.plate_camera,
                    "ai_fps": camera.ai_fps,
                    "recording_mode": camera.recording_mode,
                    "recording_retention_days": camera.recording_retention_days,
                },
            )
        super().__init__(*args, **kwargs)
        if camera is None:
            del self.fields["clear_password"]
        else:
            self.fields["password"].help_text = (
                "Leave blank to keep the stored password." if camera.has_password else "No password stored."
            )
            if not camera.has_password:
                del self.fields["clear_password"]

    def service_arguments(self):
        """Keyword arguments for camera_create / camera_update."""
        data = {name: self.cleaned_data[name] for name in (
            "name", "rtsp_url", "username", "location", "enabled", "ai_enabled", "plate_camera", "ai_fps",
        )}
        for name in ("recording_mode", "recording_retention_days"):
            if self.cleaned_data.get(name) not in (None, ""):
                data[name] = self.cleaned_data[name]
        password = self.cleaned_data.get("password") or ""
        if self.camera is None:
            data["password"] = password
        elif password:
            data["password"] = password
        elif self.cleaned_data.get("clear_password"):
            data["password"] = ""
        # Otherwise the password is left out: the service keeps it.
        return data


class ZonesForm(forms.Form):
    """The zone editor posts every zone at once as JSON: [{"name": ..., "points": [[x, y], ...]}, ...]."""

    zones = forms.JSONField(required=False, widget=forms.HiddenInput, error_messages={"invalid": "The zones could not be read."})

    def clean_zones(self):
        zones = self.cleaned_data["zones"]
        if zones is None:
            return []
        return zones

