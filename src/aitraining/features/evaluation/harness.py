"""One model through the whole evaluation: perplexity, generation metrics, benchmarks.

The inputs (token ids) are built once from the trained tokenizer and shared by the base and the trained model,
so both are scored on exactly the same tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aitraining.features.evaluation.benchmarks import Item
from aitraining.features.evaluation.checks import GENERATION_METRICS
from aitraining.features.evaluation.encode import Example, choice_requests, document_requests, example_request
from aitraining.features.evaluation.generation import generate
from aitraining.features.evaluation.loglik import Request, first_batch_logits
from aitraining.features.evaluation.scoring import Scorer, multiple_choice, perplexity
from aitraining.features.evaluation.text_metrics import text_metrics

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams


@dataclass
class Inputs:
    """Everything both models are run on."""

    metrics: list[str]
    examples: list[Example]
    requests: list[Request]  # what perplexity scores: documents' windows, (prompt, answer) pairs
    prompts: list[list[int]]  # what generation starts from, one per example (pairs only)
    benchmarks: dict[str, list[Item]]
    choice_requests: dict[str, list[list[Request]]]
    max_length: int  # the scoring window: training's sequence length; longer inputs lose context from the left

    @property
    def probe(self) -> list[Request]:
        """The first batch's inputs, for the adapter check."""
        if self.requests:
            return self.requests
        return [r for per_item in next(iter(self.choice_requests.values()), []) for r in per_item]


@dataclass
class ModelResult:
    metrics: dict[str, float] = field(default_factory=dict)
    benchmarks: dict[str, dict[str, float]] = field(default_factory=dict)
    predictions: list[str] = field(default_factory=list)


def build_inputs(
    params: LLMParams, metrics: list[str], examples: list[Example], benchmarks: dict[str, list[Item]], tokenizer: Any
) -> Inputs:
    eos_after_text = params.canonical_trainer() != "generic" or params.add_eos_token
    window = min(params.block_size, params.model_max_length)
    requests: list[Request] = []
    prompts: list[list[int]] = []
    for e in examples:
        if e.prompt is None:
            requests += document_requests(e.reference, tokenizer, eos_after_text=eos_after_text, window=window)
        else:
            requests.append(example_request(e, tokenizer, eos_after_text=eos_after_text))
            prompts.append(requests[-1][0])
    chat = params.eval_benchmark_chat_template
    per_benchmark = {
        name: [choice_requests(item, tokenizer, chat=chat) for item in items] for name, items in benchmarks.items()
    }
    return Inputs(metrics, examples, requests, prompts, benchmarks, per_benchmark, window)


def scorer_for(model: Any, tokenizer: Any, params: LLMParams, max_length: int) -> Scorer:
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    return Scorer(model, params.eval_batch_size, pad, max_length)


def probe_logits(model: Any, tokenizer: Any, params: LLMParams, inputs: Inputs) -> Any:
    scorer = scorer_for(model, tokenizer, params, inputs.max_length)
    return first_batch_logits(
        model, inputs.probe, batch_size=scorer.batch_size, pad_id=scorer.pad_id, max_length=scorer.max_length
    )


def evaluate_model(model: Any, tokenizer: Any, params: LLMParams, inputs: Inputs, encoder: Any = None) -> ModelResult:
    scorer = scorer_for(model, tokenizer, params, inputs.max_length)
    result = ModelResult()
    if "perplexity" in inputs.metrics:
        result.metrics.update(perplexity(scorer, inputs.requests))
    generation = [m for m in inputs.metrics if m in GENERATION_METRICS]
    if generation:
        result.predictions = generate(
            model,
            tokenizer,
            inputs.prompts,
            batch_size=params.eval_batch_size,
            max_new_tokens=params.eval_max_new_tokens,
            max_length=params.model_max_length,
        )
        references = [e.reference.strip() for e in inputs.examples]
        result.metrics.update(text_metrics(generation, result.predictions, references))
        if "bertscore" in generation:
            from aitraining.features.evaluation.bertscore import bertscore

            result.metrics.update(bertscore(result.predictions, references, encoder))
    for name, items in inputs.benchmarks.items():
        result.benchmarks[name] = multiple_choice(scorer, items, inputs.choice_requests[name])
    return result
