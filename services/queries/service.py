"""``QueryService``: every read model of one process behind one object."""
from __future__ import annotations

from .candidate_status import CandidateQueries
from .monitor import MonitorQueries
from .overview import OverviewQueries
from .staff import StaffQueries
from .start import StartQueries


class QueryService(MonitorQueries, OverviewQueries, CandidateQueries, StaffQueries, StartQueries):
    """Each read takes the actor and cuts to its scope here, in the service; the views only
    show what comes back."""
