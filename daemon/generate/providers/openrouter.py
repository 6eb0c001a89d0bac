"""OpenRouter: chat completions for text, and the model list with prices.

The answer is streamed (server-sent events) so that an abort stops it at once; comment lines
are skipped, the last data message carries `usage` (with `cost`), and `[DONE]` ends it. An
error after the answer started arrives as an event with `error` and HTTP 200.
"""

from __future__ import annotations

import json
import os
import threading

import httpx

from ..errors import Cancelled
from ..http import Api, ApiError, Clock
from ..keys import Secret
from .base import GenRequest, GenResult, RunContext

BASE_URL = "https://openrouter.ai/api/v1"
CHAT_TIMEOUT = httpx.Timeout(120.0, connect=5.0)
ATTRIBUTION = {"HTTP-Referer": "https://github.com/cinefile/cinefile", "X-Title": "cinefile"}


def base_url() -> str:
    return os.environ.get("OPENROUTER_BASE_URL", BASE_URL).rstrip("/")


def _model_error(model: str):
    def on_status(status: int, detail: str) -> str | None:
        if status in (400, 404) and "model" in detail.lower():
            return f"OpenRouter: model `{model}` does not exist ({detail}): pick one from `cinefile models --kind text`"
        return None

    return on_status


class OpenRouter:
    name = "openrouter"

    def __init__(self, key: Secret | None, *, clock: Clock | None = None, cancel: threading.Event | None = None) -> None:
        self.api = Api("OpenRouter", base_url(), key, "OPENROUTER_API_KEY", clock or Clock(), cancel or threading.Event())

    def close(self) -> None:
        self.api.close()

    def models(self) -> list[dict]:
        """Every text model with its pricing (strings, USD per token), as `/models` lists them."""
        response = self.api.request("GET", "/models")
        body = self.api.json_of(response)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise self.api.malformed("no `data` list in /models")
        return [m for m in data if isinstance(m, dict) and isinstance(m.get("id"), str)]

    def run(self, request: GenRequest, context: RunContext) -> GenResult:
        messages = [{"role": "system", "content": request.params.get("system", "")},
                    {"role": "user", "content": request.prompt}]
        body = {"model": request.model, "messages": messages, "stream": True, "seed": request.seed,
                "max_tokens": request.params.get("max_tokens"), "temperature": request.params.get("temperature")}
        body = {k: v for k, v in body.items() if v is not None}
        response = self.api.request("POST", "/chat/completions", json=body, headers=ATTRIBUTION, timeout=CHAT_TIMEOUT,
                                    stream=True, on_status=_model_error(request.model))
        context.progress("streaming")
        try:
            text, usage, generation_id = self._read_stream(response, context.cancel)
        except httpx.TimeoutException:
            raise ApiError("OpenRouter: network timeout while the answer streamed: try again; nothing was written") from None
        except httpx.TransportError as error:
            raise ApiError(f"OpenRouter: the answer broke off ({type(error).__name__}): try again; nothing was written") from None
        finally:
            response.close()
        if not text.strip():
            raise ApiError("OpenRouter returned an empty answer: try again, or pick another model")
        cost = usage.get("cost") if isinstance(usage, dict) else None
        return GenResult(text=text, cost=float(cost) if isinstance(cost, (int, float)) else 0.0,
                         meta={"generation_id": generation_id, "usage": usage})

    def _read_stream(self, response: httpx.Response, cancel: threading.Event) -> tuple[str, dict, str | None]:
        parts: list[str] = []
        usage: dict = {}
        generation_id = response.headers.get("x-generation-id")
        for line in response.iter_lines():
            if cancel.is_set():
                raise Cancelled()
            if not line or line.startswith(":"):
                continue  # keep-alive comments such as `: OPENROUTER PROCESSING`
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return "".join(parts), usage, generation_id
            try:
                chunk = json.loads(data)
            except ValueError:
                raise self.api.malformed("an event that is not JSON") from None
            if not isinstance(chunk, dict):
                raise self.api.malformed("an event that is not an object")
            error = chunk.get("error")
            if error:
                message = error.get("message") if isinstance(error, dict) else str(error)
                raise ApiError(f"OpenRouter failed while answering ({message}): try again; nothing was written")
            generation_id = generation_id or chunk.get("id")
            if isinstance(chunk.get("usage"), dict):
                usage = chunk["usage"]
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") if isinstance(choice, dict) else None
                content = delta.get("content") if isinstance(delta, dict) else None
                if isinstance(content, str):
                    parts.append(content)
        raise self.api.malformed("the answer ended before [DONE]")

