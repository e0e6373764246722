"""Downloads over plain HTTP, for staff with a session cookie: one file, a candidate's files
as a zip ("Vis filer"), a school's or group's delivered files with a manifest ("Nedlasting").

The zip is written in a worker thread and handed to the socket chunk by chunk (the thread
waits for each flush), so a school's answers never sit in memory. The services check the
user's role and scope on every request; the file name is sent as display text only.
"""
from __future__ import annotations

import asyncio
from urllib.parse import quote

from tornado.web import HTTPError, RequestHandler

from services.errors import NotFound, PermissionDenied, ServiceError
from services.files import CHUNK, safe_name, write_zip
from services.wiring import Services

from .staff_session import request_login

FILE = r"/filer/(\d+)/([^/]+)"
CANDIDATE_ZIP = r"/filer/(\d+)\.zip"
SCHOOL_ZIP = r"/nedlasting/(\d+)\.zip"


def file_url(candidate_id: int, file_id: str) -> str:
    return f"/filer/{candidate_id}/{quote(file_id)}"


def candidate_zip_url(candidate_id: int) -> str:
    return f"/filer/{candidate_id}.zip"


def school_zip_url(school_id: int, group_id: int | None = None) -> str:
    return f"/nedlasting/{school_id}.zip" + (f"?gruppe={group_id}" if group_id is not None else "")


def attachment(handler: RequestHandler, name: str, content_type: str = "application/octet-stream") -> None:
    """Content-Disposition with a plain fallback and the real name (RFC 6266/5987): the
    client's file name is display text, never a path."""
    fallback = safe_name(name).encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    handler.set_header("Content-Type", content_type)
    handler.set_header("Content-Disposition", f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}")
    handler.set_header("X-Content-Type-Options", "nosniff")


async def send_file(handler: RequestHandler, name: str, size: int, content) -> None:
    """One stored file as a download, a chunk at a time (never the whole file in memory)."""
    with content:
        attachment(handler, name)
        handler.set_header("Content-Length", str(size))
        while chunk := content.read(CHUNK):
            handler.write(chunk)
            await handler.flush()
    handler.finish()


class _Download(RequestHandler):
    def initialize(self, services: Services) -> None:
        self.services = services

    def actor(self):
        login = request_login(self, self.services)
        if login is None:
            raise HTTPError(403)
        try:
            return self.services.auth.staff_actor(login.username, self.request.remote_ip)
        except NotFound as e:  # a user removed since the cookie was signed
            raise HTTPError(403) from e


    async def run(self, work) -> None:
        try:
            await work()
        except (PermissionDenied, NotFound):  # outside the scope looks like nothing there: no probing
            self.send_error(404)
        except ServiceError:
            self.send_error(400)

    async def stream_zip(self, name: str, entries) -> None:
        loop = asyncio.get_running_loop()

        async def send(chunk: bytes) -> None:
            self.write(chunk)
            await self.flush()

        def write(chunk: bytes) -> None:
            asyncio.run_coroutine_threadsafe(send(chunk), loop).result()

        attachment(self, name, "application/zip")
        await loop.run_in_executor(None, write_zip, write, entries)
        self.finish()


class FileHandler(_Download):
    async def get(self, candidate_id: str, file_id: str) -> None:
        async def work():
            await send_file(self, *self.services.delivery.open_file(self.actor(), int(candidate_id), file_id))
        await self.run(work)


class CandidateZipHandler(_Download):
    async def get(self, candidate_id: str) -> None:
        async def work():
            name, entries = self.services.delivery.candidate_zip(self.actor(), int(candidate_id))
            await self.stream_zip(name, entries)
        await self.run(work)


class SchoolZipHandler(_Download):
    async def get(self, school_id: str) -> None:
        async def work():
            group = self.get_argument("gruppe", None)
            name, entries = self.services.delivery.delivered_zip(
                self.actor(), int(school_id), int(group) if group and group.isdigit() else None)
            await self.stream_zip(name, entries)
        await self.run(work)


def routes(services: Services) -> list[tuple]:
    args = {"services": services}
    return [(FILE, FileHandler, args), (CANDIDATE_ZIP, CandidateZipHandler, args), (SCHOOL_ZIP, SchoolZipHandler, args)]
