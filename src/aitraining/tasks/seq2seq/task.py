"""seq2seq: learn to write a target text from a source text (summarisation, translation, rewriting).

Evaluation generates with the model and scores the texts (ROUGE, BLEU) instead of only reporting the
loss, because a lower loss does not always mean better generations; the best checkpoint is the one with
the highest ROUGE-L.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aitraining.data.checks import check_text_column
from aitraining.data.mapping import tokenize_map
from aitraining.engine import modelload
from aitraining.engine.hardware import check_quantization, quantization_config
from aitraining.engine.metrics import generation_metrics, logits_of
from aitraining.engine.runner import RunContext, RunResult
from aitraining.engine.supervised import SupervisedTask, run_supervised
from aitraining.engine.upstream import trainer_tokenizer_kwargs
from aitraining.tasks.llm.models import add_lora, save_trained

IGNORED = -100  # label / padding value the loss and the Trainer's gathering use


class Seq2Seq(SupervisedTask):
    metric = "eval_rougeL"
    greater_is_better = True

    def __init__(self) -> None:
        self.params: Any = None
        self.tokenizer: Any = None
        self.logger: Any = None
        self.saved: dict[str, str] = {}

    def columns(self, params: Any) -> dict[str, str]:
        return {"text_column": params.text_column, "target_column": params.target_column}

    def check_rows(self, dataset: Any, params: Any, split: str, source: str) -> None:
        check_text_column(dataset, params.text_column, split, source)
        check_text_column(dataset, params.target_column, split, source)

    def setup(self, train: Any, valid: Any, params: Any, tokenizer: Any, logger: Any) -> None:
        # training_args, compute_metrics and save need these but their hooks do not receive them
        self.params, self.tokenizer, self.logger = params, tokenizer, logger
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
            logger.info(f"The tokenizer has no pad token; padding with {tokenizer.eos_token!r}.")

    def load_model(self, params: Any) -> Any:
        from transformers import AutoModelForSeq2SeqLM

        kwargs: dict[str, Any] = {}
        quant = quantization_config(params.quantization)
        if quant is not None:
            kwargs.update(quantization_config=quant, device_map="auto")
        model = modelload.load_pretrained(AutoModelForSeq2SeqLM, params.model, **kwargs)
        if params.peft:
            model = add_lora(model, params, task_type="SEQ_2_SEQ_LM")
        return model

    def preprocess(self, dataset: Any, params: Any, tokenizer: Any, split: str) -> Any:
        def encode(batch: dict[str, list]) -> dict[str, list]:
            out = tokenizer(batch[params.text_column], max_length=params.max_seq_length, truncation=True)
            targets = tokenizer(
                text_target=batch[params.target_column], max_length=params.max_target_length, truncation=True
            )
            out["labels"] = targets["input_ids"]
            return out

        return tokenize_map(dataset, encode, workers=params.num_workers)

    def training_args(self, kwargs: dict[str, Any]) -> Any:
        from transformers import Seq2SeqTrainingArguments

        return Seq2SeqTrainingArguments(
            **kwargs,
            predict_with_generate=True,
            # max_length counts the decoder start token as well as the target's tokens
            generation_max_length=self.params.max_target_length + 1,
            generation_num_beams=1,
        )

    def build_trainer(self, model: Any, tokenizer: Any, args: Any, train: Any, valid: Any, callbacks: list) -> Any:
        from transformers import DataCollatorForSeq2Seq, Seq2SeqTrainer

        return Seq2SeqTrainer(
            model=model,
            args=args,
            train_dataset=train,
            eval_dataset=valid,
            # with the model, the collator builds decoder inputs from the labels (pad -> ignored in the loss)
            data_collator=DataCollatorForSeq2Seq(tokenizer, model=model, label_pad_token_id=IGNORED),
            compute_metrics=self.compute_metrics(),
            callbacks=callbacks,
            **trainer_tokenizer_kwargs(tokenizer),
        )

    def compute_metrics(self) -> Any:
        tokenizer = self.tokenizer

        def compute(prediction: Any) -> dict[str, float]:
            generated_ids = np.asarray(logits_of(prediction.predictions))
            out = generation_metrics(decode_ids(tokenizer, generated_ids), decode_ids(tokenizer, prediction.label_ids))
            real = (generated_ids != tokenizer.pad_token_id) & (generated_ids != IGNORED)
            out["gen_len"] = float(real.sum(axis=1).mean())
            return out

        return compute

    def save(self, trainer: Any, tokenizer: Any, project: Any) -> None:
        model = trainer.model.get_base_model() if self.params.peft else trainer.model
        model.generation_config = saved_generation_config(self.params)
        self.saved = save_trained(trainer.model, tokenizer, self.params, project, self.logger)

    def notes(self) -> list[str]:
        notes = [
            "Evaluation generates greedily (up to max_target_length tokens) and scores the texts with ROUGE "
            "(rouge-score, stemmed) and BLEU (sacrebleu); every metric is a fraction between 0 and 1. The kept "
            "checkpoint is the one with the best eval_rougeL.",
            "Predict with `aitraining seq2seq --predict --project-name <this folder> --data-path <rows>`: it "
            "writes predictions.jsonl here; in Python, `aitraining.tasks.seq2seq.predict.generate_texts`.",
        ]
        if "adapter" in self.saved:
            merged = "the folder root holds the merged model" if "model" in self.saved else "it is the folder root"
            notes.append(f"LoRA adapter: `{self.saved['adapter']}` ({merged}).")
        return notes


def saved_generation_config(params: Any) -> Any:
    """The base model's own generation settings (evaluation leaves every default spelled out in the
    model's copy), stopping after --max-target-length tokens so plain `model.generate()` matches training."""
    from transformers import GenerationConfig

    try:
        config = GenerationConfig.from_pretrained(params.model)
    except OSError:  # no generation_config.json: derive it from the model config, as transformers does
        config = GenerationConfig.from_model_config(modelload.load_config(params.model))
    config.max_new_tokens = params.max_target_length
    return config


def decode_ids(tokenizer: Any, ids: np.ndarray) -> list[str]:
    """Token ids (padded with -100 by the Trainer or the collator) to stripped texts."""
    ids = np.where(np.asarray(ids) == IGNORED, tokenizer.pad_token_id, ids)
    return [text.strip() for text in tokenizer.batch_decode(ids, skip_special_tokens=True)]


def run(ctx: RunContext) -> RunResult:
    check_quantization(ctx.params.quantization)  # before any data or weights load
    return run_supervised(ctx, Seq2Seq())
