from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "halyard.search"
    label = "search"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from halyard.search.backends import prepare_connection

        connection_created.connect(prepare_connection, dispatch_uid="halyard.search")
