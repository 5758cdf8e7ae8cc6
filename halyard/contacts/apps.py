from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "halyard.contacts"
    label = "contacts"
