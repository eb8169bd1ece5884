"""sft --packing must not let one packed example attend to another.

The batch comes from our sft trainer (TRL's SFTTrainer with packing, as `aitraining llm --trainer sft
--packing` builds it). Each example's logits inside the packed row must equal its logits when it is run
alone, on every attention backend we support on CPU. A control shows the test can fail: the same packed
row with plain causal attention (no per-example positions) does change the later examples' logits.

Why it holds (TRL 1.16, transformers 5): packing with the "bfd" strategy turns on padding-free
collation, whose batch carries position_ids that restart at 0 for each example and no attention_mask;
without a KV cache (SFTTrainer.compute_loss passes use_cache=False) transformers builds a per-example
causal mask from those position_ids on eager and sdpa, as flash-attention does from cu_seq_lens.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import torch

from aitraining.tasks.llm import prep_sft
from aitraining.tasks.llm.params import LLMParams
from aitraining.tasks.llm.trainers import sft
from aitraining.tasks.llm.trainers.common import Prepared

TEXTS = [
    "red apples are sweet and crunchy",
    "the blue whale is the largest animal",
    "one two three four five six seven eight nine ten",
    "green",
    "a short line about trains and rain",
]


def packed_run(model_dir: Path, project: Path, backend: str) -> tuple[dict, torch.Tensor]:
    """Our sft trainer with --packing: its first training batch and the logits its loss is computed on."""
    import datasets
    from transformers import AutoModelForCausalLM, AutoTokenizer

    params = LLMParams(model=str(model_dir), data_path="unused", project_name=str(project), trainer="sft", packing=True)
    params.batch_size = len(TEXTS)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    rows = datasets.Dataset.from_dict({"text": TEXTS})
    train, _report = prep_sft.prepare(rows, ("text", "text"), params, tokenizer, 128, "train", "test")
    model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation=backend)
    trainer = sft.build_trainer(model, tokenizer, Prepared(train, None, [], max_length=128), params, project)
    batch = next(iter(trainer.get_train_dataloader()))
    assert batch["input_ids"].shape[0] == 1, "all examples should be packed into one row"
    trainer.model.train()  # the tiny Llama has no dropout: training-mode logits are deterministic
    # compute_loss is the trainer's own forward (it passes use_cache=False: with a KV cache, transformers would
    # not derive per-example masks from position_ids, and eager/sdpa attention would leak across examples)
    with torch.no_grad():
        _loss, outputs = trainer.compute_loss(trainer.model, dict(batch), return_outputs=True)
    return batch, outputs.logits[0].float()


def segments(position_ids: torch.Tensor) -> list[tuple[int, int]]:
    starts = [*(position_ids[0] == 0).nonzero().flatten().tolist(), position_ids.shape[1]]
    return list(itertools.pairwise(starts))


@pytest.mark.filterwarnings("ignore:`return_outputs=True`:FutureWarning")
@pytest.mark.parametrize("backend", ["eager", "sdpa"])
def test_packed_examples_do_not_see_each_other(tiny_lm: Path, tmp_path: Path, backend: str) -> None:
    from transformers import AutoModelForCausalLM

    batch, packed = packed_run(tiny_lm, tmp_path, backend)
    parts = segments(batch["position_ids"])
    assert len(parts) == len(TEXTS)
    for start, _end in parts:  # no example is trained to predict the first token of the next one
        assert batch["labels"][0, start] == -100
    model = AutoModelForCausalLM.from_pretrained(tiny_lm, attn_implementation=backend).eval()
    with torch.no_grad():
        for start, end in parts:
            alone = model(input_ids=batch["input_ids"][:, start:end]).logits[0]
            torch.testing.assert_close(packed[start:end], alone, atol=1e-4, rtol=1e-4)
        # control: plain causal attention over the packed row does leak into the later examples
        leaky = model(input_ids=batch["input_ids"]).logits[0]
    start, end = parts[-1]
    assert not torch.allclose(leaky[start:end], packed[start:end], atol=1e-3)
