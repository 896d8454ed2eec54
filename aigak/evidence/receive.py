"""tus PATCH bodies written straight into the upload's partial file while they arrive.

waitress reads a whole request body before it calls the application: into memory up to
`inbuf_overflow`, into a temporary file beyond. For a multi-gigabyte upload that writes
every byte twice (the temporary file, then the partial file) and reads it back once in
between. `aigak serve` therefore gives waitress a request parser that, for a tus PATCH
(`/api/v1/uploads/<id>`, `Content-Type: application/offset+octet-stream`) whose
`Upload-Offset` is the current end of that upload's partial file, writes the body into
the partial file at that offset as it comes off the socket. The application then finds a
`DirectBody` as `wsgi.input` and only checks, syncs, hashes and acknowledges
(`uploads.append`).

The parser knows nothing about users, so it is careful about what it touches:
- it writes only past the partial file's current end, never over bytes already there,
  and holds an exclusive `flock` on the file from the first byte until the request is
  done (a second PATCH to the same upload meanwhile is spooled the ordinary way and
  refused with 423 by the application);
- unless the application accepted the body (right user, right offset), closing it cuts
  the file back to where it was, so a stranger's request or a dropped connection leaves
  nothing behind.
Anything else (another path, an offset that is not the file's end, a missing file, a
chunked body) takes waitress's ordinary path, which `uploads.append` handles as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import re
import weakref
from typing import Any

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.receiver import FixedStreamReceiver
from waitress.server import BaseWSGIServer, create_server

from aigak.evidence.storage import uploads_dir

TUS_VERSION = "1.0.0"
OFFSET_TYPE = "application/offset+octet-stream"
# Start writing to disk every this many bytes, so that the sync before the answer only
# waits for the last few (Linux sync_file_range; elsewhere the sync does it all).
WRITE_BEHIND = 8 * 1024 * 1024
SYNC_FILE_RANGE_WRITE = 2


def _sync_file_range() -> Any:
    try:
        function = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).sync_file_range
    except (AttributeError, OSError, TypeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    return function


start_writeback = _sync_file_range()
TUS_PATCH_PATH = re.compile(
    r"/api/v1/uploads/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


class DirectBody:
    """A PATCH body being written into a partial file: waitress's buffer and wsgi.input.

    As `wsgi.input` it reads as empty: the bytes are already where they belong.
    """

    def __init__(self, fd: int, path: str, start: int, length: int):
        self.fd, self.path, self.start, self.length = fd, path, start, length
        self.received = 0
        self.queued = 0  # bytes handed to the disk already (write-behind)
        self.accepted = False  # set by the application once user and offset are checked
        self.error: OSError | None = None
        self._closed = False
        self._finalizer = weakref.finalize(self, os.close, fd)

    # waitress's buffer interface (FixedStreamReceiver calls append; the parser, close)
    def append(self, data: bytes) -> None:
        if self.error is not None:
            return
        view = memoryview(data)
        try:
            while view:
                written = os.pwrite(self.fd, view, self.start + self.received)
                self.received += written
                view = view[written:]
        except OSError as problem:  # a full disk: the application answers for it
            self.error = problem
            return
        if start_writeback is not None and self.received - self.queued >= WRITE_BEHIND:
            start_writeback(
                self.fd,
                self.start + self.queued,
                self.received - self.queued,
                SYNC_FILE_RANGE_WRITE,
            )
            self.queued = self.received

    def __len__(self) -> int:
        return 0  # nothing left to read

    def getfile(self) -> DirectBody:
        return self

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if not self.accepted:
                os.ftruncate(self.fd, self.start)
        finally:
            self._finalizer()  # closes the descriptor, which drops the lock

    # wsgi.input: consumed already
    def read(self, size: int = -1) -> bytes:
        return b""

    def readinto(self, buffer: Any) -> int:
        return 0

    def readline(self, size: int = -1) -> bytes:
        return b""


def open_direct_body(path: str, offset: int, length: int) -> DirectBody | None:
    """A DirectBody writing at `offset` of `path`, if `offset` is its end and it is free."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)  # read too: sniffing the first chunk
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_size != offset:
            raise ValueError("not at the end of the file")
    except (OSError, ValueError):
        os.close(fd)
        return None
    return DirectBody(fd, path, offset, length)


class TusRequestParser(HTTPRequestParser):
    body_rcv: Any  # waitress's receiver of the body, or None before and without one

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        if self.command != "PATCH" or self.chunked or self.body_rcv is None:
            return
        if self.content_length >= self.adj.max_request_body_size:
            return  # waitress refuses it
        found = TUS_PATCH_PATH.search(self.path or "")
        headers = self.headers
        if found is None or headers.get("CONTENT_TYPE", "").strip() != OFFSET_TYPE:
            return
        if headers.get("TUS_RESUMABLE") != TUS_VERSION:
            return
        try:
            offset = int(headers.get("UPLOAD_OFFSET", ""))
        except ValueError:
            return
        if offset < 0:
            return
        path = str(uploads_dir() / f"{found.group(1)}.part")
        body = open_direct_body(path, offset, self.content_length)
        if body is not None:
            self.body_rcv = FixedStreamReceiver(self.content_length, body)


class TusChannel(HTTPChannel):
    parser_class = TusRequestParser

    def handle_close(self) -> None:
        # A connection dropped in the middle of a body: cut the partial file back now.
        request = self.request
        if request is not None and not request.completed:
            request.close()
        super().handle_close()


def make_server(application: Any, dispatcher: Any = None, **adjustments: Any) -> Any:
    """waitress's `create_server`, with tus PATCH bodies going straight to their file;
    `dispatcher`, a waitress task dispatcher, is given its threads (`threads`) here."""
    sockets: dict = {}
    if dispatcher is not None:
        dispatcher.set_thread_count(adjustments.get("threads", 4))
    server = create_server(application, map=sockets, _dispatcher=dispatcher, **adjustments)
    for listener in list(sockets.values()):
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = TusChannel
    return server
