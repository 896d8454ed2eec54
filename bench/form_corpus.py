"""Share of third-party XLSForms that Aigak reads, among those pyxform accepts.

    .venv/bin/python bench/form_corpus.py DIR [DIR...]

Every `.xlsx`/`.xls` under the folders is tried: first with pyxform alone (ODK's view of
the form), then with Aigak's reader. Prints the counts and every form Aigak refuses.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")


def pyxform_accepts(path: Path) -> bool:
    from pyxform.xls2xform import convert

    try:
        convert(xlsform=path.read_bytes(), validate=False)
    except Exception:  # any failure means ODK would not take the form either
        return False
    return True


def main(folders: list[str]) -> int:
    from aigak.questionnaires.xlsform import XLSFormError, read_xlsform

    files = sorted(p for d in folders for p in Path(d).rglob("*") if p.suffix in (".xlsx", ".xls"))
    accepted = read = crashed = 0
    started = time.perf_counter()
    for path in files:
        if not pyxform_accepts(path):
            continue
        accepted += 1
        try:
            read_xlsform(path.read_bytes())
            read += 1
        except XLSFormError as exc:
            print(f"refused {path}: {exc.problems[0]}")
        except Exception as exc:  # a crash is a bug: report it, keep counting
            crashed += 1
            print(f"CRASH {path}: {type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    share = read / accepted if accepted else 0.0
    print(f"{len(files)} files, pyxform accepts {accepted}, Aigak reads {read} ({share:.1%}),")
    print(f"crashes {crashed}, {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    import django

    django.setup()
    sys.exit(main(sys.argv[1:]))
