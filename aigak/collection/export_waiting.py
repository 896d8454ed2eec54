"""Encrypted submissions waiting in Aigak, written out still encrypted for offline
decryption: `aigak decrypt --export-waiting FOLDER`.

Each submission goes to `FOLDER/<questionnaire>/instances/<instanceID>/` as ODK Briefcase
keeps them: its manifest as `submission.xml` and its `.enc` files copied from the evidence
store chunk by chunk. No key is needed and nothing is decrypted; the folder is what
`aigak decrypt KEYFILE FOLDER` reads on the coordinator's own computer.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from aigak.accounts.models import AuditAction, audit
from aigak.collection.decrypting import waiting
from aigak.evidence.storage import store
from aigak.questionnaires.models import Questionnaire
from aigak.records.decrypt import folder_name, private_file


def export_waiting(folder: Path, questionnaire: Questionnaire | None = None) -> int:
    """Write every encrypted submission waiting for decryption under `folder`; how many."""
    count = 0
    for submission in waiting(questionnaire).prefetch_related("files"):
        target = folder / submission.questionnaire.name / "instances"
        target = target / folder_name(submission.instance_id)
        target.mkdir(mode=0o700, parents=True)
        with private_file(target / "submission.xml") as out:
            out.write(bytes(submission.xml))
        for row in submission.files.all():
            with (
                store().open(row.sha256) as source,
                private_file(target / Path(row.name).name) as out,
            ):
                shutil.copyfileobj(source, out, 1 << 20)
        audit(
            None,
            AuditAction.EXPORT,
            submission,
            form=submission.questionnaire.name,
            instance=submission.instance_id,
            encrypted=True,
        )
        count += 1
    return count
