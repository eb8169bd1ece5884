"""Shared test setup: the suite must never reach the HuggingFace Hub."""

import os

# Set before transformers / huggingface_hub are imported so every test (and every library) runs offline.
os.environ["HF_HUB_OFFLINE"] = "1"
