from django.apps import AppConfig


class DetectionsConfig(AppConfig):
    name = "apps.detections"
    label = "detections"
