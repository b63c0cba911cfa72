"""recording_bench refuses what it cannot measure with one line, before starting anything; it measures the stand-in
where there is no MediaMTX (the stand-in records too)."""

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize("options, message", [({"cameras": 0}, "--cameras at least 1"),
                                              ({"minutes": 0.1}, "--minutes at least 0.6")])
def test_bad_arguments_are_refused_in_one_line(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("recording_bench", **options)


def test_without_mediamtx_it_measures_the_stand_in_which_records_too(settings):
    from apps.devtools.management.commands.recording_bench import media_server_command

    ports = {name: 40000 + i for i, name in enumerate(("api", "rtsp", "hls", "webrtc", "webrtc_tcp", "playback"))}
    settings.MEDIAMTX_BIN = ""
    server, argv = media_server_command(ports)
    assert server == "standin" and argv[argv.index("--server") + 1] == "standin"
    assert argv[argv.index("--playback-port") + 1] == "40005" and "--webrtc-port" not in argv
    settings.MEDIAMTX_BIN = "/usr/local/bin/mediamtx"
    server, argv = media_server_command(ports)
    assert server == "mediamtx" and "--webrtc-port" in argv
