"""Read models, one module per view; ``QueryService`` is the one facade callers use."""
from .candidate_status import CandidateStatus, CandidateTask
from .clients import describe_client
from .monitor import PAGE_SIZE, MonitorFilter, MonitorPage, MonitorRow, SortColumn
from .overview import Alert, Overview, OverviewFilter
from .service import QueryService
from .start import ExamToday
from .staff import DeliveredGroup, DeliveryPage, FileInfo, LogEntry, PendingDelivery, SessionInfo, SessionIp

__all__ = ["PAGE_SIZE", "Alert", "CandidateStatus", "CandidateTask", "DeliveredGroup", "ExamToday", "DeliveryPage", "FileInfo",
           "LogEntry", "MonitorFilter", "MonitorPage", "MonitorRow", "Overview", "OverviewFilter", "SortColumn",
           "PendingDelivery", "QueryService", "SessionInfo", "SessionIp", "describe_client"]
