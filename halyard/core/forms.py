"""The form base that every record form uses: custom fields, tags, owner and version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from halyard.customfields.models import CustomField, Tag
from halyard.customfields.values import FORM_PREFIX, form_field, to_initial, to_json


class RecordForm(forms.ModelForm):
    """A ModelForm that adds the workspace's custom fields, tags, owner and the version seen."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None, required=False)
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    record_type = ""
    # Declared (not model-generated) fields that values() passes to the services too.
    extra_value_fields: tuple[str, ...] = ()

    def __init__(
        self, *args: Any, members: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        members = members or []
        self.definitions = list(CustomField.objects.filter(record_type=self.record_type))
        owner = self.fields["owner"]
        assert isinstance(owner, forms.TypedChoiceField)
        owner.choices = [("", "—"), *members]
        if self.instance.pk:
            owner.initial = self.instance.owner_id
        self.fields["tags"].queryset = Tag.objects.all()  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["tags"].initial = list(self.instance.tags.all())
        for definition in self.definitions:
            name = FORM_PREFIX + definition.key
            self.fields[name] = form_field(definition, members)
            if self.instance.pk:
                self.fields[name].initial = to_initial(
                    definition, (self.instance.custom or {}).get(definition.key)
                )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[FORM_PREFIX + d.key] for d in self.definitions]

    def standard_fields(self) -> list[forms.BoundField]:
        return [
            bf
            for bf in self.visible_fields()
            if not bf.name.startswith(FORM_PREFIX) and bf.name != "tags"
        ]

    def values(self) -> dict[str, Any]:
        """Return the cleaned standard values plus `custom`, ready for the record services."""
        data = self.cleaned_data
        names = [*(self._meta.fields or []), *self.extra_value_fields]
        values = {name: data[name] for name in names if name in data}
        values["owner_id"] = data.get("owner")
        custom = dict(self.instance.custom or {})
        for definition in self.definitions:
            custom[definition.key] = to_json(definition, data.get(FORM_PREFIX + definition.key))
        values["custom"] = custom
        return values


def add_validation_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: at its field when the form has one."""
    errors = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
    for field, problems in errors.items():
        form.add_error(field if field in form.fields else None, problems)
