"""Console forms for users. They collect input; `apps/accounts/services.py` holds the rules."""

from django import forms

from apps.accounts.roles import ROLES

ROLE_CHOICES = [(role, role.title()) for role in ROLES]


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="viewer",
                             help_text="Viewer sees and searches; operator also runs watch lists, alerts and mosaics; "
                             "admin does everything.")
    password = forms.CharField(
        required=False, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to have one generated, shown once on the next page.",
    )


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class UserActiveForm(forms.Form):
    active = forms.TypedChoiceField(choices=[("1", "active"), ("0", "inactive")], coerce=lambda v: v == "1")
