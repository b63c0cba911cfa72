"""Accounts API: who am I (ninja) and the user list (DRF, admins)."""

from django.contrib.auth import get_user_model
from ninja import Router, Schema
from rest_framework import serializers, viewsets

from apps.accounts.permissions import allowed

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    role: str | None


@router.get("/me", response=MeOut, summary="The authenticated user and their role")
def me(request):
    user = request.auth
    return {"id": user.id, "username": user.username, "role": user.role}


class UserSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, allow_null=True, help_text="admin, operator, viewer, or null: no role yet")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "role", "is_active", "last_login", "date_joined"]


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = get_user_model().objects.order_by("id").prefetch_related("groups")
    serializer_class = UserSerializer
    permission_classes = [allowed("user.view")]
