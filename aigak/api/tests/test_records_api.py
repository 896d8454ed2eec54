"""Records through the API: list, search, filters, cursor, read, create, update (409 on a
stale version), status, soft delete with a reason, versions and diffs, problems."""

from __future__ import annotations

import base64
import json

from aigak.accounts.models import AuditEvent
from aigak.api.tests.conftest import api_client
from aigak.records.models import Record
from aigak.records.tests.sample_forms import make_record

URL = "/api/v1/records/victim/"


def test_list_reads_the_users_records_by_cursor_and_is_audited(victim, coordinator):
    for n in range(5):
        make_record(coordinator, victim, full_name=f"Person {n}", gender="female")
    client = api_client(coordinator)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(URL, params).json()
        seen += [r["record_id"] for r in body["results"]]
        cursor = body["next"]
        if not cursor:
            break
    assert sorted(seen) == sorted(Record.objects.values_list("record_id", flat=True))
    assert len(seen) == 5
    assert AuditEvent.objects.filter(object_type="record_list").count() == 3


def test_search_filter_status_and_updated_since(victim, coordinator):
    a = make_record(coordinator, victim, full_name="Кудайбергенов Азат", gender="male")
    make_record(coordinator, victim, full_name="Other Person", gender="female")
    client = api_client(coordinator)
    assert [r["record_id"] for r in client.get(URL, {"q": "Кудайберг"}).json()["results"]] == [
        a.record_id
    ]
    assert [r["record_id"] for r in client.get(URL, {"f_gender": "male"}).json()["results"]] == [
        a.record_id
    ]
    later = client.get(URL, {"updated_since": "2999-01-01T00:00:00Z"}).json()
    assert later["results"] == []
    # offsets up to a day are ISO 8601 (PostgreSQL refuses past 15:59: it was a 500)
    far = client.get(URL, {"updated_since": "0311-06-23T14:40:34.486773+21:57"})
    assert far.status_code == 200 and len(far.json()["results"]) == 2
    early = client.get(URL, {"updated_since": "0001-01-01T00:00:00+05:00"})  # before year 1
    assert early.status_code == 400 and early.json()["field"] == "updated_since"
    bad = client.get(URL, {"f_gender": "nonsense"})
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert bad.json()["field"] == "f_gender" and bad.json()["rule"] == "choice"
    assert client.get(URL, {"status": "nonsense"}).json()["rule"] == "choice"
    assert client.get(URL, {"cursor": "!!"}).json()["field"] == "cursor"
    far = json.dumps(["0311-06-23T14:40:34+21:57", 1]).encode()  # made by a client
    cursor = base64.urlsafe_b64encode(far).decode().rstrip("=")
    assert client.get(URL, {"cursor": cursor}).status_code == 200


def test_create_read_update_status_delete(victim, coordinator):
    client = api_client(coordinator)
    made = client.post(
        URL, {"answers": {"full_name": "Айгуль", "vital_status": "alive"}}, format="json"
    )
    assert made.status_code == 201, made.content
    record = made.json()
    assert record["version"] == 1 and record["status"] == "submitted"
    one = f"{URL}{record['record_id']}/"
    assert client.get(one).json()["answers"]["full_name"] == "Айгуль"
    changed = client.patch(one, {"version": 1, "answers": {"gender": "female"}}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2
    stale = client.patch(one, {"version": 1, "answers": {"gender": "male"}}, format="json")
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["conflict"]["current_version"] == 2
    verified = client.patch(one, {"version": 2, "status": "verified"}, format="json")
    assert verified.json()["status"] == "verified"
    versions = client.get(one + "versions/").json()
    assert [v["number"] for v in versions] == [1, 2, 3]
    diff = client.get(one + "versions/2/diff/").json()
    assert diff["differences"] == [{"field": "gender", "before": None, "after": "female"}]
    assert client.delete(one).json()["field"] == "reason"
    assert client.delete(one, {"reason": "a duplicate"}, format="json").status_code == 204
    assert client.get(one).status_code == 404
    assert Record.objects.get(record_id=record["record_id"]).deleted_reason == "a duplicate"


def test_merge_on_a_stale_version_keeps_both_changes(victim, coordinator):
    record = make_record(coordinator, victim)
    client = api_client(coordinator)
    one = f"{URL}{record.record_id}/"
    client.patch(one, {"version": 1, "answers": {"gender": "female"}}, format="json")
    merged = client.patch(
        one, {"version": 1, "merge": True, "answers": {"narrative": "text"}}, format="json"
    )
    assert merged.status_code == 200
    assert merged.json()["answers"]["gender"] == "female"
    assert merged.json()["answers"]["narrative"] == "text"


def test_bad_answers_name_the_field_and_the_rule_and_store_nothing(victim, coordinator):
    client = api_client(coordinator)
    bad = client.post(
        URL, {"answers": {"full_name": "X", "vital_status": "alive", "age_stated": 500}},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["field"] == "age_stated"
    assert bad.json()["rule"]
    unknown = client.post(URL, {"answers": {"nonsense": 1}}, format="json")
    assert unknown.status_code == 400 and unknown.json()["field"] == "nonsense"
    assert client.post(URL, {"answers": []}, format="json").json()["field"] == "answers"
    assert Record.objects.count() == 0


def test_no_token_a_wrong_token_and_a_revoked_one_are_refused(victim, coordinator):
    from aigak.accounts.tokens import issue_token, revoke_all_tokens

    assert api_client(None).get(URL).status_code == 401
    client = api_client(None)
    client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert client.get(URL).status_code == 401
    key = issue_token(coordinator)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(URL).status_code == 200
    revoke_all_tokens(None, coordinator)
    assert client.get(URL).status_code == 401


def test_rate_limit_per_token(victim, coordinator, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    old = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**old, "token": "3/minute"}
    try:
        client = api_client(coordinator)
        codes = [client.get(URL).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert api_client(coordinator).get(URL).status_code == 200  # another token
    finally:
        SimpleRateThrottle.THROTTLE_RATES = old
    assert api_settings


def test_session_works_for_the_pages_scripts(victim, coordinator, client):
    client.force_login(coordinator)
    assert client.get(URL).status_code == 200
