from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "halyard.duplicates"
    label = "duplicates"
