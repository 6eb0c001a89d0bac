"""OpenRouter and Replicate for the HTTP API's servers under test, run as a process of its own
(`python refusing_provider.py` prints its port): a thread in the test process would leave it
threaded, and sync then forks no readers. No test reaches a real provider."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SEEN_PATH = "/__seen__"


class RefusingProvider(BaseHTTPRequestHandler):
    """OpenRouter and Replicate for the servers under test, at their least careful: every call
    is refused as a bad key, quoting the key it was sent. No test reaches a real provider."""

    seen: list[str] = []  # the Authorization headers received

    def _refuse(self) -> None:
        if self.path == SEEN_PATH:  # the tests ask what was sent here (this runs in a process of its own)
            body = json.dumps(self.seen).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        key = self.headers.get("Authorization", "")
        self.seen.append(key)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"error": {"message": f"invalid key: {key}", "code": 401}, "detail": f"bad token {key}"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _refuse

    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    provider = ThreadingHTTPServer(("127.0.0.1", 0), RefusingProvider)
    print(provider.server_address[1], flush=True)
    provider.serve_forever()
