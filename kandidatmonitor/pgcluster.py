"""A local PostgreSQL cluster for development and tests: ``initdb`` into a folder, served by
``pg_ctl`` on a Unix socket in that folder only (no TCP port), trust authentication. The
tests make throwaway ones; ``kandidatmonitor local-postgres`` keeps one under data/ for
``make run-postgres``.

``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` system
user (Debian's ``postgresql`` package creates it; the Makefile installs the package).
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg


def _bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise RuntimeError(f"{name} not found: install Debian's postgresql package (make test does)")
    return found


class Cluster:
    def __init__(self, root: str | Path | None = None) -> None:
        """``root``: a folder to keep the cluster in (made and started if needed); None: a
        throwaway one under /tmp."""
        self.root = Path(root).resolve() if root else Path(tempfile.mkdtemp(prefix="kandidatmonitor-pg-", dir="/tmp"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.data = self.root / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.root, self.user)
        if not (self.data / "PG_VERSION").exists():
            self._run([_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                       "--locale=C.UTF-8", "--no-sync"])
        if not self.running():
            self.resume()

    def running(self) -> bool:
        command = [_bin("pg_ctl"), "-D", str(self.data), "status"]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True).returncode == 0

    def resume(self) -> None:
        """Start the server (again)."""
        options = (f"-c listen_addresses='' -k {self.root} -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=200")
        self._run([_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start"])

    def pause(self) -> None:
        """Stop the server, keeping its data: an outage."""
        self._run([_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def _run(self, command: list[str]) -> None:
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.root}"

    def create_database(self, template: str | None = None, name: str | None = None) -> str:
        """A new, empty database (or a copy of ``template``); returns its URL. A ``name`` that
        exists already is kept as it is."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.url(name)

    def stop(self, remove: bool = True) -> None:
        """Stop the server; ``remove``: and delete the cluster (a throwaway one)."""
        try:
            self._run([_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate" if remove else "fast", "stop"])
        finally:
            if remove:
                shutil.rmtree(self.root, ignore_errors=True)
