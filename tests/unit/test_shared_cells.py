"""The monitor's cells are built once per page and shared by every session showing it
(issue 23 item 1); what one session is sent must still be its own page's cells."""
from __future__ import annotations

import dataclasses

from dashboard.components.candidate_table import ACCESS, SharedCells
from services.model import AccessStatus, Action, Progress
from services.queries import MonitorPage, MonitorRow


def row(candidate_id: int, access: AccessStatus, name: str = "Ola <Nordmann>") -> MonitorRow:
    return MonitorRow(candidate_id=candidate_id, number=f"K{candidate_id}", name=name, group_id=1, group_name="1A",
                      subject_code="NOR1211", subject_name="Norsk", two_part=False, access=access,
                      progress_1=None, progress_2=Progress.NOT_UPLOADED, latest_ip=None,
                      grant_action=Action.GRANT if access is AccessStatus.WAITING else None, actions=(), finished=False)


def page(*rows: MonitorRow) -> MonitorPage:
    return MonitorPage(rows=list(rows), matching=len(rows), total=len(rows), waiting=0, page=1, pages=1,
                       has_one_part=True, has_two_part=False)


def test_one_page_is_built_once_and_an_equal_page_of_its_own_is_built_again():
    shared = SharedCells()
    first = page(row(1, AccessStatus.WAITING), row(2, AccessStatus.NO_ACCESS))
    assert shared.records(first, False) is shared.records(first, False)
    twin = dataclasses.replace(first)  # equal, but another page: the identity is the key
    assert shared.records(twin, False) is not shared.records(first, False)
    assert shared.records(first, True) is not shared.records(first, False)  # the IP column


def test_changes_name_the_changed_cells_only_and_escape_them():
    shared = SharedCells()
    before = page(row(1, AccessStatus.WAITING), row(2, AccessStatus.NO_ACCESS))
    after = page(row(1, AccessStatus.HAS_ACCESS), row(2, AccessStatus.NO_ACCESS))
    changes = shared.changes(before, after, False)
    assert list(changes) == [ACCESS] and [cid for cid, _ in changes[ACCESS]] == [1]
    assert "Gi tilgang" not in changes[ACCESS][0][1] and "Har tilgang" in changes[ACCESS][0][1]
    assert shared.changes(before, after, False) is changes
    assert "&lt;Nordmann&gt;" in shared.records(after, False)[1]["candidate"]


def test_cells_go_with_their_page():
    shared = SharedCells()
    kept = page(row(1, AccessStatus.WAITING))
    shared.records(kept, False)
    gone = page(row(1, AccessStatus.HAS_ACCESS))
    shared.changes(kept, gone, False)
    assert len(shared) == 3  # two pages' records, one change between them
    del gone  # the query cache and every session let go of it
    assert len(shared) == 1
    del kept
    assert len(shared) == 0
