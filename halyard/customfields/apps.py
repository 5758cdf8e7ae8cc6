from django.apps import AppConfig


class CustomFieldsConfig(AppConfig):
    name = "halyard.customfields"
    label = "customfields"
