"""The status rules of ``rules.py`` in SQL, for read models that derive a whole page at once.

Each expression reads the aliases ``cs`` (candidate_state), ``g`` (exam_groups) and ``s``
(subjects) and the ``$now`` parameter. ``tests/unit/test_rules_sql.py`` holds every one equal
to its Python twin over random states (hypothesis).
"""
from __future__ import annotations

from .model import ExamPart

# rules.access_status
ACCESS_SQL = """CASE
    WHEN cs.absence = 'DOCUMENTED' THEN 'DOCUMENTED_ABSENCE'
    WHEN cs.absence = 'UNDOCUMENTED' THEN 'UNDOCUMENTED_ABSENCE'
    WHEN cs.blocked THEN 'BLOCKED'
    WHEN cs.progress_2 IN ('DELIVERED', 'SENT_BY_POST') THEN 'NO_ACCESS'
    WHEN cs.access_session_id IS NOT NULL THEN
        CASE WHEN $now < g.access_starts_at THEN 'WAITING_FOR_START' ELSE 'HAS_ACCESS' END
    WHEN cs.waiting_session_id IS NOT NULL THEN 'WAITING'
    ELSE 'NO_ACCESS' END"""

# rules.can_grant (deleted candidates are cut by each query)
CAN_GRANT_SQL = """(cs.waiting_session_id IS NOT NULL AND cs.absence IS NULL AND NOT cs.blocked
    AND cs.progress_2 NOT IN ('DELIVERED', 'SENT_BY_POST'))"""

_PART_1 = ", ".join(f"'{p.value}'" for p in ExamPart if 1 in p.covers())
_PART_2 = ", ".join(f"'{p.value}'" for p in ExamPart if 2 in p.covers())

# rules.progress, from the live files ``f`` of each candidate and the posted flags
PROGRESS_SQL = f"""
        UPDATE candidate_state AS cs SET
          progress_1 = CASE WHEN NOT p.two_part THEN NULL
                            WHEN cs.posted_1 THEN 'SENT_BY_POST'
                            WHEN p.d1 THEN 'DELIVERED' WHEN p.u1 THEN 'UPLOADING'
                            ELSE 'NOT_UPLOADED' END,
          progress_2 = CASE WHEN cs.posted THEN 'SENT_BY_POST'
                            WHEN p.d2 THEN 'DELIVERED' WHEN p.u2 THEN 'UPLOADING'
                            ELSE 'NOT_UPLOADED' END
        FROM (
          SELECT cs2.candidate_id, s.two_part,
            coalesce(bool_or(f.part IN ({_PART_1})), false) AS u1,
            coalesce(bool_or(f.part IN ({_PART_1}) AND f.delivered_at IS NOT NULL), false) AS d1,
            coalesce(bool_or(f.part IN ({_PART_2})), false) AS u2,
            coalesce(bool_or(f.part IN ({_PART_2}) AND f.delivered_at IS NOT NULL), false) AS d2
          FROM candidate_state cs2
          JOIN exam_groups g ON g.id = cs2.group_id
          JOIN subjects s ON s.code = g.subject_code
          LEFT JOIN files f ON f.candidate_id = cs2.candidate_id AND f.deleted_at IS NULL
          {{where}}
          GROUP BY cs2.candidate_id, s.two_part
        ) AS p
        WHERE cs.candidate_id = p.candidate_id
        """


def refresh_progress(tx, candidate_ids: list[int] | None = None) -> None:
    """Recompute progress_1/progress_2 of ``candidate_ids`` (None: everyone) from their files."""
    if candidate_ids is None:
        tx.execute(PROGRESS_SQL.format(where=""))
    else:
        tx.execute(PROGRESS_SQL.format(where="WHERE cs2.candidate_id IN (SELECT unnest(?::INTEGER[]))"),
                   [candidate_ids])
