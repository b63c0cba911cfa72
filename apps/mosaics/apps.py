from django.apps import AppConfig


class MosaicsConfig(AppConfig):
    name = "apps.mosaics"
    label = "mosaics"
    verbose_name = "Mosaics"
