"""The login page (aigak/templates/registration/login.html) in front of the record pages."""

from aigak.records.tests.sample_forms import fast_passwords  # noqa: F401 - a fixture

LOGIN = "/accounts/login/"


def test_it_sends_anonymous_visitors_of_the_front_page_to_log_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_it_shows_the_login_form(client, db):
    response = client.get(LOGIN + "?next=/records/victim/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="username"' in text and 'type="password"' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert 'value="/records/victim/"' in text


def test_it_refuses_a_wrong_password(client, viewer):
    response = client.post(LOGIN, {"username": "viewer", "password": "wrong"})
    assert response.status_code == 200
    assert b"did not match" in response.content
    assert "_auth_user_id" not in client.session


def test_it_logs_in_and_goes_to_the_records(client, viewer):
    response = client.post(LOGIN, {"username": "viewer", "password": "correct horse battery"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(viewer.pk)


def test_it_speaks_russian(client, db):
    assert "Войти" in client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
