"""How `aigak serve` runs waitress: writes admitted a few at a time, several processes.

Admission. A save costs far more CPU than a page read (the form is read, checked and
built again), and the CPU of one process is one interpreter's. Unchecked, thirty writers
at once leave a list page waiting behind them. `AdmittingDispatcher` is waitress's task
dispatcher with two queues: reads (GET, HEAD, OPTIONS) go to a thread at once, as in
waitress; writes (POST, PUT, PATCH, DELETE) go to a thread only while fewer than
`writes_at_once` writes of this process are being served. A waiting write holds no
thread and costs no CPU. One that has waited `write_wait` seconds is served anyway, marked
(`BUSY_KEY` in its WSGI environ): the record forms answer it 503 "busy, nothing was saved"
with the answers kept in the form, and every other view 503 (`aigak.lib.busy`).

Processes. `run` binds the listening sockets in this process, then forks `workers`
processes that each run waitress on them (the kernel hands each connection to one), and
starts a new one when one dies. SIGTERM or SIGINT stops them all: each finishes the
requests it is serving (up to `STOP_WAIT` seconds). Without `fork` (Windows) it is one
process.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer
from waitress.task import ThreadedTaskDispatcher

from aigak.lib.busy import BUSY_KEY

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITE_WAIT = 30.0  # seconds a write waits for its turn before it is answered "busy"
STOP_WAIT = 10.0  # seconds a stopping process has to finish its requests
RESTART_PAUSE = 1.0  # seconds between restarts of a process that keeps dying at once


def default_workers() -> int:
    return max(1, os.cpu_count() or 1) if hasattr(os, "fork") else 1


class AdmittingDispatcher(ThreadedTaskDispatcher):
    """waitress's thread pool, with writes admitted `writes_at_once` at a time."""

    def __init__(self, writes_at_once: int, write_wait: float = WRITE_WAIT):
        super().__init__()
        self.writes_at_once = writes_at_once
        self.write_wait = write_wait
        self.writes: deque[tuple[Any, float]] = deque()  # (task, when it arrived)
        self.writing = 0

    def add_task(self, task: Any) -> None:
        command = getattr(task.request, "command", "")
        if command not in WRITE_METHODS or not hasattr(task, "get_environment"):
            super().add_task(task)  # a read, or waitress's own error answer
            return
        with self.lock:
            self.writes.append((task, time.monotonic()))
            self.queue_cv.notify()

    def _next(self) -> tuple[Any, bool, bool] | None:
        """(task, is a write admitted, is a write turned away), or None to stop; with the
        lock held."""
        while True:
            if self.stop_count > 0:
                return None
            if self.queue:
                return self.queue.popleft(), False, False
            pause = None
            if self.writes:
                task, arrived = self.writes[0]
                waited = time.monotonic() - arrived
                if self.writing < self.writes_at_once:
                    self.writes.popleft()
                    self.writing += 1
                    return task, True, False
                if waited >= self.write_wait:
                    self.writes.popleft()
                    return task, False, True
                pause = self.write_wait - waited
            self.active_count -= 1
            self.queue_cv.wait(pause)
            self.active_count += 1

    def handler_thread(self, thread_no: int) -> None:
        while True:
            with self.lock:
                picked = self._next()
                if picked is None:
                    self.active_count -= 1
                    self.stop_count -= 1
                    self.threads.discard(thread_no)
                    self.thread_exit_cv.notify()
                    return
            task, admitted, turned_away = picked
            try:
                if turned_away:
                    task.get_environment()[BUSY_KEY] = True
                task.service()
            except BaseException:
                self.logger.exception("Exception when servicing %r", task)
            finally:
                if admitted:
                    with self.lock:
                        self.writing -= 1
                        self.queue_cv.notify()

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        with self.lock:
            while self.writes:
                self.writes.popleft()[0].cancel()
        return super().shutdown(cancel_pending, timeout)


# --- processes --------------------------------------------------------------------------


def bind(host: str, port: int, backlog: int = 1024) -> list[socket.socket]:
    """Listening sockets for `host` (each of its addresses) and `port`."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    sockets = []
    seen: set[tuple[int, Any]] = set()
    for family, kind, proto, _, address in found:
        if (family, address) in seen:  # the same address once per protocol
            continue
        seen.add((family, address))
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        listener.bind(address)
        listener.listen(backlog)
        listener.setblocking(False)
        sockets.append(listener)
    return sockets


def _stop_signal() -> Callable[[], bool]:
    """Catch SIGTERM and SIGINT from now on; the function answers whether one came."""
    came: list[int] = []

    def stop(signum: int, frame: Any) -> None:
        came.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return lambda: bool(came)


def serve_here(
    make: Callable[[], Any],
    on_start: Callable[[], Any] | None = None,
    on_stop: Callable[[], Any] | None = None,
    after_start: Callable[[], Any] | None = None,
) -> None:
    """Run one waitress server in this process until SIGTERM or SIGINT; then take no new
    connection, let the requests being served finish (up to `STOP_WAIT` seconds), close,
    and call `on_stop`. `after_start` runs in a thread of its own once the server
    listens (it may stop the server by signalling this process)."""
    stopping = _stop_signal()
    server = make()
    if on_start is not None:
        on_start()
    if after_start is not None:
        threading.Thread(target=after_start, name="aigak-after-start", daemon=True).start()
    channels = server.map if hasattr(server, "map") else server._map
    loop = server.asyncore.loop
    pause = server.adj.asyncore_loop_timeout
    try:
        while not stopping():  # a signal is seen within `pause` seconds
            loop(timeout=pause, map=channels, use_poll=server.adj.asyncore_use_poll, count=1)
        for listener in list(channels.values()):
            if isinstance(listener, BaseWSGIServer):
                wasyncore.dispatcher.close(listener)  # this process's copy of the socket
        deadline = time.monotonic() + STOP_WAIT
        while _serving(channels, server.task_dispatcher) and time.monotonic() < deadline:
            loop(timeout=0.05, map=channels, use_poll=server.adj.asyncore_use_poll, count=1)
    finally:
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
        wasyncore.close_all(channels)
        if on_stop is not None:
            on_stop()


def _serving(channels: dict, dispatcher: Any) -> bool:
    """Whether a request is still being served or answered."""
    if dispatcher.queue or getattr(dispatcher, "writes", None):
        return True
    if dispatcher.active_count > 0:
        return True
    return any(
        isinstance(c, HTTPChannel) and (c.requests or c.total_outbufs_len)
        for c in channels.values()
    )


def run(
    workers: int,
    make: Callable[[], Any],
    on_start: Callable[[], Any] | None = None,
    on_stop: Callable[[], Any] | None = None,
    after_start: Callable[[], Any] | None = None,
) -> None:
    """`workers` processes each running `serve_here(make, on_start, on_stop)`, kept at
    that number until SIGTERM or SIGINT; the sockets `make` uses are bound before.
    `after_start` runs once, in this process, when the processes have started (before
    any is replaced: no thread of it crosses a fork); it may stop them all by
    signalling this process. With one process, it runs in a thread beside the server."""
    if workers <= 1 or not hasattr(os, "fork"):
        serve_here(make, on_start, on_stop, after_start)
        return
    children: dict[int, float] = {}  # pid -> when it started
    stopping = _stop_signal()

    def start() -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                serve_here(make, on_start, on_stop)
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = time.monotonic()

    for _ in range(workers):
        start()
    if after_start is not None:
        after_start()
    stop_sent: float | None = None
    while children:
        pid, _status = os.waitpid(-1, os.WNOHANG)
        if pid:
            started = children.pop(pid, time.monotonic())
            if not stopping():
                if time.monotonic() - started < RESTART_PAUSE:
                    time.sleep(RESTART_PAUSE)
                print(f"aigak serve: process {pid} ended; starting another", file=sys.stderr)
                start()
            continue
        if stopping() and stop_sent is None:
            stop_sent = time.monotonic()
            for child in children:
                _signal(child, signal.SIGTERM)
        elif stop_sent is not None and time.monotonic() - stop_sent > STOP_WAIT + 5:
            for child in children:
                _signal(child, signal.SIGKILL)
        time.sleep(0.1)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
