from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "halyard.companies"
    label = "companies"
