from django import forms
from django.utils.translation import gettext_lazy as _

from halyard.companies.models import Company
from halyard.core.forms import RecordForm


class CompanyForm(RecordForm):
    record_type = "companies"
    website = forms.URLField(
        label=_("Website"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Company
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}
        fields = ["name", "domain", "industry", "phone", "website", "city", "country"]
