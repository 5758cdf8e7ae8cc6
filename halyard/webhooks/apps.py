from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "halyard.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from halyard.webhooks import subscribers  # noqa: F401  (registers the outbox handler)
