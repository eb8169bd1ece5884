"""The spec's two-step RLHF flow from the CLI: `--trainer reward`, then `--trainer ppo --rl-reward-model-path`."""

from __future__ import annotations

import json
import random

from ppo_helpers import NUMBER_WORDS, PROMPTS, one_thread
from transformers import AutoTokenizer

from aitraining.cli.main import main

FILLER = ("the", "cat", "dog", "sees", "red", "blue", "sky", "hello", "my", "friend", "likes", "a", "tree", "big")


def sentence(rng: random.Random, numbers: int) -> str:
    words = [rng.choice(FILLER) for _ in range(rng.randint(4, 8))]
    for _ in range(numbers):
        words[rng.randrange(len(words))] = rng.choice(NUMBER_WORDS).strip()
    return " ".join(words)


def write_data(tmp_path):
    rng = random.Random(0)
    pairs = tmp_path / "pairs"
    pairs.mkdir()
    rows = []
    for _ in range(240):
        hi, lo = sorted(rng.sample(range(4), 2), reverse=True)
        prompt = rng.choice(PROMPTS)
        rows.append({"chosen": f"{prompt} {sentence(rng, hi)}", "rejected": f"{prompt} {sentence(rng, lo)}"})
    (pairs / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:200]))
    (pairs / "valid.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[200:]))
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "train.jsonl").write_text("".join(json.dumps({"text": p}) + "\n" for p in PROMPTS * 4))
    return pairs, prompts


def test_reward_then_ppo_from_the_cli(capsys, tiny_lm, tmp_path):
    pairs, prompts = write_data(tmp_path)
    reward_dir, policy_dir = tmp_path / "reward-model", tmp_path / "ppo-policy"
    common = [
        "--model",
        str(tiny_lm),
        "--chat-template",
        "none",
        "--block-size",
        "64",
        "--warmup-ratio",
        "0",
        "--save-strategy",
        "no",
        "--disable-gradient-checkpointing",
    ]
    with one_thread():
        code = main(
            [
                "llm",
                "--train",
                "--trainer",
                "reward",
                *common,
                "--data-path",
                str(pairs),
                "--valid-split",
                "valid",
                "--project-name",
                str(reward_dir),
                "--text-column",
                "chosen",
                "--rejected-text-column",
                "rejected",
                "--epochs",
                "6",
                "--lr",
                "3e-3",
                "--batch-size",
                "16",
                "--gradient-accumulation",
                "1",
            ]
        )
        assert code == 0, capsys.readouterr().err
        reward_final = json.loads((reward_dir / "metrics.json").read_text())["final"]
        assert reward_final["eval_accuracy"] > 0.8, reward_final
        code = main(
            [
                "llm",
                "--train",
                "--trainer",
                "ppo",
                *common,
                "--data-path",
                str(prompts),
                "--project-name",
                str(policy_dir),
                "--rl-reward-model-path",
                str(reward_dir),
                "--epochs",
                "16",
                "--lr",
                "3e-3",
                "--scheduler",
                "constant",
                "--batch-size",
                "16",
                "--rl-chunk-size",
                "16",
                "--rl-mini-batch-size",
                "8",
                "--rl-num-ppo-epochs",
                "2",
                "--rl-max-new-tokens",
                "6",
                "--rl-kl-coef",
                "0.2",
            ]
        )
    log = capsys.readouterr().err
    assert code == 0, log
    history = json.loads((policy_dir / "metrics.json").read_text())["history"]
    rewards = [h["reward_mean"] for h in history]
    quarter = max(1, len(rewards) // 4)
    first, last = sum(rewards[:quarter]) / quarter, sum(rewards[-quarter:]) / quarter
    print(f"PPO reward first quarter {first:.2f} -> last quarter {last:.2f}; final KL {history[-1]['kl']:.2f}")
    assert last > first + 1.0, rewards
    assert history[-1]["kl"] < 20, history[-1]
    assert "ppo step" in log


def test_reward_model_scores_ppo_rollouts_in_the_format_it_was_trained_on(capsys, tiny_lm, tmp_path, monkeypatch):
    """The default template (the tokenizer's own) on both steps: the prompt is a user turn in the reward
    pairs and in PPO's rollouts, so the scorer sees prompt + reply exactly as in reward training."""
    from aitraining.tasks.llm import prep_pref
    from aitraining.tasks.llm.ppo.reward import RewardScorer

    rng = random.Random(1)
    pairs, prompts = tmp_path / "pairs", tmp_path / "prompts"
    pairs.mkdir()
    prompts.mkdir()
    rows = [{"prompt": p, "chosen": sentence(rng, 3), "rejected": sentence(rng, 0)} for p in PROMPTS * 2]
    (pairs / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (prompts / "train.jsonl").write_text("".join(json.dumps({"text": p}) + "\n" for p in PROMPTS))
    trained, scored = [], []
    real_prepare, real_sequences = prep_pref.prepare, RewardScorer.sequences

    def spy_prepare(*args, **kwargs):
        data, report = real_prepare(*args, **kwargs)
        trained.extend((row["prompt_ids"], row["chosen_ids"]) for row in data)
        return data, report

    def spy_sequences(self, rollout):
        out = real_sequences(self, rollout)
        scored.extend(out)
        return out

    monkeypatch.setattr(prep_pref, "prepare", spy_prepare)
    monkeypatch.setattr(RewardScorer, "sequences", spy_sequences)
    common = ["--model", str(tiny_lm), "--block-size", "64", "--save-strategy", "no", "--batch-size", "8"]
    reward_dir = tmp_path / "reward"
    argv = ["llm", "--train", "--trainer", "reward", *common, "--data-path", str(pairs), "--epochs", "1"]
    argv += ["--project-name", str(reward_dir), "--prompt-text-column", "prompt", "--text-column", "chosen"]
    assert main([*argv, "--rejected-text-column", "rejected"]) == 0, capsys.readouterr().err
    argv = ["llm", "--train", "--trainer", "ppo", *common, "--data-path", str(prompts), "--epochs", "1"]
    argv += ["--project-name", str(tmp_path / "policy"), "--rl-reward-model-path", str(reward_dir)]
    assert main([*argv, "--rl-chunk-size", "8", "--rl-max-new-tokens", "4"]) == 0, capsys.readouterr().err
    log = capsys.readouterr().err
    assert log.count("Prompt rule: the chat template is in use") == 2  # once per run
    tok = AutoTokenizer.from_pretrained(reward_dir)
    header = tok("<|im_start|>user\n", add_special_tokens=False)["input_ids"]
    train_prompts = {tok.decode(p): p for p, _ in trained}
    assert len(scored) == len(PROMPTS) and len(train_prompts) == len(PROMPTS)
    for sequence in scored:
        matches = [p for p in train_prompts.values() if sequence[: len(p)] == p]
        assert len(matches) == 1, tok.decode(sequence)  # the prompt exactly as the reward model saw it
        assert matches[0][1 : 1 + len(header)] == header  # a user turn, after the BOS
    assert all(chosen[-1] == tok.convert_tokens_to_ids("<|im_end|>") for _, chosen in trained)
