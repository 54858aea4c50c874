#!/usr/bin/python3
"""Make cnnviz's second batch of test inputs in fixtures/ (deterministic: same bytes on every run).

A separate script so that scripts/make-fixtures.py and the files it made stay byte-identical. Every
file here is derived from files make-fixtures.py already wrote (fixtures/sample.png, rgb16.png,
gray16.png), so run that first (or use the committed ones):

    /usr/bin/python3 scripts/make-more-fixtures.py

Writes:
    sample.webp     lossless WebP of sample.png (cv2, IMWRITE_WEBP_QUALITY 101)
    sample.tif      8-bit RGB TIFF of sample.png (cv2, Adobe Deflate, OpenCV's horizontal predictor)
    rgb16.tif       16-bit RGB TIFF, the same samples as rgb16.png (160x107)
    gray16.tif      16-bit gray TIFF, the same samples as gray16.png (320x213)
    anim.gif        64x48, 2 frames (frame 1 = small.png quantised, frame 2 = its negative)
    multipage.tif   2-page 8-bit RGB TIFF: page 1 96x64, page 2 64x96 (different size and content)
    small.png       64x48 RGB plain crop of sample.png around the face (input of the layer goldens)

Needs Debian 12's python3-opencv, python3-pil, python3-numpy. CI never runs this; its output is
committed.
"""
import os
import sys

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures")
MAX_BYTES = 150 * 1024

# small.png: columns 108..171, rows 44..91 of sample.png (eyes, nose and mouth)
SMALL_X0, SMALL_Y0, SMALL_W, SMALL_H = 108, 44, 64, 48

TIFF_DEFLATE = [cv2.IMWRITE_TIFF_COMPRESSION, 8]  # 8 = COMPRESSION_ADOBE_DEFLATE

written = []


def path(name):
    return os.path.join(OUT, name)


def cv_write(name, arr, params=()):
    if not cv2.imwrite(path(name), arr, list(params)):
        sys.exit(f"cv2.imwrite failed for {name}")
    written.append(name)


def read_unchanged(name):
    a = cv2.imread(path(name), cv2.IMREAD_UNCHANGED)
    if a is None:
        sys.exit(f"cannot read fixtures/{name}: run scripts/make-fixtures.py first")
    return a


def main():
    sample_bgr = read_unchanged("sample.png")
    assert sample_bgr.shape == (213, 320, 3) and sample_bgr.dtype == np.uint8
    sample_rgb = np.ascontiguousarray(sample_bgr[:, :, ::-1])

    # ---- small.png: plain crop, no resize ----
    small_bgr = np.ascontiguousarray(
        sample_bgr[SMALL_Y0:SMALL_Y0 + SMALL_H, SMALL_X0:SMALL_X0 + SMALL_W])
    assert small_bgr.shape == (48, 64, 3)
    cv_write("small.png", small_bgr, [cv2.IMWRITE_PNG_COMPRESSION, 9])

    # ---- sample.webp: lossless (quality > 100 selects libwebp's lossless mode in OpenCV) ----
    cv_write("sample.webp", sample_bgr, [cv2.IMWRITE_WEBP_QUALITY, 101])

    # ---- sample.tif: 8-bit RGB TIFF (Deflate: LZW would be 140 KB, uncompressed 205 KB) ----
    cv_write("sample.tif", sample_bgr, TIFF_DEFLATE)

    # ---- rgb16.tif / gray16.tif: exactly the 16-bit samples of rgb16.png / gray16.png ----
    rgb16 = read_unchanged("rgb16.png")
    assert rgb16.dtype == np.uint16 and rgb16.shape == (107, 160, 3)
    cv_write("rgb16.tif", rgb16, TIFF_DEFLATE)
    gray16 = read_unchanged("gray16.png")
    assert gray16.dtype == np.uint16 and gray16.shape == (213, 320)
    cv_write("gray16.tif", gray16, TIFF_DEFLATE)

    # ---- anim.gif: 2 frames, each quantised to its own 64-colour palette (frame 2 gets a local
    # colour table), no dithering, no transparency, loop forever, 500 ms per frame ----
    small_rgb = np.ascontiguousarray(small_bgr[:, :, ::-1])
    frames = []
    for arr in (small_rgb, 255 - small_rgb):
        frames.append(Image.fromarray(arr, "RGB").quantize(
            colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
    frames[0].save(path("anim.gif"), save_all=True, append_images=frames[1:], duration=500,
                   loop=0, optimize=False, disposal=1)
    written.append("anim.gif")

    # ---- multipage.tif: page 1 = 96x64 crop around the face, page 2 = 64x96 crop of the flag,
    # negated; 8-bit RGB, Deflate ----
    page1 = np.ascontiguousarray(sample_bgr[30:94, 92:188])
    page2 = np.ascontiguousarray(255 - sample_bgr[40:136, 0:64])
    assert page1.shape == (64, 96, 3) and page2.shape == (96, 64, 3)
    if not cv2.imwritemulti(path("multipage.tif"), [page1, page2], TIFF_DEFLATE):
        sys.exit("cv2.imwritemulti failed for multipage.tif")
    written.append("multipage.tif")

    # ---- self-checks ----
    ok = True
    for name in written:
        size = os.path.getsize(path(name))
        flag = ""
        if size >= MAX_BYTES:
            flag = "  <-- TOO BIG"
            ok = False
        print(f"{size:8d}  fixtures/{name}{flag}")

    assert (cv2.imread(path("small.png")) == small_bgr).all()
    assert (cv2.imread(path("sample.webp")) == sample_bgr).all(), "WebP is not lossless"
    assert (cv2.imread(path("sample.tif")) == sample_bgr).all()
    assert (cv2.imread(path("rgb16.tif"), cv2.IMREAD_UNCHANGED) == rgb16).all()
    assert (cv2.imread(path("gray16.tif"), cv2.IMREAD_UNCHANGED) == gray16).all()
    with Image.open(path("sample.webp")) as im:
        assert im.format == "WEBP" and im.mode == "RGB" and im.size == (320, 213)
    with Image.open(path("sample.tif")) as im:
        assert im.mode == "RGB" and im.info.get("compression") == "tiff_adobe_deflate"
    with Image.open(path("gray16.tif")) as im:
        assert im.mode == "I;16" and im.tag_v2[258] == (16,)
    with Image.open(path("rgb16.tif")) as im:
        assert im.tag_v2[258] == (16, 16, 16) and im.tag_v2[277] == 3
    with Image.open(path("anim.gif")) as im:
        assert im.n_frames == 2 and im.size == (64, 48)
        f0 = np.asarray(im.convert("RGB"))
        im.seek(1)
        f1 = np.asarray(im.convert("RGB"))
        differ = float((f0 != f1).any(axis=2).mean())
        print(f"anim.gif: frames differ on {100 * differ:.1f} % of pixels; transparency "
              f"{im.info.get('transparency')}")
        assert differ > 0.9
    with Image.open(path("multipage.tif")) as im:
        assert im.n_frames == 2 and im.size == (96, 64)
        im.seek(1)
        assert im.size == (64, 96)
    okm, pages = cv2.imreadmulti(path("multipage.tif"))
    assert okm and len(pages) == 2 and (pages[0] == page1).all() and (pages[1] == page2).all()
    assert (cv2.imread(path("multipage.tif")) == page1).all()
    if not ok:
        sys.exit("some fixture is >= 150 KB")


if __name__ == "__main__":
    main()
