from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "halyard.imports"
    label = "imports"
