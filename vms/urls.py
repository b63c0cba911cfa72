from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter
from rest_framework_simplejwt.views import TokenRefreshView

from apps.accounts import views as account_views
from apps.accounts.api import UserViewSet
from apps.cameras.api import CameraViewSet
from apps.dashboard.api import DashboardViewSet
from apps.detections.api import DetectionViewSet
from apps.mosaics.api import MosaicViewSet
from apps.streaming import views as streaming_views
from apps.watchlists.api import AlertViewSet, WatchListViewSet
from vms import health, media
from vms.api import api
from vms.metrics import metrics_view

drf = DefaultRouter(trailing_slash=True)
drf.include_root_view = False
# JSON only: no `cameras.json`-style twins (their @action views took no `format` argument: 500).
drf.include_format_suffixes = False
drf.register("users", UserViewSet, basename="user")
drf.register("cameras", CameraViewSet, basename="camera")
drf.register("mosaics", MosaicViewSet, basename="mosaic")
drf.register("watchlists", WatchListViewSet, basename="watchlist")
drf.register("alerts", AlertViewSet, basename="alert")
drf.register("detections", DetectionViewSet, basename="detection")
drf.register("dashboard", DashboardViewSet, basename="dashboard")

urlpatterns = [
    path("health", health.live, name="health"),
    # Pages that do not link the icon (the Django admin) get it here, not a 404.
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True), name="favicon"),
    path("health/ready", health.ready, name="health-ready"),
    path("metrics", metrics_view, name="metrics"),
    path("login/", account_views.LimitedLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Not "user-list": the DRF router names /api/users/ so, and the console link opened the JSON.
    path("users/", account_views.user_list, name="users"),
    path("users/add/", account_views.user_create, name="users-add"),
    path("users/<int:pk>/role/", account_views.user_role, name="users-role"),
    path("users/<int:pk>/active/", account_views.user_active, name="users-active"),
    path("users/<int:pk>/password/", account_views.user_password, name="users-password"),
    path("cameras/", include("apps.cameras.urls")),
    path("mosaics/", include("apps.mosaics.urls")),
    path("watchlists/", include("apps.watchlists.urls")),
    path("detections/", include("apps.detections.urls")),
    path("recordings/", include("apps.recordings.urls")),
    path("admin/", admin.site.urls),
    path("media/<path:path>", media.media_file, name="media"),
    # Asked by the media server only; the entry point does not route /internal/ (deploy/haproxy).
    path("internal/media-auth", streaming_views.media_auth, name="media-auth"),
    path("api/auth/token/", account_views.LimitedTokenObtainPairView.as_view(), name="token-obtain"),
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
