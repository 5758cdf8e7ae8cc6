from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "halyard.workspaces"
    label = "workspaces"
