from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.core.forms import RecordForm


class ContactForm(RecordForm):
    record_type = "contacts"
    extra_value_fields = ("company",)
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.none(), required=False
    )

    class Meta:
        model = Contact
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}
        fields = ["first_name", "last_name", "email", "phone", "title"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        field.queryset = Company.objects.alive().only("id", "name").order_by("name")  # type: ignore[attr-defined]
        field.initial = self.instance.company_id
