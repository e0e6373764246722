"""Absence (Fravær): documented / undocumented, switching between them, clearing.

Absence ends every session's access, hides progress and forbids uploads. After the exam
day it is changed in the exam register (PAS-eksamen), not here.
"""
from __future__ import annotations

from .candidate_service import CandidateService
from .errors import RuleViolation
from .model import Absence, Actor, CandidateState, Event
from .rules import absence_change_allowed
from .scope import require_staff


class AbsenceService(CandidateService):
    def set_absence(self, actor: Actor, candidate_id: int, absence: Absence) -> CandidateState:
        absence = Absence(absence)
        with self._changing(actor, candidate_id) as (tx, state):
            self._check(actor, state)
            if state.absence is absence:
                return state  # duplicate click
            self._end_sessions(tx, candidate_id)
            after = self._save(tx, state, absence=absence, access_session_id=None, waiting_session_id=None)
            self._log(tx, actor, Event.ABSENCE_SET, state, after, detail=absence.value)
            return after

    def clear_absence(self, actor: Actor, candidate_id: int) -> CandidateState:
        with self._changing(actor, candidate_id) as (tx, state):
            self._check(actor, state)
            if state.absence is None:
                return state
            after = self._save(tx, state, absence=None)
            self._log(tx, actor, Event.ABSENCE_CLEARED, state, after)
            return after

    def _check(self, actor: Actor, state: CandidateState) -> None:
        require_staff(actor)
        if not absence_change_allowed(state.exam_date, self.clock.today()):
            raise RuleViolation("error.after_exam_day")
