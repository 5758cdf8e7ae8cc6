"""Company input, the domain rows, and the searchable company picker other forms use."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from halyard.companies.models import Company, CompanyDomain
from halyard.companies.services import domain_normalise
from halyard.core.forms import RecordForm
from halyard.core.phones import phone_display, phone_normalise
from halyard.core.rows import PrimaryRowFormSet, blank_as_dash, row_formset, rows_data
from halyard.core.social import SOCIAL_NETWORKS
from halyard.workspaces.forms import CURRENCIES


class CompanyPicker(forms.Widget):
    """A text box that searches companies as you type (HTMX) and keeps the chosen id."""

    template_name = "companies/_company_picker.html"

    def __init__(self, url: str = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url = url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        label = ""
        try:
            pk = int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            pk = None
        if pk is not None:
            # Scoped: an id of another workspace shows no name.
            label = Company.objects.filter(pk=pk).values_list("name", flat=True).first() or ""
        context["widget"].update(url=self.url, label=label)
        return context


def company_field(label: Any = None) -> forms.ModelChoiceField:
    """Return a company choice that renders as the searchable picker."""
    return forms.ModelChoiceField(
        label=label or _("Company"),
        queryset=Company.objects.none(),
        required=False,
        widget=CompanyPicker(),
        error_messages={"invalid_choice": _("Choose a company of this workspace.")},
    )


def picker_setup(field: forms.Field, url: str) -> None:
    """Point a company field at the picker endpoint and limit it to live companies."""
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = Company.objects.alive()
    assert isinstance(field.widget, CompanyPicker)
    field.widget.url = url


class DomainRow(forms.Form):
    domain = forms.CharField(label=_("Domain"), max_length=253, required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def clean_domain(self) -> str:
        value = self.cleaned_data.get("domain") or ""
        if not value.strip():
            return ""
        try:
            return domain_normalise(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class DomainRows(PrimaryRowFormSet):
    value_field = "domain"
    primary_message = _("Only one domain can be primary.")


DomainFormSet = row_formset(DomainRow, DomainRows)


class CompanyForm(RecordForm):
    record_type = "companies"
    extra_value_fields = ("parent", "website", "revenue_currency")
    website = forms.URLField(
        label=_("Website"), max_length=500, required=False, assume_scheme="https"
    )
    parent = company_field(_("Parent company"))
    revenue_currency = forms.ChoiceField(
        label=_("Revenue currency"),
        choices=[("", "—"), *((c, c) for c in CURRENCIES)],
        required=False,
    )

    class Meta:
        model = Company
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}
        fields = [
            "name",
            "industry",
            "size",
            "annual_revenue",
            "phone",
            "street",
            "city",
            "region",
            "postal_code",
            "country",
            "shipping_street",
            "shipping_city",
            "shipping_region",
            "shipping_postal_code",
            "shipping_country",
        ]

    def __init__(
        self, *args: Any, country: str = "US", picker_url: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.country = country
        # The company itself stays choosable: the service explains why it cannot be its parent.
        picker_setup(self.fields["parent"], picker_url)
        if self.instance.pk:
            self.fields["parent"].initial = self.instance.parent_id
            self.initial["phone"] = phone_display(self.instance.phone, country)
            self.fields["revenue_currency"].initial = self.instance.revenue_currency
        self.fields["annual_revenue"].widget.attrs.update({"inputmode": "decimal", "min": "0"})
        blank_as_dash(self.fields["size"])
        # Under the "Shipping address" heading the plain names read better.
        for part in ("street", "city", "region", "postal_code", "country"):
            self.fields[f"shipping_{part}"].label = self.fields[part].label
        social = self.instance.social or {}
        for key, label in SOCIAL_NETWORKS:
            if key == "website":
                continue
            self.fields[f"social_{key}"] = forms.CharField(
                label=label, max_length=300, required=False, initial=social.get(key, "")
            )
        initial = [
            {"domain": d.domain, "is_primary": d.is_primary}
            for d in (
                CompanyDomain.objects.filter(company=self.instance) if self.instance.pk else []
            )
        ]
        if not initial and self.instance.domain:
            initial = [{"domain": self.instance.domain, "is_primary": True}]
        self.domains = DomainFormSet(
            rows_data(self, "domains", "domain", "domain"), prefix="domains", initial=initial
        )

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone") or ""
        return phone_normalise(value, self.country) if value.strip() else ""

    def clean_annual_revenue(self) -> Any:
        value = self.cleaned_data.get("annual_revenue")
        if value is not None and value < 0:
            raise ValidationError(_("Revenue cannot be negative."))
        return value

    def is_valid(self) -> bool:
        form_ok = super().is_valid()
        return (not self.domains.is_bound or self.domains.is_valid()) and form_ok

    def social_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n.startswith("social_")]

    def values(self) -> dict[str, Any]:
        values = super().values()
        if self.domains.is_bound:
            values["domains"] = self.domains.rows()
        social = dict(self.instance.social or {})
        for key, _label in SOCIAL_NETWORKS:
            if f"social_{key}" in self.cleaned_data:
                social[key] = self.cleaned_data[f"social_{key}"].strip()
        values["social"] = {k: v for k, v in social.items() if v}
        return values
