"""The bell's actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from halyard.notifications.services import notifications_mark_read


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark all of the user's notifications as read and go back."""
    notifications_mark_read(user=request.user)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = "/"
    return redirect(next_url)
