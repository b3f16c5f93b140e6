"""`make bench`: intd against its performance targets, all measured in one run, as one table.

intd is a black box here: every measurement is a child process (`python -m intdrammen
...`, or a plain-Python floor) whose wall time and peak memory (max RSS of that child, from
`wait4`) are taken. Ratios compare measurements of this same run, side by side; short
commands are run round-robin, best of k, so that a noisy moment of the machine slows one
round of every program compared rather than every run of one of them. Each child has a
timeout: a hung or failing step marks its line TIMEOUT or FAILED and the bench goes on.

Lines (N placements + N/5 participants, default N = 1M):

- floor: csv.reader + executemany, one transaction, no key, no index, no validation;
- intd import of the N files into a new database: <= 1.2x the floor, peak <= 256 MiB;
- the same at 3N placements: peak within 10 % of the N import's (memory must not grow);
- 10k new placements and their new participants into the N database vs into an empty
  one: <= 2x; the unchanged N files again into the N database: <= the first import;
- a 200k-row participants workbook (real dates and numbers): <= 4 s;
- `intd progress --year 2019` on N vs a 1k-placement database: <= 2x; `intd report` and
  `intd report --region Drammensregionen`: <= 3x, peak <= 150 MiB;
- the N files imported into PostgreSQL (issue 16; a cluster started for the bench on
  loopback, when the machine has the server binaries) vs the SQLite import: <= 1.5x;
  `intd progress --year 2019` on it vs on the SQLite N database: <= 2x;
- `intd --help` and the slowest `intd COMMAND --help` vs a bare Typer app: <= 1.5x.

The data (scripts/make_sample.py, deterministic) is generated once and cached under
bench/data, one folder per size. The table is printed and written, with the machine it
ran on, to bench/results.json. Exit status 1 when a step failed (or, with --strict, when
a target was missed).

Usage: python bench/run.py [--placements 1000000] [--quick] [--out bench/results.json]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
INTD = [PY, "-m", "intdrammen"]

# The floor: what plain Python and SQLite do with the same two files at the least.
FLOOR = r"""
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN")
for path in sys.argv[2:]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        name = path.rsplit("/", 1)[-1].split(".")[0]
        conn.execute(f"CREATE TABLE {name} ({', '.join(header)})")
        marks = ", ".join("?" * len(header))
        conn.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
conn.execute("COMMIT")
"""

BARE_TYPER = """
import typer
app = typer.Typer()
@app.command()
def one(name: str = "x") -> None: print(name)
@app.command()
def two() -> None: pass
app()
"""

# The commands `intd --help` lists, asked of the app in a child process.
COMMANDS = (
    "from typer.main import get_group; from intdrammen.cli import app; "
    "print(' '.join(sorted(get_group(app).commands)))"
)

# The SQLite the ADBC driver bundles (the import engine may write through it).
ADBC_SQLITE = (
    "import adbc_driver_sqlite.dbapi as d; c = d.connect(); k = c.cursor(); "
    "k.execute('select sqlite_version()'); print(k.fetchone()[0])"
)


class StepFailed(Exception):
    """A child process that timed out or exited non-zero: its line fails, not the bench."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status  # "timeout" or "failed"
        self.message = message


@dataclass(frozen=True)
class Run:
    wall_s: float
    peak_mib: float
    walls_s: tuple[float, ...] = ()  # every round's, when this is the best of several


def run(args: list[str], env: dict[str, str] | None, timeout: float) -> Run:
    """Run a child to its end: wall seconds and its own peak RSS (`wait4`, so neither the
    bench nor earlier children count). Past `timeout` seconds its process group is killed."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=out, stderr=err, start_new_session=True)
        fired = threading.Event()

        def kill() -> None:
            fired.set()
            with contextlib.suppress(ProcessLookupError):  # it ended just now
                os.killpg(child.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        command = " ".join(Path(a).name if "/" in a else a for a in args[:8])
        if fired.is_set():
            raise StepFailed("timeout", f"{command}: no result after {timeout:.0f} s")
        if child.returncode != 0:
            err.seek(0)
            lines = err.read().decode("utf-8", "replace").strip().splitlines()
            tail = " | ".join(lines[-3:]) or "no message"
            raise StepFailed("failed", f"{command}: exit {child.returncode}: {tail}")
        return Run(wall, usage.ru_maxrss / 1024)


@dataclass
class Program:
    args: list[str]
    prepare: Callable[[], None] | None = None  # untimed, before each run


def round_robin(
    programs: dict[str, Program], env: dict[str, str], rounds: int, timeout: float
) -> dict[str, Run | StepFailed]:
    """Best wall time (and the highest peak) of each program over `rounds` rounds that
    run them all in turn. A program that fails is left out of the later rounds."""
    runs: dict[str, list[Run]] = {label: [] for label in programs}
    failed: dict[str, StepFailed] = {}
    for _round in range(rounds):
        for label, program in programs.items():
            if label in failed:
                continue
            if program.prepare is not None:
                program.prepare()
            try:
                runs[label].append(run(program.args, env, timeout))
            except StepFailed as problem:
                failed[label] = problem
    best: dict[str, Run | StepFailed] = dict(failed)
    for label, done in runs.items():
        if label not in failed:
            walls = tuple(r.wall_s for r in done)
            best[label] = Run(min(walls), max(r.peak_mib for r in done), walls)
    return best


@dataclass
class Target:
    measure: str  # "ratio", "peak_mib" or "wall_s"
    limit: float
    met: bool | None = None

    def text(self) -> str:
        unit = {"ratio": "×", "peak_mib": " MiB", "wall_s": " s"}[self.measure]
        number = f"{self.limit:.2f}".rstrip("0").rstrip(".") if self.measure == "ratio" else ""
        return f"≤ {number or f'{self.limit:g}'}{unit}"


@dataclass
class Line:
    """One line of the table: what was measured, its result, what it is compared with."""

    key: str
    what: str
    targets: list[Target] = field(default_factory=list)
    wall_s: float | None = None
    peak_mib: float | None = None
    walls_s: list[float] = field(default_factory=list)  # of every round
    versus: str = ""  # what the ratio is taken against, with its value
    ratio: float | None = None
    ratio_of: str = "wall"  # the ratio of wall times, or of peaks
    status: str = "pending"  # ok, failed, timeout, skipped
    error: str = ""

    def judge(self) -> None:
        values = {"ratio": self.ratio, "peak_mib": self.peak_mib, "wall_s": self.wall_s}
        for target in self.targets:
            value = values[target.measure]
            target.met = None if value is None else value <= target.limit

    @property
    def passed(self) -> bool | None:
        if self.status != "ok" or not self.targets:
            return None
        return all(t.met for t in self.targets)

    def verdict(self) -> str:
        if self.status != "ok":
            return self.status.upper()
        if self.passed is None:
            return "—"
        return "PASS" if self.passed else "MISS"

    def fail(self, problem: StepFailed | str) -> None:
        if isinstance(problem, StepFailed):
            self.status, self.error = problem.status, problem.message
        else:
            self.status, self.error = "skipped", problem


def size(n: int) -> str:
    """1000000 -> 1M, 200000 -> 200k, 2500 -> 2.5k."""
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + unit
    return str(n)


@dataclass(frozen=True)
class DataSet:
    placements: int
    participants: int
    seed: int = 2016
    prefix: str = ""

    @property
    def name(self) -> str:
        extra = f"-{self.prefix}{self.seed}" if self.prefix or self.seed != 2016 else ""
        return f"csv-{self.placements}-{self.participants}{extra}"

    def files(self, data: Path) -> list[str]:
        folder = data / self.name
        return [str(folder / "participants.csv"), str(folder / "placements.csv")]


def generate(data: Path, dataset: DataSet, timeout: float) -> Path:
    """The data set's CSV files, generated once into a folder of their own (written under
    a temporary name first, so an interrupted run leaves no half data set behind)."""
    folder = data / dataset.name
    if (folder / "placements.csv").exists():
        return folder
    note(f"generating {dataset.placements:,} placements + {dataset.participants:,} participants")
    partial = data / f".partial-{dataset.name}"
    shutil.rmtree(partial, ignore_errors=True)
    args = [PY, str(ROOT / "scripts" / "make_sample.py"), "--format", "csv", "--out", str(partial)]
    args += ["--placements", str(dataset.placements), "--participants", str(dataset.participants)]
    args += ["--seed", str(dataset.seed)] + (["--id-prefix", dataset.prefix] * bool(dataset.prefix))
    try:
        run(args, None, timeout * 4)
    except StepFailed as problem:
        raise SystemExit(f"could not generate the bench data: {problem.message}") from None
    partial.rename(folder)
    return folder


def write_workbook(csv_path: Path, xlsx_path: Path, rows: int) -> None:
    """The first `rows` participants of the CSV as an Excel workbook, with real dates and
    numbers, as an office's export would be."""
    import xlsxwriter

    partial = xlsx_path.with_name(f".partial-{xlsx_path.name}")
    book = xlsxwriter.Workbook(str(partial), {"constant_memory": True})
    sheet = book.add_worksheet("Deltakere")
    dmy = book.add_format({"num_format": "dd.mm.yyyy"})
    with csv_path.open(newline="", encoding="utf-8") as handle:
        for r, row in enumerate(csv.reader(handle)):
            if r > rows:
                break
            for c, value in enumerate(row):
                if r and value and c in (6, 7, 8):
                    sheet.write_datetime(r, c, date.fromisoformat(value), dmy)
                elif r and value and c == 2:
                    sheet.write_number(r, c, int(value))
                else:
                    sheet.write_string(r, c, value)
    book.close()
    partial.rename(xlsx_path)


def note(text: str) -> None:
    print(f"· {text}", file=sys.stderr, flush=True)


def fresh(*paths: Path) -> Callable[[], None]:
    """A preparation that removes database files (and their journals) before a run."""

    def remove() -> None:
        for path in paths:
            for extra in ("", "-journal", "-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)

    return remove


def copy_of(source: Path, target: Path) -> Callable[[], None]:
    """A preparation that makes `target` an exact copy of the database `source`."""

    def copy() -> None:
        fresh(target)()
        for extra in ("", "-wal"):
            if Path(f"{source}{extra}").exists():
                shutil.copyfile(f"{source}{extra}", f"{target}{extra}")

    return copy


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    ram = 0.0
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        cpu = next(x.split(":", 1)[1].strip() for x in info.splitlines() if "model name" in x)
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        ram = int(meminfo.split("MemTotal:", 1)[1].split()[0]) / 1024**2
    except (OSError, StopIteration, IndexError, ValueError):
        pass
    adbc = subprocess.run([PY, "-c", ADBC_SQLITE], capture_output=True, text=True, timeout=60)
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return {
        "cpu": cpu,
        "arch": platform.machine(),
        "cores": os.cpu_count(),
        "ram_gib": round(ram, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlite_adbc": adbc.stdout.strip() if adbc.returncode == 0 else None,
        "commit": commit.stdout.strip() if commit.returncode == 0 else None,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def table(lines: Iterable[Line]) -> str:
    """The lines as one plain-text table."""
    head = ("measurement", "wall s", "peak MiB", "compared with", "ratio", "target", "result")
    rows = [head]
    for line in lines:
        ratio = "" if line.ratio is None else f"{line.ratio:.2f}×"
        if line.ratio is not None and line.ratio_of != "wall":
            ratio += f" ({line.ratio_of})"
        rows.append(
            (
                line.what,
                "" if line.wall_s is None else f"{line.wall_s:.2f}",
                "" if line.peak_mib is None else f"{line.peak_mib:.0f}",
                line.versus,
                ratio,
                ", ".join(t.text() for t in line.targets),
                line.verdict(),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    right = {1, 2, 4}
    out = []
    for n, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


class Bench:
    """The measurements of one run, in the order they are taken."""

    def __init__(self, options: argparse.Namespace, tmp: Path) -> None:
        self.o = options
        self.tmp = tmp
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("INTD_DB", "INTD_GOALS", "INTD_REGIONS")
        }
        self.env |= {"INTD_KEY_FILE": str(tmp / "key"), "INTD_LANG": "en", "COLUMNS": "120"}
        n = options.placements
        self.main = DataSet(n, n // 5)
        self.big = DataSet(options.big, options.big // 5)
        self.delta = DataSet(options.delta, max(1, options.delta // 5), seed=2024, prefix="N")
        self.small = DataSet(1000, 200)
        self.lines: dict[str, Line] = {}
        self.db = tmp / "n.sqlite"  # the N database, once imported

    def line(self, key: str, what: str, *targets: Target) -> Line:
        self.lines[key] = Line(key, what, list(targets))
        return self.lines[key]

    def intd(self, db: Path, *args: str) -> list[str]:
        return [*INTD, "--db", str(db), *args]

    def prepare_data(self) -> None:
        data = self.o.data
        data.mkdir(parents=True, exist_ok=True)
        for dataset in (self.main, self.big, self.delta, self.small):
            generate(data, dataset, self.o.timeout)
        rows = self.o.xlsx_rows
        source = next(
            (d for d in (self.main, self.big) if d.participants >= rows), DataSet(rows * 5, rows)
        )
        folder = generate(data, source, self.o.timeout)
        self.workbook = data / f"xlsx-{rows}" / "participants.xlsx"
        if not self.workbook.exists():
            note(f"writing a {rows:,}-row participants workbook")
            self.workbook.parent.mkdir(exist_ok=True)
            write_workbook(folder / "participants.csv", self.workbook, rows)

    def import_vs_floor(self) -> None:
        n, m = size(self.main.placements), size(self.main.participants)
        floor = self.line("floor", f"floor: csv.reader + executemany, {n} + {m} rows")
        first = self.line(
            "import",
            f"intd import {n} + {m}, new DB",
            Target("ratio", 1.2),
            Target("peak_mib", 256),
        )
        floor_db = self.tmp / "floor.sqlite"
        files = self.main.files(self.o.data)
        programs = {
            "floor": Program([PY, "-c", FLOOR, str(floor_db), *files], fresh(floor_db)),
            "import": Program(self.intd(self.db, "import", "--quiet", *files), fresh(self.db)),
        }
        note(f"floor and intd import of {n} placements, best of {self.o.long_rounds}")
        result = round_robin(programs, self.env, self.o.long_rounds, self.o.timeout)
        fresh(floor_db)()
        self.record(floor, result["floor"])
        self.record(first, result["import"], floor, "floor")

    def import_big(self) -> None:
        n, m = size(self.big.placements), size(self.big.participants)
        line = self.line("import_3n", f"intd import {n} + {m}, new DB: peak", Target("ratio", 1.1))
        line.ratio_of = "peak"
        first = self.lines["import"]
        if first.status != "ok":
            return line.fail(f"needs the {size(self.main.placements)} import")
        db = self.tmp / "big.sqlite"
        note(f"intd import of {n} placements")
        try:
            result = run(
                self.intd(db, "import", "--quiet", *self.big.files(self.o.data)),
                self.env,
                self.o.timeout,
            )
        except StepFailed as problem:
            return line.fail(problem)
        finally:
            fresh(db)()
        self.record(line, result)
        assert first.peak_mib is not None
        line.ratio = result.peak_mib / first.peak_mib
        line.versus = f"{size(self.main.placements)} import {first.peak_mib:.0f} MiB"

    def delta_and_again(self) -> None:
        n, d = size(self.main.placements), size(self.delta.placements)
        delta = self.line(
            "delta",
            f"intd import {d} + {size(self.delta.participants)} new, into the {n} DB",
            Target("ratio", 2),
        )
        again = self.line("again", f"intd import {n} again, nothing changed", Target("ratio", 1))
        first = self.lines["import"]
        if first.status != "ok":
            delta.fail(f"needs the {n} import")
            return again.fail(f"needs the {n} import")
        into_big, into_empty = self.tmp / "delta-big.sqlite", self.tmp / "delta-empty.sqlite"
        files = self.delta.files(self.o.data)
        programs = {
            "big": Program(
                self.intd(into_big, "import", "--quiet", *files), copy_of(self.db, into_big)
            ),
            "empty": Program(self.intd(into_empty, "import", "--quiet", *files), fresh(into_empty)),
        }
        note(f"{d} new placements into the {n} DB and into an empty one, best of {self.o.rounds}")
        result = round_robin(programs, self.env, self.o.rounds, self.o.timeout)
        fresh(into_big, into_empty)()
        empty = Line("empty", "")
        self.record(empty, result["empty"])
        if empty.status != "ok":
            delta.fail(f"into an empty DB: {empty.error}")
        else:
            self.record(delta, result["big"], empty, "empty DB")
        note(f"the unchanged {n} files again, best of {self.o.long_rounds}")
        programs = {
            "again": Program(self.intd(self.db, "import", "--quiet", *self.main.files(self.o.data)))
        }
        result = round_robin(programs, self.env, self.o.long_rounds, self.o.timeout)
        self.record(again, result["again"], first, "first import")

    def workbook_import(self) -> None:
        rows = size(self.o.xlsx_rows)
        line = self.line(
            "xlsx", f"intd import {rows}-row participants XLSX, new DB", Target("wall_s", 4)
        )
        db = self.tmp / "xlsx.sqlite"
        program = Program(self.intd(db, "import", "--quiet", str(self.workbook)), fresh(db))
        note(f"intd import of the {rows}-row workbook, best of {self.o.long_rounds}")
        result = round_robin({"xlsx": program}, self.env, self.o.long_rounds, self.o.timeout)
        fresh(db)()
        self.record(line, result["xlsx"])

    def figures(self) -> None:
        n = size(self.main.placements)
        region = ["--region", "Drammensregionen"]
        commands: dict[str, tuple[list[str], list[Target]]] = {
            "progress": (["progress", "--year", "2019"], [Target("ratio", 2)]),
            "report": (["report"], [Target("ratio", 3), Target("peak_mib", 150)]),
            "report_region": (["report", *region], [Target("ratio", 3), Target("peak_mib", 150)]),
        }
        lines = {
            key: self.line(key, f"intd {' '.join(args)} on {n}", *targets)
            for key, (args, targets) in commands.items()
        }
        if self.lines["import"].status != "ok":
            for line in lines.values():
                line.fail(f"needs the {n} import")
            return
        small_db = self.tmp / "small.sqlite"
        try:
            run(
                self.intd(small_db, "import", "--quiet", *self.small.files(self.o.data)),
                self.env,
                self.o.timeout,
            )
        except StepFailed as problem:
            for line in lines.values():
                line.fail(f"the 1k DB: {problem.message}")
            return
        programs = {}
        for key, (args, _targets) in commands.items():
            programs[f"{key} big"] = Program(self.intd(self.db, *args))
            programs[f"{key} small"] = Program(self.intd(small_db, *args))
        note(f"progress and report on {n} and on 1k, round-robin, best of {self.o.rounds}")
        result = round_robin(programs, self.env, self.o.rounds, self.o.timeout)
        for key, line in lines.items():
            small = Line("small", "")
            self.record(small, result[f"{key} small"])
            if small.status != "ok":
                line.fail(f"on the 1k DB: {small.error}")
            else:
                self.record(line, result[f"{key} big"], small, "1k DB")

    def postgres(self) -> None:
        """The same N files imported into PostgreSQL (a durable cluster of the machine's
        server binaries, on loopback, started for the bench), against the SQLite import
        of this run; and `progress --year 2019` on it against the same on SQLite."""
        n = size(self.main.placements)
        imported = self.line(
            "pg_import",
            f"intd import {n} + {size(self.main.participants)} into PostgreSQL",
            Target("ratio", 1.5),
        )
        progress = self.line(
            "pg_progress", f"intd progress --year 2019 on {n}, PostgreSQL", Target("ratio", 2)
        )
        sys.path.insert(0, str(ROOT / "scripts"))
        from pg_cluster import bindir, cluster

        found = bindir()
        if found is None:
            imported.fail("no PostgreSQL server binaries (Debian: apt-get install postgresql)")
            return progress.fail("needs the PostgreSQL import")
        if self.lines["import"].status != "ok":
            imported.fail(f"needs the SQLite {n} import")
            return progress.fail(f"needs the SQLite {n} import")
        with cluster(found, durable=True) as server:
            server.psql("CREATE DATABASE bench")
            url = server.url("bench")

            def empty() -> None:
                server.psql("DROP DATABASE IF EXISTS bench WITH (FORCE)")
                server.psql("CREATE DATABASE bench")

            files = self.main.files(self.o.data)
            note(f"intd import of {n} placements into PostgreSQL, best of {self.o.long_rounds}")
            program = Program([*INTD, "--db", url, "import", "--quiet", *files], empty)
            result = round_robin({"pg": program}, self.env, self.o.long_rounds, self.o.timeout)
            self.record(imported, result["pg"], self.lines["import"], "SQLite import")
            if imported.status != "ok":
                return progress.fail("needs the PostgreSQL import")
            args = ["progress", "--year", "2019"]
            programs = {
                "pg": Program([*INTD, "--db", url, *args]),
                "sqlite": Program(self.intd(self.db, *args)),
            }
            note(f"progress on PostgreSQL and on SQLite, round-robin, best of {self.o.rounds}")
            result = round_robin(programs, self.env, self.o.rounds, self.o.timeout)
            sqlite = Line("sqlite", "")
            self.record(sqlite, result["sqlite"])
            self.record(progress, result["pg"], sqlite, "SQLite")

    def start_up(self) -> None:
        intd_help = self.line("help", "intd --help", Target("ratio", 1.5))
        command_help = self.line(
            "command_help", "intd COMMAND --help, slowest", Target("ratio", 1.5)
        )
        try:
            listed = subprocess.run(
                [PY, "-c", COMMANDS],
                capture_output=True,
                text=True,
                timeout=self.o.timeout,
                check=True,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as problem:
            intd_help.fail(StepFailed("failed", f"listing the commands: {problem}"))
            return command_help.fail("needs the command list")
        bare = self.tmp / "bare.py"
        bare.write_text(BARE_TYPER, encoding="utf-8")
        # typer imports its parameter machinery only once a command is invoked, in both
        # apps: each intd command is compared with the bare app's command.
        programs = {
            "bare": Program([PY, str(bare), "--help"]),
            "intd": Program([*INTD, "--help"]),
            "bare command": Program([PY, str(bare), "one", "--help"]),
        }
        for command in listed.stdout.split():
            programs[command] = Program([*INTD, command, "--help"])
        note(f"start-up of {len(programs) - 3} commands, round-robin, best of {self.o.help_rounds}")
        result = round_robin(programs, self.env, self.o.help_rounds, self.o.timeout)
        bare_help, bare_command = Line("bare", ""), Line("bare command", "")
        self.record(bare_help, result["bare"])
        self.record(bare_command, result["bare command"])
        self.record(intd_help, result["intd"], bare_help, "bare Typer")
        commands = {k: v for k, v in result.items() if k not in ("bare", "intd", "bare command")}
        timings = {k: v for k, v in commands.items() if isinstance(v, Run)}
        broken = [v for v in commands.values() if isinstance(v, StepFailed)]
        if broken or not timings:
            return command_help.fail(broken[0] if broken else "no command listed")
        slowest = max(timings, key=lambda k: timings[k].wall_s)
        command_help.what = f"intd {slowest} --help (slowest command)"
        self.record(command_help, timings[slowest], bare_command, "bare Typer command")

    def record(
        self, line: Line, result: Run | StepFailed, base: Line | None = None, name: str = ""
    ) -> None:
        """A result into its line, with its ratio to `base` (already recorded)."""
        if isinstance(result, StepFailed):
            return line.fail(result)
        line.wall_s, line.peak_mib, line.status = result.wall_s, result.peak_mib, "ok"
        line.walls_s = list(result.walls_s or (result.wall_s,))
        if base is not None:
            if base.status != "ok" or not base.wall_s:
                return line.fail(f"{name}: {base.error or 'not measured'}")
            line.ratio = result.wall_s / base.wall_s
            line.versus = f"{name} {base.wall_s:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--placements",
        type=int,
        metavar="N",
        help="N placements + N/5 participants; 3N for the memory line (default 1000000)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="the smoke test: N = 2000 unless given, one round of everything, 60 s timeout",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        default=ROOT / "bench" / "results.json",
        help="the results as JSON (default bench/results.json)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        default=ROOT / "bench" / "data",
        help="the generated files, cached by size (default bench/data)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="per child process; past it the line fails (default 900, --quick 60)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args()
    quick = options.quick
    n = options.placements or (2_000 if quick else 1_000_000)
    if n < 1_000:
        parser.error("--placements: at least 1000")
    options.placements = n
    options.big = 3 * n
    options.delta = min(10_000, n // 10)
    options.xlsx_rows = n // 5 if quick else 200_000
    options.timeout = options.timeout or (60.0 if quick else 900.0)
    options.rounds, options.long_rounds, options.help_rounds = (1, 1, 1) if quick else (3, 2, 7)
    with tempfile.TemporaryDirectory(prefix="intd-bench-") as tmp:
        bench = Bench(options, Path(tmp))
        bench.prepare_data()
        for step in (
            bench.import_vs_floor,
            bench.import_big,
            bench.delta_and_again,
            bench.workbook_import,
            bench.figures,
            bench.postgres,
            bench.start_up,
        ):
            step()
    lines = list(bench.lines.values())
    for line in lines:
        line.judge()
    about = machine()
    title = (
        f"intd benchmark: {n:,} placements + {n // 5:,} participants · {about['cpu']}, "
        f"{about['cores']} cores, {about['ram_gib']} GiB · Python {about['python']}, "
        f"SQLite {about['sqlite']} · {about['date']}"
    )
    print(f"{title}\n\n{table(lines)}\n")
    for line in lines:
        if line.error:
            print(f"{line.verdict()} {line.what}: {line.error}")
    met = sum(1 for line in lines if line.passed)
    judged = sum(1 for line in lines if line.targets)
    print(f"{met} of {judged} targets met")
    document = {
        "placements": n,
        "participants": n // 5,
        "machine": about,
        "lines": [
            asdict(line) | {"passed": line.passed, "result": line.verdict()} for line in lines
        ],
        "table": table(lines),
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    partial = options.out.with_name(options.out.name + ".tmp")
    partial.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(options.out)
    print(f"written to {options.out}")
    broken = any(line.status != "ok" for line in lines)
    missed = any(line.passed is False for line in lines)
    sys.exit(1 if broken or (options.strict and missed) else 0)


if __name__ == "__main__":
    main()
