from django.urls import path

from apps.mosaics import views

app_name = "mosaics"
urlpatterns = [
    path("", views.mosaic_list, name="list"),
    path("add/", views.mosaic_create, name="add"),
    path("<int:pk>/", views.mosaic_detail, name="detail"),
    path("<int:pk>/edit/", views.mosaic_edit, name="edit"),
    path("<int:pk>/delete/", views.mosaic_delete, name="delete"),
]
