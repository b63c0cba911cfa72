"""Reading the recorded fMP4 segments as MediaMTX's playback server does: the tracks of the init part
(ftyp + moov) and the duration of the complete parts (moof + mdat) after it.

A segment being written ends in a part not yet complete; it is not counted, as MediaMTX counts
only what it can read.
"""

import struct
from dataclasses import dataclass

# trun flags (ISO/IEC 14496-12)
TRUN_DATA_OFFSET, TRUN_FIRST_SAMPLE_FLAGS = 0x001, 0x004
TRUN_DURATION, TRUN_SIZE, TRUN_FLAGS, TRUN_CTO = 0x100, 0x200, 0x400, 0x800
# tfhd flags
TFHD_BASE_DATA_OFFSET, TFHD_DESCRIPTION_INDEX, TFHD_DEFAULT_DURATION = 0x01, 0x02, 0x08


@dataclass(frozen=True)
class Track:
    id: int
    timescale: int
    codec: str  # the sample entry's four characters: avc1, hev1, mp4a, ...


@dataclass(frozen=True)
class Segment:
    tracks: tuple  # of Track
    seconds: float  # of complete parts


def boxes(data, start=0, end=None):
    """(type, payload start, box end) of each box in data[start:end]; stops at a box cut short."""
    end = len(data) if end is None else end
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1:
            if position + 16 > end:
                return
            size = struct.unpack_from(">Q", data, position + 8)[0]
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            return
        yield kind.decode("latin-1"), position + header, position + size
        position += size


def child(data, start, end, kind):
    return next(((s, e) for k, s, e in boxes(data, start, end) if k == kind), None)


def _full_box(data, start):
    version_flags = struct.unpack_from(">I", data, start)[0]
    return version_flags >> 24, version_flags & 0xFFFFFF, start + 4


def _tracks(data, moov_start, moov_end):
    tracks, default_durations = [], {}
    for kind, start, end in boxes(data, moov_start, moov_end):
        if kind == "trak":
            tkhd = child(data, start, end, "tkhd")
            version, _, body = _full_box(data, tkhd[0])
            track_id = struct.unpack_from(">I", data, body + (16 if version == 1 else 8))[0]
            mdia = child(data, start, end, "mdia")
            mdhd = child(data, *mdia, "mdhd")
            version, _, body = _full_box(data, mdhd[0])
            timescale = struct.unpack_from(">I", data, body + (16 if version == 1 else 8))[0]
            stsd = child(data, *child(data, *child(data, *mdia, "minf"), "stbl"), "stsd")
            codec = data[stsd[0] + 12:stsd[0] + 16].decode("latin-1")  # the first sample entry's type
            tracks.append(Track(track_id, timescale, codec))
        elif kind == "mvex":
            for trex_kind, trex_start, _ in boxes(data, start, end):
                if trex_kind == "trex":
                    track_id, _, duration = struct.unpack_from(">III", data, trex_start + 4)
                    default_durations[track_id] = duration
    return tracks, default_durations


def _traf_span(data, start, end, default_durations):
    """(track id, first decode time, decode time after the last sample) of one traf."""
    tfhd = child(data, start, end, "tfhd")
    _, flags, body = _full_box(data, tfhd[0])
    track_id = struct.unpack_from(">I", data, body)[0]
    position = body + 4 + (8 if flags & TFHD_BASE_DATA_OFFSET else 0) + (4 if flags & TFHD_DESCRIPTION_INDEX else 0)
    default = struct.unpack_from(">I", data, position)[0] if flags & TFHD_DEFAULT_DURATION else None
    default = default_durations.get(track_id, 0) if default is None else default
    tfdt = child(data, start, end, "tfdt")
    version, _, body = _full_box(data, tfdt[0])
    base = struct.unpack_from(">Q" if version == 1 else ">I", data, body)[0]
    elapsed = 0
    for kind, trun_start, _ in boxes(data, start, end):
        if kind != "trun":
            continue
        _, flags, body = _full_box(data, trun_start)
        count = struct.unpack_from(">I", data, body)[0]
        position = body + 4 + (4 if flags & TRUN_DATA_OFFSET else 0) + (4 if flags & TRUN_FIRST_SAMPLE_FLAGS else 0)
        stride = 4 * sum(bool(flags & f) for f in (TRUN_DURATION, TRUN_SIZE, TRUN_FLAGS, TRUN_CTO))
        if flags & TRUN_DURATION:
            elapsed += sum(struct.unpack_from(">I", data, position + i * stride)[0] for i in range(count))
        else:
            elapsed += default * count
    return track_id, base, base + elapsed


def top_boxes(file):
    """(type, offset, header size, size) of each top-level box, by seeking: mdat payloads are never read.
    Stops at a box cut short (the part being written)."""
    file.seek(0, 2)
    length = file.tell()
    position = 0
    while position + 8 <= length:
        file.seek(position)
        head = file.read(16)
        size, kind = struct.unpack_from(">I4s", head)
        header = 8
        if size == 1 and len(head) == 16:
            size, header = struct.unpack_from(">Q", head, 8)[0], 16
        elif size == 0:
            size = length - position
        if size < header or position + size > length:
            return
        yield kind.decode("latin-1"), position, header, size
        position += size


def read_segment(path):
    """The segment's tracks and the seconds its complete parts hold; None when it has no init or no part yet."""
    with open(path, "rb") as file:
        found = list(top_boxes(file))
        if len(found) < 2 or found[0][0] != "ftyp" or found[1][0] != "moov":
            return None

        def payload(box):
            file.seek(box[1])
            return file.read(box[3])

        moov = payload(found[1])
        tracks, default_durations = _tracks(moov, found[1][2], len(moov))
        timescales = {track.id: track.timescale for track in tracks}
        first, last = {}, {}
        for box, following in zip(found[2:], found[3:]):
            if box[0] != "moof" or following[0] != "mdat":  # a part counts once its samples are all there
                continue
            moof = payload(box)
            for kind, start, end in boxes(moof, box[2]):
                if kind == "traf":
                    track_id, begin, finish = _traf_span(moof, start, end, default_durations)
                    first.setdefault(track_id, begin)
                    last[track_id] = finish
    if not last:
        return None
    seconds = max((last[t] - first[t]) / timescales[t] for t in last if timescales.get(t))
    return Segment(tuple(tracks), seconds)
