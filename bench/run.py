"""`make bench`: intd against the floors, side by side, on one generated data set.

Generates (once, deterministically) N placements + N/5 participants as CSV with
scripts/make_sample.py, then times in this run, on this machine:

- the floor: csv.reader + sqlite3.executemany, one transaction, no validation;
- the floor with validation (dates, types, mod-11 orgnr) done in plain Python;
- `intd import` of the same files into a new database, and of the participants as an
  XLSX workbook (real dates and numbers);
- `intd progress --year 2019` and `intd report` on that database, and on a 1k-row one
  (round-robin, best of three);
- the writer alone: the rows intd stored, inserted as ready tuples into intd's schema
  and indexed, the lower bound of any import into it (no file read, nothing checked);
- `intd --help` and each `intd COMMAND --help` against a bare Typer app and its command
  (round-robin, best of seven).

Wall time and peak memory (max RSS of each child process) are printed as a table with
the ratios the performance targets are stated in, and written to bench/results.json.
Usage: python bench/run.py [--placements 1000000] [--out bench/results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

FLOOR = r"""
import csv, sqlite3, sys
from datetime import date
validate = sys.argv[3] == "1"
W = (3, 2, 7, 6, 5, 4, 3, 2)
TYPES = {"job", "apprenticeship", "education", "work_trial", "course"}
def orgnr_ok(s):
    if len(s) != 9 or not s.isdigit(): return False
    k = 11 - sum(int(d) * w for d, w in zip(s, W)) % 11
    return (0 if k == 11 else k) == int(s[8])
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN")
for name in ("participants", "placements"):
    with open(f"{sys.argv[2]}/{name}.csv", newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        conn.execute(f"CREATE TABLE {name} ({', '.join(header)})")
        marks = ", ".join("?" * len(header))
        if validate and name == "placements":
            def checked(rows):
                for r in rows:
                    date.fromisoformat(r[5])
                    if r[6]: date.fromisoformat(r[6])
                    assert r[2] in TYPES
                    if r[3]: assert orgnr_ok(r[3])
                    yield r
            rows = checked(rows)
        conn.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
conn.execute("COMMIT")
"""

# The indexed reads `intd progress --year 2019` cannot avoid, in SQLite alone with no
# Python per row: the earliest job start per participant id in the 2016-2020 window
# (covering index) with each one's participant record, and each 2019 cohort member's
# work or education placements (index per member). They show how much of the 1M-row
# figure is SQLite's own work.
PROGRESS_SQL = r"""
import sqlite3, sys, time
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
queries = (
    "SELECT COUNT(*), COUNT(pa.person_key) FROM (SELECT participant_id, MIN(start_date) "
    "FROM placements WHERE type IN ('job', 'apprenticeship') AND start_date BETWEEN "
    "'2016-02-09' AND '2020-12-31' GROUP BY participant_id) f LEFT JOIN participants pa "
    "ON pa.participant_id = f.participant_id",
    "WITH pa AS MATERIALIZED (SELECT participant_id FROM participants WHERE intro_end "
    "BETWEEN '2019-01-01' AND '2019-12-31') SELECT COUNT(*) FROM pa CROSS JOIN placements "
    "pl WHERE pl.participant_id = pa.participant_id AND pl.type IN ('job', "
    "'apprenticeship', 'education') AND pl.start_date <= '2020-11-15'",
)
total = 0.0
for q in queries:
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        conn.execute(q).fetchall()
        runs.append(time.perf_counter() - start)
    total += min(runs)
print(total)
"""

# What intd's own schema costs the writer, with parsing taken away: the rows intd stored
# (read beforehand, untimed) inserted as ready tuples into an empty database with the same
# tables, keys and foreign keys, then the same secondary indexes built, as `intd import`
# does on an empty database. No import can be faster than this plus reading and checking
# the files; on two cores it is the lower bound that decides the import ratio.
WRITER_ONLY = r"""
import sqlite3, sys, time
source = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
target = sqlite3.connect(sys.argv[2], isolation_level=None)
target.execute("PRAGMA foreign_keys = ON")
target.execute("PRAGMA cache_size = -8192")
schema = "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type = ? AND sql IS NOT NULL"
target.execute(source.execute(schema, ("batches", "table")).fetchone()[0])
batches = source.execute("SELECT * FROM batches").fetchall()
target.executemany(f"INSERT INTO batches VALUES ({', '.join('?' * len(batches[0]))})", batches)
tables = []
for table in ("participants", "placements"):
    rows = source.execute(f"SELECT * FROM {table}").fetchall()
    marks = ", ".join("?" * len(rows[0])) if rows else ""
    indexes = [r[0] for r in source.execute(schema, (table, "index"))]
    target.execute(source.execute(schema, (table, "table")).fetchone()[0])
    tables.append((table, rows, marks, indexes))
start = time.perf_counter()
target.execute("BEGIN")
for table, rows, marks, indexes in tables:
    target.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    for sql in indexes:
        target.execute(sql)
target.execute("COMMIT")
print(time.perf_counter() - start)
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


def intd_commands() -> list[str]:
    """The commands `intd --help` lists, from the app itself."""
    from typer.main import get_group

    from intdrammen.cli import app

    return sorted(get_group(app).commands)


def timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{result.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def round_robin(
    programs: dict[str, list[str]], env: dict[str, str], rounds: int
) -> dict[str, float]:
    """Best wall time of each program over `rounds` rounds that run them all in turn: a
    noisy moment of the machine slows one round of every program compared, rather than
    every run of one of them."""
    times: dict[str, list[float]] = {label: [] for label in programs}
    for _round in range(rounds):
        for label, args in programs.items():
            times[label].append(timed(args, env)[0])
    return {label: min(walls) for label, walls in times.items()}


def peak_of(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    # RUSAGE_CHILDREN keeps the maximum over all children: run through a fresh shell
    # process so each measurement has its own high-water mark.
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run([PY, "-c", code, *args], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{out.stderr}")
    wall, peak = out.stdout.split()
    return float(wall), float(peak)


def write_workbook(csv_path: Path, xlsx_path: Path) -> None:
    """The participants CSV as an Excel workbook, with real dates and numbers, as an
    office's export would be."""
    import csv
    from datetime import date

    import xlsxwriter

    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = book.add_worksheet("Deltakere")
    dmy = book.add_format({"num_format": "dd.mm.yyyy"})
    with csv_path.open(newline="", encoding="utf-8") as handle:
        for r, row in enumerate(csv.reader(handle)):
            for c, value in enumerate(row):
                if r and value and c in (6, 7, 8):
                    sheet.write_datetime(r, c, date.fromisoformat(value), dmy)
                elif r and value and c == 2:
                    sheet.write_number(r, c, int(value))
                else:
                    sheet.write_string(r, c, value)
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--placements", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    options = parser.parse_args()
    n = options.placements
    data = options.data / f"n{n}"
    if not (data / "placements.csv").exists():
        data.mkdir(parents=True, exist_ok=True)
        print(f"generating {n:,} placements + {n // 5:,} participants in {data} ...")
        subprocess.run(
            [
                PY,
                str(ROOT / "scripts" / "make_sample.py"),
                "--format",
                "csv",
                "--placements",
                str(n),
                "--participants",
                str(n // 5),
                "--out",
                str(data),
            ],
            check=True,
        )
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="intd-bench-") as tmp:
        env = {**os.environ, "INTD_KEY_FILE": str(Path(tmp) / "key")}
        for label, validate in (("floor", "0"), ("floor_validated", "1")):
            db = Path(tmp) / f"{label}.sqlite"
            wall, peak = peak_of([PY, "-c", FLOOR, str(db), str(data), validate])
            results[label] = {"wall_s": wall, "peak_mib": peak}
        big = Path(tmp) / "intd.sqlite"
        files = [str(data / "participants.csv"), str(data / "placements.csv")]
        intd = [PY, "-m", "intdrammen", "--db", str(big)]
        wall, peak = peak_of([*intd, "import", "--quiet", *files], env)
        results["intd_import"] = {"wall_s": wall, "peak_mib": peak}
        workbook = data / "participants.xlsx"
        if not workbook.exists():
            print(f"writing {workbook} ...")
            write_workbook(data / "participants.csv", workbook)
        runs = []
        for attempt in range(2):  # best of two: the machine is noisy
            runs.append(
                peak_of(
                    [PY, "-m", "intdrammen", "--db", str(Path(tmp) / f"xlsx{attempt}.sqlite"),
                     "import", "--quiet", str(workbook)],
                    env,
                )
            )  # fmt: skip
        results["intd_import_xlsx"] = {
            "wall_s": min(wall for wall, _peak in runs),
            "peak_mib": max(peak for _wall, peak in runs),
        }
        small = Path(tmp) / "small.sqlite"
        small_dir = Path(tmp) / "small"
        small_dir.mkdir()
        for name, rows in (("participants.csv", 200), ("placements.csv", 1000)):
            lines = (data / name).read_text(encoding="utf-8").splitlines(keepends=True)
            (small_dir / name).write_text("".join(lines[: rows + 1]), encoding="utf-8")
        timed(
            [
                PY,
                "-m",
                "intdrammen",
                "--db",
                str(small),
                "import",
                "--quiet",
                str(small_dir / "participants.csv"),
                str(small_dir / "placements.csv"),
            ],
            env,
        )
        commands = (("progress", ["progress", "--year", "2019"]), ("report", ["report"]))
        figures = {
            f"{label}_{size}": [PY, "-m", "intdrammen", "--db", str(db), *args]
            for label, args in commands
            for size, db in (("1m", big), ("1k", small))
        }
        for label, wall in round_robin(figures, env, rounds=3).items():
            results[label] = {"wall_s": wall}
        sql_floor = subprocess.run(
            [PY, "-c", PROGRESS_SQL, str(big)], capture_output=True, text=True, check=True
        )
        results["progress_sql_only_1m"] = {"wall_s": float(sql_floor.stdout)}
        writer = subprocess.run(
            [PY, "-c", WRITER_ONLY, str(big), str(Path(tmp) / "writer.sqlite")],
            capture_output=True,
            text=True,
            check=True,
        )
        results["import_writer_only"] = {"wall_s": float(writer.stdout)}
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_TYPER, encoding="utf-8")
        # Start-up: `--help` of the bare app, of intd, of the bare app's command and of
        # each intd command (typer imports its parameter machinery, pydantic, only once a
        # command is invoked, in both apps). Measured round-robin, best of seven: a noisy
        # moment of the machine then slows one round of all of them, not one command.
        programs = {
            "help_bare_typer": [PY, str(bare), "--help"],
            "help_intd": [PY, "-m", "intdrammen", "--help"],
            "help_bare_typer_command": [PY, str(bare), "one", "--help"],
        }
        for command in intd_commands():
            programs[f"intd {command} --help"] = [PY, "-m", "intdrammen", command, "--help"]
        start_up = round_robin(programs, env, rounds=7)
        for label in ("help_bare_typer", "help_intd", "help_bare_typer_command"):
            results[label] = {"wall_s": start_up.pop(label)}
        slowest = max((wall, label) for label, wall in start_up.items())
        results["help_intd_slowest_command"] = {"wall_s": slowest[0]}
        print(f"slowest command start-up: {slowest[1]}")
    floor = results["floor"]["wall_s"]
    ratios = {
        "import_vs_floor": results["intd_import"]["wall_s"] / floor,
        "progress_1m_vs_1k": results["progress_1m"]["wall_s"] / results["progress_1k"]["wall_s"],
        "report_1m_vs_1k": results["report_1m"]["wall_s"] / results["report_1k"]["wall_s"],
        "help_vs_bare_typer": results["help_intd"]["wall_s"] / results["help_bare_typer"]["wall_s"],
        "command_help_vs_bare_typer": results["help_intd_slowest_command"]["wall_s"]
        / results["help_bare_typer_command"]["wall_s"],
    }
    targets = {
        "import_vs_floor": 2.0,
        "progress_1m_vs_1k": 3.0,
        "report_1m_vs_1k": 3.0,
        "help_vs_bare_typer": 1.5,
        "command_help_vs_bare_typer": 1.5,
    }
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\nintd benchmark: {n:,} placements + {n // 5:,} participants · {machine}\n")
    print(f"{'measurement':<28}{'wall s':>9}{'peak MiB':>10}")
    for label, value in results.items():
        peak = f"{value['peak_mib']:.0f}" if "peak_mib" in value else ""
        print(f"{label:<28}{value['wall_s']:>9.2f}{peak:>10}")
    print(f"\n{'ratio':<28}{'measured':>9}{'target':>10}")
    for label, value in ratios.items():
        verdict = "ok" if value <= targets[label] else "MISSED"
        print(f"{label:<28}{value:>9.2f}{'≤ ' + str(targets[label]):>10}  {verdict}")
    writer = results["import_writer_only"]["wall_s"] / floor
    print(f"{'import writer alone':<28}{writer:>9.2f}{'(floor)':>10}  intd's schema, no parsing")
    xlsx_ok = results["intd_import_xlsx"]["wall_s"] < 5
    print(
        f"{'xlsx import (' + f'{n // 5:,}' + ')':<28}{results['intd_import_xlsx']['wall_s']:>9.2f}"
        f"{'< 5 s':>10}  {'ok' if xlsx_ok else 'MISSED'}"
    )
    peak_ok = results["intd_import"]["peak_mib"] < 100
    print(
        f"{'import peak memory':<28}{results['intd_import']['peak_mib']:>9.0f}{'< 100':>10}  "
        f"{'ok' if peak_ok else 'MISSED'}"
    )
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(
        json.dumps(
            {
                "placements": n,
                "participants": n // 5,
                "machine": machine,
                "results": results,
                "ratios": ratios,
                "targets": targets,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwritten to {options.out}")


if __name__ == "__main__":
    main()
