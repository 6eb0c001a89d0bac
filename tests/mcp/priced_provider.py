"""OpenRouter for the MCP tests, run as a process of its own (`python priced_provider.py`
prints its port): its model list has one priced text model, so a plan has a real estimate;
every generation is refused as a bad key, quoting the key it was sent, so the tests can check
that no key ever comes back out. No test reaches a real provider."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SEEN_PATH = "/__seen__"
PRICED_MODEL = {"id": "fake/priced-writer", "name": "Priced writer", "context_length": 100000,
                "pricing": {"prompt": "0.00001", "completion": "0.00004"}}


class PricedProvider(BaseHTTPRequestHandler):
    seen: list[str] = []  # the Authorization headers of generation calls

    def do_GET(self) -> None:
        if self.path == SEEN_PATH:
            self._reply(200, self.seen)
        elif self.path.split("?")[0].endswith("/models"):
            self._reply(200, {"data": [PRICED_MODEL]})
        else:
            self._reply(404, {"error": {"message": "Not Found", "code": 404}})

    def do_POST(self) -> None:
        key = self.headers.get("Authorization", "")
        self.seen.append(key)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._reply(401, {"error": {"message": f"invalid key: {key}", "code": 401}})

    def _reply(self, status: int, data) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    provider = ThreadingHTTPServer(("127.0.0.1", 0), PricedProvider)
    print(provider.server_address[1], flush=True)
    provider.serve_forever()
