"""The preflight: every sample encoded before any weights load, with its image-token count and length.

A sample that `--model-max-length` would cut inside its image tokens is dropped and counted (an error under
--strict): the model would otherwise stop mid-run with "Image features and image tokens do not match". A
sample cut only in its answer is truncated there; one left with no answer token is dropped too.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aitraining.data.images import open_image
from aitraining.errors import DataError
from aitraining.tasks.vlm.encode import IGNORE, Encoded, encode

if TYPE_CHECKING:
    from aitraining.tasks.vlm.params import VLMParams

SHOWN = 5


def spread(values: list[int]) -> str:
    return f"min {min(values)}, median {statistics.median(values):g}, max {max(values)}"


@dataclass
class SplitReport:
    split: str
    limit: int
    lengths: list[int] = field(default_factory=list)  # tokens per sample before truncation
    image_tokens: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)  # row indices kept
    truncated: int = 0
    cut_images: list[str] = field(default_factory=list)  # "row N: ..." of each sample dropped for that reason
    no_answer: list[str] = field(default_factory=list)

    def line(self) -> str:
        if not self.lengths:
            return f"{self.split}: no samples."
        return (
            f"{self.split}: {len(self.lengths)} samples; image tokens per sample {spread(self.image_tokens)}; "
            f"tokens per sample {spread(self.lengths)}; --model-max-length {self.limit}: {self.truncated} truncated "
            f"in the answer, {len(self.cut_images)} dropped (the limit cuts through their image tokens), "
            f"{len(self.no_answer)} dropped (no answer token within the limit)."
        )

    def record(self) -> dict[str, Any]:
        return {
            "samples": len(self.lengths),
            "kept": len(self.kept),
            "truncated": self.truncated,
            "dropped_image_cut": self.cut_images,
            "dropped_no_answer": self.no_answer,
        }


def row_images(value: Any) -> list[Any]:
    """A row's image reference(s), opened as RGB PIL images."""
    references = value if isinstance(value, list) else [value]
    return [open_image(r) for r in references]


def row_prompt(row: dict[str, Any], params: VLMParams) -> str | None:
    if params.trainer != "vqa" or not params.prompt_text_column:
        return None
    value = row.get(params.prompt_text_column)
    return None if value is None else str(value)


def encode_row(row: dict[str, Any], processor: Any, params: VLMParams) -> Encoded:
    images = row_images(row[params.image_column])
    return encode(processor, images, row_prompt(row, params), row[params.text_column])


def fit(encoded: Encoded, limit: int, row: str, report: SplitReport) -> Encoded | None:
    """The sample within `limit` tokens, or None (counted in `report`) when it cannot be kept."""
    ids = encoded.input_ids
    if len(ids) > limit and encoded.last_image_token >= limit:
        report.cut_images.append(
            f"{row}: {len(ids)} tokens, image tokens up to position {encoded.last_image_token + 1}"
        )
        return None
    cut = len(ids) > limit
    if cut:
        encoded = Encoded(
            ids[:limit],
            encoded.labels[:limit],
            {k: v[:limit] for k, v in encoded.extras.items()},
            encoded.image_tokens,
            encoded.last_image_token,
        )
    if all(label == IGNORE for label in encoded.labels):
        report.no_answer.append(f"{row}: {len(ids)} tokens")
        return None
    report.truncated += cut
    return encoded


def encode_split(
    dataset: Any, split: str, processor: Any, params: VLMParams, *, strict: bool, source: str
) -> tuple[Any, SplitReport]:
    """`dataset` with input_ids, labels (and per-token extras) added, minus the samples that cannot be kept."""
    report = SplitReport(split, params.model_max_length)
    columns: dict[str, list[list[int]]] = {}
    for index, row in enumerate(dataset):
        encoded = encode_row(row, processor, params)
        report.lengths.append(len(encoded.input_ids))
        report.image_tokens.append(encoded.image_tokens)
        kept = fit(encoded, params.model_max_length, f"row {index + 1}", report)
        if kept is None:
            continue
        report.kept.append(index)
        for key, values in {"input_ids": kept.input_ids, "labels": kept.labels, **kept.extras}.items():
            columns.setdefault(key, []).append(values)
    check_report(report, source, strict)
    kept_rows = dataset.select(report.kept)
    for key, column in columns.items():
        if key in kept_rows.column_names:
            kept_rows = kept_rows.remove_columns(key)
        kept_rows = kept_rows.add_column(key, column)
    return kept_rows, report


def check_report(report: SplitReport, source: str, strict: bool) -> None:
    dropped = report.cut_images + report.no_answer
    where = f"the {report.split} split of {source}"
    if dropped and (strict or len(report.kept) == 0):
        why = "--strict is set" if strict else "no sample is left"
        shown = "; ".join(dropped[:SHOWN]) + (f"; ... ({len(dropped)} in all)" if len(dropped) > SHOWN else "")
        raise DataError(
            f"{len(dropped)} of {len(report.lengths)} samples of {where} do not fit --model-max-length "
            f"{report.limit} and {why}: {shown}. Raise --model-max-length (image tokens are never truncated), "
            "use smaller images, or drop --strict to skip those samples with a count."
        )
