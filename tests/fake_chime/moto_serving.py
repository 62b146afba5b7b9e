# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""moto in server mode behind a gate of the fakes' own, on loopback, in a background thread: how the fake S3 and
the fake Security Hub serve (see s3.py and securityhub.py)."""

import threading


class MotoServer:
    """moto's dispatcher as ``gate.app``, served with ``gate`` (a WSGI layer that checks, logs and passes requests
    on to ``gate.app``) in front, on ``host`` and ``port`` (0: a free one), in a daemon thread named ``name``."""

    def __init__(self, gate, host, port, name):
        self.gate, self.host, self.port, self.name = gate, host, port, name
        self._server = self._thread = None

    def start(self):
        """Serve; returns the URL."""
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from moto.moto_server.werkzeug_app import create_backend_app
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args, **kwargs):
                pass  # the gate's log is the record; stderr stays quiet

        self.gate.app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(self.host, self.port, self.gate, threaded=True, request_handler=QuietHandler)
        self._server.daemon_threads = True
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.name, daemon=True
        )
        self._thread.start()
        return f"http://{self.host}:{self.port}"

    def stop(self):
        """Stop serving and close the socket (again: nothing)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None
