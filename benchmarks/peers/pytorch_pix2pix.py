"""The PyTorch peer of the comparison harness (benchmarks/compare): the reference pix2pix
(tools/reference/pix2pix_reference.py: UnetGenerator, NLayerDiscriminator) timed with the same
protocol as gan's side (benchmarks/harness/gan_pix2pix.cpp). One case per process.

    /usr/bin/python3 benchmarks/peers/pytorch_pix2pix.py --size 128 --mode train --threads 2

Run it through benchmarks/compare, which sets, before Python starts: OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS to --threads, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, and a glibc
malloc that keeps large temporaries (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_,
MALLOC_TOP_PAD_) instead of unmapping and re-faulting them every step.

Modes (batch 1):
  infer       G.eval() under torch.inference_mode(): BatchNorm with running statistics, no dropout
  infer-test  G.train() under torch.inference_mode(): pix2pix's test protocol
  infer-bf16  infer under torch.autocast("cpu", dtype=torch.bfloat16): bfloat16 convolutions
  train       the reference Pix2PixModel.optimize_parameters: G forward, D on fake (detached) and
              real, backward_D, Adam on D; D on fake with D frozen, BCE + 100 L1, backward_G,
              Adam on G (lr 2e-4, betas 0.5, 0.999)
  train-autocast  train with the forward passes and losses under torch.autocast("cpu",
              dtype=torch.bfloat16), the backward passes after them (PyTorch's recipe)
Prints one JSON line, the same fields as the C++ sides.
"""
import argparse
import json
import os
import resource
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--size", type=int, default=128)
parser.add_argument("--mode", default="infer")
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--runs", type=int, default=20)
parser.add_argument("--warmup", type=int, default=3)
args = parser.parse_args()

try:
    import torch
    import torch.nn as nn
except ImportError:
    print("pytorch peer: torch is not importable by " + sys.executable + " (Debian: python3-torch)", file=sys.stderr)
    sys.exit(3)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "reference"))
from pix2pix_reference import NLayerDiscriminator, UnetGenerator  # noqa: E402

torch.set_num_threads(args.threads)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass
torch.manual_seed(2026)

depth = {128: 7, 256: 8}[args.size]


def init_weights(net):
    """The reference init_weights('normal', 0.02)."""
    for m in net.modules():
        name = m.__class__.__name__
        if hasattr(m, "weight") and ("Conv" in name):
            nn.init.normal_(m.weight.data, 0.0, 0.02)
            if getattr(m, "bias", None) is not None:
                nn.init.constant_(m.bias.data, 0.0)
        elif "BatchNorm2d" in name:
            nn.init.normal_(m.weight.data, 1.0, 0.02)
            nn.init.constant_(m.bias.data, 0.0)


G = UnetGenerator(1, 1, depth, 64, nn.BatchNorm2d, use_dropout=True)
init_weights(G)
gen = torch.Generator().manual_seed(7)
real_A = torch.rand(1, 1, args.size, args.size, generator=gen) * 2 - 1
real_B = torch.rand(1, 1, args.size, args.size, generator=gen) * 2 - 1

if args.mode in ("infer", "infer-test", "infer-bf16"):
    G.eval() if args.mode != "infer-test" else G.train()
    for p in G.parameters():
        p.requires_grad_(False)
    # infer-bf16: the convolutions on bfloat16 operands (oneDNN's, with AMX where the processor
    # has it), as gan::Autocast; lower precision.
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.mode == "infer-bf16")

    def step():
        with torch.inference_mode(), autocast:
            G(real_A)

    gflop = {128: 2.961179, 256: 11.895}[args.size]
elif args.mode in ("train", "train-autocast"):
    D = NLayerDiscriminator(2, 64, 3, nn.BatchNorm2d)
    init_weights(D)
    G.train()
    D.train()
    opt_G = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    l1 = nn.L1Loss()

    def gan_loss(pred, real):
        return bce(pred, torch.ones_like(pred) if real else torch.zeros_like(pred))

    def set_requires_grad(net, flag):
        for p in net.parameters():
            p.requires_grad = flag

    # train-autocast: bfloat16 convolutions (lower precision), as gan::Autocast; a no-op otherwise.
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.mode == "train-autocast")

    def step():
        with autocast:
            fake_B = G(real_A)
        set_requires_grad(D, True)
        opt_D.zero_grad()
        with autocast:
            pred_fake = D(torch.cat((real_A, fake_B), 1).detach())
            loss_D_fake = gan_loss(pred_fake, False)
            pred_real = D(torch.cat((real_A, real_B), 1))
            loss_D_real = gan_loss(pred_real, True)
            loss_D = (loss_D_fake + loss_D_real) * 0.5
        loss_D.backward()
        opt_D.step()
        set_requires_grad(D, False)
        opt_G.zero_grad()
        with autocast:
            pred_fake = D(torch.cat((real_A, fake_B), 1))
            loss_G = gan_loss(pred_fake, True) + l1(fake_B, real_B) * 100.0
        loss_G.backward()
        opt_G.step()

    # Nominal FLOPs, as gan counts them: 3 × (G + 3 D), D = PatchGAN over 2 channels.
    gflop = {128: 22.388736, 256: None}[args.size]
else:
    print("--mode must be infer, infer-test, infer-bf16, train or train-autocast", file=sys.stderr)
    sys.exit(2)

for _ in range(args.warmup):
    step()
before = resource.getrusage(resource.RUSAGE_SELF)
samples = []
for _ in range(args.runs):
    start = time.perf_counter()
    step()
    samples.append((time.perf_counter() - start) * 1e3)
after = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "side": "pytorch", "size": args.size, "mode": args.mode, "threads": args.threads, "gflop": gflop,
    "peak_rss_kib": after.ru_maxrss,
    "minflt_per_run": (after.ru_minflt - before.ru_minflt) / args.runs,
    "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
    "samples_ms": [round(s, 4) for s in samples],
    "torch": torch.__version__,
}))
