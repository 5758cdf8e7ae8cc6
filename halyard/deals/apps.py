from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "halyard.deals"
    label = "deals"
