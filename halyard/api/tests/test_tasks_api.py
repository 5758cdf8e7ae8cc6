"""Tasks through the API: create, assign, complete (with its event), trash and restore."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from conftest import actor_for
from halyard.api.tests.conftest import problem
from halyard.contacts.services import contact_create
from halyard.core.models import OutboxEvent
from halyard.tasks.models import Task


def test_task_lifecycle_and_completion_event(
    acme: Any, alice: Any, bob: Any, alice_api: Any
) -> None:
    with scope(workspace=acme):
        contact = contact_create(actor=actor_for(acme, alice), values={"last_name": "Phan"})
    created = alice_api.post(
        "/api/v1/tasks",
        {
            "title": "Gửi báo giá",
            "contact": str(contact.pk),
            "owner": str(bob.pk),
            "due_at": "2025-05-02T10:00:00Z",
            "remind_at": "2025-05-02T09:00:00Z",
            "priority": "high",
        },
    )
    assert created.status_code == 201, created.json()
    task = created.json()
    assert task["owner"] == str(bob.pk) and task["status"] == "open"
    assert task["contact"] == str(contact.pk) and task["completed_at"] is None
    url = f"/api/v1/tasks/{task['id']}"
    late = problem(alice_api.patch(url, {"remind_at": "2025-05-03T09:00:00Z"}), 400, "invalid")
    assert "remind_at" in late["errors"]
    done = alice_api.patch(url, {"status": "done"}, if_match='"1"')
    assert done.status_code == 200, done.json()
    assert done.json()["completed_at"] is not None
    with scope(workspace=acme):
        events = OutboxEvent.objects.filter(name="task.completed")
        assert [e.payload["id"] for e in events] == [int(task["id"])]
    reopened = alice_api.patch(url, {"status": "open"}).json()
    assert reopened["completed_at"] is None
    assert alice_api.delete(url).json()["deleted_at"] is not None
    assert alice_api.get("/api/v1/tasks").json()["results"] == []
    assert alice_api.post(f"{url}/restore").json()["deleted_at"] is None


def test_bad_tasks_are_clear_problems(acme: Any, alice: Any, alice_api: Any) -> None:
    assert "title" in problem(alice_api.post("/api/v1/tasks", {}), 400)["errors"]
    blank = problem(alice_api.post("/api/v1/tasks", {"title": "  "}), 400)
    assert "title" in blank["errors"]
    status = problem(alice_api.post("/api/v1/tasks", {"title": "X", "status": "later"}), 400)
    assert "status" in status["errors"]
    due = problem(alice_api.post("/api/v1/tasks", {"title": "X", "due_at": 5}), 400)
    assert "due_at" in due["errors"]
    created = alice_api.post("/api/v1/tasks", {"title": "X"}).json()
    assert created["owner"] == str(alice.pk)
    relink = problem(alice_api.patch(f"/api/v1/tasks/{created['id']}", {"contact": "1"}), 400)
    assert "contact" in relink["errors"]
    with scope(workspace=acme):
        assert Task.objects.count() == 1


def test_task_filters(acme: Any, alice: Any, bob: Any, alice_api: Any) -> None:
    for title, owner, due, status in (
        ("A", alice, "2025-01-05T10:00:00Z", "open"),
        ("B", bob, "2025-02-05T10:00:00Z", "in_progress"),
        ("C", alice, None, "open"),
    ):
        body = {"title": title, "owner": str(owner.pk), "due_at": due, "status": status}
        assert alice_api.post("/api/v1/tasks", body).status_code == 201

    def titles(query: str) -> list[str]:
        response = alice_api.get(f"/api/v1/tasks?{query}")
        assert response.status_code == 200, response.json()
        return sorted(t["title"] for t in response.json()["results"])

    assert titles(f"assignee={bob.pk}") == ["B"]
    assert titles(f"owner={alice.pk}") == ["A", "C"]
    assert titles("status=in_progress") == ["B"]
    assert titles("status__in=open,in_progress") == ["A", "B", "C"]
    assert titles("due_at__lt=2025-02-01") == ["A"]
    assert titles("due_at__isnull=true") == ["C"]
    assert titles("title__contains=b") == ["B"]
    assert titles("priority=normal") == ["A", "B", "C"]
    problem(alice_api.get("/api/v1/tasks?status=later"), 400, "invalid_parameter")
    problem(alice_api.get("/api/v1/tasks?due_at__between=1"), 400, "invalid_parameter")
    problem(alice_api.get("/api/v1/tasks?due_at__isnull=maybe"), 400, "invalid_parameter")
