"""Storage backends behind one seam (``protocol.Store``): DuckDB by default, PostgreSQL for
several processes."""
from __future__ import annotations

from pathlib import Path

from .duckdb import DuckDBStore, Tx
from .protocol import Dialect, Publisher, Reader, Store, WriteTx


def is_url(db: str) -> bool:
    return str(db).startswith(("postgresql://", "postgres://"))


def database_name(url: str) -> str:
    """The database's name in a URL, for messages and folder names (never the password)."""
    from psycopg.conninfo import conninfo_to_dict

    return conninfo_to_dict(url).get("dbname") or "postgres"


def beside(db: str | Path, suffix: str) -> Path:
    """A file that belongs to a database: beside a DuckDB file, or under data/ named after a
    PostgreSQL database (blobs, the demo's candidate list, a running server's address)."""
    if is_url(str(db)):
        return Path("data") / f"{database_name(str(db))}{suffix}"
    return Path(f"{db}{suffix}")


def open_store(db: str, publisher: Publisher | None = None, read_only: bool = False) -> Store:
    """A DuckDB file path, or a ``postgresql://`` URL."""
    if is_url(db):
        from .postgres import PostgresStore  # psycopg is loaded only for a PostgreSQL URL

        return PostgresStore(str(db), publisher)
    return DuckDBStore(db, publisher, read_only=read_only)


__all__ = ["Dialect", "DuckDBStore", "Publisher", "Reader", "Store", "Tx", "WriteTx", "beside", "database_name",
           "is_url", "open_store"]
