#!/usr/bin/python3
"""Converts a generator trained with the reference PyTorch pix2pix code into a gan model file.

    /usr/bin/python3 tools/pth_to_safetensors.py IN.pth OUT.safetensors [--size N]

IN.pth is the state_dict of a UnetGenerator (what the reference saves as latest_net_G.pth).
Depth (num_downs), ngf, input and output channels and the norm are inferred from the tensor
shapes; the image size defaults to 2^depth (the reference's 1x1 bottleneck) and --size sets a
multiple of it. The tensors keep their state_dict names under the prefix "G." and the metadata
names the configuration, so `lacbed predict --model OUT.safetensors` picks it up. Needs Debian's
python3-torch (run it with /usr/bin/python3).
"""
import argparse
import os
import re
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_writer import write_safetensors  # noqa: E402


def infer_config(state):
    keys = [k for k in state if k.endswith(".weight") or k.endswith(".bias") or "running" in k or "num_batches" in k]
    if "model.model.0.weight" not in state or "model.model.3.weight" not in state:
        sys.exit("pth_to_safetensors: this state_dict is not a pix2pix UnetGenerator "
                 "(no model.model.0.weight / model.model.3.weight)")
    # The innermost block is the deepest "model.model.(1|3).model..." prefix holding a down conv.
    depth = max(len(re.findall(r"\.model\.", k)) for k in keys)  # level L sits under L + 1 ".model."
    down = state["model.model.0.weight"]
    up = state["model.model.3.weight"]
    norm = "batch" if any(k.endswith("running_mean") for k in state) else "instance"
    return {"generator.depth": depth, "generator.channels": down.shape[0], "generator.in_channels": down.shape[1],
            "generator.out_channels": up.shape[1], "generator.norm": norm}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", help="state_dict of a reference UnetGenerator (.pth)")
    parser.add_argument("output", help="gan model file to write (.safetensors)")
    parser.add_argument("--size", type=int, help="image height and width (default 2^depth)")
    args = parser.parse_args()
    try:
        state = torch.load(args.input, map_location="cpu")
    except Exception as e:  # torch raises many kinds for a foreign or truncated file
        sys.exit(f"pth_to_safetensors: cannot read '{args.input}' as a PyTorch state_dict: {e}")
    if hasattr(state, "state_dict"):
        state = state.state_dict()
    if not isinstance(state, dict):
        sys.exit(f"pth_to_safetensors: '{args.input}' does not hold a state_dict")
    state = {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}  # DataParallel
    config = infer_config(state)
    depth = config["generator.depth"]
    size = args.size or 2 ** depth
    if size % 2 ** depth:
        sys.exit(f"pth_to_safetensors: --size {size} is not divisible by 2^{depth}")
    config["generator.height"] = config["generator.width"] = size
    config["generator"] = (f"UNet<{depth}, {config['generator.channels']}> {config['generator.in_channels']}->"
                           f"{config['generator.out_channels']} channels, {size}x{size}, {config['generator.norm']} norm")
    config["format"] = "gan.pix2pix.generator"
    config["converted_from"] = os.path.basename(args.input)
    write_safetensors(args.output, {"G." + k: state[k] for k in sorted(state)}, config)
    print(f"pth_to_safetensors: wrote {args.output}: {config['generator']}")


if __name__ == "__main__":
    main()
