from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView

from apps.accounts import login_limits, policy, services
from apps.accounts.forms import UserActiveForm, UserCreateForm, UserRoleForm
from vms.forms import add_service_errors


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


# --- users: the console's user management (admins); every change is a service call, audited -----------------


def _user_list_page(request, status=200):
    users = get_user_model().objects.order_by("username").prefetch_related("groups")
    return render(request, "accounts/user_list.html", {
        "users": users,
        "roles": UserRoleForm.base_fields["role"].choices,
        "can_change": policy.can(request.user, "user.change"),
    }, status=status)


def _password_page(request, user, password, created):
    """The one page that shows a generated password; not cached, never logged, never audited."""
    context = {"target": user, "password": password, "created": created}
    response = render(request, "accounts/user_password.html", context)
    response["Cache-Control"] = "no-store"
    return response


@role_required("user.view")
def user_list(request):
    return _user_list_page(request)


@never_cache
@role_required("user.change")
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        generated = not data["password"]
        password = services.new_password() if generated else data["password"]
        try:
            user = services.user_create(actor=request.user, username=data["username"], email=data["email"],
                                        role=data["role"], password=password, validate=not generated)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if generated:
                return _password_page(request, user, password, created=True)
            messages.success(request, f"User {user.username} created as {data['role']}.")
            return redirect("users")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/user_form.html", {"form": form}, status=status)


def _refused(request, exc):
    messages.error(request, " ".join(exc.messages))
    return _user_list_page(request, status=400)


@role_required("user.change")
@require_POST
def user_role(request, pk):
    user = get_object_or_404(get_user_model(), pk=pk)
    form = UserRoleForm(request.POST)
    if not form.is_valid():
        return _refused(request, ValidationError(f"Choose a role: {', '.join(dict(form.fields['role'].choices))}."))
    try:
        services.user_set_role(actor=request.user, user=user, role=form.cleaned_data["role"])
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, f"{user.username} is now {form.cleaned_data['role']}.")
    return redirect("users")


@role_required("user.change")
@require_POST
def user_active(request, pk):
    user = get_object_or_404(get_user_model(), pk=pk)
    form = UserActiveForm(request.POST)
    if not form.is_valid():
        return _refused(request, ValidationError("Say whether the user is to be active (1) or not (0)."))
    active = form.cleaned_data["active"]
    try:
        services.user_set_active(actor=request.user, user=user, active=active)
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, f"{user.username} {'reactivated' if active else 'deactivated'}.")
    return redirect("users")


@never_cache
@role_required("user.change")
@require_POST
def user_password(request, pk):
    user = get_object_or_404(get_user_model(), pk=pk)
    password = services.user_reset_password(actor=request.user, user=user)
    if user.pk == request.user.pk:
        update_session_auth_hash(request, user)  # an admin resetting their own password stays logged in here
    return _password_page(request, user, password, created=False)


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
