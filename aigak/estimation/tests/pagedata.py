"""Victims and two victim lists cross-referenced with them, for the estimation page's tests.

The database holds 8 victims (aigak.linkage.tests.appdata). The activists' list has 6
entries, 4 accepted as database persons; the official list 3 entries, 2 accepted (one of
them, Кудайбергенов, also on the activists' list). Capture histories over (Activists,
Official, database): 1 on all three, 3 on Activists and the database, 1 on Official and the
database, 3 in the database only, 2 on Activists only, 1 on Official only.
"""

from __future__ import annotations

from aigak.linkage import actions
from aigak.linkage.lists import guess_mapping, import_list
from aigak.linkage.models import Match, MatchKind, MatchStatus, VictimList
from aigak.linkage.tests.appdata import (
    LIST_HEADER,
    add_victims,
    csv_bytes,
    install_victim_form,
    list_rows,
)

OFFICIAL_ROWS = [
    ["ФИО", "Возраст"],
    ["К. Кудайбергенов", "34"],
    ["Д. Тулегенова", "29"],
    ["X", "1"],
]


def build_linked_lists(coordinator) -> tuple[VictimList, VictimList]:
    records = add_victims(install_victim_form())
    activists = import_list(
        coordinator,
        name="Activists",
        data=csv_bytes(list_rows()),
        file_name="activists.csv",
        mapping=guess_mapping(LIST_HEADER),
    )
    official = import_list(
        coordinator,
        name="Official",
        data=csv_bytes(OFFICIAL_ROWS),
        file_name="official.csv",
        mapping={"full_name": ["ФИО"], "age": ["Возраст"]},
    )
    # entry ids are the rows of the file (the header is row 1) unless a column gives them
    accepted = [(activists, str(i), records[i - 1]) for i in (1, 2, 3, 4)]
    accepted += [(official, "2", records[0]), (official, "3", records[6])]
    for victim_list, entry_id, record in accepted:
        match = Match.objects.create(
            kind=MatchKind.LINK,
            entry=victim_list.entries.get(entry_id=entry_id),
            person=record.person,
            probability=0.95,
        )
        actions.decide(coordinator, match, MatchStatus.ACCEPTED)
    return activists, official
