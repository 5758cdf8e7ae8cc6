from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "halyard.portability"
    label = "portability"
