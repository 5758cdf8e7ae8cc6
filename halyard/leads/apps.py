from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "halyard.leads"
    label = "leads"
