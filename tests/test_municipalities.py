"""Municipality history and regions against the real shipped Klass 131 data and regions.toml."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from intdrammen.errors import ConfigError, UnknownName
from intdrammen.models import Municipality
from intdrammen.municipalities import (
    UNKNOWN_CODE,
    MunicipalityHistory,
    MunicipalityLookupError,
    build_region,
    load_regions,
    resolve_region,
)
from intdrammen.render.fmt import Fmt

H = MunicipalityHistory.load()
DAYS = [date(2016, 2, 9), date(2019, 12, 31), date(2020, 1, 1), date(2024, 6, 1)]


def english(notes: tuple[object, ...]) -> tuple[str, ...]:
    """Typed merger notes in English words, as `intd regions show` prints them."""
    return tuple(Fmt("en").note(n) for n in notes)  # type: ignore[arg-type]


def nfd(text: str) -> str:
    out = unicodedata.normalize("NFD", text)
    assert out != text  # the test would prove nothing otherwise
    return out


def lookup_error(value: str) -> MunicipalityLookupError:
    with pytest.raises(MunicipalityLookupError) as info:
        H.parse(value)
    return info.value


def user_regions(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "regions.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------- history: definitions.md table


@pytest.mark.parametrize(
    ("code", "today", "name"),
    [
        *[(c, "3301", "Drammen") for c in ("0602", "3005", "3301", "0625", "0711")],
        *[(c, "3312", "Lier") for c in ("0626", "3049", "3312")],
        *[(c, "3314", "Øvre Eiker") for c in ("0624", "3048", "3314")],
        *[(c, "3903", "Holmestrand") for c in ("0713", "3802", "3903", "0702", "0715")],
        *[(c, "3203", "Asker") for c in ("0627", "0628", "3025", "3203")],
        *[(c, "3403", "Hamar") for c in ("0403", "3403")],
        *[(c, "3411", "Ringsaker") for c in ("0412", "3411")],
        *[(c, "3405", "Lillehammer") for c in ("0501", "3405")],
        *[(c, "3407", "Gjøvik") for c in ("0502", "3407")],
        ("0137", "3114", "Våler (Østfold)"),
    ],
)
def test_domain_table_codes_resolve_to_todays_municipality(code: str, today: str, name: str):
    assert H.current(code) == {today}
    assert H.current_municipality(code) == Municipality(today, name)
    assert H.group(code) == (today, name)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0602", True),
        ("3005", True),
        ("3301", True),
        ("0702", True),  # Holmestrand -> 0715 -> 3802 -> 3903, one municipality
        ("0137", True),  # 'Våler (Østfold)' -> 'Våler (Viken)' -> 'Våler (Østfold)'
        ("3018", True),
        ("5414", True),  # Gratangen -> 'Gratangen - Rivtták': a Sami name was added
        ("0625", False),
        ("0711", False),
        ("0713", False),
        ("0714", False),
        ("0627", False),
        ("1507", False),
        ("9999", False),
    ],
)
def test_is_continuation(code: str, expected: bool):
    assert H.is_continuation(code) is expected


def test_names_are_the_newest_klass_name_with_stray_spaces_stripped():
    assert H.name("0713") == "Sande (Vestfold)"
    assert H.name("1514") == "Sande"
    assert H.name("3018") == "Våler (Viken)"
    assert H.name("0701") == "Horten"  # changes.csv has ' Borre ' as its 2003 old name
    assert H.parse("Borre") == "0701"
    assert H.name(UNKNOWN_CODE) == "Uoppgitt"


def test_known_codes_include_changes_only_codes_and_9999():
    assert H.is_known("0716")  # Re: in the 2015-2019 lists, gone into Tønsberg since
    assert H.is_known("0718")  # Ramnes, merged 2002: only in changes.csv
    assert H.current("0718") == {"3905"}
    assert H.is_known("9999")
    assert not H.is_known("0999")
    assert not H.is_known("602")


def test_unknown_code_9999_belongs_nowhere():
    assert H.current(UNKNOWN_CODE) == frozenset()
    assert H.current_municipality(UNKNOWN_CODE) is None
    assert H.group(UNKNOWN_CODE) == ("unknown", "unknown")
    assert H.group(None) == ("unknown", "unknown")


def test_current_of_an_unknown_code_raises():
    with pytest.raises(MunicipalityLookupError) as info:
        H.current("0999")
    assert info.value.code == "E-MUNICIPALITY"
    assert info.value.message == "unknown municipality code 0999"


def test_split_1507_has_two_successors_and_its_own_group():
    assert H.current("1507") == {"1508", "1580"}
    assert H.current_municipality("1507") is None
    assert H.group("1507") == ("split:1507", "Ålesund (1507, split 2024)")
    # Codes that merged into 1507 before it split group with it, not on their own.
    assert H.group("1534") == ("split:1507", "Ålesund (1507, split 2024)")
    assert H.split_sentence("1507") == (
        "1507 Ålesund was split in 2024 into 1508 Ålesund and 1580 Haram"
    )
    assert H.group("0720") == ("split:0720", "Stokke (0720, split 2017)")
    assert H.current("5012") == {"5055", "5056", "5059"}


def test_codes_of_drammen_and_holmestrand_are_exact():
    assert H.codes_of("3301") == {"0602", "0625", "0711", "3005", "3301"}
    assert H.codes_of("3903") == {"0702", "0713", "0714", "0715", "3802", "3903"}
    assert H.codes_of("3403") == {"0403", "3403"}
    with pytest.raises(MunicipalityLookupError, match="not a municipality code in use today"):
        H.codes_of("0602")


def test_merger_names_the_year_and_the_successors_later_codes():
    assert H.merger("0713") == (date(2020, 1, 1), ("3802", "3903"))
    assert H.merger("1214") == (date(2006, 1, 1), ("1160",))  # Ølen -> Ølen -> Vindafjord
    assert H.merger("0602") is None
    assert H.absorbed_codes("1159") == {"1159", "1214"}


def test_current_list_is_the_2024_list_without_9999():
    today = H.current_list()
    assert len(today) == 357
    assert Municipality("3301", "Drammen") in today
    assert Municipality("1580", "Haram") in today
    assert all(m.code != UNKNOWN_CODE for m in today)
    assert len({m.code for m in today}) == len(today)


def _shipped_lists() -> dict[int, list[str]]:
    folder = resources.files("intdrammen") / "data" / "klass131"
    lists = {}
    for item in folder.iterdir():
        if match := re.fullmatch(r"municipalities_(\d{4})\.csv", item.name):
            lines = item.read_text(encoding="utf-8").splitlines()[1:]
            lists[int(match.group(1))] = [line.split(",")[0].strip() for line in lines if line]
    return lists


def test_every_shipped_code_resolves_to_todays_list():
    lists = _shipped_lists()
    assert sorted(lists) == [2015, 2017, 2018, 2019, 2020, 2022, 2023, 2024]
    newest = set(lists[2024])
    for code in lists[2024]:
        if code != UNKNOWN_CODE:
            assert H.current(code) == {code}, code
    for year, codes in lists.items():
        for code in codes:
            if code != UNKNOWN_CODE:
                assert H.current(code), (year, code)
                assert H.current(code) <= newest, (year, code)
    changes = (resources.files("intdrammen") / "data" / "klass131" / "changes.csv").read_text(
        encoding="utf-8"
    )
    for line in changes.splitlines()[1:]:
        old, _, new, _, _ = (cell.strip() for cell in line.split(","))
        assert H.current(old) and H.current(old) <= newest, old
        assert H.current(new) and H.current(new) <= newest, new


def test_load_is_cached_and_import_stays_light():
    assert MunicipalityHistory.load() is H
    probe = (
        "import sys, intdrammen.municipalities as m; m.MunicipalityHistory.load(); "
        "print(sorted({'pandas', 'sqlite_utils', 'openpyxl', 'rich', 'typer'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------------- parse()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0602", "0602"),
        ("602", "0602"),  # Excel dropped the leading zero
        ("602.0", "0602"),  # ... and made it a float
        ("3301.0", "3301"),
        ("\u00a00602\u00a0 ", "0602"),
        ("\t0602\n", "0602"),
        ("0602 Drammen", "0602"),
        ("0602 - Drammen", "0602"),
        ("drammen", "3301"),
        ("DRAMMEN", "3301"),
        (" Drammen\u00a0", "3301"),
        ("Drammen kommune", "3301"),
        ("Holmestrand", "3903"),  # 0702, 0715, 3802, 3903: one municipality, newest code
        ("Nedre Eiker", "0625"),
        ("Øvre Eiker", "3314"),
        (nfd("Ålesund"), "1508"),
        ("Ålesund", "1508"),
        ("Sande (Vestfold)", "0713"),
        ("sande (vestfold)", "0713"),
        ("Sande (Møre og Romsdal)", "1514"),
        ("Våler (Østfold)", "3114"),
        ("Våler (Viken)", "3018"),
        ("Nes (Akershus)", "0236"),
        ("Kárášjohka - Karasjok", "5610"),
        (nfd("Kárášjohka - Karasjok"), "5610"),
        ("Kárášjohka-Karasjok", "5610"),
        ("Karasjok", "5610"),
        ("Kárášjohka", "5610"),
        ("Tråante", "5001"),
        ("9999", "9999"),
        ("Uoppgitt", "9999"),
    ],
)
def test_parse(value: str, code: str):
    assert H.parse(value) == code


def test_parse_ambiguous_sande_lists_candidates_with_codes():
    error = lookup_error("Sande")
    assert error.code == "E-MUNICIPALITY-AMBIGUOUS"
    assert error.message == (
        "'Sande' is the name of several municipalities: "
        "0713 Sande (Vestfold), 1514 Sande (Møre og Romsdal)"
    )


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("Våler", ("3114 Våler (Østfold)", "3419 Våler (Innlandet)")),
        ("våler", ("3114 Våler (Østfold)", "3419 Våler (Innlandet)")),
        ("Herøy", ("1515 Herøy (Møre og Romsdal)", "1818 Herøy (Nordland)")),
        ("Nes", ("0616 Nes (Buskerud)", "3228 Nes")),
        ("Bø", ("0821 Bø (Telemark)", "1867 Bø (Nordland)")),
        ("Os", ("1243 Os (Hordaland)", "3430 Os")),
    ],
)
def test_parse_ambiguous_names(name: str, codes: tuple[str, str]):
    error = lookup_error(name)
    assert error.code == "E-MUNICIPALITY-AMBIGUOUS"
    assert error.message.endswith(", ".join(codes))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0999", "unknown municipality code 0999"),
        ("999", "unknown municipality code 0999"),
        ("12345", "unknown municipality code 12345"),
        ("0000 Drammen", "unknown municipality code 0000"),
        ("abc", "unknown municipality name 'abc'"),
        ("Atlantis", "unknown municipality name 'Atlantis'"),
        ("Dramen", "unknown municipality name 'Dramen' (did you mean Drammen?)"),
        ("", "empty municipality"),
    ],
)
def test_parse_unknown(value: str, message: str):
    error = lookup_error(value)
    assert error.code == "E-MUNICIPALITY"
    assert error.message == message
    assert str(error) == message


# ------------------------------------------------------------------------------- regions


def test_shipped_config_version_and_sources():
    config = load_regions()
    assert re.fullmatch(r"2026\.1\+[0-9a-f]{8}", config.version)
    assert config.sources == ("intdrammen/data/regions.toml",)
    assert [spec.name for spec in config.regions.values()] == ["Drammensregionen", "Mjøsa"]


def test_drammensregionen_members_notes_and_candidates():
    region = build_region("Drammensregionen", load_regions(), H)
    assert [m.label for m in region.members] == [
        "Drammen",
        "Lier",
        "Øvre Eiker",
        "Sande (Vestfold)",
    ]
    sande = region.members[-1]
    assert (sande.codes, sande.current_code, sande.merged_into) == ({"0713"}, "3903", "Holmestrand")
    assert [(c.label, c.merged_into) for c in region.candidates] == [
        ("Røyken", "Asker"),
        ("Hurum", "Asker"),
    ]
    assert english(region.notes) == (
        "Nedre Eiker (0625) merged into Drammen in 2020: counted as part of today's Drammen.",
        "Svelvik (0711) merged into Drammen in 2020: counted as part of today's Drammen.",
        "Sande (Vestfold) (0713) merged into Holmestrand in 2020; in Drammensregionen, "
        "records coded 3802/3903 cannot be told apart from the rest of Holmestrand and are "
        "not counted.",
    )
    assert "Internasjonale Drammen" in region.description


@pytest.mark.parametrize("day", DAYS)
def test_drammensregionen_counts_todays_drammen_and_old_sande_only(day: date):
    region = build_region("drammensregionen", load_regions(), H)
    for code in ("0602", "3005", "3301", "0625", "0711"):
        assert region.member_for(code, day) == region.members[0], code
    assert region.member_for("3049", day).label == "Lier"
    assert region.member_for("0713", day).label == "Sande (Vestfold)"
    for code in ("3802", "3903", "0702", "0627", "0628", "3025", "3203", "1507", "9999", None):
        assert not region.contains(code, day), code


def test_mjosa():
    region = build_region("Mjøsa", load_regions(), H)
    assert [m.label for m in region.members] == ["Gjøvik", "Lillehammer", "Ringsaker", "Hamar"]
    assert region.contains("0403", date(2017, 5, 1))
    assert region.contains("3403", date(2017, 5, 1))
    assert not region.contains("0602", date(2017, 5, 1))
    assert region.notes == ()


def test_user_file_replaces_a_region_adds_one_and_dates_members(tmp_path: Path):
    path = user_regions(
        tmp_path,
        """
version = "local-3"

[[region]]
name = "DRAMMENSREGIONEN"
members = [
  { municipality = "Drammen" },
  { municipality = "0626", from = 2018-01-01 },
  { municipality = "Øvre Eiker", to = 2019-12-31 },
]

[[region]]
name = "Eikene"
members = ["Øvre Eiker", "Nedre Eiker"]
""",
    )
    config = load_regions(path)
    assert re.fullmatch(r"local-3\+[0-9a-f]{8}", config.version)
    assert config.sources == ("intdrammen/data/regions.toml", str(path))
    assert [spec.name for spec in config.regions.values()] == [
        "DRAMMENSREGIONEN",
        "Mjøsa",
        "Eikene",
    ]
    region = build_region("Drammensregionen", config, H)
    assert [m.label for m in region.members] == ["Drammen", "Lier", "Øvre Eiker"]
    assert region.candidates == ()
    assert not region.contains("0626", date(2017, 12, 31))
    assert region.contains("0626", date(2018, 1, 1))
    assert region.contains("3312", date(2025, 1, 1))
    assert region.contains("0624", date(2019, 12, 31))
    assert not region.contains("3048", date(2020, 1, 1))
    eikene = build_region("eikene", config, H)
    assert [(m.label, m.merged_into) for m in eikene.members] == [
        ("Øvre Eiker", None),
        ("Nedre Eiker", "Drammen"),
    ]
    assert eikene.members[1].codes == {"0625"}
    assert not eikene.contains("3005", date(2021, 1, 1))
    assert english(eikene.notes) == (
        "Nedre Eiker (0625) merged into Drammen in 2020; in Eikene, records coded 3005/3301 "
        "cannot be told apart from the rest of Drammen and are not counted.",
    )


def test_duplicate_members_collapse(tmp_path: Path):
    path = user_regions(
        tmp_path,
        '[[region]]\nname = "D"\nmembers = ["0602", "3301", "Drammen", "0625", "0625"]\n',
    )
    region = build_region("D", load_regions(path), H)
    assert [m.label for m in region.members] == ["Drammen"]
    assert english(region.notes) == (
        "Nedre Eiker (0625) merged into Drammen in 2020: counted as part of today's Drammen.",
    )


@pytest.mark.parametrize(
    ("members", "fragment"),
    [
        ('["Atlantis"]', "region 'Bad', member 'Atlantis': unknown municipality name"),
        ('["Sande"]', "member 'Sande': 'Sande' is the name of several municipalities"),
        ('["1507"]', "member '1507': 1507 Ålesund was split in 2024 into 1508 Ålesund"),
        ('["9999"]', "member '9999': not a municipality"),
        ('[{ municipality = "0602", from = "2018-01-01" }]', "write from/to as a TOML date"),
        ('[{ municipality = "0602", from = 2019-01-01, to = 2018-01-01 }]', "is after `to`"),
        ('[{ municipality = "0602", form = 2018-01-01 }]', "unknown key 'form'"),
        ("[]", "region 'Bad': the region needs at least one member"),
        ('["0602", { municipality = "3301", from = 2018-01-01 }]', "listed twice"),
    ],
)
def test_broken_user_regions_name_file_region_and_member(
    tmp_path: Path, members: str, fragment: str
):
    path = user_regions(tmp_path, f'[[region]]\nname = "Bad"\nmembers = {members}\n')
    with pytest.raises(ConfigError) as info:
        build_region("Bad", load_regions(path), H)
    assert str(path) in info.value.message
    assert fragment in info.value.message


def test_unreadable_or_invalid_toml_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="Cannot read regions file"):
        load_regions(tmp_path / "missing.toml")
    path = user_regions(tmp_path, "[[region]\nname = 'x'\n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_regions(path)


# ------------------------------------------------------------------------ resolve_region()


@pytest.mark.parametrize(
    ("query", "name"), [("drammensregionen", "Drammensregionen"), (" MJØSA ", "Mjøsa")]
)
def test_resolve_configured_region_by_name(query: str, name: str):
    assert resolve_region(query, load_regions(), H).name == name


def test_resolve_current_municipality():
    region = resolve_region("Lier", load_regions(), H)
    assert region.name == "Lier"
    assert [(m.label, m.codes, m.current_code) for m in region.members] == [
        ("Lier", {"0626", "3049", "3312"}, "3312")
    ]
    assert region.notes == ()


@pytest.mark.parametrize(
    ("query", "old", "code", "today"),
    [
        ("0625", "Nedre Eiker", "0625", "Drammen"),
        ("Nedre Eiker", "Nedre Eiker", "0625", "Drammen"),
        ("0713", "Sande (Vestfold)", "0713", "Holmestrand"),
    ],
)
def test_resolve_merged_municipality_shows_today_with_a_note(
    query: str, old: str, code: str, today: str
):
    region = resolve_region(query, load_regions(), H)
    assert region.name == today
    assert english(region.notes) == (
        f"{old} ({code}) merged into {today} in 2020; showing today's {today}.",
    )
    assert region.contains(code, date(2018, 1, 1))
    assert [m.label for m in region.members] == [today]


def test_resolve_split_code_is_an_error_naming_the_new_municipalities():
    with pytest.raises(UnknownName) as info:
        resolve_region("1507", load_regions(), H)
    assert "split in 2024" in info.value.message
    assert "1508 Ålesund" in info.value.message
    assert "1580 Haram" in info.value.message


def test_resolve_unknown_lists_regions_and_suggests_intd_regions():
    with pytest.raises(UnknownName) as info:
        resolve_region("Atlantis", load_regions(), H)
    assert "'Atlantis'" in info.value.message
    assert "Drammensregionen, Mjøsa" in info.value.message
    assert "`intd regions`" in info.value.message


def test_resolve_ambiguous_name_and_9999_are_errors():
    with pytest.raises(UnknownName) as info:
        resolve_region("Sande", load_regions(), H)
    assert info.value.message == lookup_error("Sande").message
    with pytest.raises(UnknownName, match="unknown municipality"):
        resolve_region("9999", load_regions(), H)
