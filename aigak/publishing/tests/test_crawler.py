"""A crawler walks every public page and finds nothing that must not be there.

It starts at the memorial list in each language and follows every link under /public/
(pages, filters, person pages, the statistics and their JSON), and searches for every
name. The world holds eligible people, and people whose names are markers: no consent,
not verified, never published, unpublished, deleted. Every record carries confidential
markers. No marker name, no confidential value, no record id, and no count from 1 to 4
in a statistics table (except as `<5`) may be found.
"""

from __future__ import annotations

import json
import random
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.evidence.actions import attach_small_file
from aigak.publishing import statistics_runs
from aigak.publishing.actions import publish, unpublish
from aigak.publishing.models import Publication
from aigak.publishing.photo_actions import mark_photo
from aigak.publishing.photos import clean_jpeg_problems
from aigak.publishing.tests.people import victim_row
from aigak.publishing.tests.test_public_photo import PHOTOS
from aigak.questionnaires.registry import get_questionnaire
from aigak.records.actions import delete_record, import_rows
from aigak.records.models import Record

ELIGIBLE = ["Kudaibergenov Kazybek", "Жумабаева Айгерим", "Сейтқалиев Ерлан"]
# marker name -> what keeps it off: (status, consent, published, then unpublished/deleted)
MARKERS = {
    "Qzmarker Nokonsent": ("verified", "no", False, ""),
    "Qzmarker Unverif": ("submitted", "yes", False, ""),
    "Qzmarker Draftov": ("draft", "yes", False, ""),
    "Qzmarker Neverpub": ("verified", "yes", False, ""),
    "Qzmarker Unpub": ("verified", "yes", True, "unpublish"),
    "Qzmarker Deleted": ("verified", "yes", True, "delete"),
    "Qzmarker Lostconsent": ("verified", "yes", True, "consent"),
}
CONFIDENTIAL = ["NarrMarker", "SecretContact"]
REGIONS = ["almaty", "aktobe", "mangystau", "zhambyl", "astana"]


# Who gets a photo marked (while eligible): one shown, the others kept off by what follows.
PHOTO_OF = ["Kudaibergenov Kazybek", "Qzmarker Unpub", "Qzmarker Lostconsent"]


@pytest.fixture
def world(questionnaires, coordinator, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")
    rng = random.Random(2022)
    rows, status = [], {}
    people = [(n, "verified", "yes", True, "") for n in ELIGIBLE]
    people += [(n, *rule) for n, rule in MARKERS.items()]
    for i, (name, state, consent, _, _) in enumerate(people, start=1):
        record_id = f"V-{i:06d}"
        rows.append((i, _varied(rng, victim_row(record_id, name, consent))))
        status[record_id] = state
    for i in range(len(people) + 1, 60):  # more records for the statistics only
        record_id = f"V-{i:06d}"
        rows.append((i, _varied(rng, victim_row(record_id, f"Anon{i} Person", "no"))))
        status[record_id] = "verified"
    victim = get_questionnaire("victim")
    import_rows(None, victim, rows)
    for record_id, state in status.items():
        Record.objects.filter(record_id=record_id).update(status=state)
    ids = {name: f"V-{i:06d}" for i, (name, *_) in enumerate(people, start=1)}
    publish(None, victim, [ids[n] for n, _, _, published, _ in people if published])
    photo = (PHOTOS / "exif_gps.jpg").read_bytes()
    for name in PHOTO_OF:
        record = Record.objects.get(record_id=ids[name])
        Record.objects.filter(pk=record.pk).update(answers={**record.answers, "consent_use": "yes"})
        evidence = attach_small_file(coordinator, SimpleUploadedFile("p.jpg", photo), name="p.jpg",
                                     record=record)  # fmt: skip
        mark_photo(coordinator, record, evidence.pk, "written", "Family, signed form", True)
    for name, (_, _, _, then) in MARKERS.items():
        record = Record.objects.get(record_id=ids[name])
        if then == "unpublish":
            unpublish(None, victim, [record.record_id])
        elif then == "delete":
            delete_record(coordinator, record, "duplicate")
        elif then == "consent":
            Record.objects.filter(pk=record.pk).update(
                answers={**record.answers, "consent_publish_name": "no"}
            )
    statistics_runs.build_now()  # as the background build after these changes would
    return ids


def _varied(rng: random.Random, row: dict) -> dict:
    return {
        **row,
        "vital_status": rng.choice(["deceased", "alive", "alive"]),
        "gender": rng.choice(["male", "male", "female"]),
        "event_region": rng.choice(REGIONS),
        "region_residence": rng.choice(REGIONS),
        "birth_date": f"{rng.randint(1950, 2005)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "essence": rng.sample(["died", "gunshot", "beaten", "detained", "tortured"], 2),
        "violation_start": f"2022-01-0{rng.randint(4, 9)}",
        "location_comment": "LocCommentMarker",
        "appeal_result": "AppealTextMarker",
    }


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def _crawl(client, starts: list[str], images: dict[str, bytes] | None = None) -> dict[str, str]:
    """Pages by address; the images found (`src`) go to `images`, checked on the way."""
    seen: dict[str, str] = {}
    images = {} if images is None else images
    queue = list(starts)
    while queue:
        url = queue.pop()
        if url in seen or url in images or len(seen) > 400:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url
        if response["Content-Type"].startswith("image/"):
            assert response["Content-Type"] == "image/jpeg", url
            assert clean_jpeg_problems(response.content) == [], url  # no EXIF, XMP, IPTC...
            images[url] = response.content
            continue
        body = response.content.decode()
        seen[url] = body
        if response["Content-Type"].startswith("text/html"):
            parser = _Links()
            parser.feed(body)
            for link in parser.links:
                target = urljoin(url, link.replace("&amp;", "&"))
                parts = urlsplit(target)
                assert not parts.netloc or parts.netloc == "testserver", link  # no third party
                if parts.path.startswith("/public/"):
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_the_public_pages_show_nothing_that_must_not_be_shown(client, world):
    starts = [f"/public/?lang={lang}" for lang in ("en", "ru", "kk")]
    starts += [f"/public/?q={name.split()[0]}" for name in [*ELIGIBLE, *MARKERS]]
    starts += ["/public/?q=Qzmarker", "/public/?vital=deceased", "/public/?region=almaty"]
    images: dict[str, bytes] = {}
    pages = _crawl(client, starts, images)
    person_pages = [u for u in pages if u.startswith("/public/victims/")]
    assert len({u.split("?")[0] for u in person_pages}) == len(ELIGIBLE)
    # One photo, the eligible person's; the others' addresses answer 404.
    shown = Publication.objects.get(record__record_id=world["Kudaibergenov Kazybek"]).public_id
    assert set(images) == {f"/public/victims/{shown}/photo/"}
    for name in PHOTO_OF[1:]:
        public_id = Publication.objects.get(record__record_id=world[name]).public_id
        assert client.get(f"/public/victims/{public_id}/photo/").status_code == 404, name
    assert any("/public/statistics/?format=json" in u for u in pages)
    everything = "\n".join(pages.values())
    for name in ELIGIBLE:
        assert name in everything
    # (the search box shows the query itself: the markers' second words are never asked)
    second_words = [name.split()[1] for name in MARKERS]
    for forbidden in [*MARKERS, *second_words, *CONFIDENTIAL, "LocCommentMarker",
                      "AppealTextMarker", *world.values()]:  # fmt: skip
        found = [u for u, body in pages.items() if forbidden in body]
        assert found == [], (forbidden, found[:3])
    for url, body in pages.items():
        if url.startswith("/public/statistics/"):
            _no_small_count(url, body)


def _no_small_count(url: str, body: str) -> None:
    if "format=json" in url:
        data = json.loads(body)
        assert data["tables"], url
        assert data["n_records"] == 58  # every live record, published or not
        for table in data["tables"]:
            for row in table["rows"]:
                values = list(row.get("counts", {}).values()) + [row.get("n")]
                values += list(table["denominator"].values()) + list(table["missing"].values())
                assert not [v for v in values if isinstance(v, int) and 1 <= v <= 4], table["id"]
            assert table["comments"] == []
        return
    cells = re.findall(r"<td>([^<]*)</td>", body)
    assert cells, url
    assert not [c for c in cells if c.strip() in ("1", "2", "3", "4")], url
    assert "&lt;5" in body
    assert not re.search(r": [1-4]</text>", body)  # the charts' labels
