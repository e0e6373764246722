"""Import from the exam register (PAS-eksamen): schools, exam groups, staff and candidates."""
from .formats import KINDS, ORDER
from .importer import RegisterImport, Report, read_export

__all__ = ["KINDS", "ORDER", "RegisterImport", "Report", "read_export"]
