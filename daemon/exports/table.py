"""CSV as the exports write it: UTF-8, `\\n` line ends, every field as text."""

from __future__ import annotations

import csv
import io


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def joined(titles: list[str]) -> str:
    """Several names in one cell."""
    return "; ".join(titles)


def number_text(value: float | None) -> str:
    """4.0 -> `4`, 2.5 -> `2.5`, None -> empty."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
