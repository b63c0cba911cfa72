from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development and measurement tooling: the stand-in media server, simulated cameras, benchmarks.

    Not part of the domain: nothing in apps/, vms/ or workers/ imports it; it may import all of them.
    """

    name = "apps.devtools"
    label = "devtools"
