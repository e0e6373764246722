"""Random exam days: any order of logins, grants, removals, blocks, absence, uploads,
deliveries and clock moves keeps the invariants of SPEC §3–§5."""
from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from services.errors import NotFound, PermissionDenied, RuleViolation
from services.model import Absence, ExamPart
from services.queries import MonitorFilter

from ..conftest import open_world
from ..world import assert_consistent, at, in_newest_browser, most_sessions_with_access, pdf

NUMBERS = ["101AAA-V", "102BBB-V", "201CCC-V"]
candidates = st.sampled_from(NUMBERS)
REFUSED = (RuleViolation, PermissionDenied, NotFound)


class ExamDay(RuleBasedStateMachine):
    template = None
    directories = None

    @initialize()
    def open(self):
        self.s = open_world(self.template, self.directories.mktemp("sm"))
        self.s.clock.set(at(8, 15))
        self.vakt = self.s.auth.staff_actor("vakt", "10.0.0.9")
        self.admin = self.s.auth.staff_actor("skoleadmin", "10.0.0.8")
        self.ids = {n: self.s.store.query("SELECT id FROM candidates WHERE number = ?", [n])[0][0] for n in NUMBERS}
        self.sessions: list[tuple[str, str]] = []
        self.uploads = 0

    def teardown(self):
        if hasattr(self, "s"):
            self.s.close()

    # -- helpers -----------------------------------------------------------------------
    def facts(self, number):
        cid = self.ids[number]
        q = self.s.store.query
        return (q("SELECT * EXCLUDE (updated_at, day_password_failures) FROM candidate_state WHERE candidate_id = ?", [cid]),
                q("SELECT id, state FROM login_sessions WHERE candidate_id = ? ORDER BY id", [cid]),
                q("SELECT id, part, delivered_at IS NULL, deleted_at IS NULL FROM files WHERE candidate_id = ? ORDER BY id", [cid]))

    def log_rows(self, number):
        return self.s.store.query("SELECT count(*) FROM activity_log WHERE candidate_id = ?", [self.ids[number]])[0][0]

    def act(self, number, call):
        """Run one service call; a change of facts must add exactly one log row, no change none."""
        before, logged = self.facts(number), self.log_rows(number)
        try:
            result = call()
        except REFUSED:
            result = None
        changed = self.facts(number) != before
        assert self.log_rows(number) - logged == (1 if changed else 0)
        return result

    def candidate(self, number):
        """The candidate in their newest browser (login session)."""
        return in_newest_browser(self.s, self.ids[number])

    # -- rules -------------------------------------------------------------------------
    @rule(number=candidates)
    def login(self, number):
        sid = self.act(number, lambda: self.s.access.login(self.candidate(number), user_agent="UA"))
        if sid:
            self.sessions.append((number, sid))

    @rule(number=candidates)
    def grant(self, number):
        self.act(number, lambda: self.s.access.grant_access(self.vakt, self.ids[number]))

    @rule(data=st.data())
    def grant_stale_session(self, data):
        if self.sessions:
            number, sid = data.draw(st.sampled_from(self.sessions))
            self.act(number, lambda: self.s.access.grant_access(self.vakt, self.ids[number], sid))

    @rule(data=st.data())
    def remove_access(self, data):
        if self.sessions:
            number, sid = data.draw(st.sampled_from(self.sessions))
            self.act(number, lambda: self.s.access.remove_access(self.vakt, self.ids[number], sid))

    @rule(data=st.data())
    def candidate_asks_again(self, data):
        if self.sessions:
            number, sid = data.draw(st.sampled_from(self.sessions))
            self.act(number, lambda: self.s.access.request_access(self.candidate(number), sid))

    @rule(number=candidates, block=st.booleans())
    def block_or_unblock(self, number, block):
        call = self.s.access.block if block else self.s.access.unblock
        self.act(number, lambda: call(self.vakt, self.ids[number]))

    @rule(number=candidates, absence=st.sampled_from([Absence.DOCUMENTED, Absence.UNDOCUMENTED, None]))
    def absence(self, number, absence):
        if absence is None:
            self.act(number, lambda: self.s.absence.clear_absence(self.vakt, self.ids[number]))
        else:
            self.act(number, lambda: self.s.absence.set_absence(self.vakt, self.ids[number], absence))

    @rule(number=candidates, by_candidate=st.booleans(),
          part=st.sampled_from([None, ExamPart.PART_1, ExamPart.PART_2, ExamPart.PART_1_AND_2]))
    def upload(self, number, by_candidate, part):
        self.uploads += 1
        actor = self.candidate(number) if by_candidate else self.vakt
        self.act(number, lambda: self.s.delivery.upload(actor, self.ids[number], f"fil{self.uploads}.pdf", pdf(100), part=part))

    @rule(number=candidates, by_candidate=st.booleans())
    def deliver(self, number, by_candidate):
        actor = self.candidate(number) if by_candidate else self.vakt
        self.act(number, lambda: self.s.delivery.deliver(actor, self.ids[number]))

    @rule(number=candidates)
    def send_by_post(self, number):
        self.act(number, lambda: self.s.delivery.send_by_post(self.vakt, self.ids[number]))

    @rule(minutes=st.integers(min_value=1, max_value=90))
    def time_passes(self, minutes):
        self.s.clock.advance(minutes=minutes)

    # -- invariants ----------------------------------------------------------------------
    @invariant()
    def never_two_sessions_with_access(self):
        if hasattr(self, "s"):
            assert most_sessions_with_access(self.s) <= 1

    @invariant()
    def state_agrees_with_facts_and_rules(self):
        if not hasattr(self, "s"):
            return
        page = self.s.queries.monitor_page(self.admin, MonitorFilter(school_id=1))
        rows = {r.number: r for r in page.rows}
        assert set(rows) >= set(self.ids)
        for number in self.ids:
            assert_consistent(self.s, rows[number], self.s.clock.now())


def test_exam_day_invariants(world_template, tmp_path_factory):
    class Machine(ExamDay):
        template = world_template
        directories = tmp_path_factory

    run_state_machine_as_test(Machine, settings=settings(
        max_examples=30, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
