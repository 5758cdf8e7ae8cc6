"""Settings pages for custom fields and tags."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from halyard.core.forms import add_validation_errors
from halyard.customfields import services
from halyard.customfields.models import CustomField, FieldType, RecordType, Tag
from halyard.workspaces.access import WorkspaceRequest, admin_view


class CustomFieldForm(forms.Form):
    record_type = forms.ChoiceField(label=gettext_lazy("Record type"), choices=RecordType.choices)
    label = forms.CharField(label=gettext_lazy("Label"), max_length=80)
    field_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=FieldType.choices)
    options = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For select fields: one choice per line."),
    )
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)


class TagForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("New tag"), max_length=60)


@admin_view
def fields_settings(request: WorkspaceRequest) -> HttpResponse:
    """List custom fields and tags, and add either."""
    form = CustomFieldForm(request.POST if "label" in request.POST else None)
    tag_form = TagForm(request.POST if "name" in request.POST else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.custom_field_create(
                actor=request.actor,
                record_type=data["record_type"],
                label=data["label"],
                field_type=data["field_type"],
                options=data["options"].splitlines(),
                required=data["required"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Field added."))
            return redirect("fields_settings", slug=request.workspace.slug)
    if tag_form.is_bound and tag_form.is_valid():
        services.tag_create(actor=request.actor, name=tag_form.cleaned_data["name"])
        messages.success(request, _("Tag added."))
        return redirect("fields_settings", slug=request.workspace.slug)
    return render(
        request,
        "customfields/fields.html",
        {
            "form": form,
            "tag_form": tag_form,
            "section": "fields",
            "definitions": CustomField.objects.all(),
            "tags": Tag.objects.all(),
        },
    )
