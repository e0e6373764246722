"""What ``serve`` checks before it listens beyond this machine (issue 20): no demo left in the
database, a secret that every start and worker shares, and HTTPS for the users. On loopback
the demo runs as it is (``make run``)."""
from __future__ import annotations

import ipaddress
from concurrent.futures import ThreadPoolExecutor

from services.auth import verify_password
from services.demo import DEMO_PASSWORD
from services.store import Store

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(address: str) -> bool:
    if address in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False  # a host name: whoever resolves it reaches us


def refusals(store: Store, address: str, secret_configured: bool, https: bool) -> list[str]:
    """Why the server must not listen on ``address`` with this database and these settings
    (none on loopback). ``https``: TLS here (--certfile) or at a trusted proxy."""
    if is_loopback(address):
        return []
    problems = []
    if store.query("SELECT 1 FROM meta WHERE key = 'exam_date'"):
        problems.append("databasen er en demodatabase (kandidatmonitor demo): importer ekte data i en ny database")
    if demo_users := users_with_demo_password(store):
        problems.append(f"{len(demo_users)} brukere har fortsatt demopassordet ({', '.join(demo_users[:5])}"
                        f"{' …' if len(demo_users) > 5 else ''}): kandidatmonitor users reset-password eller disable")
    if not secret_configured:
        problems.append("ingen fast hemmelighet: sett KANDIDATMONITOR_SECRET eller gi --secret-file")
    if not https:
        problems.append("ingen HTTPS: gi --certfile og --keyfile, eller --trust-proxy/--trusted-proxies for en "
                        "TLS-proxy foran (og --tls)")
    return problems


def users_with_demo_password(store: Store) -> list[str]:
    """Active staff users whose password is the demo's. Each distinct hash is checked once
    (the demo gives all its users one), on every core: scrypt lets go of the GIL."""
    by_hash: dict[str, list[str]] = {}
    for username, password_hash in store.query(
            "SELECT username, password_hash FROM users WHERE NOT disabled AND password_hash <> '' ORDER BY username"):
        by_hash.setdefault(password_hash, []).append(username)
    with ThreadPoolExecutor() as pool:
        found = pool.map(lambda h: verify_password(DEMO_PASSWORD, h), by_hash)
        return sorted(u for h, demo in zip(by_hash, found) if demo for u in by_hash[h])
