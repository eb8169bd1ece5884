"""`aitraining vlm`: fine-tune vision-language models (VQA, captioning)."""
