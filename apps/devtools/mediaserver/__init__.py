"""A stand-in for MediaMTX, for development machines and CI where MediaMTX can't be installed.

One process: the v3 control API (subset the project uses), an RTSP relay
(GStreamer's RTSP server) and HLS (FFmpeg fed from the relay). See DESIGN.md,
"The media server", and `python manage.py mediaserver --help`.
"""
