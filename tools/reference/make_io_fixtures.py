#!/usr/bin/python3
"""Writes the small files that test gan's readers against independent writers.

Run with Debian's interpreter (it sees numpy and Pillow):  /usr/bin/python3 tools/reference/make_io_fixtures.py
Outputs go to tests/data/io/. The values are simple closed forms, so the C++ tests recompute
them instead of storing a second copy:  v[i] = (i % 97) / 96 - 0.25 * (i % 3) for a flat index i.
"""
import json
import pathlib
import struct

import numpy as np
from PIL import Image

out = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "io"
out.mkdir(parents=True, exist_ok=True)


def pattern(shape, dtype):
    i = np.arange(int(np.prod(shape)))
    return ((i % 97) / 96 - 0.25 * (i % 3)).astype(dtype).reshape(shape)


# .npy through numpy itself: 2-D float32, 3-D float64, and a Fortran-ordered array the reader must refuse.
np.save(out / "image_f32.npy", pattern((5, 7), np.float32))
np.save(out / "stack_f64.npy", pattern((3, 4, 6), np.float64))
np.save(out / "fortran.npy", np.asfortranarray(pattern((4, 5), np.float64)))
np.save(out / "int_image.npy", np.arange(12, dtype=np.int32).reshape(3, 4))

# safetensors by the published layout, written by hand (the Python package is not in Debian 12).
tensors = {"conv.weight": pattern((2, 3, 2, 2), np.float32), "bn.running_var": pattern((3,), np.float64),
           "bn.num_batches_tracked": np.array([7], dtype=np.int64).reshape(())}
names = {"float32": "F32", "float64": "F64", "int64": "I64"}
header, blobs, offset = {"__metadata__": {"writer": "make_io_fixtures.py"}}, [], 0
for name, array in tensors.items():
    raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
    header[name] = {"dtype": names[str(array.dtype)], "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
    blobs.append(raw)
    offset += len(raw)
text = json.dumps(header).encode()
(out / "tensors.safetensors").write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))

# PNG through Pillow: 8-bit and 16-bit grayscale ramps, and an RGB image converted on reading.
ramp8 = (np.arange(6 * 10) * 4).reshape(6, 10).astype(np.uint8)
Image.fromarray(ramp8, mode="L").save(out / "gray8.png")
ramp16 = (np.arange(6 * 10) * 1000).reshape(6, 10).astype(np.uint16)
Image.fromarray(ramp16, mode="I;16").save(out / "gray16.png")
rgb = np.zeros((2, 3, 3), dtype=np.uint8)
rgb[..., 0] = 255  # pure red
Image.fromarray(rgb, mode="RGB").save(out / "red.png")
print("wrote", sorted(p.name for p in out.iterdir()))
