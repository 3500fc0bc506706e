#!/usr/bin/env python3
"""Markdown report of face-recognition evaluation results (standard library only).

Usage: eval_report.py A.json [B.json ...]

Each file is one engine's result on the evaluation images (scripts/eval_face_recognition.py
writes Python face_recognition's): {"engine", "threshold", "images": [{file, person, kind, faces,
detect_ms, embed_ms, total_ms}], "pairs": [{a, b, genuine, same_source, score, match}]}.
A pair is accepted when its score is not null and score >= threshold; a null score (no face in
one of the images) is a rejection. With two engines or more, each is compared with the first.
"""

import json
import math
import sys


def percentile(values, q):
    """Linear interpolation between closest ranks (numpy's default); None when empty."""
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def mean(values):
    return sum(values) / len(values) if values else None


def fmt(x, digits=3):
    return "n/a" if x is None else f"{x:.{digits}f}"


def rate(k, n):
    return f"{k}/{n} ({100.0 * k / n:.1f}%)" if n else f"{k}/0"


def accepted(pair, threshold):
    return pair["score"] is not None and pair["score"] >= threshold


def pair_key(p):
    return tuple(sorted((p["a"], p["b"])))


def summarise(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    t = float(data["threshold"])
    images, pairs = data["images"], data["pairs"]
    genuine = [p for p in pairs if p["genuine"]]
    genuine_ds = [p for p in genuine if not p.get("same_source")]
    impostor = [p for p in pairs if not p["genuine"]]
    gen_scores = [p["score"] for p in genuine if p["score"] is not None]
    imp_scores = [p["score"] for p in impostor if p["score"] is not None]
    max_imp = max(imp_scores) if imp_scores else None

    def tar_above(group, cut):  # accepts with score > cut (all accepts when cut is None)
        return sum(1 for p in group if p["score"] is not None and (cut is None or p["score"] > cut))

    totals = [i["total_ms"] for i in images if i.get("total_ms") is not None]
    detects = [i["detect_ms"] for i in images if i.get("detect_ms") is not None]
    embeds = [i["embed_ms"] for i in images if i.get("embed_ms") is not None]
    return {
        "path": path,
        "engine": data.get("engine", path),
        "threshold": t,
        "images": images,
        "pairs": {pair_key(p): p for p in pairs},
        "n_images": len(images),
        "n_face": sum(1 for i in images if i.get("faces", 0) > 0),
        "no_face": [i["file"] for i in images if i.get("faces", 0) == 0],
        "multi_face": [f"{i['file']} ({i['faces']})" for i in images if i.get("faces", 0) > 1],
        "n_gen": len(genuine),
        "n_gen_ds": len(genuine_ds),
        "n_imp": len(impostor),
        "null_pairs": sum(1 for p in pairs if p["score"] is None),
        "gen_scores": gen_scores,
        "imp_scores": imp_scores,
        "ta": sum(1 for p in genuine if accepted(p, t)),
        "ta_ds": sum(1 for p in genuine_ds if accepted(p, t)),
        "fa": sum(1 for p in impostor if accepted(p, t)),
        "max_imp": max_imp,
        "ta0": tar_above(genuine, max_imp),
        "ta0_ds": tar_above(genuine_ds, max_imp),
        "t_p50": percentile(totals, 50),
        "t_p95": percentile(totals, 95),
        "t_mean": mean(totals),
        "d_p50": percentile(detects, 50),
        "e_p50": percentile(embeds, 50),
        "wall_s": data.get("wall_s"),
    }


def engine_table(s):
    g, i = s["gen_scores"], s["imp_scores"]
    rows = [
        ("images (with a face)", f"{s['n_images']} ({s['n_face']})"),
        ("genuine pairs (different source)", f"{s['n_gen']} ({s['n_gen_ds']})"),
        ("impostor pairs", f"{s['n_imp']}"),
        ("pairs without a score (no face)", f"{s['null_pairs']}"),
        ("genuine score min / mean / max", f"{fmt(min(g) if g else None)} / {fmt(mean(g))} / "
                                            f"{fmt(max(g) if g else None)}"),
        ("impostor score min / mean / max", f"{fmt(min(i) if i else None)} / {fmt(mean(i))} / "
                                             f"{fmt(max(i) if i else None)}"),
        (f"TAR at threshold {s['threshold']:g}, all genuine pairs", rate(s["ta"], s["n_gen"])),
        (f"TAR at threshold {s['threshold']:g}, different-source pairs",
         rate(s["ta_ds"], s["n_gen_ds"])),
        (f"false accepts at threshold {s['threshold']:g}", rate(s["fa"], s["n_imp"])),
        ("lowest threshold with zero false accepts: score >", fmt(s["max_imp"], 4)),
        ("TAR there, all / different-source",
         f"{rate(s['ta0'], s['n_gen'])} / {rate(s['ta0_ds'], s['n_gen_ds'])}"),
        ("per-image ms p50 / p95 / mean (detect + embed)",
         f"{fmt(s['t_p50'], 1)} / {fmt(s['t_p95'], 1)} / {fmt(s['t_mean'], 1)}"),
        ("detect ms p50 / embed ms p50", f"{fmt(s['d_p50'], 1)} / {fmt(s['e_p50'], 1)}"),
    ]
    if s["wall_s"] is not None:
        rows.append(("whole run, s (decode, warm-up, pairs included)", fmt(s["wall_s"], 1)))
    out = [f"### {s['engine']}", "", f"`{s['path']}`", "", "| metric | value |", "| --- | --- |"]
    out += [f"| {k} | {v} |" for k, v in rows]
    out.append("")
    if s["no_face"]:
        out.append(f"No face found in: {', '.join(s['no_face'])}")
    if s["multi_face"]:
        out.append(f"More than one face found in: {', '.join(s['multi_face'])}")
    if s["no_face"] or s["multi_face"]:
        out.append("")
    return "\n".join(out)


def compare(a, b):
    out = [f"### B: {b['engine']} vs A: {a['engine']}", ""]
    if a["t_p50"] and b["t_p50"] is not None:
        ratio = b["t_p50"] / a["t_p50"]
        verdict = f"B is {1 / ratio:.1f}x faster" if ratio < 1 else f"B is {ratio:.1f}x slower"
        out.append(f"- Speed: per-image p50 {fmt(b['t_p50'], 1)} ms (B) vs {fmt(a['t_p50'], 1)} ms "
                   f"(A): B/A = {ratio:.2f}, {verdict}")
    out.append(f"- At each engine's own threshold (B vs A): TAR {rate(b['ta'], b['n_gen'])} vs "
               f"{rate(a['ta'], a['n_gen'])}, different-source {rate(b['ta_ds'], b['n_gen_ds'])} "
               f"vs {rate(a['ta_ds'], a['n_gen_ds'])}; false accepts {rate(b['fa'], b['n_imp'])} "
               f"vs {rate(a['fa'], a['n_imp'])}")
    out.append(f"- At zero false accepts (B vs A): TAR {rate(b['ta0'], b['n_gen'])} vs "
               f"{rate(a['ta0'], a['n_gen'])}, different-source "
               f"{rate(b['ta0_ds'], b['n_gen_ds'])} vs {rate(a['ta0_ds'], a['n_gen_ds'])}")
    common = a["pairs"].keys() & b["pairs"].keys()
    if len(common) != len(a["pairs"]) or len(common) != len(b["pairs"]):
        out.append(f"- Pair sets differ: {len(common)} pairs in common (A has {len(a['pairs'])}, "
                   f"B has {len(b['pairs'])}); the lines below use the common ones")
    diff = {"genuine accepted by A only": [], "genuine accepted by B only": [],
            "impostor accepted by A only": [], "impostor accepted by B only": []}
    for k in sorted(common):
        pa, pb = a["pairs"][k], b["pairs"][k]
        acc_a, acc_b = accepted(pa, a["threshold"]), accepted(pb, b["threshold"])
        if acc_a != acc_b:
            kind = "genuine" if pa["genuine"] else "impostor"
            diff[f"{kind} accepted by {'A' if acc_a else 'B'} only"].append(f"{k[0]}~{k[1]}")
    for label, items in diff.items():
        shown = ", ".join(items[:8]) + (f", ... ({len(items)} in all)" if len(items) > 8 else "")
        out.append(f"- {label}: {len(items)}" + (f" ({shown})" if items else ""))
    out.append("")
    return "\n".join(out)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: eval_report.py A.json [B.json ...]")
    summaries = [summarise(p) for p in sys.argv[1:]]
    print("## Face recognition evaluation\n")
    for s in summaries:
        print(engine_table(s))
    for b in summaries[1:]:
        print(compare(summaries[0], b))


if __name__ == "__main__":
    main()
