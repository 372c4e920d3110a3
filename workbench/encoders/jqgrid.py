"""jqGrid JSON: a table in jqGrid's standard reader format (total, page, records, rows of id + cell)."""

from __future__ import annotations

from workbench.encoders.base import Encoded, as_table, cell_text
from workbench.encoders.json import MEDIA_TYPE, dumps
from workbench.errors import invalid


def jqgrid_document(
    document: object,
    *,
    page: int = 1,
    total_pages: int = 1,
    records: int | None = None,
    id_column: str | None = None,
) -> dict[str, object]:
    """``{"total", "page", "records", "rows": [{"id", "cell": [...]}]}``; ids are row numbers
    (from 1) unless ``id_column`` names the column that holds them."""
    table = as_table(document)
    if id_column is not None and id_column not in table.columns:
        raise invalid("id_column", id_column, table.columns)
    index = None if id_column is None else table.columns.index(id_column)
    rows = [
        {"id": str(number) if index is None else cell_text(row[index]), "cell": list(row)}
        for number, row in enumerate(table.rows, 1)
    ]
    return {
        "total": total_pages,
        "page": page,
        "records": len(rows) if records is None else records,
        "rows": rows,
    }


def encode_jqgrid(
    document: object,
    *,
    page: int = 1,
    total_pages: int = 1,
    records: int | None = None,
    id_column: str | None = None,
    indent: int | None = None,
) -> Encoded:
    """A table as jqGrid JSON (``application/json``)."""
    grid = jqgrid_document(
        document, page=page, total_pages=total_pages, records=records, id_column=id_column
    )
    return Encoded(dumps(grid, indent=indent).encode(), MEDIA_TYPE)
