"""What --use-enhanced-eval accepts per trainer, checked before anything loads."""

import pytest

from aitraining.errors import ParamError
from aitraining.tasks.llm.params import LLMParams

BASE = {"model": "m", "data_path": "d", "use_enhanced_eval": True, "valid_split": "valid"}


def check(**kwargs):
    LLMParams(**{**BASE, **kwargs}).check()


def test_unknown_metric_gets_did_you_mean():
    with pytest.raises(ParamError, match=r"unknown metric 'perplexty'\. Did you mean perplexity\?"):
        check(eval_metrics=["perplexty"])


def test_metrics_accept_comma_text_and_json_lists():
    assert LLMParams(**BASE, eval_metrics="bleu, rouge").eval_metrics == ["bleu", "rouge"]
    assert LLMParams(**BASE, eval_metrics='["f1"]').eval_metrics == ["f1"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"trainer": "reward", "rejected_text_column": "r"}, "reward model is a scorer"),
        ({"trainer": "ppo", "rl_reward_model_path": "r"}, "nothing to evaluate"),
        ({"trainer": "ppo", "rl_reward_model_path": "r", "eval_metrics": ["perplexity"]}, "prompts only"),
        ({"trainer": "generic", "eval_metrics": ["bleu"]}, "plain text"),
        ({"trainer": "sft", "eval_metrics": ["bertscore"]}, "needs --eval-bertscore-model"),
        ({"trainer": "sft", "eval_bertscore_model": "x"}, "bertscore is not in --eval-metrics"),
        ({"trainer": "sft", "eval_save_predictions": True}, "no generation metric"),
        ({"trainer": "sft", "valid_split": None}, "needs evaluation rows"),
        ({"trainer": "generic", "eval_benchmark": "b.jsonl", "eval_benchmark_chat_template": True}, "raw text"),
        ({"trainer": "sft", "eval_benchmark": "hellaswag"}, "local files only"),
    ],
)
def test_what_does_not_apply_is_an_error_before_training(kwargs, message):
    with pytest.raises(ParamError, match=message):
        check(**kwargs)


def test_applicable_settings_pass(tmp_path):
    bench = tmp_path / "b.jsonl"
    bench.write_text('{"question": "q", "choices": ["a", "b"], "answer": 0}\n')
    check(trainer="sft", eval_metrics=["perplexity", "bleu", "rouge", "exact_match", "f1"], eval_save_predictions=True)
    check(trainer="dpo", prompt_text_column="prompt", rejected_text_column="rejected", eval_metrics=["f1"])
    check(trainer="ppo", rl_reward_model_path="r", eval_benchmark=str(bench), valid_split=None)
    check(trainer="generic", eval_benchmark=str(bench), eval_metrics=[], valid_split=None)
