"""Console form for mosaics. It collects input; the services hold the rules (at most 4 cameras, …)."""

from django import forms

from apps.cameras.selectors import camera_list


class MosaicForm(forms.Form):
    name = forms.CharField(max_length=100)
    cameras = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Up to 4; they fill the grid in the order listed.",
    )
    shared = forms.BooleanField(required=False, label="Shared with every console user")

    def __init__(self, *args, mosaic=None, **kwargs):
        if mosaic is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": mosaic.name,
                    "shared": mosaic.shared,
                    "cameras": [slot.camera_id for slot in mosaic.slots.order_by("position")],
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["cameras"].choices = [(camera.pk, camera.name) for camera in camera_list()]

    def service_arguments(self):
        return {
            "name": self.cleaned_data["name"],
            "camera_ids": self.cleaned_data["cameras"],
            "shared": self.cleaned_data["shared"],
        }
