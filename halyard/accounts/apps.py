from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "halyard.accounts"
    label = "accounts"

    def ready(self) -> None:
        from halyard.accounts import security  # noqa: F401  (audit of sign-in events)
