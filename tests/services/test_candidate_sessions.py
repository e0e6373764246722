"""What the candidate module asks of the services: the page each session shows, logins and
passwords in batches (group commit)."""
from __future__ import annotations

import threading
import time

import pytest

from services.errors import NotFound, PermissionDenied
from services.model import Absence

from ..world import at, pdf

def test_each_state_shows_its_page_to_each_session(desk):
    from services.model import CandidatePage as P

    def page(session: str):
        return desk.s.queries.candidate_status(desk.candidate("101AAA-V"), session).page

    cid = desk.cid("101AAA-V")
    desk.s.clock.set(at(8, 30))
    first = desk.login("101AAA-V")
    assert page(first) is P.AUTHORISATION
    desk.s.access.grant_access(desk.vakt, cid)
    assert page(first) is P.WAITING_FOR_START
    desk.s.clock.set(at(9, 5))
    assert page(first) is P.TASK
    second = desk.login("101AAA-V")  # another browser: it waits; the first keeps access until then
    assert (page(first), page(second)) == (P.TASK, P.AUTHORISATION)
    desk.s.access.grant_access(desk.vakt, cid)
    assert (page(first), page(second)) == (P.AUTHORISATION, P.TASK)
    desk.s.access.block(desk.vakt, cid)
    assert page(second) is P.NO_ACCESS
    desk.s.access.unblock(desk.vakt, cid)
    desk.s.absence.set_absence(desk.admin, cid, Absence.UNDOCUMENTED)
    assert page(second) is P.ABSENCE
    desk.s.absence.clear_absence(desk.admin, cid)
    desk.s.delivery.upload(desk.vakt, cid, "svar.pdf", pdf())
    desk.s.delivery.deliver(desk.vakt, cid)
    assert page(second) is P.RECEIPT
    with pytest.raises(NotFound):  # another candidate's session is not theirs to read
        desk.s.queries.candidate_status(desk.candidate("102BBB-V"), second)


def test_a_burst_of_logins_is_written_in_batches_with_the_same_facts(desk):
    from concurrent.futures import ThreadPoolExecutor

    from services.access import LoginRequest
    from services.batches import Batcher
    from services.errors import RuleViolation

    anna, bjorn = desk.candidate("101AAA-V"), desk.candidate("102BBB-V")
    with desk.s.store.write() as tx:  # a candidate removed from the registry meanwhile
        tx.execute("UPDATE candidates SET deleted = TRUE WHERE number = '301EEE-V'")
    eva = desk.candidate("301EEE-V")
    out = desk.s.access.login_batch([LoginRequest(anna, "ua-1"), LoginRequest(bjorn, "ua-2"),
                                     LoginRequest(anna, "ua-3"), LoginRequest(eva, "ua-4")])
    assert isinstance(out[3], RuleViolation) and out[3].key == "error.candidate_deleted"
    state = desk.s.queries.candidate(desk.admin, desk.cid("101AAA-V"))
    assert state.latest_session_id == state.waiting_session_id == out[2][0]  # the later login of two wins
    assert out[2][1] == state  # the state each login reports is the one stored
    out = [sid for sid, _ in out[:3]]
    rows = desk.s.store.query("""SELECT actor_id, event, session_id, actor_ip, detail FROM activity_log
                                 WHERE event = 'LOGIN' ORDER BY id""")
    assert rows == [("101AAA-V", "LOGIN", out[0], "158.36.1.10", "ua-1"), ("102BBB-V", "LOGIN", out[1], "158.36.1.10", "ua-2"),
                    ("101AAA-V", "LOGIN", out[2], "158.36.1.10", "ua-3")]
    assert desk.s.store.query("SELECT count(*) FROM session_ips")[0][0] == 3
    # Through the queue from many threads at once: every login is recorded once, none lost.
    queue = Batcher(desk.s.access.login_batch, "logins")
    with ThreadPoolExecutor(16) as pool:
        sessions = list(pool.map(lambda i: queue.submit(LoginRequest(bjorn if i % 2 else anna, f"ua{i}")).result(10)[0],
                                 range(200)))
    assert len(set(sessions)) == 200
    assert desk.s.store.query("SELECT count(*) FROM login_sessions")[0][0] == 203
    assert desk.s.store.query("SELECT count(*) FROM activity_log WHERE event = 'LOGIN'")[0][0] == 203
    state = desk.s.queries.candidate(desk.admin, desk.cid("102BBB-V"))
    assert state.waiting_session_id == state.latest_session_id in sessions
    with pytest.raises(PermissionDenied):  # staff cannot log in as a candidate through the batch
        desk.s.access.login_batch([LoginRequest(desk.vakt)])


def test_a_batch_of_passwords_is_checked_with_one_look_up_and_each_gets_its_own_answer(desk):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from services.auth import Credentials
    from services.batches import Batcher

    with desk.s.store.write() as tx:
        tx.execute("UPDATE candidates SET deleted = TRUE WHERE number = '301EEE-V'")
    logins = [Credentials("101AAA-V", "hemmelig", "10.0.0.1"), Credentials(" 102bbb-v ", "hemmelig", "10.0.0.2"),
              Credentials("101AAA-V", "feil"), Credentials("999ZZZ-V", "hemmelig"), Credentials("301EEE-V", "hemmelig")]
    out = desk.s.auth.authenticate_candidates(logins)
    assert [(a.user_id, a.candidate_id, a.ip) for a in out[:2]] == [
        ("101AAA-V", desk.cid("101AAA-V"), "10.0.0.1"), ("102BBB-V", desk.cid("102BBB-V"), "10.0.0.2")]
    assert [type(e) for e in out[2:]] == [PermissionDenied] * 3  # wrong password, unknown, deleted
    assert {e.key for e in out[2:]} == {"error.login_failed"}  # the same answer: nothing to learn from it

    async def from_a_loop():  # the server's path: awaited on the event loop, settled in one hand-over
        passwords = Batcher(desk.s.auth.authenticate_candidates, "passwords-test", threads=2)
        return await asyncio.gather(*(passwords.submit_async(c) for c in logins * 4), return_exceptions=True)

    with ThreadPoolExecutor(1) as own_loop:  # this thread may already run one (Playwright's)
        answers = own_loop.submit(asyncio.run, from_a_loop()).result(30)
    assert [getattr(a, "user_id", None) for a in answers] == ["101AAA-V", "102BBB-V", None, None, None] * 4
    assert all(isinstance(a, PermissionDenied) for a in answers if getattr(a, "user_id", None) is None)


def test_a_lingering_batch_takes_the_items_that_come_one_by_one_meanwhile():
    from services.batches import Batcher

    calls: list[list[int]] = []
    lingering = Batcher(lambda items: calls.append(list(items)) or [i * 10 for i in items], "linger-test",
                        linger_s=1.0)
    futures = []
    for i in range(3):
        futures.append(lingering.submit(i))
        time.sleep(0.05)  # one by one, as logins arrive
    assert [f.result(5) for f in futures] == [0, 10, 20]
    assert calls == [[0, 1, 2]]  # one call for the three


def test_an_item_that_waited_behind_a_busy_batch_is_not_kept_lingering():
    """The linger counts from submission: in a rush the queue has waited long enough already."""
    from services.batches import Batcher

    calls: list[list[str]] = []
    busy, release = threading.Event(), threading.Event()

    def handle(items):
        calls.append(list(items))
        if items == ["first"]:
            busy.set()
            release.wait(10)
        return items

    lingering = Batcher(handle, "behind-test", linger_s=1.0)
    first = lingering.submit("first")
    assert busy.wait(5)
    waiting = lingering.submit("waiting")
    time.sleep(1.1)  # longer than the linger, behind the busy batch
    release.set()
    time.sleep(0.3)  # the waiting item's batch has gone by now; a second linger would still wait
    late = lingering.submit("late")
    assert [f.result(5) for f in (first, waiting, late)] == ["first", "waiting", "late"]
    assert calls == [["first"], ["waiting"], ["late"]]
