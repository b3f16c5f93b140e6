"""Import files into the database (`intd import`). The package's modules, by concern:

- `options`: what an import is asked to do (ImportOptions; --map: parse_mapping).
- `plan`: which files, sheets, kinds and columns will be read, decided before writing.
- `pipeline`: `import_files`, running a plan into the store in one transaction.
- `store_checks`: what comparing the rows with one another and the store finds.
- `replace`: --replace, removing what a file's new version no longer holds.
- `key`: the identity key a database's person keys were made with (key_problem).
- `rejected`: --on-error skip's FILE.rejected.csv.
- `results`: what an import did (TableResult, ImportReport).
- Reading and parsing: `tables` and `workbook_cells` (files -> header + rows), `columns`
  (header -> fields), `rows`, `participants`, `placements`, `dates`, `context` (cells
  -> values + problems), `columnar` (column batches, vectorised reading).

Planning and parsing know nothing of the database; the pipeline, key, replace and
store_checks reach it only through `Store`, the seam a second backend implements.
The public names are re-exported here, so `from intdrammen.importers import X` works.
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
