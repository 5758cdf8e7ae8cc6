"""Deal input: the stage decides the pipeline; probability may be left to the stage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from halyard.companies.forms import company_field, picker_setup
from halyard.contacts.models import Contact
from halyard.core.forms import RecordForm
from halyard.deals.models import ContactRole, Deal, LostReason, Pipeline, Stage, StageKind
from halyard.workspaces.forms import CURRENCIES


class DealForm(RecordForm):
    record_type = "deals"
    extra_value_fields = ("company", "pipeline", "stage", "probability", "currency", "lost_reason")
    company = company_field()
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.none(), required=False
    )
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    probability = forms.IntegerField(
        label=_("Probability (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty to use the stage's probability."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=[(c, c) for c in CURRENCIES])
    lost_reason = forms.ModelChoiceField(
        label=_("Lost reason"),
        queryset=LostReason.objects.none(),
        required=False,
        help_text=_("Required when the deal is in a lost stage."),
    )

    field_order = [
        "name",
        "company",
        "pipeline",
        "stage",
        "amount",
        "currency",
        "probability",
        "forecast_category",
        "expected_close",
        "next_step",
        "lost_reason",
        "customer_needs",
        "pain_points",
        "is_renewal",
        "at_risk",
        "owner",
    ]

    class Meta:
        model = Deal
        fields = [
            "name",
            "amount",
            "expected_close",
            "forecast_category",
            "next_step",
            "customer_needs",
            "pain_points",
            "is_renewal",
            "at_risk",
        ]
        widgets = {
            "expected_close": forms.DateInput(attrs={"type": "date"}),
            "customer_needs": forms.Textarea(attrs={"rows": 3}),
            "pain_points": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args: Any,
        currency: str = "USD",
        pipeline_id: int | None = None,
        picker_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        company = self.fields["company"]
        stage = self.fields["stage"]
        picker_setup(company, picker_url)
        assert isinstance(stage, forms.ModelChoiceField)
        stage.queryset = Stage.objects.select_related("pipeline").order_by(
            "pipeline__position", "pipeline_id", "position"
        )
        stage.label_from_instance = lambda s: f"{s.pipeline.name} › {s.name}"  # type: ignore[method-assign,assignment]
        pipeline = self.fields["pipeline"]
        assert isinstance(pipeline, forms.ModelChoiceField)
        pipeline.queryset = Pipeline.objects.order_by("position", "pk")
        chosen = pipeline.queryset.filter(pk=pipeline_id or 0).first() or pipeline.queryset.first()
        pipeline.initial = (
            self.instance.pipeline_id if self.instance.pk else getattr(chosen, "pk", None)
        )
        if self.instance.pk:
            company.initial = self.instance.company_id
            stage.initial = self.instance.stage_id
            self.fields["probability"].initial = self.instance.probability
            self.fields["currency"].initial = self.instance.currency
        else:
            self.fields["currency"].initial = currency
            first = stage.queryset.filter(pipeline=chosen).first() if chosen else None
            stage.initial = first.pk if first else None
        reason = self.fields["lost_reason"]
        assert isinstance(reason, forms.ModelChoiceField)
        current = self.instance.lost_reason_id if self.instance.pk else None
        reason.queryset = LostReason.objects.filter(
            Q(archived_at__isnull=True) | Q(pk=current or 0)
        )
        reason.initial = current
        self.fields["forecast_category"].required = False
        self.fields["forecast_category"].help_text = _("Leave as is to follow the stage.")
        amount = self.fields["amount"]
        amount.widget.attrs.update({"inputmode": "decimal", "min": "0"})

    def values(self) -> dict[str, Any]:
        values = super().values()
        if values.get("pipeline") is None:
            values["pipeline"] = values["stage"].pipeline
        return values


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    probability = forms.IntegerField(label=_("Probability (%)"), min_value=0, max_value=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=StageKind.choices)


class RelocateForm(forms.Form):
    """Where the deals of a stage or pipeline being deleted go."""

    target = forms.ModelChoiceField(
        label=_("Move its deals to"), queryset=Stage.objects.none(), required=False
    )
    lost_reason = forms.ModelChoiceField(
        label=_("Lost reason for deals moved to a lost stage"),
        queryset=LostReason.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, stages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target = self.fields["target"]
        assert isinstance(target, forms.ModelChoiceField)
        target.queryset = stages.select_related("pipeline").order_by(
            "pipeline__position", "pipeline_id", "position"
        )
        target.label_from_instance = lambda s: f"{s.pipeline.name} › {s.name}"  # type: ignore[method-assign,assignment]
        self.fields["lost_reason"].queryset = LostReason.objects.active()  # type: ignore[attr-defined]


class TransferForm(RelocateForm):
    """Which pipeline a stage moves to, and where its deals go meanwhile."""

    pipeline = forms.ModelChoiceField(
        label=_("Move the stage to"), queryset=Pipeline.objects.none()
    )
    field_order = ["pipeline", "target", "lost_reason"]

    def __init__(self, *args: Any, pipelines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = pipelines  # type: ignore[attr-defined]
        self.order_fields(self.field_order)


class ExchangeRateForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=[(c, c) for c in CURRENCIES])
    rate = forms.DecimalField(
        label=_("Rate"),
        min_value=Decimal("0.0000000001"),
        max_digits=24,
        decimal_places=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    effective_on = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class DealContactForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=ContactRole.choices)

    def __init__(self, *args: Any, contacts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]


def errors_text(form: forms.Form) -> str:
    """Return a form's errors as one sentence per field, for a message."""
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: "
        + " ".join(str(m) for m in errors)
        for name, errors in form.errors.items()
    )
