from django import forms

from halyard.companies.models import Company
from halyard.core.forms import RecordForm


class CompanyForm(RecordForm):
    record_type = "companies"

    class Meta:
        model = Company
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}
        fields = ["name", "domain", "industry", "phone", "website", "city", "country"]
