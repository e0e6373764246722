"""The candidate API's JSON: the status a page shows, errors, and JSON inside a <script>."""
from __future__ import annotations

import json

from services.labels import label
from services.model import CandidateState
from services.queries import CandidateStatus
from services.wiring import Services

from .channel import StatusChannel


def error_json(key: str, lang: str) -> str:
    """An error in the API's form: ``{"feil": text}``, the text in the candidate's language."""
    return json.dumps({"feil": label(key, lang)}, ensure_ascii=False)


def session_ids(cookie: bytes | None) -> tuple[int, str] | None:
    """(candidate id, session id) from a verified cookie value, or None."""
    if not cookie:
        return None
    candidate_id, _, session_id = cookie.decode().partition(":")
    return (int(candidate_id), session_id) if candidate_id.isdigit() and session_id else None


def status_json(services: Services, channel: StatusChannel, actor, session_id: str,
                logged_in_as: CandidateState | None = None) -> dict:
    """The status and the channel's token, read before it (a change during the read moves
    the token, so the status stream sends it again). ``logged_in_as``: the state a login
    just wrote, which needs no read."""
    token = channel.token(actor.candidate_id)
    status = (services.queries.status_after_login(actor, logged_in_as, session_id) if logged_in_as
              else services.queries.candidate_status(actor, session_id))
    channel.read(actor.candidate_id, status.page, status.starts_at)
    return as_json(status, token)


def as_json(s: CandidateStatus, token: int) -> dict:
    return {"side": s.page.value, "kandidatnummer": s.number, "navn": s.name, "fagkode": s.subject_code,
            "fagnavn": s.subject_name, "start": s.starts_at.isoformat(), "todelt": s.two_part,
            "posten": s.posted, "del1_posten": s.part_1_posted,
            "venter": s.waiting, "nyeste": s.newest, "versjon": token,
            "oppgaver": [{"id": t.id, "navn": t.name, "storrelse": t.size} for t in s.tasks],
            "filer": [{"id": f.file_id, "navn": f.name, "storrelse": f.size, "opplastet": f.uploaded_at.isoformat(),
                       "levert": f.delivered, "av_kandidaten": f.uploaded_by_candidate} for f in s.files]}


def script_json(value) -> str:
    """JSON to put inside <script>: no "</script>" or HTML-comment trick can close it."""
    return (json.dumps(value, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
