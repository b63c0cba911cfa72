"""The django-ninja API; apps add their routers here.

The services' errors are answered as in DRF (`vms.api_errors`): 400 for a ValidationError, 403 for
PermissionDenied.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI

from apps.accounts.api import router as accounts_router
from apps.accounts.auth import api_auth
from apps.detections.pipeline_api import router as ai_router
from apps.streaming.api import router as streaming_router
from vms.throttling import NinjaApiRateThrottle

api = NinjaAPI(
    title="VMS API", version="1", auth=api_auth, urls_namespace="ninja", docs_url="/docs",
    # Same budget as DRF (API_RATE_LIMIT, per user or client IP): 429 with Retry-After past it.
    throttle=[NinjaApiRateThrottle()],
)
api.add_router("/", accounts_router)
api.add_router("/streaming/", streaming_router)
api.add_router("/ai/", ai_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Permission denied."}, status=403)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    return api.create_response(request, detail, status=400)
