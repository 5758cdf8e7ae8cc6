"""Repeated input rows (several e-mails, phones, domains): one primary, none listed twice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _


class PrimaryRowFormSet(forms.BaseFormSet):
    """A formset of rows with a `value_field` and an `is_primary` box."""

    value_field = "value"
    twice_message = _("This is already listed above.")
    primary_message = _("Only one can be primary.")

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def clean(self) -> None:
        """Put "listed twice" and "two primaries" at the offending row's field."""
        if any(self.errors):
            return
        seen: set[Any] = set()
        primary = False
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            value = data.get(self.value_field)
            if not value or data.get("DELETE"):
                continue
            if value in seen:
                form.add_error(self.value_field, self.twice_message)
            seen.add(value)
            if data.get("is_primary"):
                if primary:
                    form.add_error("is_primary", self.primary_message)
                primary = True

    def rows(self) -> list[dict[str, Any]]:
        """Return the filled, kept rows as plain dicts, in order."""
        kept = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if data.get(self.value_field) and not data.get("DELETE"):
                kept.append({k: v for k, v in data.items() if k != "DELETE"})
        return kept


def row_formset(form: type[forms.Form], base: type[PrimaryRowFormSet]) -> Any:
    """Return a formset class for `form` rows: one empty row to start, rows can be removed."""
    return forms.formset_factory(form, formset=base, extra=1, can_delete=True, max_num=20)


def rows_data(form: forms.BaseForm, prefix: str, single: str, field: str) -> Any:
    """Return the data for a form's rows; None (rows untouched) when none were posted.

    A post without the rows' management form (an older client, a script) may still send one
    value under `single` (e.g. "email"); it becomes the only, primary row.
    """
    if not form.is_bound:
        return None
    data = form.data
    if f"{prefix}-TOTAL_FORMS" in data:
        return data
    if single not in data:
        return None
    return {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-{field}": data.get(single, ""),
        f"{prefix}-0-is_primary": "on",
    }


def blank_as_dash(field: forms.Field) -> None:
    """Show a choice's empty option as "—", as the other selects do, not Django's dashes."""
    assert isinstance(field, forms.ChoiceField)
    options = [c for c in cast(Iterable[Any], field.choices) if c[0]]
    field.choices = [("", "—"), *options]
