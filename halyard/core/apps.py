from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "halyard.core"
    label = "core"
