"""What an `intd import` is asked to do: `ImportOptions`, and the office's own column
names given with --map (`parse_mapping`, `load_mapping`).

Apart from the pipeline that carries them out, so that each stage (plan, pipeline, key,
rejected rows) reads the same options without importing another stage, and a second
store backend (PostgreSQL, issue 16) takes them unchanged.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from intdrammen.errors import MappingError
from intdrammen.importers.columns import FIELDS, IGNORE, KINDS, column_key, field_of


@dataclass
class ImportOptions:
    kind: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    on_error: str = "fail"  # or "skip"
    max_errors: int = 100
    progress: Callable[[int], None] | None = None  # called with rows read so far
    # Each file is the whole new version of what earlier batches of its name brought:
    # stored rows no longer in it are removed (see Store.remove_missing).
    replace: bool = False
    # A stored participant's fødselsnummer may change (or be emptied): a correction.
    allow_fnr_change: bool = False
    date_order: str | None = None  # "dmy" or "mdy": the order of slash and dash dates


def load_mapping(path: Path) -> dict[str, str]:
    """An office's own column names: a TOML file with a [columns] table
    `"Their name" = "canonical_field"` (or `= "ignore"` to pass a column over)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"Cannot read the mapping file {path}: {exc}") from None
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise MappingError(f'{path} needs a [columns] table like "Deltakernr" = "participant_id".')
    mapping: dict[str, str] = {}
    for theirs, ours in columns.items():
        _add_mapping(mapping, theirs, ours, str(path))
    return mapping


def parse_mapping(specs: Sequence[str]) -> dict[str, str]:
    """Every --map given: each a TOML file (see `load_mapping`) or one column inline,
    `Deltakernr=participant_id` or `"Født" = "ignore"`. A column mapped twice must be
    mapped the same way."""
    mapping: dict[str, str] = {}
    for spec in specs:
        path = Path(spec)
        if path.is_file() or ("=" not in spec and spec.strip()):
            if not path.is_file():
                raise MappingError(
                    f"--map {spec!r}: no such mapping file; give a TOML file or "
                    '"Their column=field" (e.g. --map "Deltakernr=participant_id")'
                )
            for theirs, ours in load_mapping(path).items():
                _add_mapping(mapping, theirs, ours, str(path))
            continue
        theirs, _eq, ours = spec.rpartition("=")
        theirs, ours = _unquote(theirs), _unquote(ours)
        if not theirs or not ours:
            raise MappingError(
                f"--map {spec!r}: write a column name and a field, "
                '"Their column=field" (e.g. --map "Deltakernr=participant_id")'
            )
        _add_mapping(mapping, theirs, ours, f"--map {spec!r}")
    return mapping


def _unquote(part: str) -> str:
    part = part.strip()
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
        part = part[1:-1].strip()
    return part


def _add_mapping(mapping: dict[str, str], theirs: object, ours: object, where: str) -> None:
    known = {f.name for fields in FIELDS.values() for f in fields}
    if not isinstance(ours, str) or (ours not in known and ours != IGNORE):
        raise MappingError(
            f"{where}: {theirs!r} maps to {ours!r}, which is not a field"
            f'{_suggest(ours)}; `intd columns` lists them, and "ignore" passes a '
            "column over."
        )
    name = str(theirs).strip()
    if not column_key(name):
        raise MappingError(f"{where}: {theirs!r} is not a column name")
    for other, field_name in mapping.items():
        if column_key(other) == column_key(name) and field_name != ours:
            raise MappingError(
                f"{where}: {name!r} is mapped to both {field_name} and {ours}; map it once"
            )
    mapping[name] = ours


def _suggest(word: object) -> str:
    if not isinstance(word, str):
        return ""
    for kind in KINDS:
        field_name = field_of(word, kind)
        if field_name:
            return f" (did you mean {field_name!r}?)"
    import difflib

    known = sorted({f.name for fields in FIELDS.values() for f in fields})
    close = difflib.get_close_matches(word, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
