"""Deal input: the stage decides the pipeline; probability may be left to the stage."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from halyard.companies.forms import company_field, picker_setup
from halyard.core.forms import RecordForm
from halyard.deals.models import Deal, Stage
from halyard.workspaces.forms import CURRENCIES


class DealForm(RecordForm):
    record_type = "deals"
    extra_value_fields = ("company", "stage", "probability", "currency")
    company = company_field()
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    probability = forms.IntegerField(
        label=_("Probability (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty to use the stage's probability."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=[(c, c) for c in CURRENCIES])

    class Meta:
        model = Deal
        fields = ["name", "amount", "expected_close", "next_step"]
        widgets = {"expected_close": forms.DateInput(attrs={"type": "date"})}

    def __init__(
        self, *args: Any, currency: str = "USD", picker_url: str = "", **kwargs: Any
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
        if self.instance.pk:
            company.initial = self.instance.company_id
            stage.initial = self.instance.stage_id
            self.fields["probability"].initial = self.instance.probability
            self.fields["currency"].initial = self.instance.currency
        else:
            self.fields["currency"].initial = currency
            first = stage.queryset.first()
            stage.initial = first.pk if first else None
        amount = self.fields["amount"]
        amount.widget.attrs.update({"inputmode": "decimal", "min": "0"})

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["pipeline"] = values["stage"].pipeline
        return values
