"""The stand-in's HTTP servers (API, HLS, playback): a viewer that goes away mid-answer is normal, not an error.

A browser leaving a live page, seeking, or hls.js dropping a request closes the connection while a segment or
clip is still being written; socketserver would print each of those as a traceback."""

import logging
import sys
from http.server import ThreadingHTTPServer

log = logging.getLogger("standin.http")

CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class StandInHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], CLIENT_GONE):
            log.debug("%s went away before the answer was written", client_address[0])
            return
        super().handle_error(request, client_address)
