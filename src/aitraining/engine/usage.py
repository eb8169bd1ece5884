"""How to load and run what a project folder holds, decided from the saved files themselves.

The kind of saved model is read from what was written (config.json's architecture, adapter_config.json,
modules.json), so the snippet loads exactly what was saved, whatever command wrote it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# kind -> (pipeline_tag, library_name)
KINDS: dict[str, tuple[str | None, str]] = {
    "causal": ("text-generation", "transformers"),
    "peft-causal": ("text-generation", "peft"),
    "score": ("text-classification", "transformers"),
    "peft-score": ("text-classification", "peft"),
    "classification": ("text-classification", "transformers"),
    "token-classification": ("token-classification", "transformers"),
    "seq2seq": ("text2text-generation", "transformers"),
    "question-answering": ("question-answering", "transformers"),
    "sentence-transformers": ("sentence-similarity", "sentence-transformers"),
    "image-text-to-text": ("image-text-to-text", "transformers"),
    "peft-image-text-to-text": ("image-text-to-text", "peft"),
}


def _json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def saved_kind(project: Path) -> str | None:
    """What the project root holds, or None when it is not a transformers-style model (e.g. joblib)."""
    if (project / "modules.json").is_file():
        return "sentence-transformers"
    adapter = _json(project / "adapter_config.json")
    multimodal = (project / "processor_config.json").is_file()  # a processor beside the model: image + text input
    if adapter:
        if str(adapter.get("task_type", "")).endswith("SEQ_CLS"):
            return "peft-score"
        return "peft-image-text-to-text" if multimodal else "peft-causal"
    config = _json(project / "config.json")
    arch = " ".join(config.get("architectures") or [])
    if not arch:
        return None
    if "ForSequenceClassification" in arch:
        one = config.get("num_labels", len(config.get("id2label") or {})) == 1
        return "score" if one or config.get("problem_type") == "regression" else "classification"
    if "ForTokenClassification" in arch:
        return "token-classification"
    if "ForQuestionAnswering" in arch:
        return "question-answering"
    if config.get("is_encoder_decoder"):
        return "seq2seq"
    if multimodal and config.get("vision_config"):
        return "image-text-to-text"
    return "causal"


def has_chat_template(project: Path) -> bool:
    return (project / "chat_template.jinja").is_file() or bool(
        _json(project / "tokenizer_config.json").get("chat_template")
    )


def _imports(module: str, loader: str) -> str:
    if module == "transformers":
        return f"from transformers import {loader}, AutoTokenizer\n"
    return f"from {module} import {loader}\nfrom transformers import AutoTokenizer\n"


def _causal(model_id: str, loader: str, module: str, chat: bool) -> str:
    if chat:
        prompt = (
            'messages = [{"role": "user", "content": "Hello! Who are you?"}]\n'
            'inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", '
            "return_dict=True)\n"
        )
    else:
        prompt = 'inputs = tokenizer("Once upon a time", return_tensors="pt")\n'
    return (
        f"{_imports(module, loader)}\n"
        f'tokenizer = AutoTokenizer.from_pretrained("{model_id}")\n'
        f'model = {loader}.from_pretrained("{model_id}")\n'
        f"{prompt}"
        "output = model.generate(**inputs, max_new_tokens=64)\n"
        'print(tokenizer.decode(output[0][inputs["input_ids"].shape[1] :], skip_special_tokens=True))\n'
    )


def _score(model_id: str, loader: str, module: str) -> str:
    return (
        f"import torch\n{_imports(module, loader)}\n"
        f'tokenizer = AutoTokenizer.from_pretrained("{model_id}")\n'
        f'model = {loader}.from_pretrained("{model_id}")\n'
        'inputs = tokenizer("A text to score.", return_tensors="pt")\n'
        "with torch.no_grad():\n    print(model(**inputs).logits[0].tolist())\n"
    )


def _image_text(model_id: str, adapter: bool) -> str:
    """AutoModelForImageTextToText loads a LoRA adapter folder too (onto its base, with peft installed)."""
    note = "# an adapter folder: transformers loads its base model and applies it (needs peft)\n" if adapter else ""
    return (
        "from PIL import Image\nfrom transformers import AutoModelForImageTextToText, AutoProcessor\n\n"
        f'processor = AutoProcessor.from_pretrained("{model_id}")\n'
        f'{note}model = AutoModelForImageTextToText.from_pretrained("{model_id}")\n'
        'messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What is shown?"}]}]\n'
        "prompt = processor.apply_chat_template(messages, add_generation_prompt=True)\n"
        'inputs = processor(text=[prompt], images=[[Image.open("image.png")]], return_tensors="pt")\n'
        "output = model.generate(**inputs, max_new_tokens=64)\n"
        'print(processor.decode(output[0][inputs["input_ids"].shape[1] :], skip_special_tokens=True))\n'
    )


def usage_snippet(kind: str | None, model_id: str, project: Path) -> str | None:
    """Python that loads `model_id` (the project folder or its Hub repo) and runs it once."""
    chat = has_chat_template(project)
    snippets = {
        "causal": lambda: _causal(model_id, "AutoModelForCausalLM", "transformers", chat),
        "peft-causal": lambda: _causal(model_id, "AutoPeftModelForCausalLM", "peft", chat),
        "score": lambda: _score(model_id, "AutoModelForSequenceClassification", "transformers"),
        "peft-score": lambda: _score(model_id, "AutoPeftModelForSequenceClassification", "peft"),
        "classification": lambda: (
            f'from transformers import pipeline\n\nclassifier = pipeline("text-classification", model="{model_id}")\n'
            'print(classifier("A text to classify."))\n'
        ),
        "token-classification": lambda: (
            f'from transformers import pipeline\n\ntagger = pipeline("token-classification", model="{model_id}")\n'
            'print(tagger("Ada Lovelace was born in London."))\n'
        ),
        "seq2seq": lambda: (
            "from transformers import AutoModelForSeq2SeqLM, AutoTokenizer\n\n"
            f'tokenizer = AutoTokenizer.from_pretrained("{model_id}")\n'
            f'model = AutoModelForSeq2SeqLM.from_pretrained("{model_id}")\n'
            'inputs = tokenizer("A text to transform.", return_tensors="pt")\n'
            "print(tokenizer.decode(model.generate(**inputs, max_new_tokens=64)[0], skip_special_tokens=True))\n"
        ),
        "question-answering": lambda: (
            "from transformers import AutoModelForQuestionAnswering, AutoTokenizer\n\n"
            f'tokenizer = AutoTokenizer.from_pretrained("{model_id}")\n'
            f'model = AutoModelForQuestionAnswering.from_pretrained("{model_id}")\n'
            'inputs = tokenizer("Where was Ada born?", "Ada was born in London.", return_tensors="pt")\n'
            "out = model(**inputs)\n"
            "start, end = int(out.start_logits.argmax()), int(out.end_logits.argmax())\n"
            'print(tokenizer.decode(inputs["input_ids"][0][start : end + 1]))\n'
        ),
        "image-text-to-text": lambda: _image_text(model_id, adapter=False),
        "peft-image-text-to-text": lambda: _image_text(model_id, adapter=True),
        "sentence-transformers": lambda: (
            "from sentence_transformers import SentenceTransformer\n\n"
            f'model = SentenceTransformer("{model_id}")\n'
            'embeddings = model.encode(["A first sentence.", "A second sentence."])\n'
            "print(model.similarity(embeddings, embeddings))\n"
        ),
    }
    return snippets[kind]() if kind in snippets else None
