from django.urls import path

from apps.recordings import views

app_name = "recordings"
urlpatterns = [
    path("cameras/<int:pk>/clip.mp4", views.camera_clip, name="camera-clip"),
    path("cameras/<int:pk>/timeline", views.camera_timeline, name="camera-timeline"),
    path("cameras/<int:pk>/purge/", views.camera_purge, name="camera-purge"),
    path("detections/<int:pk>/keep/", views.detection_keep, name="detection-keep"),
    path("detections/<int:pk>/clip.mp4", views.detection_clip, name="detection-clip"),
]
