"""Storage backends behind one seam (``protocol.Store``); DuckDB is the default."""
from .duckdb import DuckDBStore, Tx
from .protocol import Dialect, Publisher, Reader, Store, WriteTx

__all__ = ["Dialect", "DuckDBStore", "Publisher", "Reader", "Store", "Tx", "WriteTx"]
