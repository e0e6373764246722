"""The candidate module (SPEC §9): plain HTML/JS and a JSON API served by Tornado beside the
Panel pages — no Panel session per candidate (ARCHITECTURE decision 4). The API is described
in ``openapi.yaml`` beside this file (served at ``/kandidat/api/openapi.yaml``).

A login sets a signed, HttpOnly, SameSite=Strict cookie for one login session. Logins go
through two ``Batcher`` stages (group commit): the passwords of all logins queued meanwhile
with one look-up (scrypt lets go of the GIL), then their sessions in one transaction. No
thread waits for a login and no look-up is made per login, so a burst neither blocks the
event loop nor pays a statement or a commit each. The status channel is a stream of
server-sent events, woken only when that candidate's facts change (or the exam starts);
heartbeats go to the in-memory buffer. Failed logins and day-password attempts are
throttled per candidate and per IP address.
"""
from .channel import StatusChannel
from .constants import REQUEST_BODY_BYTES
from .liveness import OpenStreams
from .routes import routes

__all__ = ["REQUEST_BODY_BYTES", "OpenStreams", "StatusChannel", "routes"]
