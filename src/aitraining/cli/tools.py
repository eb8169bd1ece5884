"""`aitraining tools ...` helper commands."""

from __future__ import annotations

from pathlib import Path

from aitraining.cli.parser import ErrorRaisingParser, normalise_argv
from aitraining.errors import AitrainingError, ParamError
from aitraining.suggest import did_you_mean

TOOLS = {"merge-llm-adapter": "Merge a LoRA adapter into its base model and save the full model."}


def merge_llm_adapter(argv: list[str]) -> int:
    parser = ErrorRaisingParser(prog="aitraining tools merge-llm-adapter", description=TOOLS["merge-llm-adapter"])
    parser.add_argument("--base-model-path", required=True, help="The base model the adapter was trained on.")
    parser.add_argument("--adapter-path", required=True, help="Folder holding adapter_config.json.")
    parser.add_argument("--output-folder", required=True, help="Where to save the merged model (must be new/empty).")
    parser.add_argument("--overwrite", action="store_true", help="Allow replacing a non-empty output folder.")
    args = parser.parse_args(normalise_argv(argv))
    adapter, out = Path(args.adapter_path), Path(args.output_folder)
    if not (adapter / "adapter_config.json").is_file():
        raise ParamError(f"--adapter-path {adapter}: no adapter_config.json there; pass a LoRA adapter folder.")
    if out.is_dir() and any(out.iterdir()) and not args.overwrite:
        raise ParamError(f"--output-folder {out} is not empty; nothing was changed. Pick another or pass --overwrite.")
    from transformers import AutoTokenizer

    from aitraining.engine.models import merge_adapter

    try:
        merged = merge_adapter(args.base_model_path, adapter)
    except (OSError, ValueError) as exc:
        raise AitrainingError(f"Could not merge {adapter} into {args.base_model_path}: {exc}") from None
    has_tokenizer = any((adapter / f).is_file() for f in ("tokenizer.json", "tokenizer_config.json"))
    tokenizer = AutoTokenizer.from_pretrained(adapter if has_tokenizer else args.base_model_path)
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(out)
    tokenizer.save_pretrained(out)
    print(f"Merged model saved to {out.resolve()}")
    return 0


def run_tools(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: aitraining tools <helper> ...\n\nHelpers:")
        for name, summary in TOOLS.items():
            print(f"  {name}  {summary}")
        return 0
    if argv[0] == "merge-llm-adapter":
        return merge_llm_adapter(argv[1:])
    raise ParamError(f"Unknown helper 'tools {argv[0]}'.{did_you_mean(argv[0], TOOLS)} Helpers: {', '.join(TOOLS)}.")
