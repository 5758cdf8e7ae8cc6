from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "halyard.tasks"
    label = "tasks"
