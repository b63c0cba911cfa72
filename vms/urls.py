from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from apps.accounts import views as account_views
from apps.accounts.api import UserViewSet
from apps.cameras.api import CameraViewSet
from apps.mosaics.api import MosaicViewSet
from vms import health
from vms.api import api

drf = DefaultRouter(trailing_slash=True)
drf.include_root_view = False
drf.register("users", UserViewSet, basename="user")
drf.register("cameras", CameraViewSet, basename="camera")
drf.register("mosaics", MosaicViewSet, basename="mosaic")

urlpatterns = [
    path("health", health.live, name="health"),
    path("health/ready", health.ready, name="health-ready"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("users/", account_views.user_list, name="user-list"),
    path("cameras/", include("apps.cameras.urls")),
    path("mosaics/", include("apps.mosaics.urls")),
    path("admin/", admin.site.urls),
    path("api/auth/token/", TokenObtainPairView.as_view(), name="token-obtain"),
    path("api/auth/token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
    path("api/schema/", SpectacularAPIView.as_view(), name="drf-schema"),
    path("api/", include(drf.urls)),
    path("api/", api.urls),
    path("", include("apps.dashboard.urls")),
]

handler400 = "vms.views.bad_request"
handler403 = "vms.views.permission_denied"
handler404 = "vms.views.page_not_found"
handler500 = "vms.views.server_error"
