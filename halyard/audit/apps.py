from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "halyard.audit"
    label = "audit"
