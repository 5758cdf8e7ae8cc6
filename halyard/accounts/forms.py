"""Sign-up extras and the profile form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from halyard.accounts.models import User
from halyard.core.context import client_ip
from halyard.workspaces.models import Workspace, validate_slug

INVITATION_SESSION_KEY = "halyard_invitation_token"


class SignupExtraForm(forms.Form):
    """Asks a new user for their name and the workspace to create (not when invited)."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    workspace_name = forms.CharField(
        label=_("Workspace name"),
        max_length=120,
        required=False,
        help_text=_("Usually your company's name."),
    )
    workspace_slug = forms.CharField(
        label=_("Workspace address"),
        max_length=48,
        required=False,
        help_text=_(
            "Lower-case letters, digits and hyphens. Leave empty to derive it from the name."
        ),
    )

    field_order = [
        "full_name",
        "email",
        "password1",
        "password2",
        "workspace_name",
        "workspace_slug",
    ]

    def _invited(self) -> bool:
        request = getattr(self, "request", None)
        return bool(request and request.session.get(INVITATION_SESSION_KEY))

    def clean_workspace_slug(self) -> str:
        slug = self.cleaned_data.get("workspace_slug", "").strip().lower()
        if slug:
            validate_slug(slug)
            if Workspace.objects.filter(slug=slug).exists():
                raise ValidationError(_("This address is taken. Choose another."))
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self._invited() and not data.get("workspace_name", "").strip():
            self.add_error("workspace_name", _("Enter a name for your workspace."))
        return data

    def signup(self, request: HttpRequest, user: User) -> None:
        """Save the name and create the first workspace, in the sign-up's transaction."""
        from halyard.workspaces.services import workspace_create

        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])
        name = self.cleaned_data.get("workspace_name", "").strip()
        if name:
            workspace_create(
                owner=user,
                name=name,
                slug=self.cleaned_data.get("workspace_slug", ""),
                ip=client_ip(request),
            )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language", "timezone"]
