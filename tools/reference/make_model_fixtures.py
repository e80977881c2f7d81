#!/usr/bin/python3
"""PyTorch fixtures for gan's whole models: a small UNet (with a dropout block) and a PatchGAN.

    /usr/bin/python3 tools/reference/make_model_fixtures.py [output directory]

For each model: random parameters (larger than pix2pix's init, so every term matters), one
training-mode forward and backward at batch 1 with a random output gradient, stored as
"param.<state_dict name>", "x", "dy", "y", "dx", "grad.<name>" and "buffer.<name>" (after the
pass). Dropout uses a fixed mask ("mask"), given to both implementations.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import FixedDropout, randomise, run_module  # noqa: E402
from pix2pix_reference import NLayerDiscriminator, UnetGenerator, instance_norm  # noqa: E402
from safetensors_writer import write_safetensors  # noqa: E402


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "data", "fixtures")
    os.makedirs(out_dir, exist_ok=True)
    g = torch.Generator().manual_seed(1611_07004)
    meta = {"generator": "tools/reference/make_model_fixtures.py", "torch": torch.__version__}

    # UNet<6, 1>: 64×64, widths 1, 2, 4, 8, 8, 8; one dropout block (level 4).
    unet = UnetGenerator(1, 1, 6, ngf=1)
    dropouts = [(name, m) for name, m in unet.named_modules() if isinstance(m, nn.Dropout)]
    assert len(dropouts) == 1
    name, _ = dropouts[0]
    parent = unet.get_submodule(name.rsplit(".", 1)[0])
    mask = (torch.rand((1, 8, 4, 4), generator=g) >= 0.5).float() * 2.0
    parent[int(name.rsplit(".", 1)[1])] = FixedDropout(mask)
    randomise(unet, g)
    unet.train()
    tensors = run_module(unet, torch.randn((1, 1, 64, 64), generator=g), g)
    write_safetensors(os.path.join(out_dir, "unet6_ngf1.safetensors"), {"mask": mask, **tensors}, meta)

    # UNet<5, 1> with instance norm, 2 → 1 channels, 32×32, batch 2.
    unet_in = UnetGenerator(2, 1, 5, ngf=1, norm_layer=instance_norm())
    randomise(unet_in, g)
    unet_in.train()
    write_safetensors(os.path.join(out_dir, "unet5_ngf1_instance.safetensors"),
                      run_module(unet_in, torch.randn((2, 2, 32, 32), generator=g), g), meta)

    # PatchGAN<3, 2>: 2 channels, 32×32 → 2×2 logits, batch 2.
    patch = NLayerDiscriminator(2, ndf=2, n_layers=3)
    randomise(patch, g)
    patch.train()
    write_safetensors(os.path.join(out_dir, "patchgan3_ndf2.safetensors"),
                      run_module(patch, torch.randn((2, 2, 32, 32), generator=g), g), meta)

    # Three pix2pix iterations (pix2pix_model.py optimize_parameters) of UNet<5, 1> against
    # PatchGAN<3, 2> on 32×32 pairs, batch 1. lr 0.01 makes the updates large enough to compare
    # after float32 rounding of the weights.
    gen = UnetGenerator(1, 1, 5, ngf=1)
    disc = NLayerDiscriminator(2, ndf=2, n_layers=3)
    randomise(gen, g)
    randomise(disc, g)
    gen.train()
    disc.train()
    out = {}
    for prefix, net in (("G.", gen), ("D.", disc)):
        for name, p in net.named_parameters():
            out["before." + prefix + name] = p.detach().clone()
    opt_g = torch.optim.Adam(gen.parameters(), lr=0.01, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=0.01, betas=(0.5, 0.999))
    losses = []
    for it in range(3):
        a = torch.rand((1, 1, 32, 32), generator=g) * 2 - 1
        b = torch.rand((1, 1, 32, 32), generator=g) * 2 - 1
        out[f"a{it}"], out[f"b{it}"] = a, b
        fake = gen(a)
        opt_d.zero_grad()
        pred_fake = disc(torch.cat((a, fake.detach()), 1))
        loss_d_fake = F.binary_cross_entropy_with_logits(pred_fake, torch.zeros_like(pred_fake))
        pred_real = disc(torch.cat((a, b), 1))
        loss_d_real = F.binary_cross_entropy_with_logits(pred_real, torch.ones_like(pred_real))
        (0.5 * (loss_d_fake + loss_d_real)).backward()
        opt_d.step()
        for p in disc.parameters():
            p.requires_grad_(False)
        opt_g.zero_grad()
        pred = disc(torch.cat((a, fake), 1))
        loss_g_gan = F.binary_cross_entropy_with_logits(pred, torch.ones_like(pred))
        loss_g_l1 = F.l1_loss(fake, b)
        (loss_g_gan + 100.0 * loss_g_l1).backward()
        opt_g.step()
        for p in disc.parameters():
            p.requires_grad_(True)
        losses.append([loss_g_gan.item(), loss_g_l1.item(), loss_d_real.item(), loss_d_fake.item()])
    out["losses"] = torch.tensor(losses)
    for prefix, net in (("G.", gen), ("D.", disc)):
        for name, p in net.named_parameters():
            out["after." + prefix + name] = p.detach().clone()
        for name, b in net.named_buffers():
            out["buffer." + prefix + name] = b
    write_safetensors(os.path.join(out_dir, "pix2pix_steps.safetensors"), out, meta)

    # A generator as the reference code saves it (latest_net_G.pth), for tools/pth_to_safetensors.py:
    # trained-looking running statistics from a few training-mode passes, then its eval-mode output.
    saved = UnetGenerator(1, 1, 6, ngf=1)
    randomise(saved, g)
    saved.train()
    torch.manual_seed(0)  # the dropout masks of these passes come from PyTorch's global stream
    with torch.no_grad():
        for _ in range(3):
            saved(torch.rand((2, 1, 64, 64), generator=g) * 2 - 1)
    saved.eval()
    x = torch.rand((1, 1, 64, 64), generator=g) * 2 - 1
    with torch.no_grad():
        y = saved(x)
    torch.save(saved.state_dict(), os.path.join(out_dir, "reference_unet6.pth"))
    write_safetensors(os.path.join(out_dir, "reference_unet6_eval.safetensors"), {"x": x, "y": y}, meta)


if __name__ == "__main__":
    main()
