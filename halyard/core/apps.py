from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "halyard.core"
    label = "core"

    def ready(self) -> None:
        from halyard.core import subscribers  # noqa: F401  (registers event subscribers)
