from django.urls import path

from apps.cameras import views

app_name = "cameras"
urlpatterns = [
    path("", views.camera_list, name="list"),
    path("add/", views.camera_create, name="add"),
    path("<int:pk>/", views.camera_detail, name="detail"),
    path("<int:pk>/edit/", views.camera_edit, name="edit"),
    path("<int:pk>/delete/", views.camera_delete, name="delete"),
    path("<int:pk>/zones/", views.camera_zones, name="zones"),
]
