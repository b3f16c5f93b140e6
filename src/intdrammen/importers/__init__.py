"""Import files into the database (`intd import`); this package's modules, by concern.

Being split out of this file; for now the whole pipeline is in `pipeline`.
"""

from intdrammen.importers.pipeline import (
    ID_FIELDS,
    KEY_FINGERPRINT,
    NAME_SAMPLE,
    OTHER_KIND,
    REJECTED_COLUMNS,
    ImportOptions,
    ImportReport,
    TableResult,
    import_files,
    key_problem,
    load_mapping,
    parse_mapping,
)

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
