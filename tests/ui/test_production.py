"""The way to production (issue 20): ``serve`` refuses to listen beyond this machine with the
demo's passwords, without a fixed secret or without HTTPS; ``users`` manages staff by hand."""
from __future__ import annotations

import os
import signal
import ssl
import subprocess
import time
import urllib.request

import pytest

from services.auth import verify_password
from services.store import open_store

from ..served import free_port, wait_until_up
from ..world import copy_world
from .test_cli_and_server import CLI, ROOT, run_cli

WORLD_USERS = ["fylke", "kommune", "skoleadmin", "skoleadmin2", "statsforvalter", "vakt", "vakt2"]


@pytest.fixture
def db(world_template, tmp_path):
    path = tmp_path / "skole.duckdb"
    copy_world(world_template, path)
    return path


def query(db, sql: str, params=None):
    store = open_store(str(db), read_only=True)
    try:
        return store.query(sql, params)
    finally:
        store.close()


def start(db, *args, env=None) -> subprocess.Popen:
    return subprocess.Popen([*CLI, "serve", "--db", str(db), *args], cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_users_are_added_listed_reset_and_disabled_with_passwords_shown_once(db):
    added = run_cli("users", "add", "ny-vakt", "--db", str(db), "--name", "Nina Vakt", "--role", "invigilator",
                    "--scope", str(query(db, "SELECT min(id) FROM exam_groups")[0][0]), "--email", "nina@skole.no")
    first = added.stdout.strip().rsplit(" ", 1)[-1]
    (stored,) = query(db, "SELECT password_hash FROM users WHERE username = 'ny-vakt'")[0]
    assert first not in stored and verify_password(first, stored)  # shown once, kept hashed
    listed = run_cli("users", "list", "--db", str(db)).stdout
    assert "ny-vakt\tNina Vakt\tINVIGILATOR\tnina@skole.no" in listed
    second = run_cli("users", "reset-password", "ny-vakt", "--db", str(db)).stdout.strip().rsplit(" ", 1)[-1]
    (stored,) = query(db, "SELECT password_hash FROM users WHERE username = 'ny-vakt'")[0]
    assert verify_password(second, stored) and not verify_password(first, stored)
    run_cli("users", "disable", "ny-vakt", "--db", str(db))
    assert "ny-vakt\tNina Vakt\tINVIGILATOR\tnina@skole.no\t" in run_cli("users", "list", "--db", str(db)).stdout
    assert "(deaktivert)" in run_cli("users", "list", "--db", str(db)).stdout
    bad = run_cli("users", "add", "x", "--db", str(db), "--role", "school_admin", "--scope", "9999", check=False)
    assert bad.returncode == 2 and "ukjent school i omfanget: 9999" in bad.stderr
    assert query(db, "SELECT event, detail, actor_role FROM activity_log WHERE event LIKE 'USER%' "
                     "OR event = 'PASSWORD_RESET' ORDER BY id") == [
        ("USER_ADDED", "ny-vakt", "SYSTEM"), ("PASSWORD_RESET", "ny-vakt", "SYSTEM"),
        ("USER_DISABLED", "ny-vakt", "SYSTEM")]


def test_serve_refuses_the_network_until_the_demo_is_gone_and_https_and_a_secret_are_set(db, tmp_path):
    port = str(free_port())
    refused = subprocess.run([*CLI, "serve", "--db", str(db), "--address", "0.0.0.0", "--port", port],
                             cwd=ROOT, capture_output=True, text=True, timeout=120,
                             env={k: v for k, v in os.environ.items() if "KANDIDATMONITOR_" not in k})
    assert refused.returncode == 2
    assert "7 brukere har fortsatt demopassordet" in refused.stderr
    assert "ingen fast hemmelighet" in refused.stderr and "ingen HTTPS" in refused.stderr
    for username in WORLD_USERS:
        run_cli("users", "reset-password", username, "--db", str(db))
    server = start(db, "--address", "0.0.0.0", "--port", port, "--trust-proxy",
                   env={"KANDIDATMONITOR_SECRET": "s" * 43})
    try:
        wait_until_up(f"http://127.0.0.1:{port}/login", timeout=90)
    finally:
        stop(server)


def test_on_this_machine_the_demo_runs_as_before(db):
    port = str(free_port())
    server = start(db, "--port", port)  # loopback, the demo's passwords, no secret, plain HTTP
    try:
        wait_until_up(f"http://127.0.0.1:{port}/login", timeout=90)
    finally:
        stop(server)


def test_with_a_certificate_it_speaks_https_itself(db, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    port = str(free_port())
    server = start(db, "--port", port, "--certfile", str(cert), "--keyfile", str(key))
    try:
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"https://127.0.0.1:{port}/login", context=context, timeout=5) as answer:
                    assert answer.status == 200 and answer.headers["Strict-Transport-Security"]
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError(server.stderr.read() if server.poll() is not None else "no HTTPS answer")
    finally:
        stop(server)


def test_an_unreachable_oidc_provider_stops_the_start_with_a_clear_message(db):
    port = str(free_port())
    result = subprocess.run([*CLI, "serve", "--db", str(db), "--port", port, "--oidc-issuer", f"http://127.0.0.1:{port}",
                             "--oidc-client-id", "kandidatmonitor"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "KANDIDATMONITOR_OIDC_CLIENT_SECRET": "s"})
    assert result.returncode == 2
    assert "Fant ikke OpenID Connect-leverandøren på http://127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr
