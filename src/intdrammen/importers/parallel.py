"""Parse a table in child processes while this one writes to SQLite.

Parsing (Python) and inserting (SQLite, holding the GIL while it binds each row) each
take a large part of a big import; in one process they take turns on one core. Here
forked children read and check the rows and send them through pipes; the parent
inserts while they parse, so every core works.

The table is cut into blocks of `block` data rows. With `n` children, child k parses
blocks k, k + n, k + 2n, … (it reads the others and skips them) and sends every one of
its blocks, empty or not, in order; the parent takes block 0 from child 0, block 1
from child 1, and so on, so rows reach the database in file order, exactly as when
parsed in-process.

A child only parses: it never touches the database (the parent's connection is not
used across the fork), and it ends with `os._exit`, at once when the parent is gone.
Each child starts from a copy of the parent's problem log and row counts; what each
found comes back at the end and is merged into the parent's, which the parent does not
change meanwhile. On platforms without a safe `fork` (anything but Linux) the rows are
parsed in-process.
"""

from __future__ import annotations

import contextlib
import copy
import marshal
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from intdrammen.importers.rows import ProblemLog, RowCounter

Row = list[object]
Chunks = Iterator[list[Row]]
SourceRows = Iterator[tuple[int, list[Any]]]
# parse(rows) -> the good rows among `rows`, parsed (updating the log and counter)
Parse = Callable[[SourceRows], Iterator[Row]]

ROWS, PICKLED = b"m", b"p"  # how a message from a child is encoded

# Below this size a file is parsed in-process: a fork costs more than it saves.
# (Tests set it to 0 to send every import through the children.)
MIN_BYTES = 4 << 20


def available() -> bool:
    return sys.platform == "linux" and hasattr(os, "fork")


def children_for_this_machine() -> int:
    """Two parsers where there are two cores or more (the parent writes meanwhile)."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def parse_in_children(
    rows: SourceRows,
    parse: Parse,
    log: ProblemLog,
    counter: RowCounter,
    *,
    block: int,
    n: int = 2,
) -> Chunks:
    """Yield the good rows of `rows`, parsed by `parse` in `n` forked children, one list
    per block in file order; afterwards `log` and `counter` hold what the children
    found. An error raised while parsing is raised here."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    base = copy.deepcopy(log)
    pipes = [context.Pipe(duplex=False) for _ in range(n)]
    children = []
    for k in range(n):
        child = context.Process(
            target=_child,
            args=(rows, parse, log, counter, k, n, block, pipes),
            name=f"intd-parser-{k}",
            daemon=True,
        )
        child.start()
        children.append(child)
    receivers = [receiver for receiver, _sender in pipes]
    for _receiver, sender in pipes:
        sender.close()
    finals: dict[int, tuple[ProblemLog, RowCounter]] = {}
    seen = [0] * n  # rows read by each child so far, for the progress bar
    try:
        expected = 0
        while len(finals) < n:
            k = expected % n if not finals else next(i for i in range(n) if i not in finals)
            what, payload = _receive(receivers[k], children[k])
            if what == "block" and not finals:
                index, seen[k], chunk = payload
                if index != expected:
                    raise RuntimeError(f"parser {k} sent block {index}, expected {expected}")
                counter.rows = sum(seen)
                if chunk:
                    yield chunk
                expected += 1
            elif what == "done":
                finals[k] = payload
            else:
                raise RuntimeError(f"parser {k} sent {what!r} after the last block")
    finally:
        for receiver in receivers:
            receiver.close()
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
                child.join()
    _merge(log, base, [finals[k][0] for k in range(n)])
    counter.rows = sum(final.rows for _log, final in finals.values())
    counter.good = sum(final.good for _log, final in finals.values())


def _receive(receiver: Any, child: Any) -> tuple[str, Any]:
    try:
        message = receiver.recv_bytes()
    except EOFError:
        raise RuntimeError(
            f"a parser process stopped unexpectedly (exit code {child.exitcode})"
        ) from None
    if message[:1] == ROWS:
        return "block", marshal.loads(message[1:])  # noqa: S302 - from our own child
    what, payload = pickle.loads(message[1:])  # noqa: S301 - from our own child
    if what == "failed":
        raise payload
    return str(what), payload


def _merge(log: ProblemLog, base: ProblemLog, finals: Iterable[ProblemLog]) -> None:
    """Each child's log is the parent's (`base`) plus what that child found: add up the
    findings, keeping the first `cap` of each severity by row."""
    finals = list(finals)
    for severity in ("errors", "warnings"):
        before: list[Any] = getattr(base, severity)
        found = [p for final in finals for p in getattr(final, severity)[len(before) :]]
        found.sort(key=lambda p: (p.file, p.sheet or "", p.row or 0))
        setattr(log, severity, (before + found)[: log.cap])
        total = f"{severity[:-1]}_total"
        added = sum(getattr(final, total) - getattr(base, total) for final in finals)
        setattr(log, total, getattr(base, total) + added)
    for name in ("bad_rows", "bad_cells"):
        merged: dict[Any, dict[int, Any]] = copy.deepcopy(getattr(base, name))
        for final in finals:
            for where, per_row in getattr(final, name).items():
                merged.setdefault(where, {}).update(per_row)
        setattr(log, name, merged)
    for final in finals:  # what date columns showed: merged into the parent's own
        for key, column in final.dates.items():
            log.dates.setdefault(key, column).merge(column)


class _Share:
    """The rows of the blocks one child parses (block b is its own when b % n == k),
    remembering the block of the row handed out last."""

    def __init__(self, rows: SourceRows, k: int, n: int, block: int) -> None:
        self.rows, self.k, self.n, self.size = rows, k, n, block
        self.block = k - n  # no row yet
        self.last = k - n

    def __iter__(self) -> SourceRows:
        for index, row in enumerate(self.rows):
            b = index // self.size
            if b % self.n == self.k:
                self.block = self.last = b
                yield row


def _child(
    rows: SourceRows,
    parse: Parse,
    log: ProblemLog,
    counter: RowCounter,
    k: int,
    n: int,
    block: int,
    pipes: list[tuple[Any, Any]],
) -> None:
    # Only this child's sending end stays open here. With the parent's ends closed, a
    # write fails (BrokenPipeError) the moment the parent is gone, even killed with -9,
    # and this process ends instead of waiting forever on a full pipe.
    sender = pipes[k][1]
    for i, (receiver, other) in enumerate(pipes):
        receiver.close()
        if i != k:
            other.close()
    try:
        share = _Share(rows, k, n, block)
        current = k  # the next block of ours to send
        buffer: list[Row] = []  # its good rows so far
        for good in parse(iter(share)):
            while current < share.block:
                _send_block(sender, current, counter.rows, buffer)
                current, buffer = current + n, []
            buffer.append(good)
        while current <= share.last:  # our blocks up to the end, empty ones too
            _send_block(sender, current, counter.rows, buffer)
            current, buffer = current + n, []
        sender.send_bytes(PICKLED + pickle.dumps(("done", (log, counter))))
    except BrokenPipeError:
        pass  # the parent has gone: nothing to report to
    except BaseException as exc:  # everything goes back to the parent
        with contextlib.suppress(BrokenPipeError):
            sender.send_bytes(PICKLED + pickle.dumps(("failed", _transportable(exc))))
    finally:
        sender.close()
        os._exit(0)


def _send_block(sender: Any, index: int, read: int, rows: list[Row]) -> None:
    try:  # marshal is several times faster than pickle for rows of plain values
        sender.send_bytes(ROWS + marshal.dumps((index, read, rows)))
    except ValueError:
        sender.send_bytes(PICKLED + pickle.dumps(("block", (index, read, rows))))


def _transportable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a plain RuntimeError."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, just made
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
