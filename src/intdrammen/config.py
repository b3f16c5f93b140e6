"""Where things live and what is configured: the database path, the identity-number key,
goals, the language-training rules and national figures. Regions live with the
municipality history in `municipalities.py`.

Reading a config file is cheap (tomllib, importlib.resources); nothing here imports a
heavy library, because every command starts here.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import secrets
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intdrammen.errors import ConfigError
from intdrammen.models import CEFR_LEVELS, Goal, GoalKind, LanguageRule, NationalFigure

if TYPE_CHECKING:
    from intdrammen.store.target import PostgresTarget

DEFAULT_DB = "intd.sqlite"
APP_NAME = "intd"


def db_path(option: str | Path | None = None) -> Path:
    """--db, else $INTD_DB, else ./intd.sqlite (cli-contract.md)."""
    chosen = option or os.environ.get("INTD_DB") or DEFAULT_DB
    return Path(chosen).expanduser()


def db_target(option: str | None = None) -> Path | PostgresTarget:
    """What --db, else $INTD_DB, else ./intd.sqlite names: an SQLite file, or a
    PostgreSQL database by its libpq URL (`postgresql://HOST/DBNAME`)."""
    chosen = option or os.environ.get("INTD_DB") or DEFAULT_DB
    if "://" not in chosen:  # a file: the store package is not loaded for --help
        return Path(chosen).expanduser()
    from intdrammen.store.target import PostgresTarget, parse_target

    target = parse_target(chosen)
    if isinstance(target, PostgresTarget):
        target.check()
        return target
    return Path(chosen).expanduser()


def key_path() -> Path:
    """$INTD_KEY_FILE, else the user's config directory (platformdirs, app `intd`)."""
    override = os.environ.get("INTD_KEY_FILE")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "key"


def read_key_file(path: Path) -> bytes:
    """The secret in an existing key file, refused if others may read it or it is too
    short (also for `intd db init --key-file`)."""
    try:
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise ConfigError(
                f"The key file {path} can be read by other users; it protects every "
                f"fødselsnummer hash. Run `chmod 600 {path}` and try again."
            )
        raw = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"Cannot read the key file {path}: {exc.strerror}.") from None
    if len(raw) < 32:
        raise ConfigError(f"The key file {path} is too short to be an intd key.")
    return raw


def load_key(*, create: bool) -> bytes | None:
    """The secret for hashing identity numbers. Created (32 random bytes, mode 0600) the
    first time an import needs it; never stored in or next to the database."""
    path = key_path()
    if path.exists():
        return read_key_file(path)
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another intd process made it just now
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_hex(32).encode("ascii") + b"\n")
    return path.read_bytes().strip()


# ----------------------------------------------------------------------------- files


def _shipped(name: str) -> bytes:
    return resources.files("intdrammen").joinpath("data", name).read_bytes()


def _parse_toml(raw: bytes, label: str) -> dict[str, Any]:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{label} is not valid TOML: {exc}") from None


def _read_user_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from None


def file_version(data: dict[str, Any], raws: list[bytes]) -> str:
    """`version` key of the file plus a content hash, for provenance stamps."""
    digest = hashlib.sha256(b"".join(raws)).hexdigest()[:8]
    return f"{data.get('version', '?')}+{digest}"


@dataclass(frozen=True)
class GoalConfig:
    goals: tuple[Goal, ...]
    version: str
    sources: tuple[str, ...]

    def get(self, goal_id: str) -> Goal | None:
        return next((g for g in self.goals if g.id == goal_id), None)


def _merged_by_id(
    name: str, table: str, user_file: Path | None
) -> tuple[list[dict[str, Any]], str, tuple[str, ...]]:
    """The `[[table]]` entries of the shipped file `name`, with a user's file merged in
    by id (a user's entry over the shipped one of its id, key by key); with the files'
    version and the sources read."""
    raws = [_shipped(name)]
    shipped = _parse_toml(raws[0], f"The shipped {name}")
    entries: dict[str, dict[str, Any]] = {e["id"]: e for e in shipped.get(table, [])}
    sources = [f"intdrammen/data/{name}"]
    version_data = shipped
    if user_file is not None:
        raw = _read_user_file(user_file)
        raws.append(raw)
        data = _parse_toml(raw, str(user_file))
        listed = data.get(table, [])
        if not isinstance(listed, list) or not all(isinstance(e, dict) for e in listed):
            raise ConfigError(f"{user_file}: write each entry as a [[{table}]] table.")
        for entry in listed:
            if not isinstance(entry.get("id"), str) or not entry["id"]:
                raise ConfigError(f'{user_file}: every [[{table}]] needs an id = "...".')
            entries[entry["id"]] = {**entries.get(entry["id"], {}), **entry}
        sources.append(str(user_file))
        version_data = data if "version" in data else shipped
    return list(entries.values()), file_version(version_data, raws), tuple(sources)


def load_goals(user_file: Path | None = None) -> GoalConfig:
    """The shipped goals, with a user's file (--goals / $INTD_GOALS) merged in by id."""
    entries, version, sources = _merged_by_id("goals.toml", "goal", user_file)
    goals = tuple(
        _goal(entry, user_file or "goals.toml")
        for entry in entries
        if not entry.get("disabled", False)
    )
    return GoalConfig(goals, version, sources)


def _goal(entry: dict[str, Any], origin: Path | str) -> Goal:
    goal_id = entry.get("id", "?")

    def fail(what: str) -> ConfigError:
        return ConfigError(f"{origin}: goal {goal_id!r}: {what}.")

    try:
        kind = GoalKind(entry.get("kind", ""))
    except ValueError:
        raise fail(f"kind must be one of {', '.join(k.value for k in GoalKind)}") from None
    target = entry.get("target")
    if not isinstance(target, int | float) or isinstance(target, bool) or target <= 0:
        raise fail("target must be a positive number")
    start, end = entry.get("start"), entry.get("end")
    for name, value in (("start", start), ("end", end)):
        if value is not None and not isinstance(value, date):
            raise fail(f"{name} must be a TOML date like 2016-02-09")
    if kind is GoalKind.PERSONS_INTO_WORK:
        if start is None:
            raise fail("a persons_into_work goal needs a start date")
        if end is None and entry.get("every") != "year":
            raise fail('give an end date, or every = "year"')
        if end is not None and end < start:
            raise fail("end is before start")
    elif not 0 < target <= 1:
        raise fail("an introduction goal's target is a share between 0 and 1, e.g. 0.55")
    measured = str(entry.get("measured_on", "11-15"))
    try:
        month, day = (int(part) for part in measured.split("-"))
        date(2001, month, day)
    except ValueError:
        raise fail('measured_on must be month-day, e.g. "11-15"') from None
    days_after = entry.get("days_after", 30)
    if not isinstance(days_after, int) or days_after < 0:
        raise fail("days_after must be a whole number of days")
    return Goal(
        id=str(goal_id),
        title=str(entry.get("title", goal_id)),
        title_nb=entry.get("title_nb"),
        kind=kind,
        target=Fraction(str(target)),
        start=start,
        end=end,
        every_year=entry.get("every") == "year",
        region=entry.get("region"),
        days_after=days_after,
        measured_on=(month, day),
        source=entry.get("source"),
    )


@dataclass(frozen=True)
class RequirementConfig:
    rules: tuple[LanguageRule, ...]
    version: str
    sources: tuple[str, ...]


def load_requirements(user_file: Path | None = None) -> RequirementConfig:
    """The shipped language-training rules (data/requirements.toml), with a user's file
    (--requirements / $INTD_REQUIREMENTS) merged in by id, as goals are."""
    entries, version, sources = _merged_by_id("requirements.toml", "rule", user_file)
    origin = user_file or "requirements.toml"
    rules = sorted(
        (_rule(entry, origin) for entry in entries if not entry.get("disabled")),
        key=lambda r: r.start or date.min,
    )
    for before, after in itertools.pairwise(rules):
        if before.end is None or (after.start is not None and after.start <= before.end):
            raise ConfigError(
                f"{origin}: the periods of rules {before.id!r} and {after.id!r} overlap; "
                "each first-permit date must have one rule."
            )
    return RequirementConfig(tuple(rules), version, sources)


# The keys a [[rule]] of requirements.toml may have: a misspelt one (minimun_level) would
# otherwise leave a part of the rule out without a word.
RULE_KEYS = frozenset(
    {
        "id",
        "from",
        "to",
        "norwegian_hours",
        "social_studies_hours",
        "hours_in_all",
        "level_required",
        "minimum_level",
        "source",
        "disabled",
    }
)


def _rule(entry: dict[str, Any], origin: Path | str) -> LanguageRule:
    rule_id = str(entry.get("id", "?"))

    def fail(what: str) -> ConfigError:
        return ConfigError(f"{origin}: rule {rule_id!r}: {what}.")

    unknown = sorted(set(entry) - RULE_KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}; use {', '.join(sorted(RULE_KEYS))}")

    start, end = entry.get("from"), entry.get("to")
    for name, value in (("from", start), ("to", end)):
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise fail(f"{name} must be a TOML date like 2012-01-01")
    if start is not None and end is not None and end < start:
        raise fail("to is before from")
    hours: dict[str, float | None] = {}
    for name in ("norwegian_hours", "social_studies_hours", "hours_in_all"):
        value = entry.get(name)
        if value is not None and (
            not isinstance(value, int | float) or isinstance(value, bool) or value < 0
        ):
            raise fail(f"{name} must be a number of hours, 0 or more")
        hours[name] = None if value is None else float(value)
    level = entry.get("minimum_level")
    if level is not None and level not in CEFR_LEVELS:
        raise fail(f"minimum_level must be one of {', '.join(CEFR_LEVELS)}")
    required = entry.get("level_required", False)
    if not isinstance(required, bool):
        raise fail("level_required must be true or false")
    if all(v is None for v in hours.values()) and not required and level is None:
        raise fail("a rule needs hours or a level")
    return LanguageRule(
        id=rule_id,
        start=start,
        end=end,
        norwegian_hours=hours["norwegian_hours"],
        social_studies_hours=hours["social_studies_hours"],
        hours_in_all=hours["hours_in_all"],
        level_required=required,
        minimum_level=level,
        source=entry.get("source"),
    )


def load_national() -> tuple[NationalFigure, ...]:
    """Published national (and Drammen's own) figures shipped in data/national.toml."""
    data = _parse_toml(_shipped("national.toml"), "The shipped national.toml")
    return tuple(
        NationalFigure(
            area=str(f.get("area", "Norge")),
            measure=str(f["measure"]),
            cohort_year=int(f["cohort_year"]),
            rate=Fraction(str(f["rate"])),
            ended=f.get("ended"),
            work_or_education=f.get("work_or_education"),
            source=str(f["source"]),
            published_as=f.get("published_as"),
        )
        for f in data.get("figure", [])
    )


def user_file_option(option: str | Path | None, env: str) -> Path | None:
    """An option's path, else the environment variable's, else None."""
    chosen = option or os.environ.get(env)
    return Path(chosen).expanduser() if chosen else None
