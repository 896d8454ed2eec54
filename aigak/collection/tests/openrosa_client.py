"""A small OpenRosa client written from the published specifications, with plain HTTP
(`requests`), as a phone would talk to the server; it uses none of Aigak's code.

- Form List API (docs.getodk.org/openrosa-form-list): `GET formList` gives `<xforms>` in
  the `http://openrosa.org/xforms/xformsList` namespace; each `<xform>` has exactly one
  formID, name, version, hash (`md5:`), downloadUrl, and at most one manifestUrl; the
  manifest is `<manifest>` of `<mediaFile>` (filename, hash, downloadUrl).
- Form Submission API (docs.getodk.org/openrosa-form-submission): `HEAD` first (204, with
  `X-OpenRosa-Accept-Content-Length`), then a multipart/form-data POST with one
  `xml_submission_file` part and one part per file, named by the file; a submission over
  the accepted length is split over several POSTs, each with the XML, all but the last
  with `*isIncomplete*=yes`; 201 or 202 with an OpenRosaResponse means received.
- HTTP (docs.getodk.org/openrosa-http): requests and responses carry
  `X-OpenRosa-Version: 1.0` and `Date`.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from email.utils import formatdate
from xml.etree import ElementTree

import requests

LIST_NS = {"x": "http://openrosa.org/xforms/xformsList"}
MANIFEST_NS = {"m": "http://openrosa.org/xforms/xformsManifest"}
RESPONSE_NS = {"r": "http://openrosa.org/http/response"}
XFORMS_NS = {"xf": "http://www.w3.org/2002/xforms", "h": "http://www.w3.org/1999/xhtml"}


class ProtocolError(AssertionError):
    pass


@dataclass
class FormEntry:
    form_id: str
    name: str
    version: str
    hash: str
    download_url: str
    manifest_url: str | None


@dataclass
class Downloaded:
    entry: FormEntry
    xform: bytes
    media: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Answer:
    status: int
    message: str
    headers: dict[str, str]


class Client:
    def __init__(self, base: str, auth: tuple[str, str] | None = None, device: str = ""):
        self.base = base if base.endswith("/") else base + "/"
        self.session = requests.Session()
        self.session.auth = auth
        self.device = device

    def _headers(self) -> dict[str, str]:
        return {"X-OpenRosa-Version": "1.0", "Date": formatdate(usegmt=True)}

    def _get(self, url: str, **params: str) -> requests.Response:
        response = self.session.get(url, headers=self._headers(), params=params or None)
        _check_version(response)
        return response

    def list_forms(self) -> list[FormEntry]:
        params = {"deviceID": self.device} if self.device else {}
        response = self._get(self.base + "formList", **params)
        if response.status_code != 200:
            raise ProtocolError(f"formList: {response.status_code}")
        root = ElementTree.fromstring(response.content)
        if root.tag != f"{{{LIST_NS['x']}}}xforms":
            raise ProtocolError(f"formList root is {root.tag}")
        forms = []
        for item in root.findall("x:xform", LIST_NS):
            one = {}
            for tag in ("formID", "name", "version", "hash", "downloadUrl"):
                found = item.findall(f"x:{tag}", LIST_NS)
                if len(found) != 1:
                    raise ProtocolError(f"<xform> needs exactly one <{tag}>")
                one[tag] = found[0].text or ""
            manifests = item.findall("x:manifestUrl", LIST_NS)
            if len(manifests) > 1:
                raise ProtocolError("<xform> has more than one <manifestUrl>")
            if not one["hash"].startswith("md5:"):
                raise ProtocolError("hash is not md5:")
            forms.append(
                FormEntry(
                    one["formID"], one["name"], one["version"], one["hash"],
                    one["downloadUrl"], manifests[0].text if manifests else None,
                )
            )  # fmt: skip
        return forms

    def download(self, entry: FormEntry) -> Downloaded:
        response = self._get(entry.download_url)
        if response.status_code != 200:
            raise ProtocolError(f"download: {response.status_code}")
        if "md5:" + hashlib.md5(response.content).hexdigest() != entry.hash:
            raise ProtocolError("the XForm does not match the hash the list gave")
        got = Downloaded(entry, response.content)
        if entry.manifest_url:
            manifest = self._get(entry.manifest_url)
            if manifest.status_code != 200:
                raise ProtocolError(f"manifest: {manifest.status_code}")
            root = ElementTree.fromstring(manifest.content)
            if root.tag != f"{{{MANIFEST_NS['m']}}}manifest":
                raise ProtocolError(f"manifest root is {root.tag}")
            for media in root.findall("m:mediaFile", MANIFEST_NS):
                name = media.findtext("m:filename", namespaces=MANIFEST_NS) or ""
                digest = media.findtext("m:hash", namespaces=MANIFEST_NS) or ""
                url = media.findtext("m:downloadUrl", namespaces=MANIFEST_NS) or ""
                data = self._get(url).content
                if "md5:" + hashlib.md5(data).hexdigest() != digest:
                    raise ProtocolError(f"media {name} does not match its hash")
                got.media[name] = data
        return got

    def head(self) -> requests.Response:
        response = self.session.head(self.base + "submission", headers=self._headers())
        _check_version(response)
        return response

    def submit(self, xml: bytes, files: dict[str, bytes] | None = None) -> list[Answer]:
        """Send one submission the way the spec says: HEAD, then one POST, or several
        when the parts exceed the accepted length. Returns each POST's answer."""
        head = self.head()
        if head.status_code != 204:
            return [_answer(head)]
        limit = int(head.headers["X-OpenRosa-Accept-Content-Length"])
        batches: list[dict[str, bytes]] = [{}]
        size = len(xml)
        for name, data in (files or {}).items():
            if batches[-1] and size + len(data) > limit:
                batches.append({})
                size = len(xml)
            batches[-1][name] = data
            size += len(data)
        answers = []
        for index, batch in enumerate(batches):
            last = index == len(batches) - 1
            answers.append(self.post(xml, batch, incomplete=not last))
            if answers[-1].status not in (201, 202):
                break
        return answers

    def post(self, xml: bytes, files: dict[str, bytes], *, incomplete: bool = False) -> Answer:
        parts: list[tuple[str, tuple[str | None, bytes | str, str | None]]] = [
            ("xml_submission_file", ("submission.xml", xml, "text/xml"))
        ]
        parts += [(name, (name, data, "application/octet-stream")) for name, data in files.items()]
        if incomplete:
            parts.append(("*isIncomplete*", (None, "yes", None)))
        params = {"deviceID": self.device} if self.device else None
        response = self.session.post(
            self.base + "submission", files=parts, headers=self._headers(), params=params
        )
        return _answer(response)


def _check_version(response: requests.Response) -> None:
    if response.headers.get("X-OpenRosa-Version") != "1.0":
        raise ProtocolError(f"{response.url}: no X-OpenRosa-Version: 1.0")


def _answer(response: requests.Response) -> Answer:
    _check_version(response)
    message = ""
    if response.content:
        root = ElementTree.fromstring(response.content)
        if root.tag != f"{{{RESPONSE_NS['r']}}}OpenRosaResponse":
            raise ProtocolError(f"response root is {root.tag}")
        message = root.findtext("r:message", namespaces=RESPONSE_NS) or ""
    return Answer(response.status_code, message, dict(response.headers))


def fill_instance(
    xform: bytes, values: dict[str, str], instance_id: str = "", **meta: str
) -> bytes:
    """An instance as Collect writes it from a downloaded XForm: the primary instance's
    elements in order, `values` by element path (repeats: `kids[2]/kid`), the rest empty,
    and meta/instanceID (plus deprecatedID...)."""
    root = ElementTree.fromstring(xform)
    model = root.find("h:head/xf:model", XFORMS_NS)
    assert model is not None
    primary = model.find("xf:instance", XFORMS_NS)
    assert primary is not None
    data = list(primary)[0]
    copy = ElementTree.fromstring(ElementTree.tostring(data))
    for element in copy.iter():
        element.tag = element.tag.split("}", 1)[-1]
        element.attrib.pop("{http://openrosa.org/javarosa}template", None)
    for path, value in values.items():
        _put(copy, path, value)
    meta_element = copy.find("meta")
    if meta_element is None:
        meta_element = ElementTree.SubElement(copy, "meta")
    ids = {"instanceID": instance_id or f"uuid:{uuid.uuid4()}", **meta}
    for name, value in ids.items():
        element = meta_element.find(name)
        if element is None:
            element = ElementTree.SubElement(meta_element, name)
        element.text = value
    return ElementTree.tostring(copy, encoding="utf-8", xml_declaration=True)


def _put(root: ElementTree.Element, path: str, value: str) -> None:
    node = root
    for step in path.split("/"):
        name, _, index = step.partition("[")
        position = int(index.rstrip("]")) if index else 1
        found = node.findall(name)
        while len(found) < position:
            template = found[-1] if found else None
            clone = (
                ElementTree.fromstring(ElementTree.tostring(template))
                if template is not None
                else ElementTree.Element(name)
            )
            for element in clone.iter():
                element.text = None
            siblings = list(node)
            node.insert(siblings.index(found[-1]) + 1 if found else len(siblings), clone)
            found = node.findall(name)
        node = found[position - 1]
    node.text = value
