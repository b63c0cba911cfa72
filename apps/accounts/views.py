from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from apps.accounts.roles import ADMIN


def role_required(role):
    """Console views: anonymous users go to the login page, users without the role get 403."""

    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(role):
                raise PermissionDenied(f"This page needs the {role} role.")
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


@role_required(ADMIN)
def user_list(request):
    users = get_user_model().objects.order_by("username").prefetch_related("groups")
    return render(request, "accounts/user_list.html", {"users": users})
