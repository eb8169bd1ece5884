"""Read one local data file (.csv, .jsonl, .json, .parquet) into a `datasets.Dataset`.

.jsonl, .csv and .parquet files go through datasets' Arrow builders first (`arrow_files`: chunked,
memory-mapped, cached between runs). When that fails, the line-by-line readers below read the file
again: they either find the problem and raise a `DataError` naming the file, line and column, or
read the file into memory (with a warning that the slow path was taken).
.json files (one document) are always read by the readers below.
Nothing is written next to the file.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.data import arrow_files
from aitraining.errors import DataError

if TYPE_CHECKING:
    import datasets

SUFFIXES = (".csv", ".jsonl", ".json", ".parquet")


def read_file(path: Path) -> datasets.Dataset:
    """Load one data file; the format is chosen by its suffix (one of `SUFFIXES`)."""
    suffix = path.suffix.lower()
    if suffix in SUFFIXES and path.stat().st_size == 0:
        raise DataError(
            f"{path} is empty (0 bytes). A data file needs at least one example; check that it was written "
            "completely, or pass the file that holds your data."
        )
    if suffix == ".jsonl":
        return _fast_or_checked(path, arrow_files.load_json_lines, _read_jsonl)
    if suffix == ".json":
        return _read_json(path)
    if suffix == ".csv":
        return _fast_or_checked(path, _load_csv, _read_csv)
    if suffix == ".parquet":
        return _fast_or_checked(path, arrow_files.load_parquet, _read_parquet)
    raise DataError(
        f"{path} has an unsupported format '{suffix or '(no suffix)'}'. Supported formats are "
        f"{', '.join(SUFFIXES)}; convert the file to one of them (JSON Lines is the simplest: one JSON "
        "object per line) and name it with that suffix."
    )


def _fast_or_checked(
    path: Path, fast: Callable[[Path], datasets.Dataset], checked: Callable[[Path], datasets.Dataset]
) -> datasets.Dataset:
    """The Arrow reader's dataset; if it fails, the checking reader's precise error (or its dataset)."""
    try:
        return fast(path)
    except DataError:
        raise
    except arrow_files.NotForArrow:
        return checked(path)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    dataset = checked(path)  # raises the DataError that names the line when the file is at fault
    logging.getLogger("aitraining").warning(
        f"{path}: the fast Arrow reader could not read this file ({reason}), so it was read row by row "
        "instead; this holds every row in memory and is not cached between runs."
    )
    return dataset


def _load_csv(path: Path) -> datasets.Dataset:
    _check_csv(path)  # streams the file once: names the line of a bad row, which pandas would not
    return arrow_files.load_csv(path)


def _not_utf8(path: Path, exc: UnicodeDecodeError, line: int | None = None) -> DataError:
    where = f"{path}, line {line}" if line else str(path)
    return DataError(
        f"{where}: the file is not UTF-8 text ({exc.reason} at byte 0x{exc.object[exc.start]:02x}). "
        "Save the file with UTF-8 encoding and try again."
    )


def _iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) for each line, reporting the exact line of any non-UTF-8 bytes."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _not_utf8(path, exc, number) from exc


def _read_jsonl(path: Path) -> datasets.Dataset:
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    for number, line in _iter_lines(path):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(
                f"{path}, line {number}, column {exc.colno}: not valid JSON ({exc.msg}). Each line of a "
                '.jsonl file must be one complete JSON object, such as {"text": "..."}; fix or remove '
                "that line."
            ) from exc
        if not isinstance(row, dict):
            raise DataError(
                f"{path}, line {number}: the line is valid JSON but a {_json_type(row)}, not an object. "
                'Each line of a .jsonl file must be one JSON object, such as {"text": "..."}; fix or '
                "remove that line."
            )
        rows.append(row)
        numbers.append(number)
    return rows_to_dataset(rows, path, numbers, "line")


def _read_json(path: Path) -> datasets.Dataset:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            return _fast_or_checked(path, arrow_files.load_json_lines, _read_jsonl)  # JSON Lines as .json
        raise DataError(
            f"{path}, line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}). Fix the file so it "
            "holds a list of objects (one per example) or an object of columns."
        ) from exc
    if isinstance(data, list):
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                raise DataError(
                    f"{path}: item {index + 1} of the top-level list is a {_json_type(item)}, not an object. "
                    'A .json file must hold a list of objects, such as [{"text": "..."}, ...], or an '
                    "object of columns; fix that item."
                )
        return rows_to_dataset(data, path, range(1, len(data) + 1), "item")
    if isinstance(data, dict) and data:
        return _columns_to_dataset(data, path)
    raise DataError(
        f"{path} holds a {_json_type(data) if data else 'empty ' + _json_type(data)}, but a .json data file "
        'must hold a list of objects (one per example), such as [{"text": "..."}, ...], or an object of '
        'columns, such as {"text": ["...", "..."]}. Rewrite the file in one of those shapes.'
    )


def _columns_to_dataset(data: dict[str, Any], path: Path) -> datasets.Dataset:
    lengths: dict[int, str] = {}
    for name, values in data.items():
        if not isinstance(values, list):
            raise DataError(
                f"{path}: key '{name}' holds a {_json_type(values)}, but in an object of columns every "
                "value must be a list (one entry per example). Use a list of objects instead, or make "
                f"'{name}' a list."
            )
        lengths.setdefault(len(values), name)
    if len(lengths) > 1:
        found = ", ".join(f"'{name}' has {length}" for length, name in lengths.items())
        raise DataError(
            f"{path}: the columns have different lengths ({found} values). In an object of columns every "
            "list must have one entry per example; make the lists the same length."
        )
    numbers = range(1, next(iter(lengths)) + 1)
    return _build(data, path, numbers, "row")


def rows_to_dataset(rows: Sequence[dict[str, Any]], path: Path, numbers: Sequence[int], unit: str) -> datasets.Dataset:
    """Build a Dataset from row objects; columns are the union of keys, missing values become null."""
    names: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key not in names:
                names[key] = None
    columns = {name: [row.get(name) for row in rows] for name in names}
    return _build(columns, path, numbers, unit)


def _build(columns: dict[str, list[Any]], path: Path, numbers: Sequence[int], unit: str) -> datasets.Dataset:
    import datasets
    import pyarrow as pa

    try:
        return datasets.Dataset.from_dict(columns)
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
        raise _mixed_types_error(columns, path, numbers, unit, exc) from exc


def _mixed_types_error(
    columns: dict[str, list[Any]], path: Path, numbers: Sequence[int], unit: str, exc: Exception
) -> DataError:
    import pyarrow as pa

    for name, values in columns.items():
        try:
            pa.array(values)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            first: tuple[int, str] | None = None
            for index, value in enumerate(values):
                if value is None:
                    continue
                kind = _json_type(value)
                if first is None:
                    first = (index, kind)
                elif kind != first[1]:
                    return DataError(
                        f"{path}: column '{name}' mixes value types: a {first[1]} on {unit} "
                        f"{numbers[first[0]]} but a {kind} on {unit} {numbers[index]}. Make every value in "
                        "a column the same type (for example write numbers as strings in a text column)."
                    )
            return DataError(
                f"{path}: the values of column '{name}' cannot be stored together ({exc}). Make every value "
                "in a column the same type, including inside nested lists and objects."
            )
    return DataError(f"{path}: the data cannot be turned into a table ({exc}). Check that the rows are uniform.")


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "null" if value is None else type(value).__name__


def _check_csv(path: Path) -> None:
    """Check the CSV shape with the csv module, reporting the physical line of any bad row."""
    header: list[str] | None = None
    rows = 0
    end = 0
    consumed: list[str] = []  # the physical lines of the record just read
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(_recording(handle, consumed))
            for record in reader:
                start, end = end + 1, reader.line_num
                text = "".join(consumed)
                consumed.clear()
                if not record:
                    continue
                if header is None:
                    header = record
                    _check_header(path, header, start)
                elif len(record) != len(header):
                    raise _field_count_error(path, header, record, text, start)
                else:
                    rows += 1
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from exc
    except csv.Error as exc:
        raise DataError(f"{path}, line {end + 1}: the CSV cannot be read ({exc}). Fix that line.") from exc
    if header is None:
        raise DataError(
            f"{path} is empty. A CSV data file needs a header line naming the columns (such as text,label) "
            "and then one line per example."
        )
    if rows == 0:
        raise DataError(
            f"{path} has a header line ({', '.join(header)}) but no data rows. Add one line per example "
            "below the header."
        )


def _recording(lines: Iterator[str], consumed: list[str]) -> Iterator[str]:
    for line in lines:
        consumed.append(line)
        yield line


def _field_count_error(path: Path, header: list[str], record: list[str], text: str, start: int) -> DataError:
    """Name the line and column where the extra field starts, or where a short row ends."""
    offset = _delimiter_offset(text, len(header)) if len(record) > len(header) else len(text.rstrip("\r\n"))
    line = start + text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    where = "the first extra field starts there" if len(record) > len(header) else "the row ends there"
    return DataError(
        f"{path}, line {line}, column {column}: expected {len(header)} fields (one per column of the header: "
        f"{', '.join(header)}) but found {len(record)}; {where}. Quote values that contain commas or line "
        'breaks with double quotes ("a, b"), or fix the row.'
    )


def _delimiter_offset(text: str, count: int) -> int:
    """The offset just after the `count`-th comma outside double quotes (the start of field count+1)."""
    quoted = False
    seen = 0
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            seen += 1
            if seen == count:
                return index + 1
    return len(text)


def _check_header(path: Path, header: list[str], line: int) -> None:
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataError(
                f"{path}, line {line}: the header names column '{name}' twice. Give every column a different name."
            )
        seen.add(name)


def _read_csv(path: Path) -> datasets.Dataset:
    import datasets
    import pandas as pd
    import pyarrow as pa
    from datasets.table import InMemoryTable

    _check_csv(path)
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""], low_memory=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: the CSV cannot be read ({exc}). Fix the file and try again.") from exc
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema = pa.schema(
        [field.with_type(pa.string()) if pa.types.is_large_string(field.type) else field for field in table.schema]
    ).remove_metadata()
    return datasets.Dataset(InMemoryTable(table.cast(schema)))


def _read_parquet(path: Path) -> datasets.Dataset:
    import datasets
    import pyarrow as pa
    import pyarrow.parquet as pq
    from datasets.table import InMemoryTable

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(
            f"{path} is not a readable Parquet file ({exc}). Re-export it as Parquet, or use .jsonl or .csv."
        ) from exc
    return datasets.Dataset(InMemoryTable(table))
