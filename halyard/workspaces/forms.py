"""Input forms for workspace administration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from halyard.core.countries import country_choices
from halyard.workspaces.models import Role, Workspace
from halyard.workspaces.permissions import Action, Module, RecordScope

CURRENCIES = ["USD", "EUR", "VND", "CNY", "TWD", "HKD", "IRR", "GBP", "JPY", "SGD", "AUD"]


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(label=_("Workspace name"), max_length=120)
    slug = forms.CharField(
        label=_("Workspace address"),
        max_length=48,
        required=False,
        help_text=_(
            "Lower-case letters, digits and hyphens. Leave empty to derive it from the name."
        ),
    )


class WorkspaceSettingsForm(forms.ModelForm):
    default_currency = forms.ChoiceField(
        label=_("Default currency"), choices=[(c, c) for c in CURRENCIES]
    )
    default_country = forms.ChoiceField(
        label=_("Default country"),
        choices=country_choices,
        help_text=_("Phone numbers typed without a country code are read as this country's."),
    )

    class Meta:
        model = Workspace
        fields = ["name", "default_currency", "default_country", "require_2fa"]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Role.objects.exclude(key="owner")
        field.empty_label = None
        field.initial = Role.objects.filter(key="sales_rep").values_list("pk", flat=True).first()
        field.label_from_instance = lambda r: r.display_name  # type: ignore[method-assign,assignment]


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    record_scope = forms.ChoiceField(label=_("Record scope"), choices=RecordScope.choices)

    def __init__(self, *args: Any, role: Role | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        granted = role.permissions if role else {}
        if role:
            self.fields["name"].initial = role.name
            self.fields["record_scope"].initial = role.record_scope
        self.action_labels = [a.label for a in Action]
        self.matrix = []
        for module in Module:
            row = []
            for action in Action:
                name = f"perm_{module.value}_{action.value}"
                self.fields[name] = forms.BooleanField(
                    required=False,
                    label=f"{module.label}: {action.label}",
                    initial=action.value in granted.get(module.value, []),
                )
                row.append(self[name])
            self.matrix.append((module.label, row))

    def permissions_map(self) -> dict[str, list[str]]:
        return {
            module.value: [
                a.value for a in Action if self.cleaned_data.get(f"perm_{module.value}_{a.value}")
            ]
            for module in Module
        }


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    members = forms.MultipleChoiceField(
        label=_("Members"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices


class DeleteWorkspaceForm(forms.Form):
    confirm = forms.CharField(label=_("Type the workspace address to confirm"), max_length=48)
