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
    """One monitor page on the wire."""

    def __init__(self) -> None:
        self.armed = False
        self.seen: float | None = None
        self.patches = 0
        self._heard = asyncio.Event()

    async def open(self, http: aiohttp.ClientSession, url: str, path: str) -> None:
        async with http.get(url + path) as page:
            token = TOKEN.search(await page.text())[1]
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
                if self.armed:
                    self.armed, self.seen = False, time.time()
                    self._heard.set()

    def arm(self) -> None:
        self.armed, self.seen = True, None
        self._heard.clear()

    async def heard(self, timeout_s: float = 60.0) -> float:
        await asyncio.wait_for(self._heard.wait(), timeout_s)
        return self.seen


async def drive(url: str, count: int, username: str, password: str = "demo", path: str = "/kandidatmonitor") -> None:
    def say(**answer) -> None:
        print(json.dumps(answer), flush=True)

    loop = asyncio.get_running_loop()

    async def listen() -> dict:
        return json.loads(await loop.run_in_executor(None, sys.stdin.readline))

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await log_in(http, url, username, password)
        sessions = []
        for _ in range(count):  # one at a time, as pages are opened: the server builds each document
            session = Session()
            await session.open(http, url, path)
            sessions.append(session)
        say(ready=len(sessions))
        while "close" not in await listen():
            for session in sessions:
                session.arm()
            say(waiting=True)
            seen = await asyncio.gather(*(s.heard() for s in sessions))
            say(seen=list(seen))
        for session in sessions:
            session.reader.cancel()
            await session.ws.close()
        say(closed=True)
