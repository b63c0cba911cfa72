from django.urls import path

from apps.watchlists import views

app_name = "watchlists"
urlpatterns = [
    path("", views.watchlist_list, name="list"),
    path("add/", views.watchlist_create, name="add"),
    path("<int:pk>/", views.watchlist_detail, name="detail"),
    path("<int:pk>/edit/", views.watchlist_edit, name="edit"),
    path("<int:pk>/delete/", views.watchlist_delete, name="delete"),
    path("<int:pk>/rotate-secret/", views.watchlist_rotate_secret, name="rotate_secret"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="acknowledge"),
    path("alerts/acknowledge-shown/", views.alert_acknowledge_shown, name="acknowledge_shown"),
    path("alerts/sound/", views.alert_sound, name="sound"),
]
