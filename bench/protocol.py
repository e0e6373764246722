"""Monitor sessions without a browser: each one is what a browser does on the wire, so that
hundreds fit on this machine (issue 23 item 5). A session GETs the monitor page with the
staff login's cookie (the server builds the page's document then), takes the page's signed
session token from it, opens the page's websocket with it and pulls the document, as
BokehJS does; then it only listens. A table patch (PATCH-DOC with ColumnsPatched) counts as
the page having heard of a change: the time it reached the socket is "event → patch".

The same JSON lines as the browser child of ``bench.live``: ``{"arm": true}`` → every session
waits for its next patch; an empty request → ``{"seen": [epoch seconds, …]}``.
"""
from __future__ import annotations

import asyncio
import json
import re
import sys
import time

import aiohttp

TOKEN = re.compile(r'"token"\s*:\s*"([^"]+)"')
DOCUMENT_READY = {"kind": "MessageSent", "msg_type": "bokeh_event",
                  "msg_data": {"type": "event", "name": "document_ready", "values": {"type": "map", "entries": []}}}


async def log_in(http: aiohttp.ClientSession, url: str, username: str, password: str) -> None:
    async with http.get(url + "/login") as page:
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', await page.text())[1]
    async with http.post(url + "/login", data={"_xsrf": xsrf, "username": username, "password": password,
                                               "next": "/kandidatmonitor"}, allow_redirects=False) as answer:
        if answer.status != 302:
            raise RuntimeError(f"login refused: {answer.status}")


class Session:
    """One monitor page on the wire. ``arm(event)``: note when the next table patch arrives,
    as ``seen[event]``."""

    def __init__(self, school_id: int | None = None) -> None:
        self.school_id = school_id
        self.event: object = None  # what the next patch answers (None: not waiting)
        self.seen: dict[object, float] = {}
        self.patches = 0
        self._heard = asyncio.Event()

    async def open(self, http: aiohttp.ClientSession, url: str, path: str) -> None:
        query = "" if self.school_id is None else f"?skole={self.school_id}"
        async with http.get(url + path + query) as page:
            token = TOKEN.search(await page.text())[1]  # it carries the page's address, its school too
        ws_url = url.replace("http", "ws", 1) + path + "/ws"
        self.ws = await http.ws_connect(ws_url, protocols=("bokeh", token), max_msg_size=0)
        await self._expect("ACK")
        for frame in ({"msgid": "1", "msgtype": "PULL-DOC-REQ"}, {}, {}):
            await self.ws.send_str(json.dumps(frame))
        await self._expect("PULL-DOC-REPLY")
        # BokehJS then says the document is ready; Panel counts the page as connected only
        # after that (before it, each change to the page costs one more scheduled callback).
        for frame in ({"msgid": "2", "msgtype": "PATCH-DOC"}, {}, {"events": [DOCUMENT_READY]}):
            await self.ws.send_str(json.dumps(frame))
        self.reader = asyncio.create_task(self._listen())

    async def _message(self) -> tuple[dict, dict]:
        """One Bokeh message: header, metadata, content, then a reference and a payload per
        buffer (skipped)."""
        header = json.loads((await self.ws.receive()).data)
        await self.ws.receive()  # metadata
        content = (await self.ws.receive()).data
        for _ in range(2 * header.get("num_buffers", 0)):
            await self.ws.receive()
        return header, content

    async def _expect(self, msgtype: str) -> None:
        header, _ = await self._message()
        if header["msgtype"] != msgtype:
            raise RuntimeError(f"expected {msgtype}, got {header['msgtype']}")

    async def _listen(self) -> None:
        while True:
            header, content = await self._message()
            if header["msgtype"] == "PATCH-DOC" and '"ColumnsPatched"' in content:
                self.patches += 1
                if self.event is not None:
                    self.seen[self.event], self.event = time.time(), None
                    self._heard.set()

    def arm(self, event: object = 0) -> None:
        self.event = event
        self.seen.pop(event, None)
        self._heard.clear()

    async def heard(self, timeout_s: float = 60.0) -> float:
        """When the patch of the event last armed arrived."""
        event = self.event
        await asyncio.wait_for(self._heard.wait(), timeout_s)
        return self.seen[event]


async def drive(url: str, count: int, username: str, password: str = "demo", path: str = "/kandidatmonitor",
                schools: list[int] | None = None) -> None:
    """``count`` sessions, spread evenly over ``schools`` (each its own page) if given.
    Requests, one JSON line each: ``{"arm": true}`` → every session waits for its next patch,
    then ``{}`` → ``{"seen": [...]}``; or ``{"arm_school": S, "event": k}`` → S's sessions
    wait for the patch of event k (answered at once), and ``{"collect": true}`` →
    ``{"heard": {k: [epoch seconds, ...]}}`` once every armed session has heard its event."""
    def say(**answer) -> None:
        print(json.dumps(answer), flush=True)

    loop = asyncio.get_running_loop()

    async def listen() -> dict:
        return json.loads(await loop.run_in_executor(None, sys.stdin.readline))

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await log_in(http, url, username, password)
        sessions = []
        for i in range(count):  # one at a time, as pages are opened: the server builds each document
            session = Session(schools[i % len(schools)] if schools else None)
            await session.open(http, url, path)
            sessions.append(session)
        say(ready=len(sessions))
        armed: list[tuple[int, Session]] = []
        while "close" not in (request := await listen()):
            if "arm_school" in request:
                for session in sessions:
                    if session.school_id == request["arm_school"]:
                        session.arm(request["event"])
                        armed.append((request["event"], session))
                say(armed=request["event"])
            elif "collect" in request:
                await asyncio.gather(*(s.heard() for _, s in armed if s.event is not None), return_exceptions=True)
                heard: dict[int, list[float]] = {}
                for event, session in armed:
                    if event in session.seen:
                        heard.setdefault(event, []).append(session.seen[event])
                armed.clear()
                say(heard=heard)
            else:
                for session in sessions:
                    session.arm()
                say(waiting=True)
                seen = await asyncio.gather(*(s.heard() for s in sessions))
                say(seen=list(seen))
        for session in sessions:
            session.reader.cancel()
            await session.ws.close()
        say(closed=True)
