"""Our routes before the Bokeh server's: each candidate request skips the Panel patterns."""
from __future__ import annotations

import weakref

from .constants import PAGE

_routed_first: weakref.WeakSet = weakref.WeakSet()


def route_first(application) -> None:
    """Tornado tries its URL patterns in order, and the Bokeh server puts every Panel page's
    half-dozen patterns before ours: each candidate request (tens of thousands of heartbeats
    a minute) paid for ~40 failed regular expressions. Ours go first (done on the first
    candidate request, the first moment the handler sees the application)."""
    router = application.wildcard_router
    ours = [r for r in router.rules if getattr(r.matcher, "regex", None) is not None
            and r.matcher.regex.pattern.startswith((f"{PAGE}$", f"{PAGE}/"))]  # not /kandidatmonitor
    router.rules = ours + [r for r in router.rules if r not in ours]
    _routed_first.add(application)
