#!/usr/bin/python3
"""Make cnnviz's small test inputs in fixtures/ (deterministic: same bytes on every run).

Source picture: scikit-image's bundled `astronaut` (NASA photo of Eileen Collins, public domain),
512x512 RGB. Everything else is derived from it or from fixed-seed random numbers.

Needs Debian 12's python3-opencv, python3-skimage, python3-pil, python3-numpy.
Run from anywhere:  /usr/bin/python3 scripts/make-fixtures.py
CI never runs this; its output is committed.
"""
import io
import os
import sys

import cv2
import numpy as np
from PIL import Image
from skimage import data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures")
MAX_BYTES = 150 * 1024

written = []


def path(name):
    return os.path.join(OUT, name)


def done(name):
    written.append(name)


def cv_write(name, arr, params=()):
    if not cv2.imwrite(path(name), arr, list(params)):
        sys.exit(f"cv2.imwrite failed for {name}")
    done(name)


def write_bytes(name, b):
    with open(path(name), "wb") as f:
        f.write(b)
    done(name)


def main():
    os.makedirs(OUT, exist_ok=True)

    # ---- sample.png: 320x213 RGB, a 3:2 landscape crop of the astronaut that keeps the face ----
    rgb512 = data.astronaut()  # uint8 512x512x3, RGB
    assert rgb512.shape == (512, 512, 3) and rgb512.dtype == np.uint8
    # Rows 6..346, all columns: 512x341 ~ 3:2 (512/341 = 1.5015; 320/213 = 1.5023). The 6-row offset
    # is chosen (vs 0) so that the sample's conv tiles include pixels where normalising in float64
    # instead of float32 gives a different gray level (440/67/28/5 pixels in conv-1..4, 8 in relu-2):
    # the main golden then catches that mistake, not only the render-random maps.
    crop = rgb512[6:347, 0:512]
    sample_rgb = cv2.resize(crop, (320, 213), interpolation=cv2.INTER_AREA)
    sample_bgr = np.ascontiguousarray(sample_rgb[:, :, ::-1])
    assert sample_bgr.shape == (213, 320, 3)
    cv_write("sample.png", sample_bgr, [cv2.IMWRITE_PNG_COMPRESSION, 9])

    # ---- sample.jpg: baseline JPEG, quality 90 ----
    cv_write("sample.jpg", sample_bgr, [cv2.IMWRITE_JPEG_QUALITY, 90,
                                        cv2.IMWRITE_JPEG_PROGRESSIVE, 0,
                                        cv2.IMWRITE_JPEG_OPTIMIZE, 0])

    h, w = sample_bgr.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]

    # ---- gray8.png: 8-bit single-channel gray (PIL's ITU-R 601 'L', deliberately not OpenCV's) ----
    gray_l = Image.fromarray(sample_rgb, "RGB").convert("L")
    gray_l.save(path("gray8.png"), optimize=False, compress_level=9)
    done("gray8.png")

    # ---- gray-alpha.png: gray + alpha (PIL 'LA'), alpha a horizontal gradient 0..255 ----
    alpha_h = np.round(xx * 255.0 / (w - 1)).astype(np.uint8)
    la = np.dstack([np.asarray(gray_l), alpha_h])
    Image.fromarray(la, "LA").save(path("gray-alpha.png"), compress_level=9)
    done("gray-alpha.png")

    # ---- rgba.png: RGB = sample, alpha a diagonal gradient with a fully transparent corner ----
    # alpha = 0 wherever x + y < 80 (colours kept there), then rising to 255 at the far corner.
    t = (xx + yy - 80) / float((w - 1) + (h - 1) - 80)
    alpha_d = np.clip(np.round(t * 255.0), 0, 255).astype(np.uint8)
    assert (alpha_d == 0).any() and (alpha_d == 255).any()
    bgra = np.dstack([sample_bgr, alpha_d])
    cv_write("rgba.png", bgra, [cv2.IMWRITE_PNG_COMPRESSION, 9])

    # ---- palette.png: 256-colour palette PNG with a tRNS chunk (first 16 entries transparent) ----
    pal = Image.fromarray(sample_rgb, "RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                      dither=Image.Dither.NONE)
    trns = bytes([0] * 16 + [128] * 16 + [255] * 224)
    pal.save(path("palette.png"), transparency=trns, compress_level=9)
    done("palette.png")

    rng = np.random.default_rng(20240611)

    # ---- rgb16.png: 16-bit RGB, v16 = min(v8*257 + noise, 65535), noise uniform 0..255 ----
    # Half the sample's size: the noisy low bytes do not compress, and fixtures stay < 150 KB.
    half_bgr = cv2.resize(sample_bgr, (160, 107), interpolation=cv2.INTER_AREA)
    noise = rng.integers(0, 256, size=half_bgr.shape, dtype=np.int64)
    rgb16 = np.minimum(half_bgr.astype(np.int64) * 257 + noise, 65535).astype(np.uint16)
    cv_write("rgb16.png", rgb16, [cv2.IMWRITE_PNG_COMPRESSION, 9])

    # ---- gray16.png: 16-bit gray, same idea, full sample size ----
    g8 = cv2.cvtColor(sample_bgr, cv2.COLOR_BGR2GRAY)
    noise = rng.integers(0, 256, size=g8.shape, dtype=np.int64)
    gray16 = np.minimum(g8.astype(np.int64) * 257 + noise, 65535).astype(np.uint16)
    cv_write("gray16.png", gray16, [cv2.IMWRITE_PNG_COMPRESSION, 9])

    # ---- gray1.png: 1-bit gray (PIL mode '1'), sample's gray thresholded at 128 ----
    bw = Image.fromarray(np.where(np.asarray(gray_l) >= 128, 255, 0).astype(np.uint8), "L")
    bw.convert("1", dither=Image.Dither.NONE).save(path("gray1.png"), compress_level=9)
    done("gray1.png")

    # ---- exif6.jpg: stored 213 wide x 320 high; EXIF Orientation=6 (rotate 90 CW to view) ----
    stored = np.ascontiguousarray(np.rot90(sample_rgb, k=1))  # 90 deg counter-clockwise
    assert stored.shape == (320, 213, 3)
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(stored, "RGB").save(path("exif6.jpg"), "JPEG", quality=90, exif=exif.tobytes(),
                                        subsampling=2, optimize=False, progressive=False)
    done("exif6.jpg")

    # ---- tiny-3x3.png: smaller than the 4x4 kernel ----
    tiny = cv2.resize(sample_bgr, (3, 3), interpolation=cv2.INTER_AREA)
    cv_write("tiny-3x3.png", tiny)

    # ---- strip-9x4.png: 9 wide x 4 high -> 1x6 feature maps ----
    strip = cv2.resize(sample_bgr[60:120, 100:235], (9, 4), interpolation=cv2.INTER_AREA)
    cv_write("strip-9x4.png", strip)

    # ---- flat-8x8.png: one constant colour ----
    flat = np.empty((8, 8, 3), np.uint8)
    flat[:, :] = (40, 120, 200)  # BGR
    cv_write("flat-8x8.png", flat)

    # ---- broken inputs ----
    with open(path("sample.png"), "rb") as f:
        png = f.read()
    write_bytes("truncated.png", png[: len(png) // 2])
    with open(path("sample.jpg"), "rb") as f:
        jpg = f.read()
    write_bytes("truncated.jpg", jpg[: len(jpg) // 2])
    write_bytes("not-an-image.png",
                b"This is not an image.\n"
                b"It is a few lines of plain text saved with a .png name,\n"
                b"so that cnnviz has to refuse it with a clear message.\n")
    write_bytes("empty.png", b"")

    # ---- self-checks ----
    ok = True
    for name in written:
        size = os.path.getsize(path(name))
        flag = ""
        if size >= MAX_BYTES:
            flag = "  <-- TOO BIG"
            ok = False
        print(f"{size:8d}  fixtures/{name}{flag}")

    im = Image.open(path("exif6.jpg"))
    assert im.size == (213, 320) and im.getexif().get(0x0112) == 6
    assert Image.open(path("gray1.png")).mode == "1"
    assert Image.open(path("gray-alpha.png")).mode == "LA"
    p = Image.open(path("palette.png"))
    assert p.mode == "P" and "transparency" in p.info
    assert cv2.imread(path("rgb16.png"), cv2.IMREAD_UNCHANGED).dtype == np.uint16
    assert cv2.imread(path("gray16.png"), cv2.IMREAD_UNCHANGED).ndim == 2
    if not ok:
        sys.exit("some fixture is >= 150 KB")


if __name__ == "__main__":
    main()
