from django.urls import path

from apps.detections import views

app_name = "detections"
urlpatterns = [
    path("", views.detection_list, name="list"),
    path("export.csv", views.detection_export, name="export"),
    path("feed/", views.detection_feed, name="feed"),
    path("<int:pk>/", views.detection_detail, name="detail"),
]
