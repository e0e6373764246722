"""Candidates over the real HTTP API: ``kandidatmonitor simulate`` (a demo that looks like a
live exam morning) and the candidate benchmark share this client.

Each simulated candidate does what the page does: log in, follow the status channel,
keep that stream open (it is the heartbeat), and once on the task page upload an answer and
deliver it.
"""
from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import time

import aiohttp

from services.demo import one_page_pdf

API = "/kandidat/api"


class CandidateRefused(Exception):
    def __init__(self, status: int, text: str):
        super().__init__(f"{status}: {text}")
        self.status = status


class CandidateClient:
    """One candidate's browser: its own cookie, JSON in and out."""

    def __init__(self, http: aiohttp.ClientSession, url: str, number: str, password: str,
                 user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) kandidatmonitor-simulate",
                 polls: aiohttp.ClientSession | None = None):
        """``polls``: a session for the status streams, so that they (one open connection
        each) do not crowd the short calls' bounded pool."""
        self.http, self.url, self.number, self.password = http, url.rstrip("/"), number, password
        self.polls = polls or http
        self.headers = {"User-Agent": user_agent}
        self.status: dict | None = None
        self.changed = asyncio.Event()  # the status moved (set by ``stay_connected``)

    async def _call(self, method: str, path: str, http: aiohttp.ClientSession | None = None,
                    **kwargs) -> tuple[int, dict | None]:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        async with (http or self.http).request(method, self.url + API + path, headers=headers, **kwargs) as r:
            body = await r.json(content_type=None) if r.status not in (204,) else None
            if r.status >= 400:
                raise CandidateRefused(r.status, (body or {}).get("feil", ""))
            if "kandidat" in r.cookies:
                self.headers["Cookie"] = f"kandidat={r.cookies['kandidat'].value}"
            return r.status, body

    async def login(self) -> dict:
        _, self.status = await self._call("POST", "/login", json={"kandidatnummer": self.number,
                                                                  "passord": self.password})
        return self.status

    async def stay_connected(self) -> None:
        """Keep the status stream open, as the page does (it is the page's heartbeat), and
        follow the status; opened again, after a random pause, when it ends."""
        while True:
            try:
                async with self.polls.get(self.url + API + "/hendelser",
                                          params={"etter": str(self.status["versjon"])}, headers=self.headers) as r:
                    if r.status >= 400:
                        raise CandidateRefused(r.status, (await r.json(content_type=None) or {}).get("feil", ""))
                    async for line in r.content:
                        if line.startswith(b"data: "):
                            self.status = json.loads(line[6:])
                            self.changed.set()
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(random.uniform(2, 8))

    async def follow(self, until: set[str]) -> dict:
        """Wait until the followed status (``stay_connected``) is one of ``until``."""
        while self.status["side"] not in until:
            self.changed.clear()
            await self.changed.wait()
        return self.status

    async def day_password(self, password: str) -> dict:
        _, self.status = await self._call("POST", "/dagspassord", json={"dagspassord": password})
        return self.status

    async def upload(self, name: str, content: bytes) -> None:
        await self._call("POST", "/filer", params={"navn": name}, data=content,
                         headers={"Content-Type": "application/octet-stream"})

    async def deliver(self) -> dict:
        _, self.status = await self._call("POST", "/lever", json={})
        return self.status


@dataclasses.dataclass
class Tally:
    logged_in: int = 0
    refused: int = 0
    on_task: int = 0
    delivered: int = 0
    errors: int = 0


async def simulate(url: str, numbers: list[str], password: str, rate: float, answer_after: tuple[float, float],
                   day_passwords: dict[str, str] | None = None, report_every: float = 10.0) -> Tally:
    """Log ``numbers`` in at ``rate`` per second and play each candidate's morning; with
    ``day_passwords`` (number → its group's), an invigilator types it on the candidate's PC."""
    tally = Tally()

    async def candidate(http: aiohttp.ClientSession, polls: aiohttp.ClientSession, number: str) -> None:
        client = CandidateClient(http, url, number, password, polls=polls)
        try:
            status = await client.login()
        except CandidateRefused:
            tally.refused += 1
            return
        tally.logged_in += 1
        connected = asyncio.create_task(client.stay_connected())
        try:
            if day_passwords and status["side"] == "AUTHORISATION":
                await client.day_password(day_passwords[number])
            status = await client.follow({"TASK", "RECEIPT", "ABSENCE"})
            if status["side"] != "TASK":
                return
            tally.on_task += 1
            await asyncio.sleep(random.uniform(*answer_after))
            await client.upload(f"{number}-besvarelse.pdf", one_page_pdf([f"Besvarelse {number}"]))
            await client.deliver()
            tally.delivered += 1
        except (aiohttp.ClientError, CandidateRefused, asyncio.TimeoutError):
            tally.errors += 1
        finally:
            connected.cancel()

    async def report() -> None:
        while True:
            await asyncio.sleep(report_every)
            print(f"innlogget {tally.logged_in}, avvist {tally.refused}, på oppgavesiden {tally.on_task}, "
                  f"levert {tally.delivered}, feil {tally.errors}", flush=True)

    options = {"cookie_jar": aiohttp.DummyCookieJar(), "timeout": aiohttp.ClientTimeout(total=None, sock_connect=30)}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100), **options) as http, \
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), **options) as polls:
        reporter = asyncio.create_task(report())
        started, tasks = time.perf_counter(), []
        for i, number in enumerate(numbers):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(candidate(http, polls, number)))
        await asyncio.gather(*tasks)
        reporter.cancel()
    return tally

