from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView

from apps.accounts import login_limits, policy


def role_required(action):
    """Console views, by policy action: anonymous users go to the login page; a user without any
    role gets the page saying an admin must give them one (403); one whose role is too low, 403."""

    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if not policy.can(request.user, action):
                if policy.role_of(request.user) is None:
                    return render(request, "accounts/no_role.html", status=403)
                raise PermissionDenied(f"This page needs the {policy.RULES[action]} role.")
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


@role_required("user.view")
def user_list(request):
    users = get_user_model().objects.order_by("username").prefetch_related("groups")
    return render(request, "accounts/user_list.html", {"users": users})


# --- logging in, with failed attempts limited (apps/accounts/login_limits.py) ---------------------


class LimitedAuthenticationForm(AuthenticationForm):
    """The console's login form: refuses outright while the username or the client IP is blocked."""

    error_messages = {**AuthenticationForm.error_messages, "blocked": "%(message)s"}

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = login_limits.client_ip(self.request)
        blocked = login_limits.check(username, ip)
        if blocked is not None:
            self.blocked = blocked
            raise ValidationError(self.error_messages["blocked"], code="blocked", params={"message": blocked.message})
        try:
            cleaned = super().clean()
        except ValidationError:
            login_limits.record_failure(username, ip)
            raise
        login_limits.record_success(username)
        return cleaned


class LimitedLoginView(LoginView):
    form_class = LimitedAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        blocked = getattr(form, "blocked", None)
        if blocked is not None:
            response.status_code = 429
            response["Retry-After"] = str(blocked.retry_after)
        return response


class LimitedTokenObtainPairView(TokenObtainPairView):
    """POST /api/auth/token/: 429 with Retry-After while blocked; failures counted, success clears the user."""

    def post(self, request, *args, **kwargs):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        username = username if isinstance(username, str) else ""
        ip = login_limits.client_ip(request)
        blocked = login_limits.check(username, ip)
        if blocked is not None:
            return Response({"detail": blocked.message}, status=429, headers={"Retry-After": str(blocked.retry_after)})
        try:
            response = super().post(request, *args, **kwargs)
        except AuthenticationFailed:  # wrong username or password (401)
            login_limits.record_failure(username, ip)
            raise
        login_limits.record_success(username)
        return response
