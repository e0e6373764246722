""""Sendes i posten" per part on two-part exams, and its undo (issue 21 item 12): each audited,
each shown on the monitor's row and on the candidate's page."""
from __future__ import annotations

import pytest

from services.errors import RuleViolation
from services.labels import label
from services.model import AccessStatus, Action, CandidatePage, Event, ExamPart, Progress

from ..world import at, pdf


def posts(desk, number: str) -> list[tuple[Event, str | None]]:
    """The candidate's post events, oldest first (the log shows the newest first)."""
    return [(e.event, e.detail) for e in reversed(desk.s.queries.activity_log(desk.admin, desk.cid(number)))
            if e.event in (Event.SENT_BY_POST, Event.SENT_BY_POST_UNDONE)]


def test_each_part_of_a_two_part_exam_goes_by_post_on_its_own(desk):
    desk.s.clock.set(at(11, 30))
    sid = desk.login("201CCC-V")
    desk.s.access.grant_access(desk.vakt, desk.cid("201CCC-V"))
    row = desk.row("201CCC-V")
    assert {Action.SEND_PART_1_BY_POST, Action.SEND_PART_2_BY_POST} <= set(row.actions)
    assert Action.SEND_BY_POST not in row.actions  # the one-part action

    desk.s.delivery.send_by_post(desk.vakt, desk.cid("201CCC-V"), ExamPart.PART_1)
    row = desk.row("201CCC-V")
    assert (row.progress_1, row.progress_2) == (Progress.SENT_BY_POST, Progress.NOT_UPLOADED)
    assert row.access is AccessStatus.HAS_ACCESS and not row.finished  # Del 2 goes on digitally
    assert Action.UNDO_PART_1_BY_POST in row.actions and Action.SEND_PART_1_BY_POST not in row.actions
    me = desk.candidate("201CCC-V", session=sid)
    status = desk.s.queries.candidate_status(me, sid)
    assert status.page is CandidatePage.TASK and status.part_1_posted and not status.posted

    desk.s.delivery.send_by_post(desk.admin, desk.cid("201CCC-V"), ExamPart.PART_2)
    row = desk.row("201CCC-V")
    assert (row.progress_1, row.progress_2) == (Progress.SENT_BY_POST, Progress.SENT_BY_POST)
    assert row.finished and row.access is AccessStatus.NO_ACCESS
    status = desk.s.queries.candidate_status(me, sid)
    assert status.page is CandidatePage.RECEIPT and status.posted

    desk.s.delivery.undo_send_by_post(desk.admin, desk.cid("201CCC-V"), ExamPart.PART_1)
    desk.s.delivery.undo_send_by_post(desk.admin, desk.cid("201CCC-V"), ExamPart.PART_1)  # a duplicate click
    row = desk.row("201CCC-V")
    assert (row.progress_1, row.progress_2) == (Progress.NOT_UPLOADED, Progress.SENT_BY_POST)
    assert posts(desk, "201CCC-V") == [(Event.SENT_BY_POST, label(ExamPart.PART_1)),
                                       (Event.SENT_BY_POST, label(ExamPart.PART_2)),
                                       (Event.SENT_BY_POST_UNDONE, label(ExamPart.PART_1))]


def test_del_1_sent_by_post_shows_over_its_files_and_its_undo_brings_them_back(desk):
    desk.s.clock.set(at(11, 30))
    desk.s.delivery.upload(desk.vakt, desk.cid("202DDD-V"), "del1.pdf", pdf(10), part=ExamPart.PART_1)
    desk.s.delivery.send_by_post(desk.vakt, desk.cid("202DDD-V"), ExamPart.PART_1)
    assert desk.row("202DDD-V").progress_1 is Progress.SENT_BY_POST
    desk.s.delivery.upload(desk.vakt, desk.cid("202DDD-V"), "del2.pdf", pdf(10), part=ExamPart.PART_2)  # Del 2 still open
    desk.s.delivery.undo_send_by_post(desk.vakt, desk.cid("202DDD-V"), ExamPart.PART_1)
    assert (desk.row("202DDD-V").progress_1, desk.row("202DDD-V").progress_2) == (Progress.UPLOADING,
                                                                                    Progress.UPLOADING)


def test_a_part_the_exam_does_not_have_is_refused(desk):
    desk.s.clock.set(at(10, 0))
    with pytest.raises(RuleViolation):
        desk.s.delivery.send_by_post(desk.vakt, desk.cid("101AAA-V"), ExamPart.PART_1)  # one-part
    with pytest.raises(RuleViolation):
        desk.s.delivery.send_by_post(desk.vakt, desk.cid("201CCC-V"), ExamPart.WHOLE)
    assert posts(desk, "101AAA-V") == [] and posts(desk, "201CCC-V") == []


def test_the_whole_answer_by_post_is_both_parts_and_the_receipt_says_so(desk):
    desk.s.clock.set(at(9, 30))
    sid = desk.login("101AAA-V")
    desk.s.access.grant_access(desk.vakt, desk.cid("101AAA-V"))
    desk.s.delivery.send_by_post(desk.vakt, desk.cid("101AAA-V"))
    status = desk.s.queries.candidate_status(desk.candidate("101AAA-V", session=sid), sid)
    assert status.page is CandidatePage.RECEIPT and status.posted
    desk.s.delivery.send_by_post(desk.vakt, desk.cid("202DDD-V"))  # two-part, no part named: both
    assert (desk.row("202DDD-V").progress_1, desk.row("202DDD-V").progress_2) == (Progress.SENT_BY_POST,
                                                                                    Progress.SENT_BY_POST)
