#!/usr/bin/env python3
"""Python face_recognition (dlib) on the evaluation images: accuracy and speed.

Usage: eval_face_recognition.py DIR OUT.json

DIR is made by ensure_eval_media (scripts/eval-media.sh): DIR/manifest.tsv lists
file, person, kind (photo|id), source and, optionally, origin (the photo an image derives
from; without it, photos/X.jpg and ids/X.jpg share the origin X). Run it with the venv of
ensure_face_recognition_venv (scripts/eval-python.sh).

Per image: the detection (face_locations, HOG, upsample 1; when it finds nothing, once
more with upsample 2, and both attempts count in detect_ms) and the encoding of the largest
face found (face_encodings with that location, default model), timed with perf_counter
after one untimed warm-up. Then every pair of distinct images: score = 1 - euclidean
distance, match at face_recognition's standard tolerance (distance <= 0.6, so score >= 0.4).
An image without a face gives its pairs score null and match false.
"""

import csv
import importlib.metadata
import itertools
import json
import os
import sys
import time
import warnings

with warnings.catch_warnings():
    # face_recognition_models imports pkg_resources, which newer setuptools deprecate.
    warnings.simplefilter("ignore")
    import dlib
    import face_recognition
    import numpy as np

TOLERANCE = 0.6  # face_recognition's default: same person when distance <= 0.6
THRESHOLD = round(1.0 - TOLERANCE, 6)


def read_manifest(root):
    rows = []
    with open(os.path.join(root, "manifest.tsv"), newline="", encoding="utf-8") as f:
        for rec in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not rec or rec[0].startswith("#"):
                continue
            if len(rec) < 4:
                sys.exit(f"manifest.tsv: expected at least 4 columns, got {rec!r}")
            file, person, kind, source = rec[:4]
            stem = os.path.splitext(os.path.basename(file))[0]
            origin = rec[4] if len(rec) > 4 and rec[4] else stem
            rows.append(dict(file=file, person=person, kind=kind, source=source, origin=origin))
    if not rows:
        sys.exit("manifest.tsv lists no image")
    return rows


def largest(locations):
    # (top, right, bottom, left)
    return max(locations, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))


def analyse(img):
    """Returns (locations, upsample, encoding or None, detect_ms, embed_ms)."""
    t0 = time.perf_counter()
    upsample = 1
    locations = face_recognition.face_locations(img, number_of_times_to_upsample=1, model="hog")
    if not locations:
        upsample = 2
        locations = face_recognition.face_locations(img, number_of_times_to_upsample=2, model="hog")
    t1 = time.perf_counter()
    if not locations:
        return locations, upsample, None, (t1 - t0) * 1000.0, None
    encoding = face_recognition.face_encodings(img, known_face_locations=[largest(locations)])[0]
    t2 = time.perf_counter()
    return locations, upsample, encoding, (t1 - t0) * 1000.0, (t2 - t1) * 1000.0


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    root, out_path = sys.argv[1], sys.argv[2]
    rows = read_manifest(root)
    started = time.perf_counter()

    images = [face_recognition.load_image_file(os.path.join(root, r["file"])) for r in rows]
    analyse(images[0])  # warm-up, untimed: first-call allocations and caches

    results, encodings = [], []
    for row, img in zip(rows, images):
        locations, upsample, encoding, detect_ms, embed_ms = analyse(img)
        entry = {
            "file": row["file"],
            "person": row["person"],
            "kind": row["kind"],
            "faces": len(locations),
            "upsample": upsample,
            "width": int(img.shape[1]),
            "height": int(img.shape[0]),
            "detect_ms": round(detect_ms, 2),
            "embed_ms": None if embed_ms is None else round(embed_ms, 2),
            "total_ms": round(detect_ms + (embed_ms or 0.0), 2),
        }
        if locations:
            top, right, bottom, left = largest(locations)
            entry["box"] = [int(left), int(top), int(right - left), int(bottom - top)]
        results.append(entry)
        encodings.append(encoding)
        face = f"{len(locations)} face(s), upsample {upsample}" if locations else "NO FACE"
        print(f"{row['file']:<32} {face:<24} {entry['total_ms']:8.1f} ms", file=sys.stderr)

    pairs = []
    for i, j in itertools.combinations(range(len(rows)), 2):
        a, b = rows[i], rows[j]
        if encodings[i] is None or encodings[j] is None:
            score, match = None, False
        else:
            distance = float(np.linalg.norm(encodings[i] - encodings[j]))
            score, match = round(1.0 - distance, 6), distance <= TOLERANCE
        pairs.append({
            "a": a["file"],
            "b": b["file"],
            "genuine": a["person"] == b["person"],
            "same_source": a["origin"] == b["origin"],
            "score": score,
            "match": match,
        })

    report = {
        # face_recognition 1.3.0 still says 1.2.3 in its __version__: ask the installed metadata
        "engine": f"python face_recognition {importlib.metadata.version('face_recognition')} "
                  f"(dlib {dlib.__version__})",
        "threshold": THRESHOLD,
        "detector": "dlib HOG, upsample 1 (2 when none found); embedding of the largest face",
        "wall_s": round(time.perf_counter() - started, 2),
        "images": results,
        "pairs": pairs,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    found = sum(1 for r in results if r["faces"])
    print(f"{len(results)} images ({found} with a face), {len(pairs)} pairs -> {out_path}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
