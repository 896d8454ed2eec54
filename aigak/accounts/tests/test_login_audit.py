from aigak.accounts.models import AuditEvent


def test_it_audits_a_login_with_the_address(client, viewer):
    response = client.post(
        "/accounts/login/",
        {"username": "viewer", "password": "correct horse battery"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login")
    assert event.actor == viewer
    assert event.ip == "10.1.2.3"


def test_it_audits_a_failed_login_with_the_name_and_address_but_no_password(client, viewer):
    client.post(
        "/accounts/login/",
        {"username": "viewer", "password": "wrong-guess"},
        REMOTE_ADDR="10.9.8.7",
    )
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor is None
    assert event.metadata["username"] == "viewer"
    assert event.ip == "10.9.8.7"
    assert "wrong-guess" not in str(event.metadata)


def test_it_audits_a_logout(client, viewer):
    client.force_login(viewer)
    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(action="logout", actor=viewer).exists()
