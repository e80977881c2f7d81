#!/usr/bin/python3
"""PyTorch reference fixtures for gan's layers, losses, optimisers and U-Net blocks.

Run with Debian's interpreter, the one that sees python3-torch (1.13):

    /usr/bin/python3 tools/reference/make_fixtures.py [output directory]

It writes one safetensors file per case into tests/data/fixtures/ (float32, small shapes): the
inputs, the parameters (under their PyTorch state_dict names, prefixed "param."), a random
output gradient "dy", and PyTorch's results: "y", "dx", the parameter gradients ("grad.<name>")
and the buffers after the pass ("buffer.<name>"). The C++ tests (tests/*/test_*_parity.cpp)
read them and need no PyTorch. The seed is fixed, so rerunning reproduces the files.

The safetensors writer is written out here (8-byte little-endian header length, JSON header,
raw little-endian data) so that no package beyond torch is needed.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pix2pix_reference import UnetSkipConnectionBlock  # noqa: E402
from safetensors_writer import write_safetensors  # noqa: E402


def randomise(module, generator):
    """Weights larger than pix2pix's N(0, 0.02) so that every term matters in the comparison."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("weight") and p.dim() == 1:  # norm scale
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=generator))


def run_module(module, x, generator, inplace_input=False):
    """Forward and backward with a random output gradient; returns the tensors to store."""
    x_leaf = x.clone().requires_grad_(True)
    # An in-place first op (the U-Net's LeakyReLU on the skip) cannot run on a leaf; in a network
    # its input is an intermediate result anyway.
    y = module(x_leaf * 1 if inplace_input else x_leaf)
    dy = torch.randn(y.shape, generator=generator)
    y.backward(dy)
    out = {"x": x, "dy": dy, "y": y, "dx": x_leaf.grad}
    for name, p in module.named_parameters():
        out["param." + name] = p
        out["grad." + name] = p.grad
    for name, b in module.named_buffers():
        out["buffer." + name] = b
    return out


# ---- pix2pix's U-Net block, as in junyanz/pytorch-CycleGAN-and-pix2pix models/networks.py ----

class FixedDropout(nn.Module):
    """Dropout with a mask given from outside, so that both implementations drop the same units."""

    def __init__(self, mask):
        super().__init__()
        self.mask = mask

    def forward(self, x):
        return x * self.mask


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "data", "fixtures")
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(20261124)
    meta = {"generator": "tools/reference/make_fixtures.py", "torch": torch.__version__}

    def save(name, tensors, **extra):
        write_safetensors(os.path.join(out_dir, name + ".safetensors"), tensors, {**meta, **extra})

    def layer_case(name, module, x_shape, **extra):
        randomise(module, g)
        save(name, run_module(module, torch.randn(x_shape, generator=g), g), **extra)

    # Layers.
    layer_case("conv2d_k4s2p1_bias", nn.Conv2d(3, 4, 4, 2, 1, bias=True), (2, 3, 9, 8))
    layer_case("conv2d_k4s1p1_nobias", nn.Conv2d(4, 2, 4, 1, 1, bias=False), (1, 4, 5, 5))
    layer_case("conv_transpose2d_k4s2p1_bias", nn.ConvTranspose2d(4, 3, 4, 2, 1, bias=True), (2, 4, 3, 5))
    layer_case("conv_transpose2d_1x1_nobias", nn.ConvTranspose2d(6, 4, 4, 2, 1, bias=False), (1, 6, 1, 1))
    layer_case("batch_norm2d_train", nn.BatchNorm2d(3), (2, 3, 4, 5))
    layer_case("batch_norm2d_train_batch1", nn.BatchNorm2d(3), (1, 3, 4, 4))
    bn = nn.BatchNorm2d(3)
    randomise(bn, g)
    with torch.no_grad():
        bn.running_mean.copy_(0.5 * torch.randn(3, generator=g))
        bn.running_var.copy_(0.5 + torch.rand(3, generator=g))
    bn.eval()  # running statistics, left unchanged by the pass
    save("batch_norm2d_eval", run_module(bn, torch.randn((2, 3, 3, 3), generator=g), g))
    layer_case("instance_norm2d", nn.InstanceNorm2d(3), (2, 3, 4, 5))
    layer_case("leaky_relu", nn.LeakyReLU(0.2), (2, 3, 4, 5), negative_slope="0.2")
    layer_case("relu", nn.ReLU(), (2, 3, 4, 5))
    layer_case("tanh", nn.Tanh(), (2, 3, 4, 5))
    layer_case("sigmoid", nn.Sigmoid(), (2, 3, 4, 5))
    mask = (torch.rand((2, 3, 4, 5), generator=g) >= 0.5).float() * 2.0
    save("dropout", {"mask": mask, **run_module(FixedDropout(mask), torch.randn((2, 3, 4, 5), generator=g), g)})

    # Losses: value and gradient for a 14×14 patch map (pix2pix 128²) of a batch of 2.
    x = torch.randn((2, 1, 14, 14), generator=g) * 3
    target = torch.rand((2, 1, 14, 14), generator=g)
    tensors = {"x": x, "target": target}
    for loss_name, fn in [("bce_with_logits", F.binary_cross_entropy_with_logits), ("mse", F.mse_loss),
                          ("l1", F.l1_loss)]:
        for target_name, t in [("tensor", target), ("ones", torch.ones_like(x)), ("zeros", torch.zeros_like(x))]:
            xl = x.clone().requires_grad_(True)
            value = fn(xl, t)
            value.backward()
            tensors[f"{loss_name}.{target_name}.value"] = value
            tensors[f"{loss_name}.{target_name}.grad"] = xl.grad
    save("losses", tensors)

    # Optimisers: three steps with given gradients.
    p0 = torch.randn((3, 5), generator=g)
    grads = [torch.randn((3, 5), generator=g) for _ in range(3)]
    tensors = {"param": p0, **{f"grad{i}": gr for i, gr in enumerate(grads)}}
    cases = {
        "adam": lambda p: torch.optim.Adam([p], lr=2e-4, betas=(0.5, 0.999)),
        "adam_wd": lambda p: torch.optim.Adam([p], lr=1e-2, betas=(0.9, 0.99), eps=1e-6, weight_decay=0.1),
        "sgd_momentum": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01),
        "sgd_nesterov": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.8, nesterov=True),
    }
    for case, make in cases.items():
        p = torch.nn.Parameter(p0.clone())
        opt = make(p)
        for i, gr in enumerate(grads):
            p.grad = gr.clone()
            opt.step()
            tensors[f"{case}.step{i}"] = p.detach().clone()
        state = opt.state[p]
        for key, value in state.items():
            if key != "step":
                tensors[f"{case}.{key}"] = value
    save("optimisers", tensors)

    # U-Net blocks, batch 1 in training mode as pix2pix trains, BatchNorm (so no conv biases
    # except the outermost up-conv). The outer blocks wrap an innermost block, so each fixture
    # is a small U-Net whose skip carries LeakyReLU(x) (the in-place op).
    def block_case(name, make, x_shape):
        block = make()
        randomise(block, g)
        block.train()
        save(name, run_module(block, torch.randn(x_shape, generator=g), g, inplace_input=True))

    block_case("unet_innermost", lambda: UnetSkipConnectionBlock(8, 8, innermost=True), (1, 8, 2, 2))
    block_case("unet_middle", lambda: UnetSkipConnectionBlock(
        4, 8, submodule=UnetSkipConnectionBlock(8, 8, innermost=True)), (1, 4, 4, 4))
    dmask = (torch.rand((1, 4, 4, 4), generator=g) >= 0.5).float() * 2.0
    block = UnetSkipConnectionBlock(4, 8, submodule=UnetSkipConnectionBlock(8, 8, innermost=True), use_dropout=True)
    block.model[-1] = FixedDropout(dmask)  # PyTorch's mask, passed to both sides
    randomise(block, g)
    save("unet_middle_dropout",
         {"mask": dmask, **run_module(block, torch.randn((1, 4, 4, 4), generator=g), g, inplace_input=True)})
    block_case("unet_outermost", lambda: UnetSkipConnectionBlock(
        1, 4, input_nc=2, submodule=UnetSkipConnectionBlock(4, 4, innermost=True), outermost=True), (1, 2, 4, 4))

    # Convolutions on inputs smaller than the kernel's reach, where some taps meet only padding
    # (gan's forward passes leave them out). Last, so that the cases above keep their draws.
    layer_case("conv2d_2x2_nobias", nn.Conv2d(6, 4, 4, 2, 1, bias=False), (1, 6, 2, 2))
    layer_case("conv2d_3x3_bias", nn.Conv2d(3, 2, 4, 2, 1, bias=True), (2, 3, 3, 3))

    # Convolutions to one output channel (a PatchGAN's last layer): at stride 1, which gan
    # computes directly, over a batch of two; at stride 2, through im2col and the GEMM's path for
    # products with one row.
    layer_case("conv2d_one_output_bias", nn.Conv2d(5, 1, 4, 1, 1, bias=True), (2, 5, 6, 7))
    layer_case("conv2d_one_output_s2_nobias", nn.Conv2d(3, 1, 4, 2, 1, bias=False), (1, 3, 7, 6))


if __name__ == "__main__":
    main()
