from django import forms


class PurgeForm(forms.Form):
    confirm_name = forms.CharField(
        label="Type the camera's name to confirm", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
