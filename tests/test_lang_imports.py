"""The import commands speak the user's language: `import`, `imports`, `undo` and `check`
take --lang (and INTD_LANG) like the figure commands; headings, kinds, status and summary
words come from the translation tables, problem messages stay English (their codes
identify them), JSON and CSV keep codes and stored ISO timestamps, and `intd imports`
shows times in the machine's local time, to the minute, on one line.

Real files (the golden fixture: 30 participants with an unread column and a municipality
9999, so two warnings; 29 placements), real SQLite, the CLI through CliRunner."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import stored

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "golden"
FILES = ("deltakere.csv", "plasseringer.csv")
# Stored as the store writes them (ISO with offset). 08:30 UTC in winter; the undo at
# 23:30 UTC on 1 July, which is already 2 July in Oslo (summer time, +02:00).
IMPORTED_AT = "2022-01-10T08:30:00+00:00"
UNDONE_AT = "2022-07-01T23:30:00+00:00"
NBSP = "\u00a0"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
JSON_KEYS = [
    "id", "file", "sha256", "kind", "sheet", "rows", "inserted", "updated", "unchanged",
    "removed", "skipped", "imported_at", "intd_version", "undone_at",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Oslo unless a test says otherwise; the process reads TZ again afterwards."""
    monkeypatch.setenv("TZ", "Europe/Oslo")
    yield
    monkeypatch.undo()
    if hasattr(time, "tzset"):
        time.tzset()


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture's two files in a folder that is the working directory (relative
    names, as a user types them)."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in FILES:
        shutil.copyfile(FIXTURE / name, folder / name)
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def imported(files: Path, cli: Callable[..., Any], db: Path) -> Path:
    """Both files imported (batches 1 and 2), their clock frozen at IMPORTED_AT."""
    result = cli("import", *FILES)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE batches SET imported_at = ?", (IMPORTED_AT,))
    conn.close()
    return db


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def header_words(text: str) -> list[str]:
    """The words of the table's header line (the one starting with the file column)."""
    line = next(x for x in text.splitlines() if "Fil" in x or "File" in x)
    return [w for w in line.replace("┃", " ").split() if w]


# ------------------------------------------------------------------------------- import


def test_import_summary_in_english(files: Path, cli: Callable[..., Any]) -> None:
    result = cli("import", "--lang", "en", *FILES)
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert out[0].startswith("Imported into ") and out[0].endswith("intd.sqlite")
    assert header_words(result.stdout) == [
        "File", "Kind", "Rows", "New", "Updated", "Unchanged", "Skipped", "Batch",
    ]  # fmt: skip
    assert "│ deltakere.csv    │ participants │   30 │  30 │" in result.stdout
    assert "│ plasseringer.csv │ placements   │   29 │  29 │" in result.stdout


def test_import_summary_in_bokmal_keeps_problem_lines_english(
    files: Path, cli: Callable[..., Any]
) -> None:
    result = cli("import", "--lang", "nb", *FILES)
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert out[0].startswith("Importert til ") and out[0].endswith("intd.sqlite")
    assert header_words(result.stdout) == [
        "Fil", "Type", "Rader", "Nye", "Endret", "Uendret", "Hoppet", "over", "Bunke",
    ]  # fmt: skip
    assert "│ deltakere.csv    │ deltakere    │    30 │  30 │" in result.stdout
    assert "│ plasseringer.csv │ plasseringer │    29 │  29 │" in result.stdout
    # The warnings, off a terminal: the same searchable English lines in every language.
    assert lines(result.stderr)[:2] == [
        "deltakere.csv:1:kontor: W-COLUMN column not used by intd (ignored)",
        "deltakere.csv::municipality: W-MUNICIPALITY-UNKNOWN 1 row has municipality 9999 "
        "(Uoppgitt): counted as unknown municipality",
    ]


def test_problem_lines_are_byte_identical_in_both_languages(
    files: Path, cli: Callable[..., Any], tmp_path: Path
) -> None:
    en = cli("import", "--dry-run", "--lang", "en", *FILES)
    nb = cli("import", "--dry-run", "--lang", "nb", *FILES)
    assert en.exit_code == nb.exit_code == 0
    assert en.stderr == nb.stderr and "W-COLUMN" in en.stderr
    assert en.stdout != nb.stdout


def test_dry_run_in_both_languages(files: Path, cli: Callable[..., Any], db: Path) -> None:
    en = cli("import", "--dry-run", "--lang", "en", *FILES)
    nb = cli("import", "--dry-run", "--lang", "nb", *FILES)
    assert lines(en.stdout)[0] == "Dry run: nothing was written"
    assert lines(nb.stdout)[0] == "Prøvekjøring: ingenting ble skrevet"
    # No batch: a dash, in both.
    assert "│ deltakere.csv    │ deltakere    │    30 │  30 │      0 │       0 │" in nb.stdout
    assert nb.stdout.count("│     – │") == 2 and en.stdout.count("│     – │") == 2
    assert not db.exists() or stored(db, "SELECT count(*) FROM batches") == [(0,)]


def test_a_reimport_says_nothing_changed_in_the_language(
    imported: Path, cli: Callable[..., Any]
) -> None:
    nb = cli("import", "--lang", "nb", "deltakere.csv")
    en = cli("import", "--lang", "en", "deltakere.csv")
    assert (
        "deltakere.csv: ingenting endret (lik bunke 1): alle radene finnes allerede i databasen."
        in lines(nb.stdout)
    )
    assert (
        "deltakere.csv: nothing changed (identical to batch 1): every row is already in the "
        "database." in lines(en.stdout)
    )


def bad_placements(folder: Path) -> str:
    """The placements with 31 February as P002's start date (file row 3)."""
    text = (folder / "plasseringer.csv").read_text(encoding="utf-8")
    assert "P002,G002,lærling,910000012,Eksempel Bygg AS,01.09.2016" in text
    text = text.replace(
        "P002,G002,lærling,910000012,Eksempel Bygg AS,01.09.2016",
        "P002,G002,lærling,910000012,Eksempel Bygg AS,31.02.2016",
    )
    (folder / "feil.csv").write_text(text, encoding="utf-8")
    return "feil.csv"


def test_a_rejected_import_is_summed_up_in_the_language(
    files: Path, cli: Callable[..., Any], db: Path
) -> None:
    bad = bad_placements(files)
    problem = "feil.csv:3:startdato: E-DATE no such date (31.02.2016)"
    nb = cli("import", "--lang", "nb", "deltakere.csv", bad)
    assert nb.exit_code == 1
    assert problem in lines(nb.stderr)
    assert lines(nb.stderr)[-1] == (
        "Error: Importen ble avvist: 1 problem funnet; databasen er ikke endret."
    )
    en = cli("import", "--lang", "en", "deltakere.csv", bad)
    assert en.exit_code == 1
    assert lines(en.stderr)[-1] == (
        "Error: Import rejected: 1 problem found; the database was not changed."
    )
    # Everything above the summary is the same lines in both languages.
    assert lines(en.stderr)[:-1] == lines(nb.stderr)[:-1]
    assert not db.exists() or stored(db, "SELECT count(*) FROM participants") == [(0,)]


def test_the_problems_table_on_a_terminal_has_headings_in_the_language(
    files: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = bad_placements(files)
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # a terminal: problems as a table
    monkeypatch.setenv("NO_COLOR", "1")
    nb = cli("import", "--quiet", "--lang", "nb", "deltakere.csv", bad)
    assert nb.exit_code == 1
    text = ANSI.sub("", nb.stderr)
    assert "Problemer funnet" in text and "Advarsler" in text
    heads = next(x for x in text.splitlines() if "Kolonne" in x)
    assert [w for w in heads.replace("┃", " ").split()] == [
        "Fil", "Rad", "Kolonne", "Verdi", "Kode", "Problem",
    ]  # fmt: skip
    assert "no such date" in text  # the message itself: English, as its code documents it
    en = cli("import", "--quiet", "--lang", "en", "deltakere.csv", bad)
    text = ANSI.sub("", en.stderr)
    heads = next(x for x in text.splitlines() if "Column" in x)
    assert [w for w in heads.replace("┃", " ").split()] == [
        "File", "Row", "Column", "Value", "Code", "Problem",
    ]  # fmt: skip
    assert "Problems found" in text and "Warnings" in text


def test_rows_skipped_are_named_in_the_language(files: Path, cli: Callable[..., Any]) -> None:
    bad = bad_placements(files)
    nb = cli("import", "--lang", "nb", "--on-error", "skip", "deltakere.csv", bad)
    assert nb.exit_code == 0, nb.output
    assert "│ feil.csv      │ plasseringer │    29 │  28 │      0 │       0 │           1 │" in (
        nb.stdout
    )
    assert "1 avviste rader fra feil.csv med årsakene: feil.rejected.csv" in lines(nb.stdout)
    assert "feil.csv:3:startdato: E-DATE no such date (31.02.2016)" in lines(nb.stderr)


def test_intd_lang_is_honoured_without_the_option(
    files: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTD_LANG", "nb")
    assert lines(cli("import", "--dry-run", *FILES).stdout)[0].startswith("Prøvekjøring")
    # --lang wins over the environment.
    assert lines(cli("import", "--dry-run", "--lang", "en", *FILES).stdout)[0] == (
        "Dry run: nothing was written"
    )


# ------------------------------------------------------------------------------ imports


def test_imports_table_in_both_languages_local_time_on_one_line(
    imported: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # as the golden files: every column at its width
    en = cli("imports", "--lang", "en")
    assert lines(en.stdout) == [
        "Import history",
        "Batch File             Kind         Rows New Updated Unchanged Imported         sha256   Status",  # noqa: E501
        "─" * 96,
        "    1 deltakere.csv    participants   30  30       0         0 2022-01-10 09:30 001f3b34 applied",  # noqa: E501
        "    2 plasseringer.csv placements     29  29       0         0 2022-01-10 09:30 38484c50 applied",  # noqa: E501
    ]  # fmt: skip
    nb = cli("imports", "--lang", "nb")
    assert lines(nb.stdout) == [
        "Importhistorikk",
        "Bunke Fil              Type         Rader Nye Endret Uendret Importert            sha256   Status",  # noqa: E501
        "─" * 100,
        "    1 deltakere.csv    deltakere       30  30      0       0 10.01.2022 kl. 09.30 001f3b34 gjeldende",  # noqa: E501
        "    2 plasseringer.csv plasseringer    29  29      0       0 10.01.2022 kl. 09.30 38484c50 gjeldende",  # noqa: E501
    ]  # fmt: skip


def test_imports_fit_100_columns_without_wrapping_a_time(
    imported: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    for lang, stamp in (("en", "2022-01-10 09:30"), ("nb", "10.01.2022 kl. 09.30")):
        text = cli("imports", "--lang", lang).stdout
        assert all(len(line) <= 100 for line in text.splitlines())
        assert sum(stamp in line for line in text.splitlines()) == 2, text


def test_the_same_stored_time_reads_in_the_local_time_zone(
    imported: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    oslo = cli("imports", "--lang", "nb").stdout
    monkeypatch.setenv("TZ", "UTC")
    utc = cli("imports", "--lang", "nb").stdout
    assert "10.01.2022 kl. 09.30" in oslo and "kl. 08.30" not in oslo
    assert "10.01.2022 kl. 08.30" in utc and "kl. 09.30" not in utc
    assert "2022-01-10 08:30" in cli("imports", "--lang", "en").stdout
    # JSON keeps what is stored, whatever the time zone.
    assert {b["imported_at"] for b in json.loads(cli("imports", "-f", "json").stdout)} == {
        IMPORTED_AT
    }


def test_imports_json_is_the_same_in_every_language(
    imported: Path, cli: Callable[..., Any]
) -> None:
    en = cli("imports", "--format", "json", "--lang", "en")
    nb = cli("imports", "--format", "json", "--lang", "nb")
    assert en.exit_code == nb.exit_code == 0
    assert en.stdout == nb.stdout
    batches = json.loads(nb.stdout)
    assert [list(b) for b in batches] == [JSON_KEYS, JSON_KEYS]
    assert [(b["id"], b["kind"], b["rows"], b["imported_at"]) for b in batches] == [
        (1, "participants", 30, IMPORTED_AT),
        (2, "placements", 29, IMPORTED_AT),
    ]


def test_imports_csv_has_the_json_keys_codes_and_iso_times(
    imported: Path, cli: Callable[..., Any]
) -> None:
    en = cli("imports", "--format", "csv", "--lang", "en")
    nb = cli("imports", "--format", "csv", "--lang", "nb")
    assert en.exit_code == 0 and en.stdout == nb.stdout and en.stderr == ""
    assert en.stdout.endswith("\n") and not en.stdout.endswith("\n\n")
    rows = list(csv.reader(io.StringIO(en.stdout)))
    assert rows[0] == JSON_KEYS
    by_key = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    batches = json.loads(cli("imports", "--format", "json").stdout)
    assert len(by_key) == 2
    for row, batch in zip(by_key, batches, strict=True):
        assert row == {k: "" if v is None else str(v) for k, v in batch.items()}
    assert [(r["kind"], r["rows"], r["imported_at"], r["undone_at"]) for r in by_key] == [
        ("participants", "30", IMPORTED_AT, ""),
        ("placements", "29", IMPORTED_AT, ""),
    ]


def test_imports_format_help_lists_exactly_what_works(
    imported: Path, cli: Callable[..., Any]
) -> None:
    text = " ".join(cli("imports", "--help").stdout.split())
    assert "Output: table, json or csv." in text
    for fmt in ("table", "json", "csv"):
        assert cli("imports", "--format", fmt).exit_code == 0, fmt
    assert cli("imports", "--format", "markdown").exit_code == 2


def test_imports_counts_use_the_languages_thousands_separator(
    imported: Path, cli: Callable[..., Any], db: Path
) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE batches SET rows = 12345, inserted = 1200 WHERE id = 1")
    conn.close()
    en = cli("imports", "--lang", "en").stdout
    nb = cli("imports", "--lang", "nb").stdout
    assert re.search(r" 12,345 +1,200 ", en), en
    assert re.search(f" 12{NBSP}345 +1{NBSP}200 ", nb), nb
    assert json.loads(cli("imports", "-f", "json").stdout)[0]["rows"] == 12345


# --------------------------------------------------------------------------------- undo


def test_undo_in_both_languages_and_the_undone_time(
    imported: Path, cli: Callable[..., Any], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli("undo", "2", "--yes", "--lang", "nb")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Angret: bunke 2.\n"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE batches SET undone_at = ? WHERE id = 2", (UNDONE_AT,))
    conn.close()
    nb = cli("imports", "--lang", "nb").stdout.replace(NBSP, " ")
    assert "angret 02.07.2022 kl. 01.30" in nb  # Oslo summer time: already 2 July
    en = cli("imports", "--lang", "en").stdout.replace(NBSP, " ")
    assert "undone 2022-07-02 01:30" in en
    monkeypatch.setenv("TZ", "UTC")
    assert "undone 2022-07-01 23:30" in cli("imports").stdout.replace(NBSP, " ")
    assert json.loads(cli("imports", "-f", "json").stdout)[1]["undone_at"] == UNDONE_AT
    # Another batch undone, in English.
    assert cli("undo", "1", "--yes", "--lang", "en").stdout == "Undone: batch 1.\n"


def test_undo_refusals_in_the_language(imported: Path, cli: Callable[..., Any]) -> None:
    missing = cli("undo", "9", "--yes", "--lang", "nb")
    assert missing.exit_code == 1
    assert missing.stderr == "Error: Det finnes ingen importbunke 9; `intd imports` viser dem.\n"
    missing = cli("undo", "9", "--yes", "--lang", "en")
    assert missing.stderr == "Error: There is no import batch 9; `intd imports` lists them.\n"
    unconfirmed = cli("undo", "1", "--lang", "nb")  # CliRunner's stdin is no terminal
    assert unconfirmed.exit_code == 1
    assert unconfirmed.stderr == "Error: Angring må bekreftes: bruk --yes.\n"


# -------------------------------------------------------------------------------- check


def test_check_in_both_languages(imported: Path, cli: Callable[..., Any]) -> None:
    nb = cli("check", "--lang", "nb")
    assert nb.exit_code == 0, nb.output
    assert nb.stdout == (
        "ok: 30 deltakere, 29 plasseringer, 2 importbunker; integritets- og "
        "konsistenskontrollene er bestått.\n"
    )
    en = cli("check", "--lang", "en")
    assert en.stdout == (
        "ok: 30 participants, 29 placements, 2 import batches; integrity and consistency "
        "checks passed.\n"
    )


def test_a_failed_check_has_its_heading_in_the_language(
    imported: Path, cli: Callable[..., Any], db: Path
) -> None:
    with sqlite3.connect(db) as conn:  # a code no municipality history knows
        conn.execute("UPDATE participants SET municipality = '0999' WHERE rowid = 1")
    conn.close()
    nb = cli("check", "--lang", "nb")
    assert nb.exit_code == 1
    assert nb.stderr.startswith("Error: Databasekontrollen fant feil:\n- ")
    assert "unknown municipality codes stored: 0999" in nb.stderr  # the problem: English
    en = cli("check", "--lang", "en")
    assert en.stderr.startswith("Error: Database check failed:\n- ")


def test_replace_names_the_rows_it_would_remove_in_the_language(
    imported: Path, cli: Callable[..., Any], files: Path
) -> None:
    kept = (files / "plasseringer.csv").read_text(encoding="utf-8").splitlines()[:25]
    (files / "plasseringer.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    nb = cli("import", "--replace", "--dry-run", "--lang", "nb", "plasseringer.csv")
    assert nb.exit_code == 0, nb.output
    assert header_words(nb.stdout)[5] == "Fjernet"
    out = lines(nb.stdout)
    start = out.index("plasseringer.csv: --replace ville fjernet 5 lagrede rader:")
    assert out[start + 1 : start + 3] == ["  P025 (bunke 2, rad 26)", "  P026 (bunke 2, rad 27)"]
    en = cli("import", "--replace", "--dry-run", "--lang", "en", "plasseringer.csv")
    out = lines(en.stdout)
    start = out.index("plasseringer.csv: --replace would remove 5 stored rows:")
    assert out[start + 1] == "  P025 (batch 2, row 26)"


def test_every_word_the_import_commands_use_is_in_both_tables() -> None:
    from intdrammen.cli.data import Kind
    from intdrammen.render.lang import en, nb
    from intdrammen.render.text import PROBLEM_COLUMNS

    src = Path(__file__).resolve().parents[1] / "src" / "intdrammen"
    used: set[str] = set()
    for name in ("cli/data.py", "render/imports.py", "render/text.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_0-9.]+)["']""", (src / name).read_text()))
    assert {"undo.done", "check.ok", "imports_title", "problems.found"} <= used
    columns = ["file", "kind", "rows", "new", "updated", "removed", "unchanged", "skipped"]
    columns += ["batch", "imported", "sha256", "status", *PROBLEM_COLUMNS]
    used |= {f"col.{c}" for c in columns} | {f"kind.{k.value}" for k in Kind}
    assert not used - set(en.TABLE) and not used - set(nb.TABLE), sorted(used - set(nb.TABLE))
