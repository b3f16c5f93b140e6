"""Import files into the database (`intd import`); this package's modules, by concern.

Being split out of this file: `options` (ImportOptions, --map), `results` (TableResult,
ImportReport); the rest of the
pipeline is in `pipeline` for now.
"""

from intdrammen.importers.key import KEY_FINGERPRINT, key_problem
from intdrammen.importers.options import ImportOptions, load_mapping, parse_mapping
from intdrammen.importers.pipeline import import_files
from intdrammen.importers.plan import ID_FIELDS, NAME_SAMPLE, OTHER_KIND, REJECTED_COLUMNS
from intdrammen.importers.results import ImportReport, TableResult

__all__ = [
    "ID_FIELDS",
    "KEY_FINGERPRINT",
    "NAME_SAMPLE",
    "OTHER_KIND",
    "REJECTED_COLUMNS",
    "ImportOptions",
    "ImportReport",
    "TableResult",
    "import_files",
    "key_problem",
    "load_mapping",
    "parse_mapping",
]
