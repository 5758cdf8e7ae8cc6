"""Keeping the search index in step with the records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from halyard.search.models import SearchEntry
from halyard.search.normalise import normalise

MAX_TEXT = 2000


def related_values(record: Any, relation: str, field: str) -> list[Any]:
    """Return one field of a record's related rows, from a prefetch when there is one.

    Bulk writers and `search_rebuild` prefetch (or preset) the relations a model lists in
    `search_related`, so indexing many records does not cost a query per record.
    """
    cache = getattr(record, "_prefetched_objects_cache", {})
    if relation in cache:
        return [getattr(row, field) for row in cache[relation]]
    if record.pk is None:
        return []
    manager = getattr(type(record), relation).rel.related_model._base_manager
    key = getattr(type(record), relation).field.name
    return list(manager.filter(**{key: record.pk}).values_list(field, flat=True))


def search_text(record: Any) -> str:
    """Return the normalised text a record is found by."""
    terms = [t for t in record.search_terms() if t]
    return normalise(" | ".join(dict.fromkeys(terms)))[:MAX_TEXT]


def search_sync(record: Any) -> None:
    """Index a record after a write, or drop it from the index when it went to the trash."""
    if not hasattr(record, "search_terms") or not record.module:
        return
    key = {
        "workspace_id": record.workspace_id,
        "record_type": record.module,
        "record_id": record.pk,
    }
    if record.deleted_at is not None:
        SearchEntry.objects.filter(**key).delete()
        return
    SearchEntry.objects.update_or_create(
        **key, defaults={"text": search_text(record), "owner_id": record.owner_id}
    )


def search_rebuild(workspace: Any, models: Iterable[Any], batch: int = 2000) -> int:
    """Rebuild the index of a workspace for some record types; return the entries written."""
    written = 0
    for model in models:
        SearchEntry.objects.filter(workspace=workspace, record_type=model.module).delete()
        rows = model.objects.alive().filter(workspace=workspace).order_by("pk")
        related = getattr(model, "search_related", ())
        if related:
            rows = rows.prefetch_related(*related)
        buffer: list[SearchEntry] = []
        for record in rows.iterator(chunk_size=batch):
            buffer.append(
                SearchEntry(
                    workspace=workspace,
                    record_type=model.module,
                    record_id=record.pk,
                    owner_id=record.owner_id,
                    text=search_text(record),
                )
            )
            if len(buffer) >= batch:
                SearchEntry.objects.bulk_create(buffer)
                written += len(buffer)
                buffer = []
        SearchEntry.objects.bulk_create(buffer)
        written += len(buffer)
    return written
