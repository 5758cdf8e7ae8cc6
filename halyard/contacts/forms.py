"""Contact input: name parts, e-mail and phone rows, the company picker, consent and profile."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.companies.forms import company_field, picker_setup
from halyard.contacts.models import Contact, ContactEmail, ContactPhone, PhoneKind
from halyard.core.countries import country_choices
from halyard.core.forms import RecordForm
from halyard.core.phones import phone_display, phone_normalise
from halyard.core.rows import PrimaryRowFormSet, blank_as_dash, row_formset, rows_data
from halyard.core.social import SOCIAL_NETWORKS


def _countries() -> list[tuple[str, str]]:
    return [("", "—"), *country_choices()]


class EmailRow(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()


class EmailRows(PrimaryRowFormSet):
    value_field = "email"
    primary_message = _("Only one e-mail address can be primary.")


class PhoneRow(forms.Form):
    number = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PhoneKind.choices, initial=PhoneKind.MOBILE, required=False
    )
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def __init__(self, *args: Any, country: str = "US", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country = country

    def clean_number(self) -> str:
        value = self.cleaned_data.get("number") or ""
        return phone_normalise(value, self.country) if value.strip() else ""


class PhoneRows(PrimaryRowFormSet):
    value_field = "number"
    primary_message = _("Only one phone number can be primary.")


EmailFormSet = row_formset(EmailRow, EmailRows)
PhoneFormSet = row_formset(PhoneRow, PhoneRows)


class ContactForm(RecordForm):
    record_type = "contacts"
    extra_value_fields = ("company", "country")
    company = company_field()
    country = forms.ChoiceField(label=_("Country"), choices=_countries, required=False)

    class Meta:
        model = Contact
        fields = [
            "prefix",
            "first_name",
            "middle_name",
            "last_name",
            "title",
            "department",
            "lifecycle_stage",
            "lead_source",
            "language",
            "birthday",
            "street",
            "city",
            "region",
            "postal_code",
            "do_not_email",
            "do_not_email_source",
            "do_not_call",
            "do_not_call_source",
        ]
        widgets = {"birthday": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "do_not_email_source": _("How they asked, e.g. “unsubscribe link” or “by phone”."),
            "do_not_call_source": _("How they asked, e.g. “told Lan on 3 March”."),
        }

    def __init__(
        self, *args: Any, country: str = "US", picker_url: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        picker_setup(self.fields["company"], picker_url)
        self.fields["prefix"].widget.attrs["placeholder"] = _("Mr, Ms, Dr…")
        for name in ("lifecycle_stage", "lead_source", "language"):
            blank_as_dash(self.fields[name])
        if self.instance.pk:
            self.fields["company"].initial = self.instance.company_id
            self.fields["country"].initial = self.instance.country
        social = self.instance.social or {}
        for key, label in SOCIAL_NETWORKS:
            self.fields[f"social_{key}"] = forms.CharField(
                label=label, max_length=300, required=False, initial=social.get(key, "")
            )
        emails, phones = self._initial_rows()
        for row in phones:  # typed as the user would dial them
            row["number"] = phone_display(row["number"], country)
        self.emails = EmailFormSet(
            rows_data(self, "emails", "email", "email"), prefix="emails", initial=emails
        )
        self.phones = PhoneFormSet(
            rows_data(self, "phones", "phone", "number"),
            prefix="phones",
            initial=phones,
            form_kwargs={"country": country},
        )

    def _initial_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        contact = self.instance
        if not contact.pk:
            return [], []
        emails = [
            {"email": e.email, "is_primary": e.is_primary}
            for e in ContactEmail.objects.filter(contact=contact)
        ] or ([{"email": contact.email, "is_primary": True}] if contact.email else [])
        phones = [
            {"number": p.number, "kind": p.kind, "is_primary": p.is_primary}
            for p in ContactPhone.objects.filter(contact=contact)
        ] or ([{"number": contact.phone, "is_primary": True}] if contact.phone else [])
        return emails, phones

    def clean_birthday(self) -> Any:
        value = self.cleaned_data.get("birthday")
        if value and value > timezone.localdate():
            raise ValidationError(_("A birthday cannot be in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for consent in ("do_not_email", "do_not_call"):
            if data.get(f"{consent}_source") and not data.get(consent):
                self.add_error(
                    f"{consent}_source",
                    ValidationError(_("Tick the box above too, or leave this empty.")),
                )
        return data

    def is_valid(self) -> bool:
        form_ok = super().is_valid()
        emails_ok = not self.emails.is_bound or self.emails.is_valid()
        phones_ok = not self.phones.is_bound or self.phones.is_valid()
        return phones_ok and emails_ok and form_ok

    def social_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n.startswith("social_")]

    def values(self) -> dict[str, Any]:
        values = super().values()
        if self.emails.is_bound:
            values["emails"] = self.emails.rows()
        if self.phones.is_bound:
            values["phones"] = self.phones.rows()
        social = dict(self.instance.social or {})
        for key, _label in SOCIAL_NETWORKS:
            social[key] = self.cleaned_data.get(f"social_{key}", "").strip()
        values["social"] = {k: v for k, v in social.items() if v}
        return values
