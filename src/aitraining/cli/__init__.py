"""The generated command-line interface. Importing it must stay free of torch/transformers."""
