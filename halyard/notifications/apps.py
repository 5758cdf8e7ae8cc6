from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "halyard.notifications"
    label = "notifications"

    def ready(self) -> None:
        from halyard.notifications import subscribers  # noqa: F401  (registers event handlers)
