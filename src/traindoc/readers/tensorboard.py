"""TensorBoard event files (``events.out.tfevents.*``), read without TensorFlow.

Every writer in use (torch's SummaryWriter, tensorboardX, Lightning, Keras, Hugging Face,
detectron2) produces the same TFRecord-framed ``Event`` protos; scalars arrive either as
``simple_value`` or, in the TF2 layout, as rank-0 tensors under the "scalars" plugin. Both
are decoded here by hand, keeping every point (TensorBoard itself samples).

Grouping (documented in docs/readers-tensorboard.md): a directory whose event files sit in
it directly, or only in split-named sub-directories (Keras' ``train/`` and ``validation/``),
is one run; event files in its sub-directories (add_scalars folders, splits) are part of the
run and their folder path prefixes their series. Several files in one folder are a resumed
run, merged in time order.
"""

from __future__ import annotations

import math
import re
import struct
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ._conventions import detectron2_metrics
from ..run import Run, Series
from ._hparams import apply_hparams, load_yaml_hparams
from ._protowire import WireError, iter_fields, read_varint
from ._tfrecord import FramingStatus, iter_chunks, masked_crc
from ._safe import is_regular, json_loads

NAME = "tensorboard"
DIRECTORY = True
FILES = True  # also claims a single event file given on its own

_EVENT_NAME = re.compile(r"(^|\.)tfevents\.")
# Sub-directory names that hold one split of the same run (Keras writes train/ and validation/).
_SPLIT_DIRS = {"train", "training", "val", "valid", "validation", "eval", "evaluation", "test", "dev"}

_D = struct.Struct("<d")
_F = struct.Struct("<f")
_E = struct.Struct("<e")

# TensorProto dtypes (tensorflow/core/framework/types.proto) that hold a plain number.
_DT_FLOAT, _DT_DOUBLE, _DT_INT32, _DT_INT64, _DT_BFLOAT16, _DT_HALF = 1, 2, 3, 9, 14, 19
_DT_UINT8, _DT_INT16, _DT_INT8, _DT_BOOL, _DT_UINT16, _DT_UINT32, _DT_UINT64 = 4, 5, 6, 10, 17, 22, 23
_CONTENT_FORMAT = {_DT_FLOAT: "<f", _DT_DOUBLE: "<d", _DT_INT32: "<i", _DT_INT64: "<q", _DT_HALF: "<e",
                   _DT_UINT8: "<B", _DT_INT16: "<h", _DT_INT8: "<b", _DT_BOOL: "<?", _DT_UINT16: "<H",
                   _DT_UINT32: "<I", _DT_UINT64: "<Q"}


def sniff(path: Path, head: bytes) -> bool:
    if path.is_dir():
        return _claims_directory(path)
    return bool(_EVENT_NAME.search(path.name)) or _event_file_content(head)


def _event_file_content(head: bytes) -> bool:
    """An event file renamed (dots turned to underscores by an upload, a copy named by hand): the
    first record's length checksum holds and its Event says which writer opened the file. Both
    must match, so no other binary file is claimed by chance (a 1-in-2^32 checksum alone)."""
    if len(head) < 16:
        return False
    length, length_crc = struct.unpack("<QI", head[:12])
    if length > 4096 or masked_crc(head[:8]) != length_crc:
        return False
    return b"brain.Event:" in head[12:12 + length]


def owns(path: Path) -> bool:
    """Files this reader reads when it takes a folder; a folder scan still reads the others beside them
    (a Lightning ``metrics.csv`` next to event files is a second source)."""
    return bool(_EVENT_NAME.search(path.name)) or path.name == "hparams.yaml"


def _event_files(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if _EVENT_NAME.search(p.name) and is_regular(p))
    except OSError:
        return []


def _child_groups(directory: Path) -> list[Path]:
    try:
        subdirs = sorted(p for p in directory.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return []
    return [d for d in subdirs if _event_files(d)]


def _folders_with_events(root: Path, max_depth: int = 6) -> list[tuple[str, Path]]:
    """``(relative prefix, folder)`` for every folder under a run folder that holds event files.

    add_scalars writes one folder per key (torch: ``<tag>_<key>/``, tensorboardX:
    ``<tag>/<key>/``, so possibly several levels deep); Keras writes ``train/`` and
    ``validation/``; Hugging Face's add_hparams writes a timestamp folder.
    """
    found: list[tuple[str, Path]] = []

    def walk(folder: Path, rel: str, depth: int) -> None:
        if _event_files(folder):
            found.append((rel, folder))
        if depth >= max_depth:
            return
        try:
            subdirs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
        except OSError:
            return
        for sub in subdirs:
            walk(sub, f"{rel}/{sub.name}" if rel else sub.name, depth + 1)

    walk(root, "", 0)
    return found


def _claims_directory(directory: Path) -> bool:
    """A run folder: event files directly inside, or only in split-named sub-folders."""
    if _event_files(directory):
        return True
    children = _child_groups(directory)
    return bool(children) and all(c.name.lower() in _SPLIT_DIRS for c in children)


# ----------------------------------------------------------------------------- decoding


@dataclass
class FileScalars:
    """The scalar points of one event file, in file order, before grouping."""

    path: Path
    series: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # tag -> (steps, values, wall_times)
    first_step: float  # of the first scalar point in the file (nan if none)
    max_step: float
    first_wall_time: float
    status: FramingStatus
    skipped: dict[str, int] = field(default_factory=dict)  # non-scalar summaries seen, by kind
    malformed: int = 0  # records skipped: good checksum, undecodable event
    hparams: dict = field(default_factory=dict)


class _Accumulator:
    """Per-chunk columns of scalar points, concatenated once at the end of the file."""

    def __init__(self) -> None:
        self.tag_index: dict[bytes, int] = {}
        # Per tag id, the chunks of (steps, walls, values): split as they are decoded, so the
        # file's points are never held twice over (memory stays ~24 bytes per point).
        self.parts: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        self.first_step = math.nan
        self.max_step = -math.inf
        self.plugin: dict[bytes, bytes] = {}  # tag -> plugin name (TF2 writes metadata only once per tag)
        self.skipped: dict[str, int] = {}
        self.first_wall = math.nan
        self.hparams: dict = {}
        self.malformed = 0  # records with a good checksum but an undecodable event

    def skip(self, kind: str) -> None:
        self.skipped[kind] = self.skipped.get(kind, 0) + 1

    def intern(self, tag: bytes) -> int:
        tid = self.tag_index.get(tag)
        if tid is None:
            tid = self.tag_index[tag] = len(self.tag_index)
        return tid

    def add(self, tag_ids: np.ndarray, steps: np.ndarray, walls: np.ndarray, values: np.ndarray) -> None:
        """Append one chunk's points (in file order), split by tag."""
        if not len(tag_ids):
            return
        steps = steps.astype(np.float64)
        if math.isnan(self.first_step):
            self.first_step = float(steps[0])
        self.max_step = max(self.max_step, float(steps.max()))
        first = int(tag_ids[0])
        if np.all(tag_ids == first):
            self.parts.setdefault(first, []).append((steps, walls, values))
            return
        order = np.argsort(tag_ids, kind="stable")
        sorted_ids = tag_ids[order]
        bounds = np.flatnonzero(np.diff(sorted_ids)) + 1
        for chunk in np.split(np.arange(len(order)), bounds):
            sel = order[chunk]
            self.parts.setdefault(int(sorted_ids[chunk[0]]), []).append((steps[sel], walls[sel], values[sel]))

    def series(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``{tag: (steps, values, walls)}``, each concatenated once, freeing the chunks as it goes."""
        out = {}
        for tag, tid in self.tag_index.items():
            parts = self.parts.pop(tid, None)
            if not parts:
                continue
            steps, walls, values = (np.concatenate(c) if len(parts) > 1 else c[0] for c in zip(*parts))
            out[tag.decode("utf-8", "replace")] = (steps, values, walls)
        return out


def _at(data: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Bytes at ``idx`` as int64; indices past the buffer read its last byte (checks reject them)."""
    return data[np.minimum(idx, data.shape[0] - 1)].astype(np.int64)


def _gather(data: np.ndarray, offsets: np.ndarray, width: int, dtype: str) -> np.ndarray:
    return np.ascontiguousarray(data[offsets[:, None] + np.arange(width)]).view(dtype).ravel()


def _decode_events(buf: bytes, starts: np.ndarray, ends: np.ndarray, acc: _Accumulator) -> None:
    """Decode the Event protos of one chunk and keep their scalar values, in file order.

    Nearly every scalar event any writer emits has the same byte layout::

        09 <wall_time:8>  [10 <step:varint>]  2A L1  0A L2  0A L3 <tag:L3>  15 <simple_value:4>

    (Event.wall_time=1, step=2, summary=5 > Summary.value=1 > Value.tag=1, simple_value=2),
    so the records of that shape are matched and decoded for the whole chunk at once with
    numpy; the rest (TF2 tensor scalars, images, histograms, several values per event) go
    through the field-by-field decoder. The shape test checks every length byte and that the
    record ends exactly after the value, so nothing is decoded from the wrong place.
    """
    data = np.frombuffer(buf, dtype=np.uint8)
    s = starts.astype(np.int64)
    e = ends.astype(np.int64)
    if math.isnan(acc.first_wall) and len(s) and e[0] - s[0] >= 9 and buf[s[0]] == 0x09:
        acc.first_wall = _D.unpack_from(buf, int(s[0]) + 1)[0]
    fast = _at(data, s) == 0x09
    # Step: a varint of 1..10 bytes at s + 10; absent when it is 0 (proto3 omits defaults).
    has_step = _at(data, s + 9) == 0x10
    p = s + 10
    step = np.zeros(len(s), dtype=np.uint64)
    vlen = np.zeros(len(s), dtype=np.int64)
    active = fast & has_step
    for j in range(10):
        if not active.any():
            break
        b = _at(data, p + j)
        step |= np.where(active, b & 0x7F, 0).astype(np.uint64) << np.uint64(7 * j)
        vlen += active
        active &= b >= 0x80
    fast &= ~active
    p = np.where(has_step, p + vlen, s + 9)
    tlen = _at(data, p + 5)
    fast &= ((_at(data, p) == 0x2A) & (_at(data, p + 2) == 0x0A) & (_at(data, p + 4) == 0x0A)
             & (tlen + 9 < 0x80) & (_at(data, p + 1) == tlen + 9) & (_at(data, p + 3) == tlen + 7)
             & (p + tlen + 11 == e) & (_at(data, p + 6 + tlen) == 0x15))
    idx = np.flatnonzero(fast)
    if idx.size:
        fs, fp, ftlen = s[idx], p[idx], tlen[idx]
        walls = _gather(data, fs + 1, 8, "<f8")
        with np.errstate(invalid="ignore"):  # a signalling-NaN bit pattern is still just NaN
            values = _gather(data, fp + 7 + ftlen, 4, "<f4").astype(np.float64)
        steps = step[idx].view(np.int64)
        tag_ids = _intern_tags(data, fp + 6, ftlen, acc)
    slow = np.flatnonzero(~fast)
    if not slow.size:
        acc.add(tag_ids, steps, walls, values)
        return
    rec: list[int] = []
    cols = (array("q"), array("q"), array("d"), array("d"))
    _decode_slow(buf, s[slow].tolist(), e[slow].tolist(), slow.tolist(), acc, rec, cols)
    slow_cols = [np.frombuffer(c, dtype=np.int64 if c.typecode == "q" else np.float64) for c in cols]
    if not idx.size:
        acc.add(*slow_cols)
        return
    order = np.argsort(np.concatenate((idx, np.asarray(rec, dtype=np.int64))), kind="stable")
    merged = [np.concatenate((a, b))[order] for a, b in zip((tag_ids, steps, walls, values), slow_cols)]
    acc.add(*merged)


def _intern_tags(data: np.ndarray, tag_starts: np.ndarray, tag_lens: np.ndarray, acc: _Accumulator) -> np.ndarray:
    """Global tag ids for tags given as byte ranges: one np.unique over the padded tag bytes."""
    width = int(tag_lens.max()) if tag_lens.size else 0
    mat = np.zeros((len(tag_starts), width + 1), dtype=np.uint8)
    mat[:, 0] = tag_lens
    if width:
        cols = np.arange(width)
        raw = data[np.minimum(tag_starts[:, None] + cols, data.shape[0] - 1)]
        raw[cols >= tag_lens[:, None]] = 0
        mat[:, 1:] = raw
    keys = mat.view(f"V{width + 1}").ravel()
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    lut = np.empty(len(uniq), dtype=np.int64)
    for i in np.argsort(first):  # intern in order of first appearance, as the file lists them
        raw_key = uniq[i].tobytes()
        lut[i] = acc.intern(raw_key[1:1 + raw_key[0]])
    return lut[inverse.ravel()]


def _decode_slow(buf: bytes, starts: list[int], ends: list[int], recs: list[int], acc: _Accumulator,
                 rec_out: list[int], cols: tuple[array, array, array, array]) -> None:
    """Field-by-field Event decoding for records the vector path does not cover.

    A record whose checksum is right but whose protobuf is not (a writer bug, a bit flipped
    before the checksum was taken) is skipped and counted, so one bad event loses one event.
    """
    appends = tuple(c.append for c in cols)
    for s, e, r in zip(starts, ends, recs):
        try:
            _decode_record(buf, s, e, r, acc, rec_out, appends)
        except (WireError, IndexError, struct.error, ValueError, OverflowError):
            acc.malformed += 1


def _decode_record(buf: bytes, s: int, e: int, r: int, acc: _Accumulator, rec_out: list[int], appends) -> None:
    unpack_d = _D.unpack_from
    unpack_f = _F.unpack_from
    tag_ids_append, steps_append, walls_append, values_append = appends
    wall = math.nan
    step = 0
    summary_start = summary_end = -1
    p = s
    while p < e:
        key = buf[p]
        if key == 0x09:  # wall_time, double
            _need(p + 9, e)
            wall = unpack_d(buf, p + 1)[0]
            p += 9
        elif key == 0x10:  # step, int64 varint
            step, p = read_varint(buf, p + 1, e)
            if step >= 1 << 63:
                step -= 1 << 64
        elif key == 0x2A:  # summary, message
            length, p = read_varint(buf, p + 1, e)
            summary_start, summary_end = p, _need(p + length, e)
            p += length
        else:
            p = _skip_field(buf, p, e)
    if summary_start < 0:
        return
    # Summary: repeated Value value = 1.
    p = summary_start
    while p < summary_end:
        if buf[p] != 0x0A:
            p = _skip_field(buf, p, summary_end)
            continue
        length, p = read_varint(buf, p + 1, summary_end)
        vend = _need(p + length, summary_end)
        # Value: tag=1, simple_value=2 (float), image=4, histo=5, audio=6, tensor=8, metadata=9.
        tag = None
        value = None
        tensor = None
        plugin = None
        while p < vend:
            key = buf[p]
            if key == 0x0A:
                tlen, p = read_varint(buf, p + 1, vend)
                tag = buf[p:_need(p + tlen, vend)]
                p += tlen
            elif key == 0x15:
                _need(p + 5, vend)
                value = unpack_f(buf, p + 1)[0]
                p += 5
            elif key == 0x42 or key == 0x4A:
                flen, q = read_varint(buf, p + 1, vend)
                _need(q + flen, vend)
                if key == 0x42:
                    tensor = (q, q + flen)
                else:
                    plugin = _plugin_name(buf, q, q + flen)
                    if plugin == b"hparams":
                        _read_hparams_plugin(buf, q, q + flen, acc)
                p = q + flen
            elif key in _NON_SCALAR_FIELDS:
                acc.skip(_NON_SCALAR_FIELDS[key])
                p = _skip_field(buf, p, vend)
            else:
                p = _skip_field(buf, p, vend)
        p = vend
        if tag is None:
            continue
        if plugin is not None:
            acc.plugin[tag] = plugin
        if value is None:
            if tensor is None:
                continue
            known = acc.plugin.get(tag)
            if known is not None and known != b"scalars":
                if known == b"text" and tag in _HF_TEXT_TAGS:
                    _read_text_hparams(buf, tensor[0], tensor[1], tag, acc)
                acc.skip(known.decode("utf-8", "replace") or "tensor")
                continue
            value = _tensor_scalar(buf, tensor[0], tensor[1])
            if value is None:
                acc.skip("tensor")
                continue
        rec_out.append(r)
        tag_ids_append(acc.intern(tag))
        steps_append(step)
        walls_append(wall)
        values_append(value)


# Value fields that carry non-scalar data (field key byte -> kind named in messages).
_NON_SCALAR_FIELDS = {0x1A: "histogram", 0x22: "image", 0x2A: "histogram", 0x32: "audio"}


def _need(pos: int, end: int) -> int:
    """``pos`` if it lies within the enclosing message, else the message is malformed."""
    if pos > end:
        raise WireError("field runs past the end of its message")
    return pos


def _skip_field(buf: bytes, p: int, end: int) -> int:
    """Position after the (unknown) field starting at ``p``."""
    key, p = read_varint(buf, p, end)
    wire = key & 7
    if wire == 0:
        return read_varint(buf, p, end)[1]
    if wire == 1:
        return _need(p + 8, end)
    if wire == 5:
        return _need(p + 4, end)
    if wire == 2:
        length, p = read_varint(buf, p, end)
        if p + length > end:
            raise WireError("field runs past the end of its message")
        return p + length
    raise WireError(f"unsupported wire type {wire}")


def _plugin_name(buf: bytes, start: int, end: int) -> bytes:
    """SummaryMetadata.plugin_data (1) .plugin_name (1)."""
    for fnum, wire, val in iter_fields(buf, start, end):
        if fnum == 1 and wire == 2:
            for fnum2, wire2, val2 in iter_fields(buf, val[0], val[1]):
                if fnum2 == 1 and wire2 == 2:
                    return bytes(buf[val2[0]:val2[1]])
    return b""


def _tensor_scalar(buf: bytes, start: int, end: int) -> float | None:
    """The single number in a TensorProto, or None if it is not a one-element numeric tensor.

    Fields: dtype=1, tensor_shape=2 (dim=2, each size=1), tensor_content=4 (raw little-endian),
    float_val=5, double_val=6, int_val=7 (also carries half/bfloat16 bits as half_val=13),
    int64_val=10.
    """
    dtype = 0
    elements = 1
    content = None
    vals: list[float] = []
    half_bits: list[int] = []
    for fnum, wire, val in iter_fields(buf, start, end):
        if fnum == 1 and wire == 0:
            dtype = val
        elif fnum == 2 and wire == 2:
            for dnum, dwire, dval in iter_fields(buf, val[0], val[1]):
                if dnum == 2 and dwire == 2:  # Dim { size = 1 }
                    for snum, swire, size in iter_fields(buf, dval[0], dval[1]):
                        if snum == 1 and swire == 0:
                            elements *= size
        elif fnum == 4 and wire == 2:
            content = bytes(buf[val[0]:val[1]])
        elif fnum == 5:
            vals.extend(_packed(buf, wire, val, "f"))
        elif fnum == 6:
            vals.extend(_packed(buf, wire, val, "d"))
        elif fnum in (7, 10, 13):
            ints = _packed(buf, wire, val, "v")
            if fnum == 13:
                half_bits.extend(ints)
            else:
                vals.extend(float(i - (1 << 64) if i >= 1 << 63 else i) for i in ints)
    if elements != 1:
        return None
    if content is not None:
        fmt = _CONTENT_FORMAT.get(dtype)
        if fmt is not None and len(content) == struct.calcsize(fmt):
            return float(struct.unpack(fmt, content)[0])
        if dtype == _DT_BFLOAT16 and len(content) == 2:
            return _F.unpack(b"\x00\x00" + content)[0]
        return None
    if half_bits and dtype in (_DT_HALF, _DT_BFLOAT16):
        bits = half_bits[0] & 0xFFFF
        if dtype == _DT_HALF:
            return _E.unpack(bits.to_bytes(2, "little"))[0]
        return _F.unpack((bits << 16).to_bytes(4, "little"))[0]
    if dtype in (_DT_DOUBLE, _DT_FLOAT, _DT_INT32, _DT_INT64, 0) and len(vals) == 1:
        return float(vals[0])
    return None


def _packed(buf: bytes, wire: int, val, kind: str) -> list:
    """Values of a repeated numeric field, packed (wire 2) or not."""
    if wire == 2:
        raw = bytes(buf[val[0]:val[1]])
        if kind == "f":
            return list(struct.unpack(f"<{len(raw) // 4}f", raw[: len(raw) // 4 * 4]))
        if kind == "d":
            return list(struct.unpack(f"<{len(raw) // 8}d", raw[: len(raw) // 8 * 8]))
        out, p = [], 0
        while p < len(raw):
            v, p = read_varint(raw, p, len(raw))
            out.append(v)
        return out
    if wire == 5:
        return [_F.unpack(val)[0]]
    if wire == 1:
        return [_D.unpack(val)[0]]
    return [val]


# Hugging Face's TensorBoardCallback writes TrainingArguments and the model config as JSON text
# (torch's add_text appends "/text_summary" to the tag; tensorboardX does not).
_HF_TEXT_TAGS = {b"args", b"model_config", b"args/text_summary", b"model_config/text_summary"}


def _read_text_hparams(buf: bytes, start: int, end: int, tag: bytes, acc: _Accumulator) -> None:
    """Hyper-parameters from a JSON text summary (TensorProto.string_val=8); json only, never eval."""
    for fnum, wire, val in iter_fields(buf, start, end):
        if fnum != 8 or wire != 2:
            continue
        try:
            doc = json_loads(bytes(buf[val[0]:val[1]]).decode("utf-8", "replace"))
        except ValueError:
            return
        if not isinstance(doc, dict):
            return
        if tag.startswith(b"args"):
            acc.hparams.update({k: v for k, v in doc.items() if not isinstance(v, (dict, list))})
        else:
            acc.hparams.update({f"model.{k}": v for k, v in doc.items() if not isinstance(v, (dict, list))})
            if isinstance(doc.get("id2label"), dict) and "num_labels" not in doc:
                acc.hparams["model.num_labels"] = len(doc["id2label"])
        return


def _read_hparams_plugin(buf: bytes, start: int, end: int, acc: _Accumulator) -> None:
    """Hyper-parameters from the hparams plugin (torch's add_hparams, Keras' hparams API).

    SummaryMetadata.plugin_data=1 { content=2: HParamsPluginData { session_start_info=3 {
    hparams=1 map<string, google.protobuf.Value> } } }; Value holds number_value=2,
    string_value=3 or bool_value=4.
    """
    try:
        for f1, w1, pdata in iter_fields(buf, start, end):
            if f1 == 1 and w1 == 2:
                for f2, w2, content in iter_fields(buf, pdata[0], pdata[1]):
                    if f2 == 2 and w2 == 2:
                        _hparams_content(buf, content, acc)
    except WireError:
        acc.skip("unreadable hparams")


def _hparams_content(buf: bytes, span, acc: _Accumulator) -> None:
    for fnum, wire, val in iter_fields(buf, span[0], span[1]):
        if fnum != 3 or wire != 2:
            continue
        for hnum, hwire, entry in iter_fields(buf, val[0], val[1]):
            if hnum != 1 or hwire != 2:
                continue
            key = None
            value = None
            for enum_, ewire, ev in iter_fields(buf, entry[0], entry[1]):
                if enum_ == 1 and ewire == 2:
                    key = bytes(buf[ev[0]:ev[1]]).decode("utf-8", "replace")
                elif enum_ == 2 and ewire == 2:
                    for knum, kwire, kv in iter_fields(buf, ev[0], ev[1]):
                        if knum == 2 and kwire == 1:
                            value = _D.unpack(kv)[0]
                        elif knum == 3 and kwire == 2:
                            value = bytes(buf[kv[0]:kv[1]]).decode("utf-8", "replace")
                        elif knum == 4 and kwire == 0:
                            value = bool(kv)
            if key is not None:
                acc.hparams[key] = value


def read_event_file(path: Path) -> FileScalars:
    """Decode one event file; a bad tail is reported in ``status``, never raised."""
    status = FramingStatus()
    acc = _Accumulator()
    try:
        for buf, starts, ends in iter_chunks(path, status):
            try:
                _decode_events(buf, starts, ends, acc)
            except (WireError, IndexError, struct.error) as exc:
                # The checksum matched but the proto inside is malformed: stop here, keep the rest.
                status.problem = f"malformed event record ({exc})"
                break
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    if status.records == 0:
        why = status.problem or "no complete record"
        raise InputError(path, f"not a readable TensorBoard event file ({why}; expected TFRecord-framed events)")
    return FileScalars(path=path, series=acc.series(), first_step=acc.first_step, max_step=acc.max_step,
                       first_wall_time=acc.first_wall, status=status, skipped=acc.skipped, hparams=acc.hparams,
                       malformed=acc.malformed)


# ----------------------------------------------------------------------------- grouping


def _series_name(prefix: str, tag: str) -> str:
    """A sub-folder's name prefixes its series; add_scalars folders read back as ``tag/key``."""
    if not prefix:
        return tag
    if prefix.startswith(tag + "/"):
        return prefix  # tensorboardX add_scalars: <main_tag>/<key>/
    last = prefix.rsplit("/", 1)[-1]
    flat = tag.replace("/", "_") + "_"
    if last.startswith(flat) and len(last) > len(flat):
        head = prefix[: len(prefix) - len(last)]
        return f"{head}{tag}/{last[len(flat):]}"  # torch add_scalars: <main_tag>_<key>/
    return f"{prefix}/{tag}"


def _axis(tag: str) -> str:
    base = tag.rsplit("/", 1)[-1].lower()
    return "epoch" if base.startswith("epoch_") else "step"


def _read_folder(files: list[Path], run: Run, prefix: str, columns: dict[str, list], skipped: dict[str, int],
                 failures: list[InputError]) -> None:
    """Merge one folder's event files in time order into ``columns``; note resumes and damage."""
    decoded: list[FileScalars] = []
    for f in files:
        try:
            decoded.append(read_event_file(f))
        except InputError as exc:
            failures.append(exc)
            run.meta.notes.append(f"skipped {prefix + '/' if prefix else ''}{f.name}: {exc.problem}")
    decoded.sort(key=lambda d: (math.inf if math.isnan(d.first_wall_time) else d.first_wall_time, d.path.name))
    max_step = -math.inf
    for d in decoded:
        resynced = d.status.skipped_note(d.path.name)
        if resynced:
            run.meta.notes.append(resynced)
        note = d.status.note(d.path.name)
        if note:
            run.meta.notes.append("truncated: " + note)
        if d.malformed:
            run.meta.notes.append(f"{d.path.name}: skipped {d.malformed} event record(s) whose checksum was right "
                                  "but whose content could not be decoded")
        for kind, n in d.skipped.items():
            skipped[kind] = skipped.get(kind, 0) + n
        apply_hparams(run.meta, d.hparams)
        if not d.series:
            continue
        first = d.first_step
        if math.isfinite(max_step) and first <= max_step:
            if first not in run.meta.resume_steps:
                run.meta.resume_steps.append(first)
            where = f"{prefix}/" if prefix else ""
            run.meta.notes.append(f"{where}{d.path.name} restarts at step {first:g} (earlier file reached "
                                  f"{max_step:g}): read as a resume; all points kept in time order")
        max_step = max(max_step, d.max_step)
        for tag, (steps, values, walls) in d.series.items():
            columns.setdefault(_series_name(prefix, tag), []).append((steps, values, walls))


def read(path: Path) -> list[Run]:
    path = Path(path)
    if path.is_file():
        folder_files = [("", path.parent, [path])]
        name = path.resolve().parent.name or path.name
    else:
        folder_files = [(prefix, folder, _event_files(folder)) for prefix, folder in _folders_with_events(path)]
        if not folder_files:
            raise InputError(path, "directory holds no TensorBoard event files (events.out.tfevents.*)")
        name = path.resolve().name or str(path)
    run = Run(name=name, source=str(path), format=NAME)
    columns: dict[str, list] = {}
    skipped: dict[str, int] = {}
    failures: list[InputError] = []
    for prefix, _folder, files in folder_files:
        _read_folder(files, run, prefix, columns, skipped, failures)
    for sname in list(columns):
        parts = columns.pop(sname)
        steps, values, walls = (np.concatenate(c) if len(parts) > 1 else c[0] for c in zip(*parts))
        run.add(Series.named(sname, steps, values, None if np.all(np.isnan(walls)) else walls,
                             axis=_axis(sname)))
    run.meta.resume_steps.sort()
    detectron2_metrics(run)  # its TensorBoard scalars keep its conventions (NaN AP: nothing to evaluate)
    hp_dir = path if path.is_dir() else path.parent
    apply_hparams(run.meta, load_yaml_hparams(hp_dir / "hparams.yaml", run.meta.notes))
    if not run.series and failures and not skipped:
        if len(failures) == 1:
            raise failures[0]
        raise InputError(path, f"none of its {len(failures)} TensorBoard event files is readable "
                               f"({failures[0].problem})")
    if not run.series:
        found = ", ".join(f"{n} {k}" for k, n in sorted(skipped.items())) or "no summaries at all"
        raise InputError(path, f"TensorBoard event file(s) hold no scalar summaries (found: {found}); "
                               "traindoc reads scalar curves such as loss and accuracy")
    return [run]
