"""A partnership's shared PostgreSQL database through intd itself (issue 16): two offices
import files with the same participant ids, which stay two records each while one
fødselsnummer links them to one person; an office undoes only its own batches; a reader
sees every figure and writes nothing; the administrator's superuser is refused as an
importer. The database's own refusals are tested in test_pg_offices.py."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv
from intdrammen.cli import app
from intdrammen.ids import make_fnr
from test_pg_offices import Shared, shared  # noqa: F401 (the fixture)


def number(born: date, individual: int) -> str:
    """A valid fødselsnummer (make_fnr gives None where no check digits exist)."""
    found = make_fnr(born, individual)
    assert found, (born, individual)
    return found


SHARED_PERSON = number(date(1990, 5, 17), 123)


def intd(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, *args], catch_exceptions=False)


def office_url(db: Shared, name: str, password: str) -> str:
    return f"postgresql://{name}:{password}@127.0.0.1:{db.server.port}/{db.dbname}"


def files(tmp: Path, own_fnr: str) -> list[str]:
    """P1 is the same person in every office (one fødselsnummer); P2 is a person of
    this office alone."""
    people = write_csv(
        tmp / "deltakere.csv",
        PARTICIPANT_HEADER,
        [
            ["P1", SHARED_PERSON, 1990, "K", "Syria", "3301", "", "", "", "", ""],
            ["P2", own_fnr, 1985, "M", "Eritrea", "3301", "", "", "", "", ""],
        ],
    )
    jobs = write_csv(
        tmp / "plasseringer.csv",
        PLACEMENT_HEADER,
        [
            ["PL1", "P1", "jobb", "", "Kiwi", "2019-03-01", "", "", "NAV"],
            ["PL2", "P2", "jobb", "", "Rema", "2019-04-01", "", "", "NAV"],
        ],
    )
    return [str(people), str(jobs)]


def into_work(url: str, year: int) -> int:
    result = intd(url, "report", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["year"]: r for r in json.loads(result.stdout)["years"]}
    return int(rows[year]["into_work"])


def test_two_offices_one_person_two_records_and_their_own_undo(
    shared: Shared,  # noqa: F811
    tmp_path: Path,
) -> None:
    a, b = shared.add("nav_a"), shared.add("kommune_b")
    reader = shared.add("styret", reader=True)
    url_a, url_b = office_url(shared, *a), office_url(shared, *b)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = intd(url_a, "import", *files(tmp_path / "a", number(date(1985, 1, 2), 457)))
    assert first.exit_code == 0, first.output
    second = intd(url_b, "import", *files(tmp_path / "b", number(date(1986, 3, 4), 789)))
    assert second.exit_code == 0, second.output
    url_reader = office_url(shared, *reader)
    # P1 of both offices is one person; each office's P2 is a person of their own.
    assert into_work(url_reader, 2019) == 3
    explained = intd(url_reader, "explain", "--goal", "id-2016-2020", "--year", "2019")
    assert f"{a[0]}/P2" in explained.stdout and f"{b[0]}/P2" in explained.stdout
    # An office undoes its own batches only.
    imports = json.loads(intd(url_reader, "imports", "--format", "json").stdout)
    theirs = [i["id"] for i in imports][:2]  # office a's two batches came first
    refused = intd(url_b, "undo", str(theirs[1]), "--yes")
    assert refused.exit_code == 1 and "only that office" in refused.output
    assert into_work(url_reader, 2019) == 3
    assert intd(url_a, "undo", str(theirs[1]), "--yes").exit_code == 0
    assert into_work(url_reader, 2019) == 2  # office a's P2 went; P1 stays by office b
    # A reader writes nothing; the administrator is no importer on a database with offices.
    as_reader = intd(url_reader, "import", *files(tmp_path / "a", ""))
    assert as_reader.exit_code == 1 and "is a reader" in as_reader.output
    assert "is a reader" in intd(url_reader, "undo", str(theirs[0]), "--yes").output
    admin = intd(shared.url, "import", *files(tmp_path / "a", ""))
    assert admin.exit_code == 1 and "E-DB-ROLE" in admin.output


def test_the_password_in_the_url_appears_in_no_output_or_file(pg_url: str, tmp_path: Path) -> None:
    password = pg_url.split(":")[2].split("@")[0]
    assert len(password) > 8
    outputs = [intd(pg_url, "import", *files(tmp_path, ""))]
    for args in (
        ["imports"],
        ["check"],
        ["progress", "--year", "2019", "--format", "json"],
        ["report", "--out", str(tmp_path / "rapport.html")],
        ["report", "--out", str(tmp_path / "rapport.xlsx")],
        ["explain", "--goal", "id-2016-2020", "--year", "2019"],
        ["undo", "99", "--yes"],  # an error, naming the database
    ):
        outputs.append(intd(pg_url, *args))
    for result in outputs:
        assert password not in result.output
        assert password not in (result.stderr or "")
    assert password.encode() not in (tmp_path / "rapport.html").read_bytes()
    with zipfile.ZipFile(tmp_path / "rapport.xlsx") as workbook:  # its parts, unpacked
        for part in workbook.namelist():
            assert password.encode() not in workbook.read(part)
    wrong = pg_url.replace(password, password + "x")
    refused = intd(wrong, "progress", "--year", "2019")
    assert refused.exit_code == 1 and "E-DB-CONNECT" in refused.output
    assert password not in refused.output


def test_a_replace_by_one_office_never_removes_anothers_rows(
    shared: Shared,  # noqa: F811
    tmp_path: Path,
) -> None:
    a, b = shared.add("nav_a"), shared.add("kommune_b")
    reader = office_url(shared, *shared.add("styret", reader=True))
    url_a, url_b = office_url(shared, *a), office_url(shared, *b)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    both = files(tmp_path / "a", number(date(1985, 1, 2), 457))
    assert intd(url_a, "import", *both).exit_code == 0
    assert intd(url_b, "import", *both).exit_code == 0  # the same bytes: b's own records
    assert into_work(reader, 2019) == 2  # P1 one person; P2 the same fødselsnummer too
    only_p1 = write_csv(
        tmp_path / "b" / "plasseringer.csv",
        PLACEMENT_HEADER,
        [["PL1", "P1", "jobb", "", "Kiwi", "2019-03-01", "", "", "NAV"]],
    )
    replaced = intd(url_b, "import", "--replace", str(only_p1))
    assert replaced.exit_code == 0, replaced.output
    stored = intd(reader, "explain", "--goal", "id-2016-2020", "--year", "2019", "--format", "csv")
    assert f"{a[0]}/P2" in stored.stdout  # office a's placement of P2 is there still


def test_placements_of_participants_the_office_has_not_imported_are_warned(
    shared: Shared,  # noqa: F811
    tmp_path: Path,
) -> None:
    """An office's placements link to its own participants only (to another office's
    only through the fødselsnummer, which placements lack): one office importing the
    participants and another their placements is told so, not left to wonder."""
    a, b = shared.add("kommune_a"), shared.add("nav_b")
    people, jobs = files(tmp_path, number(date(1985, 1, 2), 457))
    kept = intd(office_url(shared, *a), "import", people)
    assert kept.exit_code == 0 and "W-PLACEMENT-UNLINKED" not in kept.output
    told = intd(office_url(shared, *b), "import", jobs)
    assert told.exit_code == 0
    assert "W-PLACEMENT-UNLINKED" in told.output and "2 placements name" in told.output
    both = intd(office_url(shared, *a), "import", jobs)  # the same office: linked
    assert both.exit_code == 0 and "W-PLACEMENT-UNLINKED" not in both.output
