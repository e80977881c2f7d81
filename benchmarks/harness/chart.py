"""The bar chart of benchmarks/compare: median time per case, by side, log scale.
    /usr/bin/python3 benchmarks/harness/chart.py results.json chart.png
Needs Pillow (Debian: python3-pil); exits with a message otherwise."""
import json
import math
import sys

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError:
    print("Pillow is not installed (Debian: python3-pil)", file=sys.stderr)
    sys.exit(3)

report = json.load(open(sys.argv[1]))
rows = report["results"]
colours = {"gan": (31, 119, 180), "pytorch": (238, 76, 44), "dlib": (44, 160, 44)}
sides = [s for s in ("gan", "pytorch", "dlib") if any(r["side"] == s for r in rows)]
groups = []
for r in rows:
    key = (r["mode"], r["size"], r["threads"])
    if key not in groups:
        groups.append(key)
order = {"infer": 0, "infer-test": 1, "infer-bf16": 2, "train": 3, "train-bf16": 4, "train-autocast": 5}
groups.sort(key=lambda k: (order.get(k[0], 9), k[1], k[2]))
value = {(r["mode"], r["size"], r["threads"], r["side"]): r["median_ms"] for r in rows}

bar, gap, left, top, bottom, height = 22, 26, 80, 60, 120, 420
width = max(720, left + len(groups) * (len(sides) * bar + gap) + 40)
img = Image.new("RGB", (width, top + height + bottom), "white")
d = ImageDraw.Draw(img)
try:
    font = ImageFont.truetype("DejaVuSans.ttf", 12)
    small = ImageFont.truetype("DejaVuSans.ttf", 10)
except OSError:
    font = small = ImageFont.load_default()

vals = [v for v in value.values() if v > 0]
lo = 10 ** math.floor(math.log10(min(vals)))
hi = 10 ** math.ceil(math.log10(max(vals)))


def y(v):
    return top + height - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * height


e = lo
while e <= hi * 1.0001:
    for m in (1, 2, 5):
        v = e * m
        if lo <= v <= hi:
            d.line([(left, y(v)), (width - 20, y(v))], fill=(225, 225, 225) if m > 1 else (180, 180, 180))
            d.text((left - 8, y(v)), f"{v:g}", fill="black", font=small, anchor="rm")
    e *= 10
d.text((10, top - 30), "median ms per case, batch 1 (log scale; lower is better)", fill="black", font=font)
flagged = sum(1 for r in rows if r.get("noisy"))
if flagged:
    d.text((width - 20, top - 30), f"{flagged} of {len(rows)} cases flagged (busy CPU or large spread): see the notes",
           fill=(200, 0, 0), font=font, anchor="ra")
m = report["machine"]
d.text((10, 8), f"gan vs PyTorch vs dlib — {m['cpu']}, {m['logical_cpus']} CPUs, {m['date']}", fill="black", font=font)
x = left + gap // 2
for g in groups:
    for i, s in enumerate(sides):
        v = value.get(g + (s,))
        if v:
            x0 = x + i * bar
            d.rectangle([x0, y(v), x0 + bar - 3, top + height], fill=colours[s])
            d.text((x0 + bar // 2, y(v) - 3), f"{v:.0f}" if v >= 10 else f"{v:.1f}", fill="black", font=small, anchor="mb")
    cx = x + len(sides) * bar // 2
    d.text((cx, top + height + 8), g[0], fill="black", font=small, anchor="mt")
    d.text((cx, top + height + 22), f"{g[1]}²", fill="black", font=small, anchor="mt")
    d.text((cx, top + height + 36), f"{g[2]} thr", fill="black", font=small, anchor="mt")
    x += len(sides) * bar + gap
for i, s in enumerate(sides):
    d.rectangle([left + i * 110, top + height + 70, left + i * 110 + 14, top + height + 84], fill=colours[s])
    d.text((left + i * 110 + 20, top + height + 70), s, fill="black", font=font)
img.save(sys.argv[2])
