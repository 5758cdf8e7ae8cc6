"""Duplicate pages: the review queue, scanning, the merge page, and the merge history with undo."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halyard.duplicates import selectors, services
from halyard.duplicates.models import DuplicatePair, PairStatus, RecordType
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, workspace_view

DETAIL_URL: dict[str, str] = {
    RecordType.CONTACTS: "contacts_detail",
    RecordType.COMPANIES: "companies_detail",
    RecordType.LEADS: "leads_detail",
}


def _record_type(request: WorkspaceRequest, value: str | None) -> str:
    """Return the requested record type, or the first one the member may see."""
    allowed = [t for t in RecordType.values if permissions.can(request.membership, t, "view")]
    if not allowed:
        raise PermissionDenied(_("Your role does not allow this."))
    return value if value in allowed else allowed[0]


def review(request: WorkspaceRequest) -> HttpResponse:
    """List likely duplicate pairs, highest score first, with merge and dismiss actions."""
    record_type = _record_type(request, request.GET.get("type"))
    status = request.GET.get("status") or PairStatus.OPEN
    if status not in PairStatus.values:
        status = PairStatus.OPEN
    try:
        page = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        page = 1
    rows, more = selectors.review_queue(
        membership=request.membership, record_type=record_type, status=status, page=page
    )
    counts = selectors.queue_counts(membership=request.membership)
    tabs = [(t, label, counts.get(t)) for t, label in RecordType.choices if t in counts]
    return render(
        request,
        "duplicates/review.html",
        {
            "rows": rows,
            "more": more,
            "page": page,
            "record_type": record_type,
            "record_type_label": RecordType(record_type).label,
            "status": status,
            "statuses": PairStatus.choices,
            "tabs": tabs,
            "detail_url": DETAIL_URL[record_type],
            "scan": selectors.last_scan(),
            "can_scan": any(permissions.can(request.membership, t, "edit") for t in counts),
        },
    )


def scan_now(request: WorkspaceRequest) -> HttpResponse:
    """Queue a scan of the workspace and come back to the queue."""
    scan = services.duplicates_scan_request(actor=request.actor)
    if scan.status in ("queued", "running") and scan.started_at is not None:
        messages.info(request, _("A scan is already running."))
    else:
        messages.success(
            request, _("The scan has started. Reload this page in a minute to see what it found.")
        )
    return redirect(_queue_url(request, request.POST.get("type")))


def _queue_url(request: WorkspaceRequest, record_type: str | None) -> str:
    url = reverse("duplicates_review", args=[request.workspace.slug])
    return f"{url}?type={record_type}" if record_type in RecordType.values else url


def dismiss(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Mark a pair "not a duplicate"."""
    pair = DuplicatePair.objects.filter(pk=pk).first()
    if pair is None or not permissions.can(request.membership, pair.record_type, "view"):
        raise Http404(_("No such record."))
    services.pair_dismiss(actor=request.actor, pair=pair)
    messages.success(request, _("Marked as not a duplicate. Scans will not suggest it again."))
    return redirect(_queue_url(request, pair.record_type))


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        for part in value.split(","):
            if part.strip().isdigit():
                ids.append(int(part))
    return list(dict.fromkeys(ids))


def merge(request: WorkspaceRequest) -> HttpResponse:
    """Choose the surviving record and, field by field, the surviving values; then merge."""
    data = request.POST if request.method == "POST" else request.GET
    record_type = data.get("type", "")
    if record_type not in RecordType.values:
        raise Http404(_("No such record."))
    model = services.MODELS[record_type]
    ids = _ids(data.getlist("ids"))
    visible = permissions.visible(request.membership, model.module, model.objects.alive())
    records = {r.pk: r for r in visible.filter(pk__in=ids[: services.MAX_MERGE + 1])}
    error = ""
    if len(ids) < 2:
        error = _("Choose at least two records to merge.")
    elif len(ids) > services.MAX_MERGE:
        error = _("Merge at most %(n)s records at once.") % {"n": services.MAX_MERGE}
    elif len(records) < len(ids):
        error = _(
            "Some of these records are in the trash, in another workspace, or hidden from you."
        )
    if error:
        messages.error(request, error)
        return redirect(_queue_url(request, record_type))
    survivor_id = _ids([data.get("survivor", "")])
    survivor = records.get(survivor_id[0]) if survivor_id else None
    survivor = survivor or records[ids[0]]
    ordered = [survivor, *(records[pk] for pk in ids if pk != survivor.pk)]
    if request.method == "POST":
        choices = {
            key.removeprefix("field:"): int(value)
            for key, value in cast(Any, request.POST).items()
            if key.startswith("field:") and value.isdigit()
        }
        versions = {
            int(key.removeprefix("version:")): int(value)
            for key, value in cast(Any, request.POST).items()
            if key.startswith("version:") and key[8:].isdigit() and value.isdigit()
        }
        try:
            result = services.records_merge(
                actor=request.actor,
                record_type=record_type,
                survivor_id=survivor.pk,
                ids=[r.pk for r in ordered],
                choices=choices,
                versions=versions,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("Your role does not allow this."))
        else:
            messages.success(
                request,
                _("Merged %(n)s records into %(name)s. You can undo it from its timeline.")
                % {"n": len(ordered), "name": result.survivor},
            )
            return redirect(DETAIL_URL[record_type], slug=request.workspace.slug, pk=survivor.pk)
    fields = services.merge_fields(record_type, ordered)
    can_merge = all(
        permissions.can_touch(request.membership, model.module, action, r)
        for r in ordered
        for action in ("edit", "delete")
    )
    return render(
        request,
        "duplicates/merge.html",
        {
            "record_type": record_type,
            "records": ordered,
            "survivor": survivor,
            "fields": fields,
            "differing": [f for f in fields if f.differs],
            "same": [f for f in fields if not f.differs and f.values[0][1] not in (None, "")],
            "united": _united_summary(record_type, ordered),
            "detail_url": DETAIL_URL[record_type],
            "can_merge": can_merge,
            "ids": ",".join(str(r.pk) for r in ordered),
        },
    )


def _united_summary(record_type: str, records: list[Any]) -> list[tuple[str, list[str]]]:
    """Say what is united rather than chosen: e-mails, phones, domains, tags."""
    rows = services._united_rows(record_type, records)
    result = []
    labels = {
        "contacts.contactemail": _("E-mail addresses"),
        "contacts.contactphone": _("Phone numbers"),
        "companies.companydomain": _("Domains"),
    }
    for label, values in rows.items():
        if not values:
            continue
        result.append((labels.get(label, label), [str(next(iter(v.values()))) for v in values]))
    tags = sorted({t.name for r in records for t in r.tags.all()})
    if tags:
        result.append((_("Tags"), tags))
    return result


def history(request: WorkspaceRequest) -> HttpResponse:
    """List the latest merges, with a link to each (and its undo)."""
    record_type = request.GET.get("type")
    merges = selectors.merge_history(
        membership=request.membership,
        record_type=record_type if record_type in RecordType.values else None,
    )
    return render(request, "duplicates/history.html", {"merges": merges, "detail_url": DETAIL_URL})


def merge_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Show one merge: the survivor, the records merged into it, and the undo button."""
    found = selectors.merge_for_member(request.membership, pk)
    if found is None:
        raise Http404(_("No such record."))
    return render(
        request,
        "duplicates/merge_detail.html",
        {"merge": found, "detail_url": DETAIL_URL[found.record_type]},
    )


def undo(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Undo a merge, or say clearly why it cannot be undone."""
    found = selectors.merge_for_member(request.membership, pk)
    if found is None:
        raise Http404(_("No such record."))
    try:
        services.merge_undo(actor=request.actor, merge=found)
    except services.UnmergeRefused as exc:
        messages.error(request, str(exc))
        return redirect("duplicates_merge_detail", slug=request.workspace.slug, pk=pk)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Your role does not allow this."))
        return redirect("duplicates_merge_detail", slug=request.workspace.slug, pk=pk)
    messages.success(request, _("The merge was undone; the merged records are back."))
    return redirect(
        DETAIL_URL[found.record_type], slug=request.workspace.slug, pk=found.survivor_id
    )


def urls() -> list[URLPattern]:
    return [
        path("", workspace_view(review), name="duplicates_review"),
        path("scan/", workspace_view(require_POST(scan_now)), name="duplicates_scan"),
        path(
            "pairs/<int:pk>/dismiss/",
            workspace_view(require_POST(dismiss)),
            name="duplicates_dismiss",
        ),
        path("merge/", workspace_view(merge), name="duplicates_merge"),
        path("merges/", workspace_view(history), name="duplicates_history"),
        path("merges/<int:pk>/", workspace_view(merge_detail), name="duplicates_merge_detail"),
        path("merges/<int:pk>/undo/", workspace_view(require_POST(undo)), name="duplicates_undo"),
    ]
