"""`aitraining llm`: causal language model trainers."""
