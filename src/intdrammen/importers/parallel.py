"""Parse a table in a child process while this one writes to SQLite.

Parsing (Python) and inserting (SQLite, holding the GIL while it binds each row) each
take about half of a large import; in one process they take turns on one core. Here a
forked child reads and checks the rows and sends them in chunks through a pipe; the
parent inserts one chunk while the child parses the next, so both cores work.

The child only parses: it never touches the database (the parent's connection is not
used across the fork), and it ends with `os._exit` when the parent is gone. Its
problem log and row counts come back at the end and replace the parent's copies, which
the parent does not change meanwhile. On platforms without a safe `fork` (anything but
Linux) the same chunks are produced in-process.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from typing import Any

from intdrammen.importers.rows import ProblemLog, RowCounter

Chunks = Iterator[list[list[object]]]

ROWS, PICKLED = b"m", b"p"  # how a message from the child is encoded

# Below this size a file is parsed in-process: a fork costs more than it saves.
# (Tests set it to 0 to send every import through the child.)
MIN_BYTES = 4 << 20


def available() -> bool:
    return sys.platform == "linux" and hasattr(os, "fork")


def parse_in_child(produce: Callable[[], Chunks], log: ProblemLog, counter: RowCounter) -> Chunks:
    """Yield the chunks `produce()` yields, computed in a forked child; afterwards `log`
    and `counter` hold what the child found. An error raised while parsing is raised
    here."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child,
        args=(produce, log, counter, sender, receiver),
        name="intd-parser",
        daemon=True,
    )
    child.start()
    sender.close()
    try:
        while True:
            try:
                message = receiver.recv_bytes()
            except EOFError:
                raise RuntimeError(
                    f"the parser process stopped unexpectedly (exit code {child.exitcode})"
                ) from None
            if message[:1] == ROWS:
                counter.rows, chunk = marshal.loads(message[1:])  # noqa: S302 - our child
                yield chunk
                continue
            what, *rest = pickle.loads(message[1:])  # noqa: S301 - from our own child
            if what == "done":
                found, counted = rest
                log.__dict__.update(found.__dict__)
                counter.rows, counter.good = counted.rows, counted.good
                return
            if what == "rows":
                chunk, counter.rows = rest
                yield chunk
                continue
            raise rest[0]
    finally:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
            child.join()


def _child(
    produce: Callable[[], Chunks],
    log: ProblemLog,
    counter: RowCounter,
    sender: Any,
    receiver: Any,
) -> None:
    # The parent's end of the pipe must not stay open here too: with it closed, a write
    # fails (BrokenPipeError) the moment the parent is gone, even killed with -9, and
    # this process ends instead of waiting forever on a full pipe.
    receiver.close()
    try:
        for chunk in produce():
            try:  # marshal is several times faster than pickle for rows of plain values
                sender.send_bytes(ROWS + marshal.dumps((counter.rows, chunk)))
            except ValueError:
                sender.send_bytes(PICKLED + pickle.dumps(("rows", chunk, counter.rows)))
        sender.send_bytes(PICKLED + pickle.dumps(("done", log, counter)))
    except BrokenPipeError:
        pass  # the parent has gone: nothing to report to
    except BaseException as exc:  # everything goes back to the parent
        with contextlib.suppress(BrokenPipeError):
            sender.send_bytes(PICKLED + pickle.dumps(("failed", _transportable(exc))))
    finally:
        sender.close()
        os._exit(0)


def _transportable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a plain RuntimeError."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, just made
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
