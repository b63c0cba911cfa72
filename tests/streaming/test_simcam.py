"""Simulated cameras and the demo video, checked with real ffprobe/ffmpeg over real RTSP."""

import json
import signal
import socket
import subprocess
import sys
import time

import pytest

from apps.devtools.simcam.demo_video import make_demo_video
from tests import processes
from tests.processes import ROOT, Process, free_port, port_open, wait_for

CLIP_SECONDS = 3
CLIP_FPS = 10
FRAME_TICKS = 90000 // CLIP_FPS  # one frame in RTP's 90 kHz clock, as ffprobe reports it


def manage(*args, timeout=60):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=processes.test_env(),
                          capture_output=True, text=True, timeout=timeout)


def ffprobe_json(*args, timeout=30):
    result = subprocess.run(["ffprobe", "-v", "error", "-of", "json", *args],
                            capture_output=True, text=True, timeout=timeout, check=True)
    return json.loads(result.stdout)


def rtsp_streams(url):
    # The SDP carries the SPS: no need to wait for seconds of video to know the size.
    return ffprobe_json("-rtsp_transport", "tcp", "-analyzeduration", "0", "-probesize", "32",
                        "-show_streams", url)["streams"]


def packet_times_command(url, seconds, transport="tcp"):
    return ["ffprobe", "-v", "error", "-rtsp_transport", transport, "-read_intervals", f"%+{seconds}",
            "-select_streams", "v", "-show_entries", "packet=pts", "-of", "json", url]


def pts_of(ffprobe_output):
    # ffmpeg reports the very first packet without a timestamp (no RTCP yet): skip it.
    return [packet["pts"] for packet in json.loads(ffprobe_output)["packets"] if "pts" in packet]


def packet_times(url, seconds, transport="tcp"):
    """PTS (90 kHz) of the video packets read from `url` for `seconds` of stream."""
    result = subprocess.run(packet_times_command(url, seconds, transport), capture_output=True, text=True,
                            timeout=seconds + 30)
    assert result.returncode == 0, result.stderr
    return pts_of(result.stdout)


def assert_smooth(times, seconds):
    assert len(times) >= seconds * CLIP_FPS * 0.9, f"only {len(times)} frames in {seconds} s"
    steps = {b - a for a, b in zip(times, times[1:])}
    assert steps == {FRAME_TICKS}, f"timestamps not one frame apart: steps {sorted(steps)}"


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A 3-second demo clip made with the management command."""
    path = tmp_path_factory.mktemp("simcam") / "clip.mp4"
    result = manage("demo_video", str(path), "--seconds", str(CLIP_SECONDS), "--fps", str(CLIP_FPS),
                    "--width", "640", "--height", "360")
    assert result.returncode == 0, result.stderr
    assert str(path) in result.stdout
    return path


def start_camera(*mounts, port=None):
    port = port or free_port()
    process = Process(f"fakecamera-{port}", [sys.executable, "manage.py", "fakecamera", "--port", str(port), *mounts],
                      env=processes.test_env())
    wait_for(lambda: process.check_alive() and port_open(port), timeout=20, what="fake camera port")
    process.port = port
    return process


@pytest.fixture(scope="module")
def camera(clip):
    process = start_camera(f"cam={clip}")
    process.url = f"rtsp://127.0.0.1:{process.port}/cam"
    yield process
    process.stop()


class TestFakeCamera:
    def test_it_prints_one_url_per_camera(self, camera):
        wait_for(lambda: camera.url in camera.output(), timeout=5, what="the camera's URL printed")

    def test_it_serves_one_h264_stream_at_the_video_size(self, camera):
        streams = rtsp_streams(camera.url)
        assert [(s["codec_type"], s["codec_name"], s["width"], s["height"]) for s in streams] == [
            ("video", "h264", 640, 360)
        ]

    def test_it_announces_no_end(self, camera):
        # A relay that read `npt=0-3` would end the stream after 3 s.
        with socket.create_connection(("127.0.0.1", camera.port), timeout=5) as sock:
            sock.sendall(f"DESCRIBE {camera.url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n".encode())
            answer = b""
            while b"m=video" not in answer:
                chunk = sock.recv(4096)
                assert chunk, answer
                answer += chunk
        assert answer.startswith(b"RTSP/1.0 200 OK")
        assert b"a=range:npt=0-\r\n" in answer

    def test_it_loops_past_the_end_of_the_file_smoothly(self, camera):
        times = packet_times(camera.url, 7)
        assert times[-1] - times[0] >= 6.5 * 90000  # more than twice the 3 s file
        assert_smooth(times, 7)

    def test_it_serves_udp_readers(self, camera):
        times = packet_times(camera.url, 3, transport="udp")
        assert len(times) >= 25
        assert all(b > a for a, b in zip(times, times[1:]))

    def test_a_late_reader_does_not_rewind_the_first(self, camera):
        first = subprocess.Popen(packet_times_command(camera.url, 6), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        time.sleep(2)
        late = packet_times(camera.url, 2)  # asks for `Range: npt=0-`, which would seek a seekable media
        out, err = first.communicate(timeout=30)
        assert first.returncode == 0, err
        assert len(late) >= 15
        assert_smooth(pts_of(out), 6)

    def test_a_bad_camera_argument_fails_with_one_line(self, clip):
        bad = {
            "gate": "expected NAME=VIDEO",
            "gate=/no/such/video.mp4": "no such video file",
            f"bad name={clip}": "bad camera name",
            f"gate={__file__}": "not a playable video",
        }
        commands = {  # all at once: each pays Django's start-up
            argument: subprocess.Popen([sys.executable, "manage.py", "fakecamera", "--port", str(free_port()),
                                        argument], cwd=ROOT, env=processes.test_env(), text=True,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for argument in bad
        }
        for argument, command in commands.items():
            out, err = command.communicate(timeout=60)
            assert command.returncode != 0, argument
            assert len(err.strip().splitlines()) == 1, err
            assert bad[argument] in err and "Traceback" not in err

    def test_a_port_in_use_fails_with_one_line(self, camera, clip):
        result = manage("fakecamera", "--port", str(camera.port), f"other={clip}", timeout=30)
        assert result.returncode != 0
        assert result.stderr.strip().splitlines() == [result.stderr.strip()]
        assert "in use" in result.stderr

    def test_it_serves_several_cameras_and_stops_on_sigterm(self, clip, tmp_path):
        still = tmp_path / "still.mp4"
        make_demo_video(still, seconds=1, fps=5, width=320, height=180, still=True)
        process = start_camera(f"a={clip}", f"b={still}")
        try:
            streams = rtsp_streams(f"rtsp://127.0.0.1:{process.port}/b")
            assert (streams[0]["width"], streams[0]["height"]) == (320, 180)
            process.popen.send_signal(signal.SIGTERM)
            assert process.popen.wait(10) == 0
        finally:
            process.stop()

    def test_it_runs_in_process_on_a_free_port(self, clip):
        from apps.devtools.simcam.server import CameraServer

        with CameraServer({"gate": clip}, port=0) as server:
            assert server.port > 0
            assert rtsp_streams(server.url("gate"))[0]["codec_name"] == "h264"
        assert not server.thread.is_alive()
        assert not port_open(server.port)


class TestDemoVideo:
    def test_it_is_h264_with_a_keyframe_every_second_and_no_b_frames(self, clip):
        stream = ffprobe_json("-show_streams", str(clip))["streams"][0]
        assert (stream["codec_name"], stream["width"], stream["height"]) == ("h264", 640, 360)
        assert stream["profile"] in ("Baseline", "Constrained Baseline", "Main")
        assert stream["has_b_frames"] == 0
        assert stream["r_frame_rate"] == f"{CLIP_FPS}/1"
        frames = ffprobe_json("-select_streams", "v", "-show_entries", "frame=key_frame,pts_time",
                              str(clip))["frames"]
        assert len(frames) == CLIP_SECONDS * CLIP_FPS
        assert [float(f["pts_time"]) for f in frames if f["key_frame"]] == [0.0, 1.0, 2.0]

    def test_its_sidecar_lists_each_vehicles_real_plate_and_class_in_view(self, clip):
        from apps.devtools.simcam.demo_video import VEHICLES, plate_format

        shown = {vehicle.plate: vehicle for vehicle in VEHICLES}
        info = json.loads(clip.with_name(clip.name + ".json").read_text())
        assert info["plates"]
        for plate in info["plates"]:
            vehicle = shown[plate["text"]]
            assert (plate["vehicle"], plate["photo"]) == (vehicle.kind, vehicle.photo)
            assert plate["format"] == plate_format(plate["text"]) != "other"
            start, end = plate["in_view"]
            stop_start, stop_end = plate["stopped"]
            assert 0 <= start < stop_start < stop_end < end <= CLIP_SECONDS, plate

    def test_the_default_video_shows_every_photographed_vehicle_once(self):
        # The schedule only: the default length, without encoding its frames.
        from apps.devtools.simcam.demo_video import SECONDS_PER_VEHICLE, VEHICLES, schedule

        passages = schedule(SECONDS_PER_VEHICLE * len(VEHICLES))
        assert [passage.vehicle for passage in passages] == VEHICLES
        assert {"car", "truck"} <= {passage.kind for passage in passages}
        for before, after in zip(passages, passages[1:]):
            assert before.gone < after.enter  # one vehicle at a time

    def test_every_photo_is_in_the_repository_with_its_source_and_plate_noted(self):
        from apps.devtools.simcam.demo_video import PHOTO_DIR, VEHICLES

        notes = (PHOTO_DIR / "README.md").read_text()
        assert "openalpr/benchmarks" in notes and "AGPL-3.0" in notes
        for vehicle in VEHICLES:
            assert (PHOTO_DIR / vehicle.photo).is_file()
            assert f"| `{vehicle.photo}` | {vehicle.plate} | {vehicle.kind} " in notes
        assert (PHOTO_DIR / "background.jpg").is_file()

    def test_the_same_arguments_give_the_same_video(self, tmp_path):
        first = make_demo_video(tmp_path / "a.mp4", seconds=1, fps=5, width=320, height=180)
        second = make_demo_video(tmp_path / "b.mp4", seconds=1, fps=5, width=320, height=180)
        assert first == second
        assert (tmp_path / "a.mp4").read_bytes() == (tmp_path / "b.mp4").read_bytes()

    def test_a_still_video_never_changes(self, tmp_path):
        path = tmp_path / "still.mp4"
        info = make_demo_video(path, seconds=2, fps=5, width=320, height=180, still=True)
        assert info["still"] and len(info["plates"]) == 1
        hashes = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "framemd5", "-"],
                                capture_output=True, text=True, check=True).stdout
        frames = [line.rsplit(",", 1)[1].strip() for line in hashes.splitlines() if not line.startswith("#")]
        assert len(frames) == 10 and len(set(frames)) == 1


def test_a_runs_passages_are_weighed_against_the_demos_real_passes():
    from apps.devtools.bench.harness import passage_figures
    from apps.devtools.simcam.demo_video import PLATES, SECONDS_PER_VEHICLE

    rows = [[PLATES[0], "car", True], [PLATES[1], "truck", True], ["XXX1234", "car", True], ["", "", True]]
    figures = passage_figures(rows, cameras=2, seconds=2 * SECONDS_PER_VEHICLE)  # four real passes
    assert (figures["passages"], figures["real_passes"], figures["per_pass"]) == (4, 4, 1.0)
    assert (figures["junk"], figures["unread"], figures["class_present"]) == (0.25, 1, 0.75)
    assert "per_pass=1.00 junk=0.250" in figures["line"]
