from aigak.accounts.models import AuditEvent


def test_it_audits_a_login(client, viewer):
    response = client.post(
        "/accounts/login/", {"username": "viewer", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login")
    assert event.actor == viewer


def test_it_audits_a_failed_login_without_the_attempted_name(client, viewer):
    client.post("/accounts/login/", {"username": "viewer", "password": "wrong"})
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor is None
    assert "viewer" not in str(event.metadata)
