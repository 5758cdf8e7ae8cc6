"""Lead input, and the choices a salesperson makes when converting a lead."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from halyard.core.forms import RecordForm
from halyard.deals.models import ContactRole, Stage, StageKind
from halyard.leads.models import Lead


class LeadForm(RecordForm):
    record_type = "leads"

    class Meta:
        model = Lead
        fields = [
            "first_name",
            "last_name",
            "company_name",
            "title",
            "email",
            "phone",
            "website",
            "status",
            "lead_source",
            "score",
            "description",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "website": forms.TextInput(attrs={"inputmode": "url"}),
            "score": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("first_name") or data.get("last_name") or data.get("company_name")):
            self.add_error("last_name", _("Give the person's name or the company name (or both)."))
        return data


class LeadConvertForm(forms.Form):
    """Where the lead goes: which company, which contact, and whether a deal starts now."""

    company_choice = forms.ChoiceField(label=_("Company"), widget=forms.RadioSelect)
    contact_choice = forms.ChoiceField(label=_("Contact"), widget=forms.RadioSelect)
    create_deal = forms.BooleanField(label=_("Create a deal"), required=False)
    deal_name = forms.CharField(label=_("Deal name"), max_length=200, required=False)
    deal_amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    deal_stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=Stage.objects.none(), required=False
    )
    deal_role = forms.ChoiceField(
        label=_("Their role on the deal"),
        choices=ContactRole.choices,
        initial=ContactRole.OTHER,
        required=False,
    )

    def __init__(self, *args: Any, lead: Lead, match: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        company_choices: list[tuple[str, Any]] = []
        if match.company is not None:
            company_choices.append(
                ("existing", _("Add to the existing company %(name)s") % {"name": match.company})
            )
        if lead.company_name:
            company_choices.append(
                ("new", _("Create the company %(name)s") % {"name": lead.company_name})
            )
        company_choices.append(("none", _("No company")))
        company = self.fields["company_choice"]
        assert isinstance(company, forms.ChoiceField)
        company.choices = company_choices
        company.initial = company_choices[0][0]
        contact_choices: list[tuple[str, Any]] = []
        if match.contact is not None:
            contact_choices.append(
                ("existing", _("Use the existing contact %(name)s") % {"name": match.contact})
            )
        contact_choices.append(("new", _("Create a new contact")))
        contact = self.fields["contact_choice"]
        assert isinstance(contact, forms.ChoiceField)
        contact.choices = contact_choices
        contact.initial = contact_choices[0][0]
        stage = self.fields["deal_stage"]
        assert isinstance(stage, forms.ModelChoiceField)
        stage.queryset = (
            Stage.objects.filter(kind=StageKind.OPEN)
            .select_related("pipeline")
            .order_by("pipeline__position", "pipeline_id", "position")
        )
        stage.label_from_instance = lambda s: f"{s.pipeline.name} › {s.name}"  # type: ignore[method-assign,assignment]
        stage.initial = stage.queryset.values_list("pk", flat=True).first()
        self.fields["deal_name"].initial = lead.company_name or lead.full_name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("create_deal"):
            if not data.get("deal_name"):
                self.add_error("deal_name", _("Give the deal a name."))
            if not data.get("deal_stage"):
                self.add_error("deal_stage", _("Choose the stage of the new deal."))
        return data
