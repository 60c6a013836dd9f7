"""The vision-task runs of the dev set (detection, segmentation, pose, YOLO classification) and what
traindoc says of each: the inventory in bench/corpus/realdev/VISION.md.

    PYTHONPATH=src python bench/accuracy.py --split dev --until 6cb4c05a --json > /tmp/now.json
    PYTHONPATH=src python bench/vision_inventory.py /tmp/now.json [--before /tmp/main.json] > table.md

A run is a vision-task run when its format is one of the detection writers' (Ultralytics results.csv,
YOLOv5/v7 results.txt, Detectron2 metrics.json) or its first 6,000 bytes name a detection,
segmentation or pose quantity (mAP, box/dfl/seg/kpt loss, Dice, IoU, Jaccard, top-1 of YOLO-cls), or
its case id names such a model or task (yolo, unet, seg, pose, obb, rcnn, detr). Only the cases in the
--json given are listed (score it with --until, so a blind batch stays unread).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
INDEXES = [(HERE / "corpus" / "realdev" / "INDEX.csv", "realdev"), (Path("/work/shared/corpus/INDEX.csv"), "shared")]
FORMATS = {"ultralytics_csv", "yolov5_txt", "yolov5_csv", "detectron2_json"}
COLUMNS = re.compile(r"map50|mAP|box_loss|dfl_loss|seg_loss|kobj|pose_loss|bbox/|segm/|\bdice|_dice|dice_|\biou|_iou|"
                     r"iou_|miou|jaccard|loss_rpn|loss_box_reg|loss_mask|accuracy_top1|obj_loss", re.I)
NAMES = re.compile(r"yolo|unet|seg(?!ment)|pose|obb|rcnn|detr|detectron|mmdet|dice", re.I)


def task(case_id: str, fmt: str, head: str) -> str:
    text = (case_id + " " + head).lower()
    if "accuracy_top1" in text or "yolocls" in text:
        return "yolo-cls"
    if re.search(r"kpt|pose|kobj", text):
        return "pose"
    if re.search(r"seg_loss|\(m\)|segm/|dice|iou|jaccard|seg(?!ment)|unet|mask", text):
        return "segmentation"
    return "detection"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("now", help="bench/accuracy.py --json output")
    ap.add_argument("--before", help="the same at another revision, for a before/after column")
    args = ap.parse_args()
    now = {c["case"]: c for c in json.loads(Path(args.now).read_text())["all"]["per_case"]}
    before = ({c["case"]: c for c in json.loads(Path(args.before).read_text())["all"]["per_case"]}
              if args.before else {})
    rows = []
    for index, source in INDEXES:
        if not index.is_file():
            continue
        with index.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                c = now.get(r["case_id"])
                if c is None:
                    continue
                path = index.parent / r["file"]
                try:
                    head = path.read_bytes()[:6000].decode("utf-8", "replace") if path.is_file() else ""
                except OSError:
                    head = ""
                if not (r["format"] in FORMATS or COLUMNS.search(head) or NAMES.search(r["case_id"])):
                    continue
                rows.append((task(r["case_id"], r["format"], head), r, c, before.get(r["case_id"]), source))
    rows.sort(key=lambda t: (t[0], t[2]["kind"], t[1]["case_id"]))

    def res(c) -> str:
        if c is None:
            return "-"
        if c["error"]:
            return "load error"
        if c["kind"] == "ambiguous":
            return "not scored"
        return "ok" if c["pass"] else ("FALSE ALARM" if c["kind"] == "healthy" else "missed")

    def alarms(c) -> str:
        return ", ".join(f for f in c["found"] if "(info)" not in f) or "-"

    head = "| task | case | source | format | kind | accept | warnings now | result now |"
    print(head + (" result before |" if before else ""))
    print("|---" * (8 + bool(before)) + "|")
    for t, r, c, b, source in rows:
        line = (f"| {t} | `{r['case_id']}` | {source} | {r['format']} | {c['kind']} | {c['accept']} | {alarms(c)} "
                f"| {res(c)} |")
        print(line + (f" {res(b)} |" if before else ""))
    print()
    print("| task | runs | problems named | healthy with a false alarm | ambiguous |")
    print("|---|---:|---:|---:|---:|")
    for t in sorted({t for t, *_ in rows}):
        sub = [c for tt, _, c, _, _ in rows if tt == t]
        p = [c for c in sub if c["kind"] == "problem"]
        h = [c for c in sub if c["kind"] == "healthy"]
        print(f"| {t} | {len(sub)} | {sum(c['pass'] for c in p)}/{len(p)} | "
              f"{sum(not c['pass'] and not c['error'] for c in h)}/{len(h)} | {len(sub) - len(p) - len(h)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
