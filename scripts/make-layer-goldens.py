#!/usr/bin/python3
"""Make the second batch of GOLDEN files with the reference stack (OpenCV, PyTorch, matplotlib).

A separate script so that scripts/make-goldens.py and everything it wrote stay byte-identical.
Run after scripts/make-more-fixtures.py:

    /usr/bin/python3 scripts/make-layer-goldens.py

Writes:
  A. fixtures/golden/{sample-webp,sample-tif,rgb16-tif,gray16-tif,anim-gif,multipage-tif}/gray.png
     (OpenCV's 8-bit gray of each new fixture; anim-gif is decoded by PIL, OpenCV 4.6 has no GIF
     reader) and fixtures/golden/decode-more.json.
  B. fixtures/golden/layers/: small-gray.npy, small-rgb.npy and one folder per layer case with
     params.json, weights.npy, [bias.npy], conv.npy, act.npy, [pool.npy]; exactness.json says which
     float32 summation recipe reproduces torch bit for bit in each case.
  C. src/colormap-tables.ts (matplotlib's 8-bit colormap tables) and fixtures/golden/colormaps/:
     <name>.png for ten colormaps, range-gray-<case>.png and ranges.json.
  D. fixtures/golden/presets.json: OpenCV's filter kernels (Sobel, Scharr, Laplacian, Gaussian, box).

Every check is printed; the script exits non-zero if one that the goldens rely on fails.
Needs Debian 12's python3-torch, python3-opencv, python3-matplotlib, python3-numpy, python3-pil.
CI never runs this; its output is committed.
"""
import io
import json
import os
import sys
import tempfile
import warnings

import cv2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "fixtures")
GOLD = os.path.join(FIX, "golden")
LAYERS = os.path.join(GOLD, "layers")
CMAPS = os.path.join(GOLD, "colormaps")
TS_TABLES = os.path.join(ROOT, "src", "colormap-tables.ts")

f32 = np.float32
f64 = np.float64
failures = []
written = []


def check(name, ok, detail=""):
    print(f"[{'PASS' if ok else 'FAIL'}] {name}{(': ' + detail) if detail else ''}")
    if not ok:
        failures.append(name)
    return ok


def info(msg):
    print(f"[info] {msg}")


def rel(p):
    return os.path.relpath(p, ROOT)


def save_npy(path, arr):
    arr = np.ascontiguousarray(arr, dtype="<f4")
    np.save(path, arr, allow_pickle=False)
    with open(path, "rb") as f:
        head = f.read(8)
    assert head[:6] == b"\x93NUMPY" and head[6:8] == b"\x01\x00", f"{path}: npy version {head[6:8]}"
    written.append(path)


def save_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    written.append(path)


def cv_write_png(path, arr):
    if not cv2.imwrite(path, arr, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        sys.exit(f"cv2.imwrite failed: {path}")
    written.append(path)


def gray_formula(rgb):
    """OpenCV's BGR2GRAY on uint8, written out: (9798R + 19235G + 3735B + 16384) >> 15."""
    r, g, b = (rgb[:, :, i].astype(np.int64) for i in range(3))
    return ((9798 * r + 19235 * g + 3735 * b + 16384) >> 15).astype(np.uint8)


# ============================================================================================
# A. decode goldens for the new input formats
# ============================================================================================
def decode_goldens():
    print("\n== A. decode goldens ==")
    sample_gray = cv2.cvtColor(cv2.imread(os.path.join(FIX, "sample.png")), cv2.COLOR_BGR2GRAY)
    files = {}

    def golden(stem, gray_u8):
        d = os.path.join(GOLD, stem)
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, "gray.png")
        cv_write_png(p, gray_u8)
        back = cv2.imread(p, cv2.IMREAD_UNCHANGED)
        assert back.ndim == 2 and (back == gray_u8).all()
        return f"golden/{stem}/gray.png"

    def cv_gray(name):
        bgr = cv2.imread(os.path.join(FIX, name))
        if bgr is None:
            return None, None
        return bgr, cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)

    # lossless WebP and 8-bit TIFF: the same gray as sample.png
    for name, stem in (("sample.webp", "sample-webp"), ("sample.tif", "sample-tif")):
        bgr, g = cv_gray(name)
        if not check(f"cv2.imread reads {name}", g is not None):
            continue
        check(f"{name}: gray == sample.png's gray", bool((g == sample_gray).all()))
        files[name] = {"readable": True, "width": int(g.shape[1]), "height": int(g.shape[0]),
                       "decoder": "cv2.imread", "golden": golden(stem, g)}

    # 16-bit RGB TIFF: OpenCV rounds (v*255 + 32767) // 65535 (libtiff's RGBA path), unlike PNG
    raw = cv2.imread(os.path.join(FIX, "rgb16.tif"), cv2.IMREAD_UNCHANGED)
    bgr, g = cv_gray("rgb16.tif")
    if check("cv2.imread reads rgb16.tif", g is not None):
        r64 = raw.astype(np.int64)
        rnd = ((r64 * 255 + 32767) // 65535).astype(np.uint8)
        trunc = (r64 >> 8).astype(np.uint8)
        check("16-bit RGB TIFF -> (v*255 + 32767) // 65535 per channel (rounding)",
              bool((bgr == rnd).all()),
              f"truncation (v >> 8) would change {int((bgr != trunc).sum())} of {bgr.size} "
              f"channel values and {int((cv2.cvtColor(trunc, cv2.COLOR_BGR2GRAY) != g).sum())} "
              f"of {g.size} gray pixels")
        png_gold = cv2.imread(os.path.join(GOLD, "rgb16", "gray.png"), cv2.IMREAD_UNCHANGED)
        info(f"rgb16.tif holds the same samples as rgb16.png, yet its gray differs from "
             f"golden/rgb16/gray.png on {int((png_gold != g).sum())} of {g.size} pixels")
        files["rgb16.tif"] = {"readable": True, "width": int(g.shape[1]), "height": int(g.shape[0]),
                              "decoder": "cv2.imread", "16bit_to_8bit": "(v*255 + 32767) // 65535",
                              "golden": golden("rgb16-tif", g)}

    # the same rule on every 16-bit value, with and without alpha (temporary files, not kept)
    v = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    all16 = np.dstack([v, v[::-1], v.T])
    exp_all = ((all16.astype(np.int64) * 255 + 32767) // 65535).astype(np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        res = []
        for label, arr in (("RGB", all16), ("RGBA", np.dstack([all16, v // 2]))):
            tp = os.path.join(tmp, "all16.tif")
            cv2.imwrite(tp, np.ascontiguousarray(arr), [cv2.IMWRITE_TIFF_COMPRESSION, 8])
            back = cv2.imread(tp)
            res.append(back is not None and back.shape == exp_all.shape and bool((back == exp_all).all()))
        tp = os.path.join(tmp, "allg16.tif")
        cv2.imwrite(tp, v, [cv2.IMWRITE_TIFF_COMPRESSION, 8])
        back = cv2.imread(tp)
        res.append(bool((back == (v >> 8).astype(np.uint8)[:, :, None]).all()))
    check("all 65,536 values: 16-bit RGB and RGBA TIFF round, 16-bit gray TIFF truncates", all(res),
          f"RGB {res[0]}, RGBA {res[1]}, gray {res[2]}")

    # 16-bit gray TIFF: truncation, like 16-bit PNG
    raw = cv2.imread(os.path.join(FIX, "gray16.tif"), cv2.IMREAD_UNCHANGED)
    bgr, g = cv_gray("gray16.tif")
    if check("cv2.imread reads gray16.tif", g is not None):
        r64 = raw.astype(np.int64)
        trunc = (r64 >> 8).astype(np.uint8)
        rnd = ((r64 * 255 + 32767) // 65535).astype(np.uint8)
        check("16-bit gray TIFF -> v >> 8 (truncation), replicated to 3 channels",
              bool((g == trunc).all() and (bgr == trunc[:, :, None]).all()),
              f"rounding would change {int((rnd != trunc).sum())} of {g.size} pixels")
        png_gold = cv2.imread(os.path.join(GOLD, "gray16", "gray.png"), cv2.IMREAD_UNCHANGED)
        check("gray16.tif gray == golden/gray16/gray.png (same samples, same truncation)",
              bool((png_gold == g).all()))
        files["gray16.tif"] = {"readable": True, "width": int(g.shape[1]), "height": int(g.shape[0]),
                               "decoder": "cv2.imread", "16bit_to_8bit": "v >> 8",
                               "golden": golden("gray16-tif", g)}

    # animated GIF: OpenCV 4.6 refuses GIF, so frame 0 is decoded by PIL; gray by OpenCV's formula
    check("cv2.imread refuses anim.gif (no GIF reader in OpenCV 4.6)",
          cv2.imread(os.path.join(FIX, "anim.gif")) is None)
    with Image.open(os.path.join(FIX, "anim.gif")) as im:
        n_frames = im.n_frames
        im.seek(0)
        rgb0 = np.asarray(im.convert("RGB"))
        im.seek(1)
        rgb1 = np.asarray(im.convert("RGB"))
    g = cv2.cvtColor(np.ascontiguousarray(rgb0[:, :, ::-1]), cv2.COLOR_BGR2GRAY)
    check("anim.gif frame 0: cvtColor(BGR2GRAY) == (9798R+19235G+3735B+16384)>>15",
          bool((g == gray_formula(rgb0)).all()))
    g1 = gray_formula(rgb1)
    info(f"anim.gif: {n_frames} frames; frame 2's gray differs from frame 1's on "
         f"{int((g1 != g).sum())} of {g.size} pixels")
    files["anim.gif"] = {"readable": False, "cv2_imread": None, "frames": n_frames,
                         "width": int(g.shape[1]), "height": int(g.shape[0]),
                         "decoder": "PIL Image.open(...).convert('RGB') of frame 0, then OpenCV's "
                                    "gray formula",
                         "golden": golden("anim-gif", g)}

    # 2-page TIFF: imread gives page 1
    bgr, g = cv_gray("multipage.tif")
    if check("cv2.imread reads multipage.tif", g is not None):
        ok, pages = cv2.imreadmulti(os.path.join(FIX, "multipage.tif"))
        check("multipage.tif: cv2.imread == page 1 of cv2.imreadmulti (page 2 has another size)",
              ok and len(pages) == 2 and pages[0].shape == bgr.shape and bool((pages[0] == bgr).all())
              and pages[1].shape != bgr.shape,
              f"pages {[p.shape[1::-1] for p in pages]}")
        files["multipage.tif"] = {"readable": True, "pages": len(pages), "width": int(g.shape[1]),
                                  "height": int(g.shape[0]), "decoder": "cv2.imread (page 1)",
                                  "golden": golden("multipage-tif", g)}

    bgr, g = cv_gray("small.png")
    files["small.png"] = {"readable": True, "width": int(g.shape[1]), "height": int(g.shape[0]),
                          "decoder": "cv2.imread",
                          "golden": "golden/layers/small-gray.npy (float32 gray/255)"}

    save_json(os.path.join(GOLD, "decode-more.json"), {
        "what": "The fixtures made by scripts/make-more-fixtures.py: how the reference decodes them "
                "and which golden holds OpenCV's 8-bit gray (cvtColor BGR2GRAY). anim.gif: "
                "cv2.imread (OpenCV 4.6) cannot read GIF, so its golden is PIL's frame 0 with "
                "OpenCV's gray formula. 16-bit RGB TIFF is rounded by OpenCV, 16-bit gray TIFF "
                "(and 16-bit PNG) truncated.",
        "files": files})


# ============================================================================================
# B. layer goldens
# ============================================================================================
F1 = np.array([[-1, -1, 1, 1]] * 4, f32)
BANK = np.stack([F1, f32(0) - F1, F1.T, f32(0) - F1.T])[:, None].astype(f32)  # 4x1x4x4


def rand(case_seed, shape):
    return np.random.default_rng(case_seed).standard_normal(shape).astype(f32)


def case_list():
    """(name, weights N x C x kh x kw, bias or None, params) -- random ones from fixed seeds."""
    def p(stride=(1, 1), padding="valid", dilation=(1, 1), color=False, activation="relu",
          pool=None, note=""):
        return dict(stride=list(stride), padding=padding if isinstance(padding, str) else list(padding),
                    dilation=list(dilation), color=color, activation=activation, pool=pool, note=note)

    tut = "tutorial bank [f1, -f1, f1.T, -f1.T], f1 = [[-1,-1,1,1]]*4"
    cases = []
    cases.append(("stride-2", BANK, None, p(stride=(2, 2), note=f"{tut}; stride (2,2)")))
    cases.append(("stride-1x2", BANK, None, p(stride=(1, 2),
                                              note=f"{tut}; stride (sy=1, sx=2)")))
    cases.append(("padding-same", BANK, None, p(
        padding="same",
        note=f"{tut}; padding 'same' with an even 4x4 kernel: total padding dilation*(k-1) = 3 per "
             "axis, split by torch as floor(3/2) = 1 on the top/left and 2 on the bottom/right "
             "(zeros); output 48x64 = input size")))
    cases.append(("padding-2", BANK, None, p(padding=(2, 2), note=f"{tut}; zero padding 2 on every side")))
    cases.append(("dilation-2", BANK, None, p(dilation=(2, 2),
                                              note=f"{tut}; dilation (2,2): taps 2 pixels apart")))
    cases.append(("bias", BANK, np.array([0.5, -0.25, 1.0, -1.0], f32),
                  p(note=f"{tut}; bias [0.5, -0.25, 1.0, -1.0]")))
    s = 7001
    cases.append(("rect-3x5", rand(s, (3, 1, 3, 5)), rand(s + 100, (3,)),
                  p(note=f"3 random kernels kh=3, kw=5 (numpy default_rng({s}).standard_normal, "
                         f"float32), random bias (default_rng({s + 100}))")))
    s = 7002
    cases.append(("rect-5x2", rand(s, (2, 1, 5, 2)), None,
                  p(note=f"2 random kernels kh=5, kw=2 (default_rng({s})), no bias")))
    s = 7003
    cases.append(("random-12", rand(s, (12, 1, 4, 4)), rand(s + 100, (12,)),
                  p(note=f"12 random 4x4 kernels (default_rng({s})), random bias "
                         f"(default_rng({s + 100}))")))
    s = 7004
    cases.append(("color", rand(s, (4, 3, 3, 3)), rand(s + 100, (4,)),
                  p(color=True, note=f"Conv2d(3, 4, 3) on the RGB input (channel order R, G, B; "
                                     f"small-rgb.npy): 4 random 3x3x3 kernels (default_rng({s})), "
                                     f"random bias (default_rng({s + 100}))")))
    cases.append(("pool-2", BANK, None, p(pool=2, note=f"{tut}; relu; max_pool2d(2): 45x61 -> 22x30")))
    cases.append(("pool-3", BANK, None, p(pool=3, note=f"{tut}; relu; max_pool2d(3): 45x61 -> 15x20 "
                                                       f"(floor mode: last rows/columns dropped)")))
    cases.append(("leaky-relu", BANK, None, p(
        activation="leaky-relu:0.1",
        note=f"{tut}; F.leaky_relu(x, 0.1) = x > 0 ? x : fl32(x * fl32(0.1))")))
    cases.append(("abs", BANK, None, p(activation="abs", note=f"{tut}; torch.abs")))
    s = 7005
    cases.append(("combo", rand(s, (3, 1, 3, 3)), rand(s + 100, (3,)),
                  p(stride=(2, 2), padding=(1, 1), dilation=(2, 2), pool=2,
                    note=f"3 random 3x3 kernels (default_rng({s})), random bias "
                         f"(default_rng({s + 100})); stride 2, padding 1, dilation 2, relu, "
                         f"max_pool2d(2): 48x64 -> 23x31 -> 11x15")))
    return cases


def pads_of(params, kh, kw):
    """(top, bottom, left, right) zero padding."""
    pad = params["padding"]
    dy, dx = params["dilation"]
    if pad == "valid":
        return 0, 0, 0, 0
    if pad == "same":
        th, tw = dy * (kh - 1), dx * (kw - 1)
        return th // 2, th - th // 2, tw // 2, tw - tw // 2
    return pad[0], pad[0], pad[1], pad[1]


HAZARDS = [0]


def correlate(x, w, b, params, recipe):
    """Float32 running sums, vectorised over the output pixels.

    recipe 'plain':      acc = +0; for c: for ky: for kx: acc = fl32(acc + fl32(w*g)); then fl32(acc + b)
    recipe 'fma-native': the same order, but each step fused: acc = fl32(acc + w*g) (w*g exact);
                         bias added last (torch's own im2col+GEMM kernels: slow_conv2d / dilated)
    recipe 'fma-onednn': acc = b (or +0); for ky: for kx: for c: acc = fl32(acc + w*g) (oneDNN)
    The fused step is emulated in float64 (exact product, sum rounded to double then to float32);
    HAZARDS counts the steps where that double rounding could differ from a true fma.
    """
    C, H, W = x.shape
    N, C2, kh, kw = w.shape
    assert C == C2
    sy, sx = params["stride"]
    dy, dx = params["dilation"]
    pt, pb, pl, pr = pads_of(params, kh, kw)
    xp = np.zeros((C, H + pt + pb, W + pl + pr), f32)
    xp[:, pt:pt + H, pl:pl + W] = x
    Hp, Wp = xp.shape[1:]
    oh = (Hp - dy * (kh - 1) - 1) // sy + 1
    ow = (Wp - dx * (kw - 1) - 1) // sx + 1
    if recipe == "fma-onednn":
        taps = [(c, ky, kx) for ky in range(kh) for kx in range(kw) for c in range(C)]
    else:
        taps = [(c, ky, kx) for c in range(C) for ky in range(kh) for kx in range(kw)]
    out = np.zeros((N, oh, ow), f32)
    for n in range(N):
        if recipe == "fma-onednn" and b is not None:
            acc = np.full((oh, ow), b[n], f32)
        else:
            acc = np.zeros((oh, ow), f32)
        for c, ky, kx in taps:
            y0, x0 = ky * dy, kx * dx
            g = xp[c, y0:y0 + sy * (oh - 1) + 1:sy, x0:x0 + sx * (ow - 1) + 1:sx]
            wv = w[n, c, ky, kx]
            if recipe == "plain":
                acc = (acc + (wv * g).astype(f32)).astype(f32)
            else:
                a64 = acc.astype(f64)
                p64 = f64(wv) * g.astype(f64)  # exact: 24 + 24 bits
                s64 = a64 + p64
                bb = s64 - a64
                err = (a64 - (s64 - bb)) + (p64 - bb)  # TwoSum: s64 + err == a64 + p64 exactly
                r = s64.astype(f32)
                nb = np.nextafter(r, np.where(s64 > r.astype(f64), f32(np.inf), f32(-np.inf)))
                mid = (r.astype(f64) + nb.astype(f64)) / 2
                HAZARDS[0] += int(((s64 == mid) & (err != 0)).sum())
                acc = r
        if b is not None and recipe != "fma-onednn":
            acc = (acc + b[n]).astype(f32)
        out[n] = acc
    return out


def torch_engine(x_shape, w_shape, params):
    """Which CPU kernel torch 1.13 picks for one float32 image (batch 1, groups 1) -- from
    aten/src/ATen/native/Convolution.cpp use_mkldnn(): oneDNN if both kernel sides > 3 or the
    (padded) input has more than 20480 elements, else its own im2col+GEMM (slow_conv2d, or
    slow_conv_dilated2d when dilated)."""
    C, H, W = x_shape
    kh, kw = w_shape[2:]
    pt, pb, pl, pr = pads_of(params, kh, kw)
    if params["padding"] == "same":  # torch pads the extra row/column itself, then pads symmetric
        H, W = H + (pb - pt), W + (pr - pl)
    if (kh > 3 and kw > 3) or C * H * W > 20480:
        return "onednn"
    return "native"


def activation(conv_t, act):
    if act == "relu":
        return F.relu(conv_t)
    if act == "abs":
        return torch.abs(conv_t)
    if act.startswith("leaky-relu:"):
        return F.leaky_relu(conv_t, float(act.split(":", 1)[1]))
    if act == "none":
        return conv_t
    raise ValueError(act)


def layer_goldens():
    print("\n== B. layer goldens ==")
    os.makedirs(LAYERS, exist_ok=True)
    bgr = cv2.imread(os.path.join(FIX, "small.png"))
    assert bgr is not None and bgr.shape == (48, 64, 3)
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype("float32") / 255  # the tutorial's
    rgb = np.ascontiguousarray(bgr[:, :, ::-1].transpose(2, 0, 1)).astype("float32") / 255
    assert gray.shape == (48, 64) and rgb.shape == (3, 48, 64)
    check("small-rgb / 255 == fround(v/255) and R channel is the BGR image's channel 2",
          bool((rgb[0] == bgr[:, :, 2].astype(f32) / f32(255)).all()))
    save_npy(os.path.join(LAYERS, "small-gray.npy"), gray)
    save_npy(os.path.join(LAYERS, "small-rgb.npy"), rgb)

    # padding 'same' split, checked directly: torch == valid conv of the input padded (1,2,1,2)
    xt = torch.from_numpy(gray)[None, None]
    wt = torch.from_numpy(BANK)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "padding='same' with even kernel lengths ..." warning
        same = F.conv2d(xt, wt, None, 1, "same", 1)
    a = F.conv2d(F.pad(xt, (1, 2, 1, 2)), wt)  # (left, right, top, bottom)
    bsw = F.conv2d(F.pad(xt, (2, 1, 2, 1)), wt)
    check("padding='same' (4x4): zeros 1 top/left, 2 bottom/right",
          bool(torch.equal(same, a)) and not bool(torch.equal(same, bsw)))

    summary = {}
    for name, w, b, params in case_list():
        d = os.path.join(LAYERS, name)
        os.makedirs(d, exist_ok=True)
        x = rgb if params["color"] else gray[None]
        assert w.shape[1] == x.shape[0] and w.dtype == f32
        pad = params["padding"] if isinstance(params["padding"], str) else tuple(params["padding"])
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            conv_t = F.conv2d(torch.from_numpy(x)[None], torch.from_numpy(w),
                              None if b is None else torch.from_numpy(b),
                              tuple(params["stride"]), pad, tuple(params["dilation"]))
            act_t = activation(conv_t, params["activation"])
            pool_t = F.max_pool2d(act_t, params["pool"]) if params["pool"] else None
        conv = np.ascontiguousarray(conv_t[0].numpy())
        act = np.ascontiguousarray(act_t[0].numpy())
        pj = {"stride": params["stride"], "padding": params["padding"],
              "dilation": params["dilation"], "bias": b is not None, "color": params["color"],
              "activation": params["activation"], "pool": params["pool"], "note": params["note"]}
        save_json(os.path.join(d, "params.json"), pj)
        save_npy(os.path.join(d, "weights.npy"), w)
        if b is not None:
            save_npy(os.path.join(d, "bias.npy"), b)
        save_npy(os.path.join(d, "conv.npy"), conv)
        save_npy(os.path.join(d, "act.npy"), act)
        shapes = {"conv": list(conv.shape), "act": list(act.shape)}
        if pool_t is not None:
            pool = np.ascontiguousarray(pool_t[0].numpy())
            save_npy(os.path.join(d, "pool.npy"), pool)
            shapes["pool"] = list(pool.shape)
            # floor-mode max pooling, written out
            n = params["pool"]
            N_, H_, W_ = act.shape
            ph, pw = H_ // n, W_ // n
            blocks = act[:, :ph * n, :pw * n].reshape(N_, ph, n, pw, n).max(axis=(2, 4))
            check(f"[{name}] pool == max over {n}x{n} blocks (floor mode)",
                  bool((blocks.view(np.uint32) == pool.view(np.uint32)).all()),
                  f"{act.shape[1:]} -> {pool.shape[1:]}")

        # activation, written out
        actn = params["activation"]
        if actn == "relu":
            mine = np.maximum(conv, f32(0))
        elif actn == "abs":
            mine = np.abs(conv)
        else:
            slope = f32(float(actn.split(":")[1]))
            mine = np.where(conv > 0, conv, (conv * slope).astype(f32))
        check(f"[{name}] act == {actn} of conv, bitwise", bool((mine.view(np.uint32) ==
                                                               act.view(np.uint32)).all()))
        if actn.startswith("leaky"):
            dbl = np.where(conv > 0, conv, (conv.astype(f64) * 0.1).astype(f32))
            info(f"[{name}] fl32(x * 0.1 in double) instead of fl32(x * fl32(0.1)) would differ "
                 f"on {int((dbl.view(np.uint32) != act.view(np.uint32)).sum())} of {act.size}")
        negz = int((np.signbit(conv) & (conv == 0)).sum() + (np.signbit(act) & (act == 0)).sum())

        # summation recipes vs torch
        HAZARDS[0] = 0
        res = {}
        for recipe in ("plain", "fma-native", "fma-onednn"):
            m = correlate(x, w, b, params, recipe)
            assert m.shape == conv.shape, (name, m.shape, conv.shape)
            bad = int((m.view(np.uint32) != conv.view(np.uint32)).sum())
            res[recipe] = {"mismatches": bad,
                           "max_abs_diff": float(np.abs(m.astype(f64) - conv.astype(f64)).max())}
        engine = torch_engine(x.shape, w.shape, params)
        matching = [r for r in ("plain", "fma-native", "fma-onednn") if res[r]["mismatches"] == 0]
        sum_abs = [float(np.abs(w[n].astype(f64)).sum()) for n in range(w.shape[0])]
        tol = [1e-5 * max(1.0, s_) for s_ in sum_abs]
        # worst ratio diff / tolerance for the plain recipe, per filter
        plain = correlate(x, w, b, params, "plain")
        ratio = max(float(np.abs(plain[n].astype(f64) - conv[n].astype(f64)).max() / tol[n])
                    for n in range(w.shape[0]))
        expected = "fma-onednn" if engine == "onednn" else "fma-native"
        check(f"[{name}] torch == '{expected}' recipe bit for bit (engine predicted: {engine})",
              expected in matching,
              f"plain: {res['plain']['mismatches']} of {conv.size} differ, max |diff| "
              f"{res['plain']['max_abs_diff']:.3g} ({ratio:.3f} of the 1e-5*max(1,sum|w|) "
              f"tolerance); matching recipes: {matching}; fma double-rounding hazards: {HAZARDS[0]}")
        check(f"[{name}] plain recipe within 1e-5*max(1,sum|w|)", ratio <= 1.0)
        summary[name] = {
            "shapes": shapes, "torch_engine": engine, "bit_exact_recipes": matching,
            "plain": res["plain"], "fma_native": res["fma-native"], "fma_onednn": res["fma-onednn"],
            "sum_abs_w": sum_abs, "plain_max_diff_over_tolerance": ratio, "negative_zeros": negz,
        }
        if negz:
            info(f"[{name}] {negz} negative zeros in conv/act")

    # not saved: on the whole 320x213 sample (> 20480 input elements) torch uses oneDNN even for
    # 3x3 kernels, so the order and the bias's place change with the input size
    sbgr = cv2.imread(os.path.join(FIX, "sample.png"))
    sg = (cv2.cvtColor(sbgr, cv2.COLOR_BGR2GRAY).astype("float32") / 255)[None]
    srgb = np.ascontiguousarray(sbgr[:, :, ::-1].transpose(2, 0, 1)).astype("float32") / 255
    base = dict(stride=[1, 1], padding="valid", dilation=[1, 1])
    for label, x, shape, prm in (
            ("gray 3x3", sg, (3, 1, 3, 3), base),
            ("rgb 3x3", srgb, (4, 3, 3, 3), base),
            ("rgb 4x4", srgb, (4, 3, 4, 4), base),
            ("gray 3x3 stride 2 padding 1 dilation 2", sg, (3, 1, 3, 3),
             dict(stride=[2, 2], padding=[1, 1], dilation=[2, 2]))):
        w = rand(8000 + len(label), shape)
        b = rand(8100 + len(label), (shape[0],))
        with torch.no_grad():
            t = F.conv2d(torch.from_numpy(x)[None], torch.from_numpy(w), torch.from_numpy(b),
                         tuple(prm["stride"]), tuple(prm["padding"]) if prm["padding"] != "valid"
                         else "valid", tuple(prm["dilation"]))[0].numpy()
        engine = torch_engine(x.shape, w.shape, prm)
        bad = {r: int((correlate(x, w, b, prm, r).view(np.uint32) != t.view(np.uint32)).sum())
               for r in ("fma-native", "fma-onednn")}
        check(f"[sample 320x213, {label}, bias] torch == fma-onednn (engine predicted: {engine})",
              engine == "onednn" and bad["fma-onednn"] == 0,
              f"mismatches of {t.size}: {bad}")

    save_json(os.path.join(LAYERS, "exactness.json"), {
        "what": "Which float32 summation recipe reproduces torch's conv.npy bit for bit, per case "
                "(made by scripts/make-layer-goldens.py; see scripts/README.md). "
                "plain: acc = +0; for c, ky, kx: acc = fl32(acc + fl32(w*g)); bias added last. "
                "fma-native: same order, acc = fl32(acc + w*g) with the exact product (one rounding "
                "per step: JS Math.fround(acc + w*g)); bias added last. "
                "fma-onednn: acc = bias (or +0); for ky, kx, c: acc = fl32(acc + w*g). "
                "max_abs_diff is against conv.npy; tolerance = 1e-5*max(1, sum|w|) per filter.",
        "cases": summary})


# ============================================================================================
# C. colormaps
# ============================================================================================
CMAP_NAMES = ["gray", "viridis", "magma", "inferno", "plasma", "cividis", "RdBu", "bwr", "seismic",
              "coolwarm"]
LUT8_QUIRK = [33, 37, 41, 45, 49, 53, 57, 61, 66, 74, 82, 90, 98, 106, 114, 122, 132, 148, 164,
              180, 196, 212, 228, 244]

# 'inside' range: two-decimal values strictly inside the random map's range [-4.017, 3.665], picked
# (by a search over two-decimal pairs) so that each wrong normalisation below changes >= 1 pixel.
RANGES = {"inside": (-2.88, 1.82)}


def table(name):
    cmap = matplotlib.colormaps[name]
    assert cmap.N == 256, (name, cmap.N)
    return cmap(np.arange(256), bytes=True)[:, :3].astype(np.uint8)


def imsave_pixels(m, **kw):
    buf = io.BytesIO()
    plt.imsave(buf, m, **kw)
    buf.seek(0)
    im = Image.open(buf)
    return im.mode, np.asarray(im.convert("RGBA"))


def q_index(m, lo=None, hi=None, variant="f32"):
    """Colour index as imsave computes it.

    auto (lo = hi = None): vmin/vmax = float32 min/max; q = fl32(fl32(x - vmin) / fl32(vmax - vmin))
    explicit (Python floats): q = fl32(fl32(x - fl32(lo)) / fl32(hi - lo))  -- hi - lo in DOUBLE
    then idx = floor(fl32(q * 256)) clamped to 0..255; a constant map (auto) gives 0.
    Other variants (wrong, for comparison): 'f32-both' rounds lo and hi to float32 first and
    subtracts them in float32; 'f64-sub' does x - lo in double; 'f64' does everything in double.
    """
    m = np.asarray(m, f32)
    if lo is None:
        vmin, vmax = f32(m.min()), f32(m.max())
        if vmin == vmax:
            return np.zeros(m.shape, np.int64)
        q = ((m - vmin).astype(f32) / f32(vmax - vmin)).astype(f32)
    elif variant == "f32":
        q = ((m - f32(lo)).astype(f32) / f32(f64(hi) - f64(lo))).astype(f32)
    elif variant == "f32-both":
        q = ((m - f32(lo)).astype(f32) / f32(f32(hi) - f32(lo))).astype(f32)
    elif variant == "f64-sub":
        q = ((m.astype(f64) - lo).astype(f32) / f32(f64(hi) - f64(lo))).astype(f32)
    elif variant == "f64":
        t = np.floor((m.astype(f64) - lo) / (hi - lo) * 256)
        return np.clip(t, 0, 255).astype(np.int64)
    else:
        raise ValueError(variant)
    t = np.floor((q * f32(256)).astype(f32))
    return np.clip(t, 0, 255).astype(np.int64)


def colormaps():
    print("\n== C. colormaps ==")
    os.makedirs(CMAPS, exist_ok=True)
    tables = {n: table(n) for n in CMAP_NAMES}
    lut8 = np.arange(256, dtype=np.uint8)
    lut8[LUT8_QUIRK] -= 1
    check("gray table == REFERENCE.md's LUT8 on R, G and B",
          all(bool((tables["gray"][:, k] == lut8).all()) for k in range(3)))

    # src/colormap-tables.ts
    lines = ["/**",
             " * matplotlib 3.6.3 colormaps as 8-bit RGB tables, generated by "
             "scripts/make-layer-goldens.py with",
             " * `cmap(np.arange(256), bytes=True)[:, :3]` (the bytes `imsave` writes for each "
             "colour index). Do not edit.",
             " */",
             "export const COLORMAP_TABLES = {"]
    for n in CMAP_NAMES:
        hx = tables[n].tobytes().hex()
        assert len(hx) == 1536 and hx == hx.lower()
        lines.append(f"  {n}: '{hx}',")
    lines += ["} as const;", ""]
    with open(TS_TABLES, "w") as f:
        f.write("\n".join(lines))
    written.append(TS_TABLES)
    check(f"matplotlib version is 3.6.3 (named in {rel(TS_TABLES)})",
          matplotlib.__version__ == "3.6.3", matplotlib.__version__)

    M = np.load(os.path.join(GOLD, "render-random", "map-random.npy"))
    assert M.dtype == f32 and M.shape == (37, 53)
    conv = np.load(os.path.join(GOLD, "sample", "conv.npy"))
    relu = np.load(os.path.join(GOLD, "sample", "relu.npy"))
    maps = {"map-random": M}
    for i in range(4):
        maps[f"sample conv-{i + 1}"] = conv[i]
        maps[f"sample relu-{i + 1}"] = relu[i]

    # auto range: imsave(m, cmap=name) == table[idx] for every colormap and map
    for n in CMAP_NAMES:
        bad = 0
        px_total = 0
        modes = set()
        alpha_ok = True
        for label, m in maps.items():
            if label == "map-random":
                path = os.path.join(CMAPS, f"{n}.png")
                plt.imsave(path, m, cmap=n)
                written.append(path)
                im = Image.open(path)
                mode, px = im.mode, np.asarray(im.convert("RGBA"))
            else:
                mode, px = imsave_pixels(m, cmap=n)
            modes.add(mode)
            exp = tables[n][q_index(m)]
            bad += int((px[:, :, :3] != exp).any(axis=2).sum())
            alpha_ok &= bool((px[:, :, 3] == 255).all())
            px_total += m.size
        check(f"imsave(cmap='{n}') == table[floor(q*256) clamped] (auto range)",
              bad == 0 and alpha_ok and modes == {"RGBA"},
              f"{bad} of {px_total} pixels differ over map-random and the sample's 8 conv/relu "
              f"maps; modes {sorted(modes)}, A=255 {alpha_ok}")

    # explicit ranges
    m_abs = float(np.abs(M).max())  # a float32 value, widened exactly
    ranges = {"inside": RANGES["inside"], "symmetric": (-m_abs, m_abs), "unit": (0.0, 1.0)}
    lo_i, hi_i = ranges["inside"]
    assert float(M.min()) < lo_i < hi_i < float(M.max())
    for case, (lo, hi) in ranges.items():
        path = os.path.join(CMAPS, f"range-gray-{case}.png")
        plt.imsave(path, M, cmap="gray", vmin=lo, vmax=hi)
        written.append(path)
        im = Image.open(path)
        px = np.asarray(im.convert("RGBA"))
        exp = tables["gray"][q_index(M, lo, hi)]
        bad = int((px[:, :, :3] != exp).any(axis=2).sum())
        others = {v: int((tables["gray"][q_index(M, lo, hi, v)] != px[:, :, :3]).any(axis=2).sum())
                  for v in ("f32-both", "f64-sub", "f64")}
        clamp_lo = int((M < f32(lo)).sum())
        clamp_hi = int((M > f32(hi)).sum())
        check(f"range-gray-{case} [{lo!r}, {hi!r}] == recipe q = fl32(fl32(x - fl32(lo)) / "
              f"fl32(hi - lo in double))", bad == 0 and im.mode == "RGBA",
              f"{bad} differ; wrong variants would differ on {others}; {clamp_lo} pixels below lo, "
              f"{clamp_hi} above hi")
        if case == "inside":
            check("range-gray-inside tells every wrong variant apart", min(others.values()) >= 1)
    save_json(os.path.join(CMAPS, "ranges.json"), {k: [float(a), float(b)] for k, (a, b) in ranges.items()})

    # explicit ranges on every colormap and on a larger map, not saved: the recipe holds?
    big = np.random.default_rng(3).standard_normal((300, 400)).astype(f32)
    for n in CMAP_NAMES:
        bad = 0
        tot = 0
        for lo, hi in list(ranges.values()) + [(-2.41, 1.16), (-1.3, 1.7), (0.1, 0.3)]:
            for m in (M, big, conv[0]):
                _, px = imsave_pixels(m, cmap=n, vmin=lo, vmax=hi)
                bad += int((px[:, :, :3] != tables[n][q_index(m, lo, hi)]).any(axis=2).sum())
                tot += m.size
        check(f"explicit vmin/vmax recipe holds for '{n}'", bad == 0, f"{bad} of {tot} pixels differ")
    # the same range given as np.float32 scalars is computed entirely in float32
    _, px = imsave_pixels(big, cmap="gray", vmin=f32(-2.41), vmax=f32(1.16))
    d32 = int((px[:, :, :3] != tables["gray"][q_index(big, -2.41, 1.16, "f32-both")]).any(axis=2).sum())
    d64 = int((px[:, :, :3] != tables["gray"][q_index(big, -2.41, 1.16)]).any(axis=2).sum())
    info(f"vmin/vmax passed as np.float32: 'f32-both' recipe differs on {d32} pixels, the "
         f"Python-float recipe on {d64} (of {big.size})")


# ============================================================================================
# D. filter presets
# ============================================================================================
def presets():
    print("\n== D. filter presets ==")
    kernels = {}

    def outer(kx, ky):
        return np.outer(ky.ravel().astype(f64), kx.ravel().astype(f64))  # K[y][x] = ky[y]*kx[x]

    kernels["sobel-x"] = outer(*cv2.getDerivKernels(1, 0, 3))
    kernels["sobel-y"] = outer(*cv2.getDerivKernels(0, 1, 3))
    kernels["scharr-x"] = outer(*cv2.getDerivKernels(1, 0, cv2.FILTER_SCHARR))
    kernels["scharr-y"] = outer(*cv2.getDerivKernels(0, 1, cv2.FILTER_SCHARR))
    # cv2.Laplacian(ksize=1)'s kernel = its response to an impulse, flipped (correlation)
    imp = np.zeros((7, 7), f32)
    imp[3, 3] = 1

    def response(fn):
        return fn(imp)[2:5, 2:5][::-1, ::-1].astype(f64)

    kernels["laplacian-4"] = response(lambda a: cv2.Laplacian(a, cv2.CV_32F, ksize=1,
                                                              borderType=cv2.BORDER_CONSTANT))
    lap3 = response(lambda a: cv2.Laplacian(a, cv2.CV_32F, ksize=3, borderType=cv2.BORDER_CONSTANT))
    info(f"cv2.Laplacian(ksize=3) uses {lap3.astype(int).tolist()}: not the 8-neighbour "
         f"[[1,1,1],[1,-8,1],[1,1,1]], so no 'laplacian-8' preset (OpenCV has none)")
    g3 = cv2.getGaussianKernel(3, 0)
    g5 = cv2.getGaussianKernel(5, 0)
    kernels["gaussian-3"] = np.outer(g3.ravel(), g3.ravel())
    kernels["gaussian-5"] = np.outer(g5.ravel(), g5.ravel())
    kernels["box-3"] = np.full((3, 3), 1 / 9, f64)

    check("sobel-x == [[-1,0,1],[-2,0,2],[-1,0,1]]",
          kernels["sobel-x"].tolist() == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    check("laplacian-4 == [[0,1,0],[1,-4,1],[0,1,0]]",
          kernels["laplacian-4"].tolist() == [[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    info(f"getGaussianKernel(3,0) = {g3.ravel().tolist()}, (5,0) = {g5.ravel().tolist()}")
    for k in ("sobel-x", "sobel-y", "scharr-x", "scharr-y"):  # the impulse agrees too
        dx, dy = (1, 0) if k.endswith("x") else (0, 1)
        ks = 3 if k.startswith("sobel") else cv2.FILTER_SCHARR
        r = response(lambda a: cv2.Sobel(a, cv2.CV_32F, dx, dy, ksize=ks,
                                         borderType=cv2.BORDER_CONSTANT))
        check(f"{k}: impulse response of cv2.Sobel (flipped) == outer(ky, kx)",
              bool((r == kernels[k]).all()))

    img = cv2.cvtColor(cv2.imread(os.path.join(FIX, "sample.png")), cv2.COLOR_BGR2GRAY)
    img = img.astype("float32") / 255
    B = cv2.BORDER_CONSTANT
    refs = {
        "sobel-x": ("cv2.Sobel(img, CV_32F, 1, 0, ksize=3)",
                    lambda: cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3, borderType=B)),
        "sobel-y": ("cv2.Sobel(img, CV_32F, 0, 1, ksize=3)",
                    lambda: cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3, borderType=B)),
        "scharr-x": ("cv2.Scharr(img, CV_32F, 1, 0)",
                     lambda: cv2.Scharr(img, cv2.CV_32F, 1, 0, borderType=B)),
        "scharr-y": ("cv2.Scharr(img, CV_32F, 0, 1)",
                     lambda: cv2.Scharr(img, cv2.CV_32F, 0, 1, borderType=B)),
        "laplacian-4": ("cv2.Laplacian(img, CV_32F, ksize=1)",
                        lambda: cv2.Laplacian(img, cv2.CV_32F, ksize=1, borderType=B)),
        "gaussian-3": ("cv2.GaussianBlur(img, (3,3), 0)",
                       lambda: cv2.GaussianBlur(img, (3, 3), 0, borderType=B)),
        "gaussian-5": ("cv2.GaussianBlur(img, (5,5), 0)",
                       lambda: cv2.GaussianBlur(img, (5, 5), 0, borderType=B)),
        "box-3": ("cv2.blur(img, (3,3))", lambda: cv2.blur(img, (3, 3), borderType=B)),
    }
    checks = {}
    for k, (desc, fn) in refs.items():
        K = kernels[k].astype(f32)
        mine = cv2.filter2D(img, cv2.CV_32F, K, borderType=B)
        ref = fn()
        kh, kw = K.shape
        inner = (slice(kh // 2, img.shape[0] - kh // 2), slice(kw // 2, img.shape[1] - kw // 2))
        diff = np.abs(mine.astype(f64) - ref.astype(f64))
        same = float((mine.view(np.uint32) == ref.view(np.uint32)).mean())
        checks[k] = {"reference": desc + ", BORDER_CONSTANT, float32 input",
                     "max_abs_diff": float(diff.max()), "max_abs_diff_interior": float(diff[inner].max()),
                     "bit_identical_fraction": round(same, 6)}
        check(f"filter2D({k}) ~ {desc}", float(diff.max()) <= 1e-5,
              f"max |diff| {diff.max():.3g} (interior {diff[inner].max():.3g}), "
              f"{100 * same:.2f} % of pixels bit-identical")

    def num(v):
        return int(v) if float(v).is_integer() else float(v)

    out = {"what": "OpenCV 4.6 filter kernels as correlation kernels (filter2D orientation: "
                   "out[y][x] = sum K[j][i] * img[y+j-r][x+i-r]), rows top to bottom. sobel/scharr = "
                   "outer(ky, kx) of cv2.getDerivKernels(dx, dy, ksize) (ksize 3, or FILTER_SCHARR); "
                   "laplacian-4 = cv2.Laplacian's ksize=1 kernel (OpenCV has no 8-neighbour one: "
                   "its ksize=3 kernel is [[2,0,2],[0,-8,0],[2,0,2]]); gaussian-n = outer(g, g) "
                   "with g = cv2.getGaussianKernel(n, 0); box-3 = 1/9 everywhere (double). "
                   "checks: cv2.filter2D with the kernel vs OpenCV's own function on the sample's "
                   "float32 gray.",
           "opencv": cv2.__version__,
           "kernels": {k: [[num(v) for v in row] for row in kernels[k].tolist()] for k in kernels},
           "checks": checks}
    path = os.path.join(GOLD, "presets.json")
    with open(path, "w") as f:
        f.write('{\n "what": %s,\n "opencv": %s,\n "kernels": {\n' % (json.dumps(out["what"]),
                                                                       json.dumps(out["opencv"])))
        f.write(",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in out["kernels"].items()))
        f.write("\n },\n \"checks\": {\n")
        f.write(",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in checks.items()))
        f.write("\n }\n}\n")
    with open(path) as f:
        assert json.load(f) == json.loads(json.dumps(out))
    written.append(path)


# ============================================================================================
def main():
    decode_goldens()
    layer_goldens()
    colormaps()
    presets()
    print("\nwritten:")
    total = 0
    for p in written:
        size = os.path.getsize(p)
        if p.startswith(GOLD):
            total += size
        print(f"{size:8d}  {rel(p)}")
    print(f"fixtures/golden additions: {total} bytes in {sum(p.startswith(GOLD) for p in written)} files")
    if failures:
        print(f"\n{len(failures)} CHECK(S) FAILED:")
        for f_ in failures:
            print("  -", f_)
        sys.exit(1)
    print("\nall checks passed")


if __name__ == "__main__":
    main()
