"""A gate camera's scene built from photographs of real vehicles with real plates, encoded to H.264.

The scene is one real gate camera's view (`photos/`: the openalpr benchmark's
photos of that camera, AGPL-3.0, see photos/README.md): the empty lane is the
median of its photos, and each vehicle is cut from its own photo, so it stops
exactly where it was photographed. One after another, each vehicle comes in
from under the camera (large, its front beyond the bottom edge), slows to its
stop, stands a few seconds with its plate large enough for OCR, then drives on
up the lane and out of the top of the picture. Nothing is random: the same
arguments give the same video and the same sidecar.

The sidecar `VIDEO.json` lists each plate, its vehicle's class and when it is
in view, so tests and benchmarks can check what the AI read against what was shown.
"""

import json
import os
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from apps.detections.plates import normalise_plate

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CLOCK_FONT = FONT_DIR / "DejaVuSansMono-Bold.ttf"

DEMO_DIR = Path(__file__).resolve().parents[3] / "var" / "demo"
DEMO_VERSION = 4  # part of the cached file's name: bump it when the scene changes
PHOTO_DIR = Path(__file__).resolve().parent / "photos"
SCENE_SIZE = (1280, 720)  # the photos' size: positions below are in its pixels


@dataclass(frozen=True)
class Vehicle:
    """A photographed vehicle: its photo, plate, COCO class, its box in the photo (normalised x1 y1 x2 y2),
    and parts of the photo left out (the lane shows there instead)."""

    photo: str
    plate: str
    kind: str
    box: tuple
    left_out: tuple = ()


# In the order they pass; each read right, and its class found, by the project's vision chain on its photo.
VEHICLES = [
    Vehicle("wts-lg-000149.jpg", "6MWF778", "car", (0.325, 0.028, 0.787, 0.634)),
    Vehicle("wts-lg-000131.jpg", "00256M1", "truck", (0.372, 0.002, 0.837, 0.529)),
    Vehicle("wts-lg-000173.jpg", "5FEE732", "car", (0.350, 0.000, 0.840, 0.663)),
    Vehicle("wts-lg-000134.jpg", "6WAW786", "car", (0.320, 0.002, 0.822, 0.725)),
    Vehicle("wts-lg-000172.jpg", "8P62983", "truck", (0.280, 0.001, 0.788, 0.664)),
    # Its right mirror, alone at the top edge, is seen as a far-away car now and then.
    Vehicle("wts-lg-000140.jpg", "6MDU097", "car", (0.408, 0.002, 0.832, 0.527), left_out=((0.79, 0.0, 0.86, 0.075),)),
]
PLATES = [vehicle.plate for vehicle in VEHICLES]

SECONDS_PER_VEHICLE = 7.5
ENTER_SCALE = 1.7  # how much larger than at its stop a vehicle is when it comes into view
LEAVE_SHRINK = 0.25  # how much smaller it is when it leaves at the top
LEAVE_DRIFT = 0.08  # of the width: the lane bends right beyond the gate
MARGIN = 0.03  # of the width/height: photo kept around a vehicle's box, faded into the lane


def plate_format(text):
    """The format the site's default plate formats give this text (apps/detections/plates.py)."""
    return normalise_plate(text)[1]


@dataclass(frozen=True)
class Passage:
    """One vehicle's trip: appears at `enter`, stops at `stop`, leaves at `leave`, gone at `gone`."""

    vehicle: Vehicle
    enter: float
    stop: float
    leave: float
    gone: float

    @property
    def plate(self):
        return self.vehicle.plate

    @property
    def kind(self):
        return self.vehicle.kind

    def pose(self, t):
        """(scale, dx, dy) of the vehicle from where it stops, dx/dy of the picture's size; None when out of view.

        Scaling is about the top of the picture above the vehicle's centre (its roof is beyond the top edge)."""
        if t < self.enter or t >= self.gone:
            return None
        if t < self.stop:  # slowing down towards the stop
            u = (t - self.enter) / (self.stop - self.enter)
            return 1.0 + (ENTER_SCALE - 1.0) * (1 - u) ** 2, 0.0, 0.0
        if t < self.leave:
            return 1.0, 0.0, 0.0
        # Speeding up, away up the lane: soon out of the top, so a frame seldom catches a sliver of it that
        # overlaps nothing it was a second before.
        u = ((t - self.leave) / (self.gone - self.leave)) ** 3
        return 1.0 - LEAVE_SHRINK * u, LEAVE_DRIFT * u, -(self.vehicle.box[3] + MARGIN) * u


def schedule(seconds, still=False):
    """The passages of a video of this length: one per ~7.5 s, each in its own time slot."""
    if still:
        return [Passage(VEHICLES[0], 0.0, 0.0, seconds, seconds)]
    count = max(1, round(seconds / SECONDS_PER_VEHICLE))
    slot = seconds / count
    passages = []
    for index in range(count):
        start = index * slot
        # The lane is empty at the start and end of each slot, so the loop point is seamless.
        passages.append(Passage(
            VEHICLES[index % len(VEHICLES)],
            enter=start + 0.04 * slot, stop=start + 0.3 * slot,
            leave=start + 0.78 * slot, gone=start + 0.97 * slot,
        ))
    return passages


# --- drawing ---------------------------------------------------------------

@lru_cache(maxsize=None)
def _photo(name):
    return Image.open(PHOTO_DIR / name).convert("RGB")


def cut_out(vehicle, background):
    """The vehicle as an RGBA sprite cut from its photo (its box and a margin), and where it stands, in scene px.

    The margin fades into the lane; an edge on the photo's border stays hard (it is beyond the picture's edge
    whenever the vehicle is in view). The photo's exposure is matched to the background's."""
    photo = _photo(vehicle.photo)
    width, height = photo.size
    x1, y1, x2, y2 = vehicle.box
    left, top = max(0, round((x1 - MARGIN) * width)), max(0, round((y1 - MARGIN) * height))
    right, bottom = min(width, round((x2 + MARGIN) * width)), min(height, round((y2 + MARGIN) * height))

    pixels = np.asarray(photo, dtype=np.float32)
    lane = np.asarray(background, dtype=np.float32)
    outside = np.ones((height, width), bool)
    outside[top:bottom, left:right] = False
    gain = np.median(lane[outside], axis=0) / np.maximum(1.0, np.median(pixels[outside], axis=0))
    crop = Image.fromarray(np.clip(pixels[top:bottom, left:right] * gain, 0, 255).astype(np.uint8))

    fade = max(2, round(MARGIN * width * 0.8))
    mask = Image.new("L", crop.size, 0)
    ImageDraw.Draw(mask).rectangle([
        0 if left == 0 else fade, 0 if top == 0 else fade,
        crop.width - (0 if right == width else fade), crop.height - (0 if bottom == height else fade),
    ], fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(fade / 2))
    if top == 0:  # the blur must not soften the photo's own top edge
        mask.paste(255, (fade, 0, crop.width - fade, fade))
    for x1, y1, x2, y2 in vehicle.left_out:
        mask.paste(0, (round(x1 * width) - left, round(y1 * height) - top, round(x2 * width) - left,
                       round(y2 * height) - top))
    crop.putalpha(mask)
    return crop, (left, top)


class Renderer:
    """Draws frames of a schedule at the output size; the sprites are cut once and scaled per frame."""

    def __init__(self, passages, width, height):
        self.passages = passages
        self.width, self.height = width, height
        background = _photo("background.jpg")
        self.sx, self.sy = width / SCENE_SIZE[0], height / SCENE_SIZE[1]
        self.background = background.resize((width, height), Image.LANCZOS) if (width, height) != background.size \
            else background.copy()
        self.sprites = {}
        for passage in passages:
            if passage.vehicle.photo not in self.sprites:
                sprite, (left, top) = cut_out(passage.vehicle, background)
                size = (max(1, round(sprite.width * self.sx)), max(1, round(sprite.height * self.sy)))
                self.sprites[passage.vehicle.photo] = (sprite.resize(size, Image.LANCZOS), left * self.sx, top * self.sy)

    def frame(self, t):
        image = self.background.copy()
        for passage in self.passages:
            pose = passage.pose(t)
            if pose is None:
                continue
            scale, dx, dy = pose
            sprite, left, top = self.sprites[passage.vehicle.photo]
            x1, _, x2, _ = passage.vehicle.box
            anchor = (x1 + x2) / 2 * self.width  # scaled about the top of the picture above its centre
            w, h = max(1, round(sprite.width * scale)), max(1, round(sprite.height * scale))
            scaled = sprite if (w, h) == sprite.size else sprite.resize((w, h), Image.BILINEAR)
            x = anchor + (left - anchor) * scale + dx * self.width
            y = top * scale + dy * self.height
            image.paste(scaled, (round(x), round(y)), scaled)
        self.draw_clock(image, t)
        return image

    def draw_clock(self, image, t):
        """The on-screen clock real IP cameras burn in: the picture changes every second even
        when nothing moves, which is how a live camera differs from a frozen one."""
        if not hasattr(self, "clock_font"):
            self.clock_font = ImageFont.truetype(str(CLOCK_FONT), max(12, self.height // 20))
        text = f"CAM 01  {int(t // 3600):02d}:{int(t // 60) % 60:02d}:{int(t) % 60:02d}"
        draw = ImageDraw.Draw(image)
        margin = self.height // 40
        left, top, right, bottom = draw.textbbox((margin, margin), text, font=self.clock_font)
        draw.rectangle((left - 6, top - 4, right + 6, bottom + 4), fill=(0, 0, 0))
        draw.text((margin, margin), text, font=self.clock_font, fill=(255, 255, 255))


# --- encoding --------------------------------------------------------------

def ffmpeg_args(output, width, height, fps, still=False):
    """Raw RGB frames on stdin to H.264 MP4: 1 s keyframes, no B-frames, reproducible."""
    # A still video must decode to identical frames, but x264 keeps refining a static picture
    # in P-frames. So: keyframes at good quality (QP 22), P-frames at QP 40, too coarse for
    # any refinement, so every P-frame is an empty skip.
    quality = ["-qp", "40", "-x264-params", "ipratio=8"] if still else ["-crf", "23"]
    return [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "-",
        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-pix_fmt", "yuv420p", *quality,
        "-g", str(fps), "-keyint_min", str(fps), "-sc_threshold", "0", "-bf", "0",
        "-threads", "1",  # x264's output depends on its thread count; fixed so runs are identical
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
        "-movflags", "+faststart", "-an", "-f", "mp4", str(output),
    ]


def describe(passages, seconds, fps, width, height, still):
    return {
        "seconds": seconds, "fps": fps, "width": width, "height": height, "still": still,
        "frames": round(seconds * fps),
        "plates": [
            {
                "text": p.plate, "format": plate_format(p.plate), "vehicle": p.kind, "photo": p.vehicle.photo,
                "in_view": [round(p.enter, 2), round(p.gone, 2)],  # in the picture at all
                "stopped": [round(p.stop, 2), round(p.leave, 2)],  # standing still, plate largest
            }
            for p in passages
        ],
    }


def make_demo_video(output, *, seconds=45, fps=10, width=1280, height=720, still=False, on_frame=None):
    """Render and encode the demo video to `output` and its sidecar `output.json`; returns the sidecar dict.

    Both files appear atomically (written under temporary names, then renamed),
    so concurrent callers never read a half-written video.
    """
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if width % 2 or height % 2:
        raise ValueError("width and height must be even (yuv420p)")
    passages = schedule(seconds, still)
    info = describe(passages, seconds, fps, width, height, still)
    renderer = Renderer(passages, width, height)
    partial = output.with_name(f".{output.name}.{os.getpid()}.part")
    encoder = subprocess.Popen(ffmpeg_args(partial, width, height, fps, still), stdin=subprocess.PIPE)
    try:
        still_frame = renderer.frame(0.0).tobytes() if still else None
        for index in range(info["frames"]):
            encoder.stdin.write(still_frame or renderer.frame(index / fps).tobytes())
            if on_frame:
                on_frame(index)
        encoder.stdin.close()
        if encoder.wait() != 0:
            raise RuntimeError(f"ffmpeg failed encoding {output}")
        sidecar = sidecar_path(output)
        partial_sidecar = sidecar.with_name(f".{sidecar.name}.{os.getpid()}.part")
        partial_sidecar.write_text(json.dumps(info, indent=2) + "\n")
        os.replace(partial_sidecar, sidecar)
        os.replace(partial, output)
    finally:
        if encoder.poll() is None:
            encoder.kill()
            encoder.wait()
        partial.unlink(missing_ok=True)
    return info


def sidecar_path(video):
    """Where a video's plate list lives: next to it, `VIDEO.json`."""
    video = Path(video)
    return video.with_name(video.name + ".json")


def read_plates(video):
    """The sidecar of a generated video: its plates and when each is in view."""
    return json.loads(sidecar_path(video).read_text())


@lru_cache(maxsize=None)
def demo_video_path(still=False):
    """The default demo video (45 s, 10 fps, 1280x720: each of the six vehicles once) in var/demo/,
    generated on first use.

    The still one is 10 s of one picture (the first vehicle stopped), for "frozen" cameras.
    """
    path = DEMO_DIR / f"{'still' if still else 'demo'}-v{DEMO_VERSION}.mp4"
    if not (path.exists() and sidecar_path(path).exists()):
        make_demo_video(path, still=still, seconds=10 if still else SECONDS_PER_VEHICLE * len(VEHICLES))
    return path
