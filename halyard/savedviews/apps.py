from django.apps import AppConfig


class SavedViewsConfig(AppConfig):
    name = "halyard.savedviews"
    label = "savedviews"
