"""Storage backends behind one interface (DuckDB by default)."""
from .duckdb import DuckDBStore, Tx

__all__ = ["DuckDBStore", "Tx"]
