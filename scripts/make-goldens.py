#!/usr/bin/python3
"""Make the reference GOLDEN files in fixtures/golden/ with the tutorial's own stack.

The pipeline is the tutorial's, unchanged:
    bgr = cv2.imread(path); gray_u8 = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    gray = gray_u8.astype("float32") / 255
    4 filters [f1, -f1, f1.T, -f1.T] in nn.Conv2d(1, 4, (4, 4), bias=False); relu = F.relu(conv)
    tiles: matplotlib.pyplot.imsave(file, map2d, cmap='gray')      (auto vmin/vmax, no np.squeeze)

It also re-checks the claims of shared/REFERENCE.md against the reference (gray formula, float32
conversion, bit-exact sequential conv sum, imsave quantisation recipe, decoding facts) and prints the
results; it exits non-zero if a check that the goldens rely on fails.

Needs Debian 12's python3-torch, python3-opencv, python3-matplotlib, python3-numpy, python3-pil.
Run after scripts/make-fixtures.py:  /usr/bin/python3 scripts/make-goldens.py
CI never runs this; its output is committed.
"""
import hashlib
import json
import os
import platform
import subprocess
import sys

import cv2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "fixtures")
GOLD = os.path.join(FIX, "golden")

f32 = np.float32
failures = []


def check(name, ok, detail=""):
    print(f"[{'PASS' if ok else 'FAIL'}] {name}{(': ' + detail) if detail else ''}")
    if not ok:
        failures.append(name)
    return ok


def info(msg):
    print(f"[info] {msg}")


# --------------------------------------------------------------------------------------------
# The tutorial's model
# --------------------------------------------------------------------------------------------
filter_vals = np.array([[-1, -1, 1, 1], [-1, -1, 1, 1], [-1, -1, 1, 1], [-1, -1, 1, 1]])
filter_1 = filter_vals
filter_2 = -filter_1
filter_3 = filter_1.T
filter_4 = -filter_3
filters = np.array([filter_1, filter_2, filter_3, filter_4])


class Net(nn.Module):
    def __init__(self, weight):
        super(Net, self).__init__()
        k_height, k_width = weight.shape[2:]
        self.conv = nn.Conv2d(1, 4, kernel_size=(k_height, k_width), bias=False)
        self.conv.weight = torch.nn.Parameter(weight)

    def forward(self, x):
        conv_x = self.conv(x)
        activated_x = F.relu(conv_x)
        return conv_x, activated_x


weight = torch.from_numpy(filters).unsqueeze(1).type(torch.FloatTensor)
model = Net(weight)


def load_gray(path):
    """cv2.imread (default flag) + BGR2GRAY; None where OpenCV can't read it."""
    bgr = cv2.imread(path)
    if bgr is None:
        return None, None
    return bgr, cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)


def run_model(gray):
    gray_img_tensor = torch.from_numpy(gray).unsqueeze(0).unsqueeze(1)
    with torch.no_grad():
        conv_layer, activated_layer = model(gray_img_tensor)
    conv = np.ascontiguousarray(conv_layer[0].numpy().astype(f32))
    relu = np.ascontiguousarray(activated_layer[0].numpy().astype(f32))
    return conv, relu


# --------------------------------------------------------------------------------------------
# REFERENCE.md's recipes, re-implemented in numpy to be checked against the reference
# --------------------------------------------------------------------------------------------
def sequential_conv(gray, kernel):
    """acc = +0; for ky: for kx: acc = fl32(acc + fl32(w*g)) -- vectorised over output pixels."""
    H, W = gray.shape
    oh, ow = H - 3, W - 3
    acc = np.zeros((oh, ow), f32)
    for ky in range(4):
        for kx in range(4):
            w = f32(kernel[ky][kx])
            acc = (acc + (w * gray[ky:ky + oh, kx:kx + ow]).astype(f32)).astype(f32)
    return acc


LUT8_QUIRK = [33, 37, 41, 45, 49, 53, 57, 61, 66, 74, 82, 90, 98, 106, 114, 122, 132, 148, 164,
              180, 196, 212, 228, 244]
LUT8 = np.arange(256, dtype=np.uint8)
LUT8[LUT8_QUIRK] -= 1


def lut8_formula():
    out = []
    for i in range(256):
        v = 1.0 if i == 255 else i * (1 / 255)
        out.append(int(((255 * v) / 255) * 255))  # int() truncates, like trunc for these >= 0
    return np.array(out, np.uint8)


def lut8_matplotlib():
    cmap = matplotlib.colormaps["gray"]
    rgba = cmap(np.arange(256), bytes=True)  # integer input indexes the LUT directly
    return rgba[:, 0].astype(np.uint8), rgba


def imsave_recipe(m):
    """REFERENCE.md's quantisation recipe -> expected uint8 gray level per pixel."""
    m = np.asarray(m, f32)
    vmin = f32(m.min())
    vmax = f32(m.max())
    if vmin == vmax:
        idx = np.zeros(m.shape, np.int64)
    else:
        q = ((m - vmin).astype(f32) / f32(vmax - vmin)).astype(f32)
        idx = np.floor((q * f32(256)).astype(f32)).astype(np.int64)
        idx[idx == 256] = 255
    return LUT8[idx]


def imsave_recipe_f64(m):
    """The same but normalising in float64 (REFERENCE.md says this is wrong by one level sometimes)."""
    m = np.asarray(m, np.float64)
    vmin, vmax = m.min(), m.max()
    if vmin == vmax:
        return LUT8[np.zeros(m.shape, np.int64)]
    idx = np.floor((m - vmin) / (vmax - vmin) * 256).astype(np.int64)
    idx[idx == 256] = 255
    return LUT8[idx]


tile_checks = []  # (file, pixels compared, mismatches, f64 mismatches)


def save_tile(path, m):
    """Write a tile exactly as the tutorial would, then check the recipe against the written PNG."""
    assert m.ndim == 2 and m.dtype == f32
    plt.imsave(path, m, cmap="gray")
    im = Image.open(path)
    mode = im.mode
    px = np.asarray(im.convert("RGBA"))
    exp = imsave_recipe(m)
    ok_shape = px.shape[:2] == m.shape
    rgb_equal = bool((px[:, :, 0] == px[:, :, 1]).all() and (px[:, :, 1] == px[:, :, 2]).all())
    alpha_255 = bool((px[:, :, 3] == 255).all())
    mism = int((px[:, :, 0] != exp).sum()) if ok_shape else -1
    mism64 = int((px[:, :, 0] != imsave_recipe_f64(m)).sum()) if ok_shape else -1
    tile_checks.append((os.path.relpath(path, ROOT), m.size, mism, mism64))
    check(f"imsave recipe == {os.path.relpath(path, ROOT)}",
          mode == "RGBA" and ok_shape and rgb_equal and alpha_255 and mism == 0,
          f"mode {mode}, {m.shape[1]}x{m.shape[0]}, R=G=B {rgb_equal}, A=255 {alpha_255}, "
          f"{mism} of {m.size} pixels differ (float64 normalisation would differ on {mism64})")


def save_npy(path, arr):
    arr = np.ascontiguousarray(arr, dtype="<f4")
    np.save(path, arr, allow_pickle=False)
    with open(path, "rb") as f:
        head = f.read(8)
    assert head[:6] == b"\x93NUMPY" and head[6:8] == b"\x01\x00", f"{path}: npy version {head[6:8]}"


def cv_write(path, arr):
    if not cv2.imwrite(path, arr, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        sys.exit(f"cv2.imwrite failed: {path}")


# --------------------------------------------------------------------------------------------
def check_conv_bits(label, gray, conv, relu):
    """(1) sequential float32 sum == torch bit for bit; negation exact; relu == max(conv, 0)."""
    H, W = gray.shape
    if H < 4 or W < 4:
        return
    total = 0
    bad = 0
    for i in range(4):
        mine = sequential_conv(gray, filters[i])
        b = (mine.view(np.uint32) != conv[i].view(np.uint32))
        bad += int(b.sum())
        total += mine.size
    # numerically (-0 == +0): torch gives +0 where conv is 0, so a bare "-x" would give -0 there
    neg_ok = bool((conv[1] == -conv[0]).all() and (conv[3] == -conv[2]).all())
    neg_bits = int((conv[1].view(np.uint32) != (-conv[0]).view(np.uint32)).sum()
                   + (conv[3].view(np.uint32) != (-conv[2]).view(np.uint32)).sum())
    zero_bits = int((conv[1].view(np.uint32) != (f32(0) - conv[0]).view(np.uint32)).sum()
                    + (conv[3].view(np.uint32) != (f32(0) - conv[2]).view(np.uint32)).sum())
    relu_ok = bool((relu.view(np.uint32) == np.maximum(conv, f32(0)).view(np.uint32)).all())
    negzero = int((np.signbit(relu) & (relu == 0)).sum())
    negzero_conv = int((np.signbit(conv) & (conv == 0)).sum())
    check(f"conv bit-exact sequential sum [{label} {W}x{H}]", bad == 0,
          f"{total - bad} of {total} elements identical")
    if label == "sample":  # show that the order matters: column-major taps (kx outer, ky inner)
        oh, ow = H - 3, W - 3
        same = 0
        for i in range(4):
            acc = np.zeros((oh, ow), f32)
            for kx in range(4):
                for ky in range(4):
                    acc = (acc + (f32(filters[i][ky][kx]) * gray[ky:ky + oh, kx:kx + ow])).astype(f32)
            same += int((acc.view(np.uint32) == conv[i].view(np.uint32)).sum())
        info(f"[sample] column-major tap order matches torch on {same} of {total} elements "
             f"({100 * same / total:.1f} %)")
    check(f"conv of negated filter == -(conv) [{label}]", neg_ok and zero_bits == 0,
          f"bitwise: '-x' differs on {neg_bits} elements (the zeros: -0 vs torch's +0), "
          f"'0 - x' on {zero_bits}")
    check(f"relu == max(conv,0) bitwise, no -0 [{label}]", relu_ok and negzero == 0,
          f"-0 in relu: {negzero}, -0 in conv: {negzero_conv}")


def golden_full(stem, gray_u8):
    d = os.path.join(GOLD, stem)
    gray = gray_u8.astype("float32") / 255
    conv, relu = run_model(gray)
    assert conv.shape == (4, gray.shape[0] - 3, gray.shape[1] - 3)
    save_npy(os.path.join(d, "gray.npy"), gray)
    save_npy(os.path.join(d, "conv.npy"), conv)
    save_npy(os.path.join(d, "relu.npy"), relu)
    save_tile(os.path.join(d, "input.png"), gray)
    for i in range(4):
        save_tile(os.path.join(d, f"conv-{i + 1}.png"), conv[i])
        save_tile(os.path.join(d, f"relu-{i + 1}.png"), relu[i])
    check_conv_bits(stem, gray, conv, relu)
    CONV_MAPS[stem] = conv


CONV_MAPS = {}


# --------------------------------------------------------------------------------------------
def all_colours():
    i = np.arange(1 << 24, dtype=np.uint32)
    R = (i >> 16).astype(np.uint8)
    G = ((i >> 8) & 255).astype(np.uint8)
    B = (i & 255).astype(np.uint8)
    bgr = np.empty((4096, 4096, 3), np.uint8)  # row-major flatten gives pixel index i
    flat = bgr.reshape(-1, 3)
    flat[:, 0] = B
    flat[:, 1] = G
    flat[:, 2] = R
    Y = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).reshape(-1)
    sha = hashlib.sha256(Y.tobytes()).hexdigest()
    r, g, b = R.astype(np.int64), G.astype(np.int64), B.astype(np.int64)
    formula = (9798 * r + 19235 * g + 3735 * b + 16384) >> 15
    n_bad = int((formula != Y).sum())
    check("cvtColor BGR2GRAY == (9798R + 19235G + 3735B + 16384) >> 15 on all 16,777,216 colours",
          n_bad == 0, f"{n_bad} colours differ")
    q14 = (4899 * r + 9617 * g + 1868 * b + 8192) >> 14
    rnd = np.floor(0.299 * r + 0.587 * g + 0.114 * b + 0.5)
    info(f"(4899R+9617G+1868B+8192)>>14 differs on {int((q14 != Y).sum())} colours "
         f"(REFERENCE.md: 43,864); round(0.299R+0.587G+0.114B) on {int((rnd != Y).sum())} "
         f"(REFERENCE.md: 22,411)")
    rng = np.random.default_rng(1234)
    idx = np.sort(rng.choice(1 << 24, size=200, replace=False))
    samples = [[int(R[k]), int(G[k]), int(B[k]), int(Y[k])] for k in idx]
    with open(os.path.join(GOLD, "all-colours.json"), "w") as f:
        f.write('{\n "order": "i = R*65536 + G*256 + B",\n "sha256": "%s",\n "samples": [\n' % sha)
        f.write(",\n".join("  " + json.dumps(x) for x in samples))
        f.write("\n ]\n}\n")
    info(f"all-colours sha256 {sha}")

    # Y/255 in float32
    ys = np.arange(256)
    ref = np.arange(256, dtype=np.uint8).astype("float32") / 255
    fround = np.array([f32(y / 255) for y in ys])  # double division then round to float32
    recip = (ys.astype(f32) * f32(1 / 255)).astype(f32)
    check("astype(float32)/255 == fround(Y/255) for all 256 Y",
          bool((ref.view(np.uint32) == fround.view(np.uint32)).all()))
    info(f"Y * fl32(1/255) wrong for {int((ref != recip).sum())} of 256 Y (REFERENCE.md: 126)")


# --------------------------------------------------------------------------------------------
def render_random():
    d = os.path.join(GOLD, "render-random")
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(37531)
    maps = {}

    m = rng.standard_normal((37, 53)).astype(f32)
    lo, hi = m.min(), m.max()
    flat = m.reshape(-1)
    for k in rng.choice(m.size, size=6, replace=False)[:3]:
        flat[k] = lo
    for k in rng.choice(m.size, size=6, replace=False)[:3]:
        flat[k] = hi
    maps["random"] = m
    maps["1x1"] = np.array([[0.7]], f32)
    maps["const"] = np.full((3, 5), 1.25, f32)
    # extra edge cases for the quantiser:
    maps["boundaries"] = (np.arange(257, dtype=f32) / f32(256)).reshape(1, 257)  # q*256 exact ints
    maps["column"] = rng.standard_normal((17, 1)).astype(f32)  # N x 1
    base = f32(1000)
    ulp = np.spacing(base)
    maps["narrow"] = (base + rng.integers(0, 41, (9, 11)).astype(f32) * ulp).astype(f32)
    maps["negative"] = rng.uniform(-5, -1, (13, 7)).astype(f32)
    maps["relu-like"] = np.maximum(rng.standard_normal((23, 29)).astype(f32), f32(0))
    # f64-trap: real values from the sample's conv-1 map where float64 normalisation gives another
    # level than imsave, plus that map's min and max (so vmin/vmax are unchanged); rows of 16,
    # padded with the min.
    if "sample" in CONV_MAPS:
        c1 = CONV_MAPS["sample"][0]
        trap = c1[imsave_recipe(c1) != imsave_recipe_f64(c1)]
        vals = np.concatenate([[c1.min(), c1.max()], trap]).astype(f32)
        pad = (-len(vals)) % 16
        vals = np.concatenate([vals, np.full(pad, c1.min(), f32)])
        maps["f64-trap"] = vals.reshape(-1, 16)
    for name, arr in maps.items():
        arr = np.ascontiguousarray(arr, f32)
        save_npy(os.path.join(d, f"map-{name}.npy"), arr)
        save_tile(os.path.join(d, f"map-{name}.png"), arr)


# --------------------------------------------------------------------------------------------
def decode_facts(results):
    """Check REFERENCE.md's decoding claims on the fixtures (informative; printed)."""
    def g(name):
        return results.get(name)

    s = g("sample.png")
    pil = lambda n: np.asarray(Image.open(os.path.join(FIX, n)))  # noqa: E731
    if g("gray8.png") is not None:
        check("gray PNG replicated (gray unchanged)", bool((g("gray8.png") == pil("gray8.png")).all()))
    if g("gray-alpha.png") is not None:
        check("gray+alpha: alpha dropped, gray unchanged",
              bool((g("gray-alpha.png") == pil("gray-alpha.png")[:, :, 0]).all()))
    if g("rgba.png") is not None:
        check("RGBA: alpha dropped, not composited (gray == sample's)", bool((g("rgba.png") == s).all()))
    if g("palette.png") is not None:
        rgb = np.asarray(Image.open(os.path.join(FIX, "palette.png")).convert("RGB"))
        exp = cv2.cvtColor(np.ascontiguousarray(rgb[:, :, ::-1]), cv2.COLOR_BGR2GRAY)
        check("palette: tRNS ignored (gray of the palette colours)", bool((g("palette.png") == exp).all()))
    if g("gray1.png") is not None:
        exp = np.where(pil("gray1.png"), 255, 0)
        check("1-bit gray -> 0/255", bool((g("gray1.png") == exp).all()))
    if g("rgb16.png") is not None:
        raw = cv2.imread(os.path.join(FIX, "rgb16.png"), cv2.IMREAD_UNCHANGED)
        exp = cv2.cvtColor((raw >> 8).astype(np.uint8), cv2.COLOR_BGR2GRAY)
        rnd = cv2.cvtColor(((raw.astype(np.int64) * 255 + 32767) // 65535).astype(np.uint8),
                           cv2.COLOR_BGR2GRAY)
        check("16-bit RGB PNG -> v >> 8", bool((g("rgb16.png") == exp).all()),
              f"(rounding instead would change {int((rnd != exp).sum())} gray pixels)")
    if g("gray16.png") is not None:
        raw = cv2.imread(os.path.join(FIX, "gray16.png"), cv2.IMREAD_UNCHANGED)
        rnd = ((raw.astype(np.int64) * 255 + 32767) // 65535)
        check("16-bit gray PNG -> v >> 8", bool((g("gray16.png") == (raw >> 8)).all()),
              f"(rounding instead would change {int((rnd != (raw >> 8)).sum())} pixels)")
    if g("exif6.jpg") is not None:
        e = g("exif6.jpg")
        diff = int(np.abs(e.astype(int) - s.astype(int)).max()) if e.shape == s.shape else -1
        check("EXIF orientation 6 applied (213x320 stored -> 320x213)", e.shape == (213, 320),
              f"max |gray - sample gray| = {diff}")
    t = results.get("truncated.jpg")
    info(f"truncated.jpg: cv2.imread {'ACCEPTS it (' + str(t.shape) + ')' if t is not None else 'refuses it'}"
         " -- cnnviz must refuse it; no golden written")
    for n in ("truncated.png", "not-an-image.png", "empty.png"):
        check(f"cv2.imread refuses {n}", results.get(n) is None)


# Made by scripts/make-more-fixtures.py and covered by scripts/make-layer-goldens.py
# (golden/decode-more.json): left out here so that decode.json stays as it was.
LATER_FIXTURES = {"sample.webp", "sample.tif", "rgb16.tif", "gray16.tif", "anim.gif", "multipage.tif",
                  "small.png"}


# --------------------------------------------------------------------------------------------
def main():
    os.makedirs(GOLD, exist_ok=True)
    plain_gray = {
        "sample.png": "sample", "sample.jpg": "sample-jpg", "gray8.png": "gray8",
        "gray-alpha.png": "gray-alpha", "rgba.png": "rgba", "palette.png": "palette",
        "rgb16.png": "rgb16", "gray16.png": "gray16", "gray1.png": "gray1", "exif6.jpg": "exif6",
        "strip-9x4.png": "strip-9x4", "flat-8x8.png": "flat-8x8",
    }
    full = {"sample", "strip-9x4", "flat-8x8"}

    results = {}
    decode = {}
    for name in sorted(os.listdir(FIX)):
        p = os.path.join(FIX, name)
        if not os.path.isfile(p) or name in LATER_FIXTURES:
            continue
        bgr, gray_u8 = load_gray(p)
        results[name] = gray_u8
        entry = {"readable": gray_u8 is not None}
        if bgr is not None:
            entry["width"], entry["height"] = int(bgr.shape[1]), int(bgr.shape[0])
        if name in plain_gray:
            entry["golden"] = f"golden/{plain_gray[name]}/gray.png"
        decode[name] = entry

    for name, stem in plain_gray.items():
        gray_u8 = results.get(name)
        if gray_u8 is None:
            check(f"cv2.imread reads {name}", False)
            continue
        d = os.path.join(GOLD, stem)
        os.makedirs(d, exist_ok=True)
        cv_write(os.path.join(d, "gray.png"), gray_u8)
        back = cv2.imread(os.path.join(d, "gray.png"), cv2.IMREAD_UNCHANGED)
        assert back.ndim == 2 and (back == gray_u8).all()
        if stem in full:
            golden_full(stem, gray_u8)
        else:
            g = gray_u8.astype("float32") / 255
            conv, relu = run_model(g)
            check_conv_bits(stem, g, conv, relu)

    # tiny-3x3: readable, but the 4x4 conv refuses it; record PyTorch's message
    tiny = results.get("tiny-3x3.png")
    if tiny is not None:
        try:
            run_model(tiny.astype("float32") / 255)
            decode["tiny-3x3.png"]["torch_error"] = None
        except RuntimeError as e:
            decode["tiny-3x3.png"]["torch_error"] = str(e).strip()
            info(f"tiny-3x3: torch says: {str(e).strip()}")
    with open(os.path.join(GOLD, "decode.json"), "w") as f:
        json.dump({"what": "cv2.imread(path) (default flag) on each fixture; 'golden' = the "
                           "gray_u8 written for it. truncated.jpg is read by OpenCV (rest filled "
                           "with gray) but cnnviz must refuse it, so it has no golden.",
                   "files": decode}, f, indent=1)
        f.write("\n")

    # bigger conv checks: the whole 512x512 astronaut and a random 1000x700 image
    try:
        from skimage import data
        a = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY).astype("float32") / 255
        c, r = run_model(a)
        check_conv_bits("astronaut-512", a, c, r)
    except ImportError:
        info("skimage missing: skipped the 512x512 astronaut conv check")
    rng = np.random.default_rng(99)
    big = rng.integers(0, 256, (700, 1000), dtype=np.uint8).astype("float32") / 255
    c, r = run_model(big)
    check_conv_bits("random-noise", big, c, r)

    decode_facts(results)
    all_colours()

    lf, lm = lut8_formula(), lut8_matplotlib()[0]
    check("LUT8 (REFERENCE list) == double formula == matplotlib gray LUT bytes",
          bool((LUT8 == lf).all() and (LUT8 == lm).all()),
          f"list vs formula {int((LUT8 != lf).sum())} differ, list vs matplotlib {int((LUT8 != lm).sum())}")

    render_random()

    def deb(pkg):
        try:
            return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                                  text=True, check=True).stdout
        except Exception:
            return None

    import PIL
    versions = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "cv2": cv2.__version__,
        "matplotlib": matplotlib.__version__,
        "PIL": PIL.__version__,
        "torch_num_threads": torch.get_num_threads(),
        "debian_packages": {p: deb(p) for p in ("python3-torch", "python3-opencv", "python3-matplotlib",
                                                "python3-numpy", "python3-pil", "python3-skimage")},
    }
    with open(os.path.join(GOLD, "versions.json"), "w") as f:
        json.dump(versions, f, indent=1)
        f.write("\n")

    n_px = sum(t[1] for t in tile_checks)
    n_bad = sum(t[2] for t in tile_checks)
    n64 = sum(t[3] for t in tile_checks)
    print(f"\nimsave recipe: {len(tile_checks)} tiles, {n_px} pixels, {n_bad} mismatches "
          f"(float64 normalisation: {n64} mismatches)")
    total = 0
    for dirpath, _, files in os.walk(GOLD):
        for fn in files:
            total += os.path.getsize(os.path.join(dirpath, fn))
    print(f"fixtures/golden total: {total} bytes")
    if failures:
        print(f"\n{len(failures)} CHECK(S) FAILED:")
        for f_ in failures:
            print("  -", f_)
        sys.exit(1)
    print("\nall checks passed")


if __name__ == "__main__":
    main()
