"""seq2seq: learn to write a target text from a source text (summarisation, translation, rewriting).

Evaluation generates with the model and scores the texts (ROUGE, BLEU) instead of only reporting the
loss, because a lower loss does not always mean better generations; the best checkpoint is the one with
the highest ROUGE-L.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aitraining.data.checks import check_text_column
from aitraining.data.mapping import tokenize_map
from aitraining.engine import modelload
from aitraining.engine.eos import end_with_eos, log_eos
from aitraining.engine.hardware import check_quantization
from aitraining.engine.logs import get_logger
from aitraining.engine.metrics import generation_metrics, logits_of
from aitraining.engine.models import load_trainable, save_trained
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import Metrics, SupervisedTask, TaskState, run_supervised
from aitraining.tasks.seq2seq.params import Seq2SeqParams

EOS_ADDED = "_eos_added"  # temporary column: targets that needed an EOS appended

IGNORED = -100  # label / padding value the loss and the Trainer's gathering use


@dataclass(frozen=True, kw_only=True)
class Seq2SeqState(TaskState[Seq2SeqParams]):
    generation: Any  # the GenerationConfig evaluation uses; saved with the model so generate() matches


class Seq2Seq(SupervisedTask[Seq2SeqParams, Seq2SeqState]):
    metric = "eval_rougeL"
    greater_is_better = True

    def columns(self, params: Seq2SeqParams) -> dict[str, str]:
        return {"text_column": params.text_column, "target_column": params.target_column}

    def check_rows(self, dataset: Any, params: Seq2SeqParams, split: str, source: str) -> None:
        check_text_column(dataset, params.text_column, split, source)
        check_text_column(dataset, params.target_column, split, source)

    def load_processor(self, params: Seq2SeqParams) -> Any:
        tokenizer = modelload.load_tokenizer(params.model or "")
        modelload.ensure_pad_token(tokenizer, get_logger())
        return tokenizer

    def setup(
        self, train: Any, valid: Any, params: Seq2SeqParams, processor: Any, logger: logging.Logger
    ) -> Seq2SeqState:
        generation = evaluation_generation_config(params)
        return Seq2SeqState(params=params, logger=logger, processor=processor, generation=generation)

    def load_model(self, state: Seq2SeqState) -> Any:
        from transformers import AutoModelForSeq2SeqLM

        model = load_trainable(AutoModelForSeq2SeqLM, state.params, lora_task_type="SEQ_2_SEQ_LM")
        # on the model itself: a LoRA wrapper would hide the copy Seq2SeqTrainer sets from generate()
        base = model.get_base_model() if hasattr(model, "get_base_model") else model
        base.generation_config = copy.deepcopy(state.generation)
        return model

    def preprocess(self, dataset: Any, state: Seq2SeqState, split: str) -> Any:
        params, tokenizer = state.params, state.processor

        def encode(batch: dict[str, list]) -> dict[str, list]:
            out = tokenizer(batch[params.text_column], max_length=params.max_seq_length, truncation=True)
            targets = tokenizer(
                text_target=batch[params.target_column], max_length=params.max_target_length, truncation=True
            )
            out["labels"], added = end_with_eos(targets["input_ids"], tokenizer.eos_token_id, params.max_target_length)
            out[EOS_ADDED] = [added] + [0] * (len(out["labels"]) - 1)  # the batch's count, on its first row
            return out

        # the count is a column, not a side effect: it survives worker processes and cached results
        encoded = tokenize_map(dataset, encode, workers=params.num_workers)
        log_eos(state.logger, sum(encoded[EOS_ADDED]), len(dataset), split, tokenizer.eos_token)
        return encoded.remove_columns(EOS_ADDED)

    def training_args_class(self) -> type:
        from transformers import Seq2SeqTrainingArguments

        return Seq2SeqTrainingArguments

    def training_args(self, kwargs: dict[str, Any], state: Seq2SeqState) -> Any:
        # evaluation generates with exactly the config that is saved with the model
        return self.training_args_class()(**kwargs, predict_with_generate=True, generation_config=state.generation)

    def trainer_class(self) -> type:
        from transformers import Seq2SeqTrainer

        return Seq2SeqTrainer

    def collator(self, state: Seq2SeqState, model: Any) -> Any:
        from transformers import DataCollatorForSeq2Seq

        # with the model, the collator builds decoder inputs from the labels (pad -> ignored in the loss)
        return DataCollatorForSeq2Seq(state.processor, model=model, label_pad_token_id=IGNORED)

    def compute_metrics(self, state: Seq2SeqState, valid_rows: Any, valid_features: Any) -> Metrics:
        tokenizer = state.processor

        def compute(prediction: Any) -> dict[str, float]:
            generated_ids = np.asarray(logits_of(prediction.predictions))
            out = generation_metrics(decode_ids(tokenizer, generated_ids), decode_ids(tokenizer, prediction.label_ids))
            real = (generated_ids != tokenizer.pad_token_id) & (generated_ids != IGNORED)
            out["gen_len"] = float(real.sum(axis=1).mean())
            return out

        return compute

    def save(self, trainer: Any, state: Seq2SeqState, project: Path) -> list[str]:
        params = state.params
        model = trainer.model.get_base_model() if params.peft else trainer.model
        model.generation_config = copy.deepcopy(state.generation)
        saved = save_trained(trainer.model, state.processor, params, project, state.logger)
        if "adapter" not in saved:
            return []
        merged = "the folder root holds the merged model" if "model" in saved else "it is the folder root"
        return [f"LoRA adapter: `{saved['adapter']}` ({merged})."]

    def notes(self, state: Seq2SeqState, metrics: dict[str, Any]) -> list[str]:
        return [
            "Evaluation generates greedily (up to max_target_length tokens, with the generation_config.json "
            "saved here) and scores the texts with ROUGE "
            "(rouge-score, stemmed) and BLEU (sacrebleu); every metric is a fraction between 0 and 1. The kept "
            "checkpoint is the one with the best eval_rougeL.",
            "Predict with `aitraining seq2seq --predict --project-name <this folder> --data-path <rows>`: it "
            "writes predictions.jsonl here; in Python, `aitraining.tasks.seq2seq.predict.generate_texts`.",
        ]


def evaluation_generation_config(params: Seq2SeqParams) -> Any:
    """The base model's own generation settings, made greedy (one beam, no sampling) and stopping after
    --max-target-length new tokens: evaluation scores these generations, and the same config is saved, so
    plain `model.generate()` on the trained model reproduces the reported scores."""
    from transformers import GenerationConfig

    try:
        config = GenerationConfig.from_pretrained(params.model)
    except OSError:  # no generation_config.json: derive it from the model config, as transformers does
        config = GenerationConfig.from_model_config(modelload.load_config(params.model or ""))
    config.num_beams = 1
    config.do_sample = False
    config.max_new_tokens = params.max_target_length
    return config


def decode_ids(tokenizer: Any, ids: np.ndarray) -> list[str]:
    """Token ids (padded with -100 by the Trainer or the collator) to stripped texts."""
    ids = np.where(np.asarray(ids) == IGNORED, tokenizer.pad_token_id, ids)
    return [text.strip() for text in tokenizer.batch_decode(ids, skip_special_tokens=True)]


def run(ctx: RunContext) -> RunResult:
    check_quantization(ctx.params.quantization)  # before any data or weights load
    return run_supervised(ctx, Seq2Seq())
