from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "halyard.api"
    label = "api"
