"""A named template is really trained with, saved with the tokenizer, and used again at inference."""

from __future__ import annotations

import json

from transformers import AutoTokenizer

from aitraining.cli.main import main
from aitraining.data.chat_templates import TEMPLATES, template_text
from aitraining.tasks.llm.generate import Sampling, generate

REPLY = "apple"
QUESTIONS = [f"What goes with {c} number {n}?" for c in ("red", "blue", "green", "black") for n in range(6)]


def test_alpaca_data_trained_with_llama3_template_answers_in_that_template_after_reload(capsys, tiny_lm, tmp_path):
    data = tmp_path / "alpaca"
    data.mkdir()
    rows = [{"instruction": q, "input": "", "output": REPLY} for q in QUESTIONS]
    (data / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    project = tmp_path / "run"
    argv = ["llm", "--train", "--trainer", "sft", "--model", str(tiny_lm), "--data-path", str(data)]
    argv += ["--project-name", str(project), "--auto-convert-dataset", "--chat-template", "llama3"]
    argv += ["--assistant-only-loss", "--block-size", "128", "--epochs", "6", "--lr", "1e-2", "--batch-size", "8"]
    argv += ["--gradient-accumulation", "1", "--warmup-ratio", "0", "--save-strategy", "no", "--logging-steps", "6"]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 0, err
    assert "Dataset format detected: alpaca (instruction/input/output)" in err
    # the converted data was saved for inspection
    saved = (project / "converted_data" / "train.jsonl").read_text().splitlines()
    assert json.loads(saved[0]) == {
        "messages": [{"role": "user", "content": QUESTIONS[0]}, {"role": "assistant", "content": REPLY}]
    }
    # the template is saved with the tokenizer (the tiny tokenizer has no <|eot_id|>: turns end with its EOS)
    tok = AutoTokenizer.from_pretrained(project)
    assert tok.chat_template == template_text(TEMPLATES["llama3"], None)
    prompt = tok.apply_chat_template(
        [{"role": "user", "content": "What goes with white?"}], tokenize=False, add_generation_prompt=True
    )
    assert prompt.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")
    # inference renders the prompt with the saved template, and the model answers as trained, then stops
    replies = generate(project, ["What goes with white?"], Sampling(max_new_tokens=12))
    assert replies == [REPLY]
