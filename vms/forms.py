"""Console form helpers shared by every app."""

from django.core.exceptions import ValidationError


def add_service_errors(form, exc):
    """Show a service's ValidationError next to the fields it names; the rest above the form."""
    if not isinstance(exc, ValidationError):
        raise TypeError(exc)
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)
