"""CLI flags shared by the tests that train the tiny LLM: a full batch per step, short blocks."""

# 8 rows per optimizer step in one micro-batch (our AutoTrain defaults are 2 x 4), 64-token blocks
FAST_LLM = ["--batch-size", "8", "--gradient-accumulation", "1", "--block-size", "64"]
