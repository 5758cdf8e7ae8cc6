from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "halyard.activities"
    label = "activities"
