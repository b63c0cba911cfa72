"""One DRF exception handler: the services' errors answered the way DRF answers its own.

Services raise Django's `ValidationError` (400, field by field), `PermissionDenied` (403)
and `ObjectDoesNotExist` (404); viewsets and serializers just call them.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def as_drf_error(exc):
    """A Django ValidationError as DRF's: the fields it names, or `detail`."""
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"detail": exc.messages})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_error(exc)
    elif isinstance(exc, ObjectDoesNotExist):
        exc = NotFound()
    return drf_exception_handler(exc, context)
