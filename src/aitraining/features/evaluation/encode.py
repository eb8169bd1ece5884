"""Token ids for what is evaluated, under the same prompt rule the trainers use (tasks/llm/prompt_rule.py).

- A plain-text document: every token after the first is scored (the document's tokens plus EOS, as trained);
  a document longer than the scoring window is cut into consecutive windows, each scored like a packed
  training block (its first token is context).
- A prompt and its reference answer: the answer's tokens are scored given the prompt (the tokens that carry
  the loss with --assistant-only-loss), and the prompt's ids are what generation starts from.
- A benchmark choice: lm-evaluation-harness' `_encode_pair`: trailing spaces of the context move to the
  continuation, context + continuation is tokenised as a whole and the continuation is what follows the
  context's tokens. With --eval-benchmark-chat-template the question is a user turn and the choice the reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aitraining.errors import ParamError
from aitraining.features.evaluation.benchmarks import Item
from aitraining.features.evaluation.loglik import Request
from aitraining.tasks.llm.prompt_rule import as_messages, encode_chat, encode_prompt, encode_text, prompt_text_ids


@dataclass(frozen=True)
class Example:
    """One evaluation row: `prompt` None means a plain-text document (held in `reference`)."""

    prompt: Any  # a string or chat messages
    reference: str

    def shown_input(self) -> Any:
        return self.prompt if self.prompt is not None else ""


def document_requests(text: str, tokenizer: Any, *, eos_after_text: bool, window: int) -> list[Request]:
    ids = list(tokenizer(text)["input_ids"])
    if eos_after_text and tokenizer.eos_token_id is not None:
        ids.append(tokenizer.eos_token_id)
    blocks = [ids[start : start + window] for start in range(0, len(ids), window)]
    return [(block[:1], block[1:]) for block in blocks if len(block) > 1]


def example_request(example: Example, tokenizer: Any, *, eos_after_text: bool) -> Request:
    """A prompt and its answer, or a whole document as one request (see document_requests for windows)."""
    if example.prompt is None:
        return document_requests(example.reference, tokenizer, eos_after_text=eos_after_text, window=1 << 30)[0]
    if isinstance(example.prompt, str) and not getattr(tokenizer, "chat_template", None):
        prompt_ids, (answer,) = encode_text(example.prompt, [example.reference], tokenizer)
        return prompt_ids, answer
    prompt_ids, (answer,) = encode_chat(
        as_messages(example.prompt, "user"), [as_messages(example.reference, "assistant")], tokenizer
    )
    return prompt_ids, answer


def choice_requests(item: Item, tokenizer: Any, *, chat: bool) -> list[Request]:
    if chat:
        if not getattr(tokenizer, "chat_template", None):
            raise ParamError(
                "--eval-benchmark-chat-template is on but the trained tokenizer has no chat template: "
                "turn it off, or train with --chat-template <name>."
            )
        context = encode_prompt([{"role": "user", "content": item.question}], tokenizer)
        return [(context, list(tokenizer(choice, add_special_tokens=False)["input_ids"])) for choice in item.choices]
    return [encode_pair(item.context, " " + choice, tokenizer) for choice in item.choices]


def encode_pair(context: str, continuation: str, tokenizer: Any) -> Request:
    spaces = len(context) - len(context.rstrip())
    if spaces:
        continuation, context = context[-spaces:] + continuation, context[:-spaces]
    whole = prompt_text_ids(context + continuation, tokenizer)
    context_ids = prompt_text_ids(context, tokenizer)
    return context_ids, whole[len(context_ids) :]
