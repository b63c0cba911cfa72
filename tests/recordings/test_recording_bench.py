"""recording_bench refuses what it cannot measure with one line, before starting anything."""

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize("options, message", [({"cameras": 0}, "--cameras at least 1"),
                                              ({"minutes": 0.1}, "--minutes at least 0.6")])
def test_bad_arguments_are_refused_in_one_line(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("recording_bench", **options)


def test_without_mediamtx_it_says_the_stand_in_does_not_record(settings):
    settings.MEDIAMTX_BIN = ""
    with pytest.raises(CommandError, match="the stand-in does not record"):
        call_command("recording_bench", cameras=1, minutes=1)
