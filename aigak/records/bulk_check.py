"""Checking and preparing the rows of an import, without touching the database.

`check_file` runs every row through the form's rules (`clean_answers`) and turns each
good one into what the database stores (answers as JSON, search texts, choice words,
the person's name), in forked worker processes for a long file. Inside a caller's
transaction every row is checked before the first is written, so the write lock is held
for the write alone. `aigak import` (an import run, `records.importing`) reads the whole
file first (`checked_ahead`: its record ids known before anything is written), and
writes each checked chunk while the worker processes check the next ones.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

import orjson
from django.utils.translation import gettext_noop

from aigak.questionnaires.validation import Problem, clean_answers
from aigak.questionnaires.xlsform import FormDefinition, Section
from aigak.records.hooks import Preparers, prepare_rows
from aigak.records.ids import record_id_problems
from aigak.records.search import choice_words, search_texts

log = logging.getLogger(__name__)

NAME_FIELD = "full_name"
BATCH = 500  # rows per INSERT: 16 columns x 500 stays under every parameter limit


def checking_definition(definition: FormDefinition) -> FormDefinition:
    """The form with the relevance conditions an import cannot be affected by left out.

    An import keeps answers of irrelevant fields (`keep_irrelevant`), so relevance only
    decides whether `required` and `constraint` apply. Conditions of fields without
    either, and of groups holding none, are dropped: the same verdict on every row for a
    fraction of the expression evaluations.
    """
    fields = {
        name: f if f.required or f.constraint else dataclasses.replace(f, relevant="")
        for name, f in definition.fields.items()
    }

    def checks_inside(section: Section) -> bool:
        return any(
            checks_inside(c)
            if isinstance(c, Section)
            else bool(fields[c].required or fields[c].constraint)
            for c in section.children
        )

    def prune(section: Section) -> Section:
        children = [prune(c) if isinstance(c, Section) else c for c in section.children]
        relevant = section.relevant if checks_inside(section) else ""
        return dataclasses.replace(section, children=children, relevant=relevant)

    return dataclasses.replace(definition, fields=fields, root=prune(definition.root))


# What the database stores of a row: the answers as JSON; the public and confidential
# search texts and the choice words; the person's name ("" for none).
Prepared = tuple[str, str, str, str, str]
# The verdict on a row: its number, its problems and its record id.
Verdict = tuple[int, list[Problem], str]
# A row to check: its number, its raw answers, and its record id when the form has no
# record_id field (None when it has: the id is then one of the answers).
Raw = tuple[int, dict[str, Any], Any]
# Where the prepared rows of one chunk wait: a file of the spool folder and an offset.
Place = tuple[str, int]
CHUNK = 1000  # rows handed to a checking process at a time
# Chunks in a worker's hands or checked and not yet written: enough to keep it busy
# while the write goes on; their verdicts wait in the importing process's memory.
AHEAD_PER_WORKER = 4
_form: FormDefinition | None = None  # the form, in a checking process
_preparers: Preparers = ()  # the apps' parts of a row (`hooks.import_preparers`), in one
_folder = ""  # the spool folder, in a checking process
_spool: IO[bytes] | None = None  # the checking process's file in it


def _check(
    definition: FormDefinition, chunk: list[Raw], preparers: Preparers = ()
) -> tuple[list[Verdict], list[Row]]:
    verdicts: list[Verdict] = []
    good: list[Row] = []
    checked: list[tuple[dict[str, Any], str]] = []  # for the other apps' parts
    for number, raw, given in chunk:
        answers, problems = clean_answers(definition, raw, keep_irrelevant=True)
        record_id = str((answers.get("record_id") if given is None else given) or "")
        problems += record_id_problems({"record_id": record_id})
        verdicts.append((number, problems, record_id))
        if not problems and record_id:
            good.append(Row(record_id, _prepared(definition, answers, record_id)))
            checked.append((answers, record_id))
    if any(preparers) and good:  # a chunk at a time: cheaper than row by row
        good = [row._replace(parts=p) for row, p in zip(good, prepare_rows(preparers, checked), strict=True)]  # fmt: skip
    return verdicts, good


def _dump(handle: IO[bytes], rows: list[Any]) -> Place:
    """Write one chunk's prepared rows (or, `checked_ahead`, its raw ones) to a spool
    file; where they are."""
    offset = handle.tell()
    pickle.dump(rows, handle, pickle.HIGHEST_PROTOCOL)
    handle.flush()
    return handle.name, offset


def prepare(definition: FormDefinition, answers: dict[str, Any]) -> Prepared | None:
    """The answers as JSON and the record's search texts: what the database stores."""
    record_id = answers.get("record_id")
    if not record_id:
        return None
    return _prepared(definition, answers, str(record_id))


def _prepared(definition: FormDefinition, answers: dict[str, Any], record_id: str) -> Prepared:
    text = orjson.dumps(answers).decode()
    public, private = search_texts(definition, answers, record_id)
    name = answers.get(NAME_FIELD)
    return text, public, private, choice_words(definition, answers), str(name)[:300] if name else ""


def _start_worker(
    definition: FormDefinition, folder: str, preparers: Preparers, parent: int = 0
) -> None:
    global _form, _folder, _preparers
    _form, _folder, _preparers = definition, folder, preparers
    gc.enable()  # paused by the parent for the fork (`_forked_pool`)
    _end_with(parent)


def _end_with(parent: int) -> None:
    """This checking process ends when the import that forked it is killed (kill -9, a
    crash): it would otherwise wait for ever on its task queue, whose writing end it
    holds too. Linux sends a process a signal at its parent's death when asked (prctl's
    PR_SET_PDEATHSIG); a parent already gone shows as another parent."""
    if not parent or not sys.platform.startswith("linux"):
        return
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


@contextlib.contextmanager
def _forked_pool(workers: int, start: tuple[Any, ...]) -> Iterator[ProcessPoolExecutor]:
    """The checking processes, forked with the parent's objects frozen (`gc.freeze`).

    A forked child's collector would otherwise walk, and free, the cycles it inherited:
    objects of threads and libraries that exist only in the parent (a crash in the
    child's first collection was seen in the test suite, after other tests' threads).
    Frozen, they are left alone in the child, and their pages stay shared. As Python's
    documentation of `gc.freeze` advises: collector paused in the parent, objects frozen
    right before the fork, collector on again in the child (`_start_worker`).

    A pool of `concurrent.futures`, not `multiprocessing.Pool`: when a process dies, the
    latter replaces it and waits for ever on the chunk it had; this one raises
    `BrokenProcessPool` (`checked_ahead` then checks the rest here). With "fork" it
    forks every process at its first task, so that task is given inside the freeze."""
    collecting, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.disable()
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(
            workers, context, initializer=_start_worker, initargs=(*start, os.getpid())
        )
        pool.submit(os.getpid)  # forks the processes now, while frozen
    finally:
        if not frozen:  # a command's set-up froze its own (`cli.set_up_django`): kept so
            gc.unfreeze()
        if collecting:
            gc.enable()
    with pool:
        yield pool


def _check_in_worker(chunk: list[Raw]) -> tuple[list[Verdict], Place]:
    global _spool
    assert _form is not None
    verdicts, good = _check(_form, chunk, _preparers)
    if _spool is None:  # this worker's own file, open until the worker ends
        _spool = open(os.path.join(_folder, f"rows-{os.getpid()}"), "ab")  # noqa: SIM115
    return verdicts, _dump(_spool, good)


def _load(place: Place) -> Any:
    """One chunk of a spool file (`_dump`), raw or prepared rows."""
    name, offset = place
    with open(name, "rb") as handle:
        handle.seek(offset)
        return pickle.load(handle)


def _check_spooled(place: Place) -> tuple[list[Verdict], Place]:
    """A chunk the reading process left in the spool (`checked_ahead`), checked."""
    return _check_in_worker(_load(place))


def _workers() -> int:
    """Processes to check rows with: one per CPU up to four, none off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return 0  # a web server's thread: forking it is not worth the risk
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return min(4, cpus) if cpus > 1 else 0


def _checked_here(
    definition: FormDefinition, chunks: Iterable[list[Raw]], folder: str, preparers: Preparers
) -> Iterator[tuple[list[Verdict], Place]]:
    """Chunks checked in this process, their rows spooled to a file of its own."""
    with open(os.path.join(folder, "rows"), "ab") as handle:
        for chunk in chunks:
            verdicts, good = _check(definition, chunk, preparers)
            yield verdicts, _dump(handle, good)


class Ahead(NamedTuple):
    """A file read to its end (`checked_ahead`): the record ids of its rows as read, and
    the verdicts on its chunks as they are checked, in order, with where the good rows
    wait."""

    record_ids: list[str]
    results: Iterator[tuple[list[Verdict], Place]]


@contextlib.contextmanager
def checked_ahead(
    definition: FormDefinition, rows: Iterable[Raw], folder: str, preparers: Preparers = ()
) -> Iterator[Ahead]:
    """Every row read before any is written, the checking going on while the caller writes.

    The caller needs every record id of the file before its first write (an import run
    reserves them, `importing.reserve_record_ids`), and a file's rows do not all fit in
    memory: this process reads the whole file into a spool of raw chunks (fast beside
    the checking) and hands the worker processes their places as it goes, at most
    AHEAD_PER_WORKER chunks each ahead of the caller; they check them in order
    meanwhile, writing the prepared rows to files of their own in `folder` and sending
    back only the verdicts. With no workers (a single CPU, a web server's thread) or a
    single chunk, every chunk is checked here before the caller gets any: there is
    nothing to write at the same time as. If a checking process dies (a crash in a
    library), the chunks not yet taken are checked here: the same verdicts, later, and
    a warning in the log. `preparers` add the other apps' parts of each good row
    (`hooks.import_preparers`).
    """
    record_ids: list[str] = []

    def noted(raw: Iterable[Raw]) -> Iterator[Raw]:
        for number, answers, given in raw:
            record_id = answers.get("record_id") if given is None else given
            record_ids.append(str(record_id) if record_id is not None else "")
            yield number, answers, given

    chunks = _chunked(noted(rows), CHUNK)
    head = list(itertools.islice(chunks, 2))
    workers = _workers()
    if len(head) < 2 or not workers:
        done = list(_checked_here(definition, itertools.chain(head, chunks), folder, preparers))
        yield Ahead(record_ids, iter(done))
        return
    with (
        _forked_pool(workers, (definition, folder, preparers)) as pool,
        open(os.path.join(folder, "raw"), "ab") as spool,
    ):
        # Chunks handed to the workers and not yet taken by the caller: enough to keep
        # them busy while this process reads, few enough that the verdicts checked
        # ahead of the write stay small. The others wait in the spool.
        pending: deque[tuple[Place, Future[tuple[list[Verdict], Place]]]] = deque()
        waiting: deque[Place] = deque()

        def hand(place: Place) -> None:
            if len(pending) < AHEAD_PER_WORKER * workers:
                with contextlib.suppress(BrokenProcessPool):  # then checked here, below
                    pending.append((place, pool.submit(_check_spooled, place)))
                    return
            waiting.append(place)

        for chunk in itertools.chain(head, chunks):
            hand(_dump(spool, chunk))

        def results() -> Iterator[tuple[list[Verdict], Place]]:
            while pending:
                try:
                    result = pending[0][1].result()
                except BrokenProcessPool:
                    break
                pending.popleft()
                if waiting:
                    hand(waiting.popleft())
                yield result
            lost = [place for place, _ in pending] + list(waiting)
            if lost:  # a checking process died: the rest is checked here, in order
                log.warning("a checking process of the import stopped; the rest of the "
                            "file is checked in the importing process")  # fmt: skip
                yield from _checked_here(definition, map(_load, lost), folder, preparers)

        yield Ahead(record_ids, results())


@dataclass
class CheckedFile:
    """The rows of a file checked and prepared, and the problems found in them.

    The prepared rows wait in files of a temporary folder (pickled chunks), so memory
    stays flat; `batches` reads them back, in order, for the transactions that write
    them (`chunk`, one chunk). `take` adds the verdicts on each chunk, in order, as they
    come. `close` removes the folder.
    """

    problems: list[tuple[int, Problem]] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)  # record id: its row number
    preparers: Preparers = ()
    folder: tempfile.TemporaryDirectory[str] = field(
        default_factory=lambda: tempfile.TemporaryDirectory(prefix="aigak-import-")
    )

    @property
    def rows(self) -> int:
        return len(self.seen)

    @property
    def record_ids(self) -> list[str]:
        """Of the rows, in order."""
        return list(self.seen)

    def take(self, verdicts: list[Verdict], place: Place) -> None:
        """The verdicts on the next chunk: their problems, and record ids given twice
        (on two rows of this chunk or of any before it)."""
        self.places.append(place)
        for number, problems, record_id in verdicts:
            self.problems.extend((number, p) for p in problems)
            if not record_id and not problems:
                needed = gettext_noop("every row needs a record_id")
                self.problems.append((number, Problem.said("record_id", "", "required", needed)))
            if record_id:
                if record_id in self.seen:
                    also = Problem.said(
                        "record_id", record_id, "unique", gettext_noop("also on row %(row)s"),
                        row=self.seen[record_id],
                    )  # fmt: skip
                    self.problems.append((number, also))
                self.seen[record_id] = number

    def batches(self) -> Iterator[list[Row]]:
        for place in self.places:
            yield self.chunk(place)

    def chunk(self, place: Place) -> list[Row]:
        """The prepared rows of one chunk."""
        rows: list[Row] = _load(place)
        return rows

    def close(self) -> None:
        self.folder.cleanup()


def check_file(
    definition: FormDefinition,
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    id_is_field: bool,
    progress: Callable[[int], None] | None = None,
    preparers: Preparers = (),
) -> CheckedFile:
    """Check and prepare every row, outside any transaction; problems name the row.

    Also refused: a row without a record_id, and a record_id given on two rows.
    """
    result = CheckedFile(preparers=preparers)
    raw = raw_rows(rows, id_is_field=id_is_field)
    with checked_ahead(definition, raw, result.folder.name, preparers) as ahead:
        for verdicts, place in ahead.results:
            result.take(verdicts, place)
            if progress:
                progress(len(verdicts))
    return result


def raw_rows(rows: Iterable[tuple[int, dict[str, Any]]], *, id_is_field: bool) -> Iterable[Raw]:
    """The rows as the checking takes them (`Raw`)."""
    return ((n, r, None) for n, r in rows) if id_is_field else _without_ids(rows)


def _without_ids(rows: Iterable[tuple[int, dict[str, Any]]]) -> Iterator[Raw]:
    """A form of a centre's own may leave record_id out of its fields: take it apart."""
    for number, raw in rows:
        yield number, {k: v for k, v in raw.items() if k != "record_id"}, raw.get("record_id")


def _chunked(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Row(NamedTuple):
    """One checked row, ready to write (a tuple: cheaper to pickle than an object), with
    the other apps' parts of it (`hooks.prepare_row`; empty when none has a part)."""

    record_id: str
    prepared: Prepared
    parts: tuple[Any, ...] = ()
