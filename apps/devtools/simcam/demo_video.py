"""A generated street scene with vehicles and readable plates, encoded to H.264.

Vehicles come from the horizon towards the camera, stop in front of it for a
few seconds (the plate large enough for OCR), then drive out past it. Nothing
is random: the same arguments give the same video and the same sidecar.

The sidecar `VIDEO.json` lists each plate and when it is in view, so tests can
check what the AI read against what was shown.
"""

import json
import os
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PLATE_FONT = FONT_DIR / "DejaVuSansMono-Bold.ttf"
LABEL_FONT = FONT_DIR / "DejaVuSans-Bold.ttf"

DEMO_DIR = Path(__file__).resolve().parents[3] / "var" / "demo"
DEMO_VERSION = 2  # part of the cached file's name: bump it when the drawing changes

# Brazilian (AAA9999) and Mercosul (AAA9A99) plates, shown in this order.
PLATES = ["BRA2E19", "ABC1234", "RIO4F21", "QWE9876", "MER5C31", "XYZ2024", "SPO7B88", "GHI4567"]
VEHICLES = [  # (kind, body colour)
    ("car", (196, 30, 36)),
    ("truck", (28, 78, 160)),
    ("car", (170, 174, 180)),
    ("car", (230, 190, 30)),
    ("truck", (40, 120, 60)),
    ("car", (45, 45, 50)),
]

SECONDS_PER_VEHICLE = 7.5
HORIZON = 0.36  # of the height
STOP_BOTTOM = 0.95  # where a stopped vehicle's wheels touch the road, of the height
FAR_DEPTH = 7.0  # depth where a vehicle appears; 1.0 is where it stops
OUT_DEPTH = 0.42  # depth where it has left the picture at the bottom


def plate_format(text):
    """The format name (apps/detections/plates.py): 'mercosul' for AAA9A99, 'br' for AAA9999, None otherwise."""
    if len(text) != 7 or not (text[:3].isalpha() and text[:3].isupper() and text[3].isdigit()):
        return None
    if text[4:].isdigit():
        return "br"
    if text[4].isalpha() and text[4].isupper() and text[5:].isdigit():
        return "mercosul"
    return None


@dataclass(frozen=True)
class Passage:
    """One vehicle's trip: appears at `enter`, stops at `stop`, leaves at `leave`, gone at `gone`."""

    plate: str
    kind: str
    colour: tuple
    enter: float
    stop: float
    leave: float
    gone: float

    def depth(self, t):
        """Distance from the camera in stop-distances (1.0 = stopped), None when not in the picture."""
        if t < self.enter or t >= self.gone:
            return None
        if t < self.stop:  # decelerating towards the stop
            u = (t - self.enter) / (self.stop - self.enter)
            return FAR_DEPTH + (1.0 - FAR_DEPTH) * (1 - (1 - u) ** 2)
        if t < self.leave:
            return 1.0
        u = (t - self.leave) / (self.gone - self.leave)  # accelerating away
        return 1.0 + (OUT_DEPTH - 1.0) * u * u


def schedule(seconds, still=False):
    """The passages of a video of this length: one per ~7.5 s, each in its own time slot."""
    if still:
        kind, colour = VEHICLES[0]
        return [Passage(PLATES[0], kind, colour, 0.0, 0.0, seconds, seconds)]
    count = max(1, round(seconds / SECONDS_PER_VEHICLE))
    slot = seconds / count
    passages = []
    for index in range(count):
        start = index * slot
        kind, colour = VEHICLES[index % len(VEHICLES)]
        # The road is empty at the start and end of each slot, so the loop point is seamless.
        passages.append(Passage(
            plate=PLATES[index % len(PLATES)], kind=kind, colour=colour,
            enter=start + 0.04 * slot, stop=start + 0.32 * slot,
            leave=start + 0.76 * slot, gone=start + 0.96 * slot,
        ))
    return passages


# --- drawing ---------------------------------------------------------------

def _shade(colour, factor):
    return tuple(max(0, min(255, int(c * factor))) for c in colour)


def _fit_font(path, text, width, height):
    """The largest font size at which text fits in width x height."""
    size = int(height)
    while size > 6:
        font = ImageFont.truetype(str(path), size)
        left, top, right, bottom = font.getbbox(text)
        if right - left <= width and bottom - top <= height:
            return font
        size -= 1
    return ImageFont.truetype(str(path), 6)


def draw_plate(text, width):
    """A white plate with dark characters; Mercosul ones carry the blue BRASIL band on top."""
    height = round(width / 3.08)  # 400 x 130 mm
    plate = Image.new("RGB", (width, height), (250, 250, 248))
    draw = ImageDraw.Draw(plate)
    border = max(2, width // 80)
    text_top = border
    if plate_format(text) == "mercosul":
        band = round(height * 0.24)
        draw.rectangle([0, 0, width, band], fill=(20, 60, 160))
        label = _fit_font(LABEL_FONT, "BRASIL", width * 0.3, band * 0.6)
        draw.text((width / 2, band / 2), "BRASIL", font=label, fill="white", anchor="mm")
        text_top = band
        shown = text
    else:
        shown = f"{text[:3]} {text[3:]}"
    draw.rectangle([0, 0, width - 1, height - 1], outline=(30, 30, 30), width=border)
    font = _fit_font(PLATE_FONT, shown, width * 0.86, (height - text_top) * 0.72)
    draw.text((width / 2, (text_top + height) / 2), shown, font=font, fill=(20, 20, 24), anchor="mm")
    return plate


def draw_vehicle(kind, colour, plate_text, width):
    """A vehicle seen from the front, as an RGBA sprite `width` wide; its wheels touch the bottom."""
    truck = kind == "truck"
    height = round(width * (0.95 if truck else 0.72))
    sprite = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(sprite)
    w, h = width, height
    dark = _shade(colour, 0.6)
    tyre = (22, 22, 24, 255)

    draw.ellipse([0.02 * w, 0.9 * h, 0.98 * w, h - 1], fill=(0, 0, 0, 110))  # shadow
    draw.rounded_rectangle([0.07 * w, 0.8 * h, 0.22 * w, h - 1], radius=w * 0.02, fill=tyre)
    draw.rounded_rectangle([0.78 * w, 0.8 * h, 0.93 * w, h - 1], radius=w * 0.02, fill=tyre)

    if truck:
        draw.rectangle([0.0, 0.0, w - 1, 0.3 * h], fill=(215, 215, 210, 255), outline=(120, 120, 120, 255))
        cab_top, glass_bottom, body_top = 0.12 * h, 0.42 * h, 0.45 * h
        draw.rounded_rectangle([0.04 * w, cab_top, 0.96 * w, 0.9 * h], radius=w * 0.04, fill=colour)
        draw.rectangle([0.1 * w, cab_top + 0.04 * h, 0.9 * w, glass_bottom], fill=(50, 70, 90, 255))
        draw.polygon([(0.14 * w, glass_bottom - 0.02 * h), (0.3 * w, cab_top + 0.06 * h),
                      (0.38 * w, cab_top + 0.06 * h), (0.22 * w, glass_bottom - 0.02 * h)],
                     fill=(90, 115, 135, 255))
        mirror_y = cab_top + 0.08 * h
        draw.rectangle([0, mirror_y, 0.05 * w, mirror_y + 0.14 * h], fill=(30, 30, 30, 255))
        draw.rectangle([0.95 * w, mirror_y, w - 1, mirror_y + 0.14 * h], fill=(30, 30, 30, 255))
    else:
        body_top = 0.45 * h
        roof = [(0.2 * w, 0.04 * h), (0.8 * w, 0.04 * h), (0.92 * w, body_top + 0.02 * h),
                (0.08 * w, body_top + 0.02 * h)]
        draw.polygon(roof, fill=colour)
        draw.polygon([(0.24 * w, 0.09 * h), (0.76 * w, 0.09 * h), (0.86 * w, body_top - 0.01 * h),
                      (0.14 * w, body_top - 0.01 * h)], fill=(45, 62, 80, 255))
        draw.polygon([(0.3 * w, body_top - 0.03 * h), (0.42 * w, 0.12 * h), (0.5 * w, 0.12 * h),
                      (0.38 * w, body_top - 0.03 * h)], fill=(85, 105, 125, 255))
        draw.ellipse([0.0, body_top - 0.06 * h, 0.08 * w, body_top + 0.04 * h], fill=dark)
        draw.ellipse([0.92 * w, body_top - 0.06 * h, w - 1, body_top + 0.04 * h], fill=dark)
        draw.rounded_rectangle([0.02 * w, body_top, 0.98 * w, 0.88 * h], radius=w * 0.05, fill=colour)

    # Headlights, grille, bumper, plate.
    light_top, light_bottom = body_top + 0.05 * h, body_top + 0.05 * h + 0.1 * h * (0.75 if truck else 1)
    draw.rounded_rectangle([0.07 * w, light_top, 0.25 * w, light_bottom], radius=w * 0.02,
                           fill=(250, 245, 210, 255), outline=dark, width=2)
    draw.rounded_rectangle([0.75 * w, light_top, 0.93 * w, light_bottom], radius=w * 0.02,
                           fill=(250, 245, 210, 255), outline=dark, width=2)
    grille_bottom = light_bottom + (0.18 * h if truck else 0.04 * h)
    draw.rounded_rectangle([0.3 * w, light_top, 0.7 * w, grille_bottom], radius=w * 0.015, fill=(35, 35, 38, 255))
    for y in range(int(light_top) + 6, int(grille_bottom) - 3, max(4, int(h * 0.025))):
        draw.line([0.32 * w, y, 0.68 * w, y], fill=(80, 80, 85, 255), width=2)
    bumper_top = 0.88 * h - 0.2 * w / 3.08 - 0.06 * h
    draw.rectangle([0.04 * w, bumper_top, 0.96 * w, 0.88 * h], fill=(40, 40, 44, 255))

    plate = draw_plate(plate_text, round(0.32 * w if not truck else 0.3 * w))
    sprite.paste(plate, (round((w - plate.width) / 2), round(0.875 * h - plate.height)))
    return sprite


def draw_street(width, height):
    """Sky, buildings, pavements and a two-lane road running to the horizon."""
    scene = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(scene)
    horizon = round(HORIZON * height)
    for y in range(horizon):  # sky, lighter towards the horizon
        f = y / max(1, horizon)
        draw.line([0, y, width, y], fill=(int(120 + 80 * f), int(165 + 60 * f), int(215 + 30 * f)))

    # Buildings along the horizon, with windows: a fixed pattern, not random.
    x, index = 0, 0
    while x < width:
        w = int(width * (0.06 + 0.03 * ((index * 7) % 5)))
        h = int(height * (0.1 + 0.04 * ((index * 3) % 5)))
        colour = [(150, 140, 130), (120, 125, 135), (170, 160, 140), (110, 100, 95), (140, 150, 150)][index % 5]
        draw.rectangle([x, horizon - h, x + w - 2, horizon], fill=colour)
        for wy in range(horizon - h + 8, horizon - 10, 16):
            for wx in range(x + 6, x + w - 12, 14):
                lit = (wx // 14 + wy // 16 + index) % 3 == 0
                draw.rectangle([wx, wy, wx + 6, wy + 8], fill=(240, 220, 150) if lit else (70, 80, 95))
        x += w
        index += 1

    # Ground: pavement, then the road to a vanishing point straight ahead. The camera hangs
    # above the near lane (as gate cameras do): that lane is centred, oncoming traffic's lane
    # lies to its left.
    draw.rectangle([0, horizon, width, height], fill=(150, 150, 145))
    lane_far, lane_near = width * 0.02, width * 0.42  # half the lane's width at the horizon, at the bottom

    def road_x(offset, y):
        """x of a line `offset` lane half-widths right of the lane's centre, at height y."""
        f = (y - horizon) / (height - horizon)
        return width / 2 + offset * (lane_far + (lane_near - lane_far) * f)

    def strip(left, right, y1, y2, colour):
        draw.polygon([(road_x(left, y1), y1), (road_x(right, y1), y1),
                      (road_x(right, y2), y2), (road_x(left, y2), y2)], fill=colour)

    strip(-3.2, 1.3, horizon, height, (70, 72, 75))
    strip(1.1, 1.16, horizon, height, (230, 230, 230))  # solid edge lines
    strip(-3.06, -3.0, horizon, height, (230, 230, 230))
    # Dashed yellow centre line: dashes equally long on the road, so shorter towards the horizon.
    distance = 1.0
    while distance < 60:
        y1 = horizon + (height - horizon) / distance
        y2 = horizon + (height - horizon) / (distance + 0.3 * distance ** 0.5)
        strip(-1.04, -0.96, y2, y1, (235, 200, 40))
        distance += 0.8 * distance ** 0.5
    stop_y = round(STOP_BOTTOM * height) + 4  # the stop line across the near lane
    strip(-0.98, 1.08, stop_y, min(height, stop_y + 10), (235, 235, 235))
    return scene


class Renderer:
    """Draws frames of a schedule; vehicle sprites are drawn once and scaled per frame."""

    def __init__(self, passages, width, height):
        self.passages = passages
        self.width, self.height = width, height
        self.street = draw_street(width, height)
        self.sprites = {}

    def sprite(self, passage):
        if passage.plate not in self.sprites:
            share = 0.52 if passage.kind == "truck" else 0.5  # of the width when stopped
            self.sprites[passage.plate] = draw_vehicle(
                passage.kind, passage.colour, passage.plate, round(self.width * share))
        return self.sprites[passage.plate]

    def frame(self, t):
        image = self.street.copy()
        horizon = HORIZON * self.height
        for passage in self.passages:
            depth = passage.depth(t)
            if depth is None:
                continue
            scale = 1.0 / depth  # perspective: size and distance below the horizon shrink alike
            sprite = self.sprite(passage)
            w, h = max(1, round(sprite.width * scale)), max(1, round(sprite.height * scale))
            scaled = sprite if (w, h) == sprite.size else sprite.resize((w, h), Image.BILINEAR)
            bottom = horizon + (STOP_BOTTOM * self.height - horizon) * scale
            centre = self.width * 0.5  # straight down the lane the camera watches
            image.paste(scaled, (round(centre - w / 2), round(bottom - h)), scaled)
        self.draw_clock(image, t)
        return image

    def draw_clock(self, image, t):
        """The on-screen clock real IP cameras burn in: the picture changes every second even
        when nothing moves, which is how a live camera differs from a frozen one."""
        if not hasattr(self, "clock_font"):
            self.clock_font = ImageFont.truetype(str(PLATE_FONT), max(12, self.height // 20))
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
                "text": p.plate, "format": plate_format(p.plate), "vehicle": p.kind,
                "in_view": [round(p.enter, 2), round(p.gone, 2)],  # in the picture at all
                "stopped": [round(p.stop, 2), round(p.leave, 2)],  # standing still, plate largest
            }
            for p in passages
        ],
    }


def make_demo_video(output, *, seconds=30, fps=10, width=1280, height=720, still=False, on_frame=None):
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
    """The default demo video (30 s, 10 fps, 1280x720) in var/demo/, generated on first use.

    The still one is 10 s of one picture (a car stopped, plate BRA2E19), for "frozen" cameras.
    """
    path = DEMO_DIR / f"{'still' if still else 'demo'}-v{DEMO_VERSION}.mp4"
    if not (path.exists() and sidecar_path(path).exists()):
        make_demo_video(path, still=still, seconds=10 if still else 30)
    return path
