"""HTML input of the import wizard."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from halyard.imports.models import DuplicatePolicy, ErrorPolicy


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV in any encoding and with any separator, Excel (.xlsx) or vCard (.vcf); "
            "up to 20 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,.vcf,.vcard"}),
    )


class MappingForm(forms.Form):
    """One select per column, the two policies and an optional template name."""

    duplicates = forms.ChoiceField(
        label=_("When a row matches an existing record"),
        choices=DuplicatePolicy.choices,
        initial=DuplicatePolicy.SKIP,
        widget=forms.RadioSelect,
    )
    on_error = forms.ChoiceField(
        label=_("When a row has an error"),
        choices=ErrorPolicy.choices,
        initial=ErrorPolicy.SKIP,
        widget=forms.RadioSelect,
    )
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        required=False,
        max_length=80,
        help_text=_("Give it a name to reuse it for the next file from the same place."),
    )

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        choices: list[tuple[str, str]],
        initial_mapping: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        options = [("", _("— Ignore this column —")), *choices]
        self.columns: list[tuple[str, Any]] = []
        for position, header in enumerate(headers):
            name = f"col_{position}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("Column %(number)s") % {"number": position + 1},
                choices=options,
                required=False,
                initial=initial_mapping.get(str(position), ""),
            )
            self.columns.append((str(position), name))

    def mapping(self) -> dict[str, str]:
        """Return {column index: field key} of the mapped columns."""
        return {
            column: self.cleaned_data[name]
            for column, name in self.columns
            if self.cleaned_data.get(name)
        }
