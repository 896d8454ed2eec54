"""An administrator manages users and teams and reads the audit log in the app; every
change goes through an action and leaves an audit row."""

from __future__ import annotations

import csv
import io
import re

from aigak.accounts.models import AuditEvent, Role, Team, User, UserSession


def test_an_admin_creates_a_user_with_a_temporary_password_shown_once(client, admin_user, team):
    client.force_login(admin_user)
    response = client.post(
        "/accounts/admin/users/", {"username": "aigerim", "role": "documenter", "team": team.pk}
    )
    assert response.status_code == 200
    password = re.search(rb"data-password>([^<]+)<", response.content).group(1).decode()
    user = User.objects.get(username="aigerim")
    assert user.role == "documenter" and user.team == team and user.must_change_password
    assert user.check_password(password)
    assert AuditEvent.objects.filter(
        action="user", actor=admin_user, object_id=str(user.pk)
    ).exists()
    # The new user must change the password before anything else.
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "aigerim", "password": password})
    assert client.get("/records/victim/")["Location"] == "/accounts/password/"
    changed = client.post(
        "/accounts/password/",
        {
            "current_password": password,
            "new_password": "Ishim river 2022",
            "repeat": "Ishim river 2022",
        },
    )
    assert changed.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Ishim river 2022")


def test_a_bad_new_user_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/accounts/admin/users/", {"username": "bad name!", "role": "viewer"})
    assert response.status_code == 200
    assert b"not a valid login name" in response.content
    assert not User.objects.filter(username="bad name!").exists()


def test_an_admin_changes_role_team_and_deactivates(client, admin_user, viewer, team):
    client.force_login(admin_user)
    UserSession.objects.create(user=viewer, key_hash="k" * 64)
    client.post(
        f"/accounts/admin/users/{viewer.pk}/",
        {"op": "update", "role": "lawyer", "team": team.pk},  # is_active unticked
    )
    viewer.refresh_from_db()
    assert (viewer.role, viewer.team, viewer.is_active) == ("lawyer", team, False)
    assert UserSession.objects.get(user=viewer).ended_at is not None
    event = AuditEvent.objects.filter(action="user", object_id=str(viewer.pk)).latest("id")
    assert event.metadata["changed"] == {"role": "lawyer", "team": team.pk, "is_active": False}


def test_an_admin_cannot_lock_themselves_out(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        f"/accounts/admin/users/{admin_user.pk}/",
        {"op": "update", "role": "viewer", "is_active": "on"},
    )
    assert b"cannot demote" in response.content
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_a_one_time_link_sets_a_password_once(client, admin_user, viewer):
    client.force_login(admin_user)
    response = client.post(f"/accounts/admin/users/{viewer.pk}/", {"op": "reset_link"})
    link = re.search(rb"data-link>([^<]+)<", response.content).group(1).decode()
    path = link.split("testserver", 1)[1]
    client.post("/accounts/logout/")
    new = {"new_password": "Kokshetau lakes 77", "repeat": "Kokshetau lakes 77"}
    assert client.post(path, new).status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("Kokshetau lakes 77")
    assert client.get(path).status_code == 404


def test_a_weak_password_is_refused_through_the_link(client, admin_user, viewer):
    client.force_login(admin_user)
    response = client.post(f"/accounts/admin/users/{viewer.pk}/", {"op": "reset_link"})
    path = re.search(rb"data-link>http://testserver([^<]+)<", response.content).group(1).decode()
    response = client.post(path, {"new_password": "4827361950", "repeat": "4827361950"})
    assert response.status_code == 200 and b"password refused" in response.content
    viewer.refresh_from_db()
    assert viewer.check_password("correct horse battery")


def test_an_admin_creates_a_team(client, admin_user):
    client.force_login(admin_user)
    client.post("/accounts/admin/teams/", {"name": "Shymkent"})
    assert Team.objects.filter(name="Shymkent").exists()
    response = client.post("/accounts/admin/teams/", {"name": "shymkent"})
    assert b"already exists" in response.content
    assert Team.objects.filter(name__iexact="shymkent").count() == 1


def test_the_audit_page_filters_by_user_and_action(client, admin_user, viewer):
    client.force_login(viewer)
    client.get("/records/")
    client.force_login(admin_user)
    page = client.get("/accounts/admin/audit/", {"user": viewer.pk, "action": "login"})
    assert page.status_code == 200
    shown = page.context["page"].object_list
    assert shown and all(e.actor == viewer and e.action == "login" for e in shown)


def test_the_audit_csv_never_holds_a_live_formula(client, admin_user):
    from aigak.accounts.models import audit

    audit(None, "view", object_type="record", object_id="=2+3")
    client.force_login(admin_user)
    response = client.get("/accounts/admin/audit.csv", {"object_id": "=2+3"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["id", "at", "user", "action"]
    assert len(rows) == 2
    assert "2+3" in rows[1][5]
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in rows[1])
    assert AuditEvent.objects.filter(action="export", object_type="audit").exists()
