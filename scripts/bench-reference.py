#!/usr/bin/python3
"""The reference pipeline, timed by scripts/bench.mjs: the tutorial with OpenCV and PyTorch.

    /usr/bin/python3 scripts/bench-reference.py INPUT OUTDIR

Reads INPUT with cv2.imread, converts to float gray as the tutorial does, runs the four edge filters as
nn.Conv2d(1, 4, 4, bias=False) on one thread, applies ReLU, and writes the eight maps (before and after
ReLU) as 8-bit PNGs with cv2.imwrite, each min-max stretched like matplotlib's imsave. Not part of CI:
it needs Debian's python3-opencv and python3-torch.
"""
import os
import sys

import cv2
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def main() -> None:
    path, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    bgr = cv2.imread(path)
    if bgr is None:
        sys.exit(f"cannot read {path}")
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype("float32") / 255
    f1 = np.array([[-1, -1, 1, 1]] * 4)
    weight = torch.from_numpy(np.array([f1, -f1, f1.T, -f1.T])).unsqueeze(1).type(torch.FloatTensor)
    with torch.no_grad():
        x = torch.from_numpy(gray).unsqueeze(0).unsqueeze(1)
        conv = F.conv2d(x, weight)
        relu = F.relu(conv)
    for name, maps in (("conv", conv), ("relu", relu)):
        for i in range(4):
            m = maps[0, i].numpy()
            lo, hi = float(m.min()), float(m.max())
            tile = np.zeros(m.shape, np.uint8) if hi == lo else ((m - lo) / (hi - lo) * 255).astype(np.uint8)
            cv2.imwrite(os.path.join(out, f"{name}-{i + 1}.png"), tile)


if __name__ == "__main__":
    main()
