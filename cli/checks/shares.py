"""Work over many files shared between this process and forked ones: the list is cut into
spans, every process (this one too) takes the next span when it is free, and each span's
answers come back to this process, which hands them on as they come.

How the spans are handed out: their numbers are written into a pipe before any worker is
forked, and every process reads the next number from it (a read of a pipe is one at a time;
no lock, so a worker that dies holds nothing up). A worker sends each span's answers back
as one pickled message on a pipe of its own. This process works through spans too, and
between two of its own reads what the workers sent. When the numbers are used up it reads
each worker to the end; a span that no worker sent back (a worker killed, or failing on a
file) is then worked here, so that every span is answered exactly once, and a failure is
raised here as it would be without workers.

`first` runs here once the workers are started: work that is needed before the answers
are used, but not by the workers (the meta-schema check of `validate`), is done while they
work instead of before.
"""

from __future__ import annotations

import gc
import os
import pickle
import struct
from collections.abc import Callable
from typing import Any

Work = Callable[[int, int], list[Any]]  # the answers for the items start..stop-1
Take = Callable[[int, int, list[Any]], None]  # called here with each span's answers, once per span

YOUNG = 20_000  # objects made between two collections of the youngest generation (Python's default: 700)
STEP = 8  # items this process works between two looks at what the workers sent (a big answer fills a pipe)
MAX_SPANS = 2048  # span numbers written at once (2 bytes each): well within a pipe's buffer


def spans_of(count: int, processes: int) -> list[tuple[int, int]]:
    """The spans `count` items are cut into: small enough that the processes end close
    together (at most 100 items, about 32 per process), few enough to hand out at once."""
    size = max(10, min(100, count // (processes * 32) or 1), -(-count // MAX_SPANS))
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def can_fork() -> bool:
    return hasattr(os, "fork")


def run(count: int, work: Work, take: Take, *, processes: int, first: Callable[[], None] | None = None) -> None:
    """Work through `count` items in `processes` processes (this one and forked workers),
    giving `take` each span's answers once. `work` must be fit to run in a forked copy of
    this process (everything it needs set up before the call)."""
    from multiprocessing.connection import Pipe

    spans = spans_of(count, processes)
    read_numbers, write_numbers = os.pipe()
    try:
        os.write(write_numbers, struct.pack(f"<{len(spans)}H", *range(len(spans))))
    finally:
        os.close(write_numbers)
    workers: dict[int, Any] = {}  # pid -> the connection its answers come on
    done: set[int] = set()

    def receive(connection: Any, block: bool) -> bool:
        """Take what one worker sent (all of it, or what is there now); False at its end."""
        while block or connection.poll(0):
            try:
                number, answers = pickle.loads(connection.recv_bytes())
            except (EOFError, OSError):
                return False
            if number not in done:
                done.add(number)
                take(*spans[number], answers)
        return True

    threshold = gc.get_threshold()
    gc.freeze()  # no process scans (nor a worker copies) the objects made before, when it collects
    gc.set_threshold(max(threshold[0], YOUNG), *threshold[1:])  # most of what a file makes is gone before
    try:
        for _ in range(processes - 1):
            reader, writer = Pipe(duplex=False)
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the worker's side; it leaves by os._exit
                _serve(read_numbers, writer, spans, work)
            writer.close()
            workers[pid] = reader
        if first is not None:
            first()

        def listen() -> None:
            for pid, connection in list(workers.items()):
                if not receive(connection, block=False):
                    _reap(workers, pid)

        while True:
            number = _next(read_numbers)
            if number is None:
                break
            start, stop = spans[number]
            answers = []
            for step in range(start, stop, STEP):  # a worker's answers read every few items: it never waits long
                answers.extend(work(step, min(step + STEP, stop)))
                listen()
            done.add(number)
            take(start, stop, answers)
        for pid, connection in list(workers.items()):
            receive(connection, block=True)
            _reap(workers, pid)
        for number, span in enumerate(spans):  # what no worker sent back
            if number not in done:
                done.add(number)
                take(*span, work(*span))
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
        os.close(read_numbers)
        for pid in list(workers):
            _reap(workers, pid, stop=True)


def _next(numbers: int) -> int | None:
    got = os.read(numbers, 2)
    return struct.unpack("<H", got)[0] if len(got) == 2 else None


def _serve(numbers: int, writer: Any, spans: list[tuple[int, int]], work: Work) -> None:  # pragma: no cover
    """A worker: the next span while there is one, its answers sent back; then gone, without
    running this process's exit handlers or flushing its buffers (they are the parent's)."""
    code = 1
    try:
        while True:
            number = _next(numbers)
            if number is None:
                break
            writer.send_bytes(pickle.dumps((number, work(*spans[number])), protocol=pickle.HIGHEST_PROTOCOL))
        writer.close()
        code = 0
    except BaseException:  # a file it fails on, Ctrl-C: the parent works the span again and says why
        pass
    finally:
        os._exit(code)


def _reap(workers: dict[int, Any], pid: int, *, stop: bool = False) -> None:
    import signal

    connection = workers.pop(pid)
    connection.close()
    if stop:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
