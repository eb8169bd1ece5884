"""A compact PPO (proximal policy optimisation) for causal LMs, written on plain torch + transformers.

Upstream TRL removed its PPO trainer, so the pieces live here, one idea per module:

- `data`: prompts (plain text or chat messages) rendered and tokenized, long ones cut from the left;
- `rollout`: sample responses, mask everything after the first EOS, score tokens with policy and reference;
- `reward`: score prompt + response with the reward model from `--trainer reward`;
- `advantages`: KL-penalised per-token rewards and generalised advantage estimation (GAE);
- `losses`: the clipped policy and value losses;
- `value_head`: a linear value head on the policy's last hidden state;
- `optim`: AdamW, learning-rate schedule and mixed precision;
- `trainer`: the loop that ties them together (`PPOTrainer`).

Nothing is imported here, so `aitraining --help` stays free of torch.
"""
