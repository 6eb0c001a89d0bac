"""The OpenRouter half of the fake (see fake_apis.py): /models and chat completions, with the
vendor's error bodies and status codes.

Strict where the real service is: a model id it does not list is refused (400 "not a valid
model ID"; 404 "No endpoints found" with `error.metadata` for one that was removed), `:free`
models are limited per minute and per day account-wide (the documented 429 bodies), an answer
longer than `max_tokens` is cut off with `finish_reason: "length"`, and a reasoning model may
answer with `reasoning` only."""

from __future__ import annotations

import json
import math
import time

import httpx
from fake_common import OPENROUTER_KEY, Reply, _json_body

TEXT_MODELS = [
    {"id": "meta-llama/llama-3.2-3b-instruct:free", "canonical_slug": "meta-llama/llama-3.2-3b-instruct",
     "name": "Meta: Llama 3.2 3B Instruct (free)", "created": 1727222400, "context_length": 131072,
     "architecture": {"modality": "text->text", "input_modalities": ["text"], "output_modalities": ["text"]},
     "pricing": {"prompt": "0", "completion": "0", "request": "0", "image": "0"},
     "supported_parameters": ["max_tokens", "temperature", "top_p", "stop"]},
    {"id": "cheap/tiny-model", "pricing": {"prompt": "0.0000001", "completion": "0.0000002"}},
    {"id": "openai/gpt-4o-mini", "name": "OpenAI: GPT-4o-mini", "context_length": 128000,
     "pricing": {"prompt": "0.00000015", "completion": "0.0000006", "input_cache_read": "0.000000075"}},
    {"id": "anthropic/claude-sonnet-4.5", "pricing": {"prompt": "0.000003", "completion": "0.000015"}},
    {"id": "openrouter/auto", "pricing": {"prompt": "-1", "completion": "-1"}},
    {"id": "google/image-maker", "architecture": {"output_modalities": ["image"]},
     "pricing": {"prompt": "0.0000001", "completion": "0.0000001"}},
]



FREE_PER_MIN, FREE_PER_DAY = 20, 50  # without credits bought


def or_error(status: int, message: str, **extra) -> Reply:
    return Reply(status, {"error": {"message": message, "code": status, **extra}, "user_id": "user_123"})



class FakeOpenRouter:
    """State and routes of the fake OpenRouter; FakeAPIs mixes it in."""

    def init_openrouter(self) -> None:
        self.answer = "Rain on the deck.\n\nMARA\nNot tonight."
        self.usage_cost = 0.00002415
        self.mid_stream_error = False
        self.removed_models: set[str] = set()  # listed once, no endpoints now: 404
        self.answer_tokens: int | None = None  # how long the answer is; cut off above max_tokens
        self.reasoning_only = False  # a reasoning model that spends its answer thinking
        self.free_per_min, self.free_per_day = FREE_PER_MIN, FREE_PER_DAY
        self.free_calls: list[float] = []  # when each `:free` request was served, by `now()`
        self.now = time.monotonic  # tests give the fake clock's

    def openrouter(self, request: httpx.Request) -> Reply | httpx.Response:
        path = request.url.path
        if path == "/api/v1/models" and request.method == "GET":
            queued = self._queued("models")
            if queued:
                return queued
            wanted = request.url.params.get("output_modalities", "text").split(",")
            data = [m for m in TEXT_MODELS
                    if "all" in wanted or set(wanted) & set(m.get("architecture", {}).get("output_modalities", ["text"]))]
            return Reply(200, {"data": data})
        if path == "/api/v1/chat/completions" and request.method == "POST":
            auth = request.headers.get("authorization")
            if not auth:
                return or_error(401, "No auth credentials found")
            if auth != f"Bearer {OPENROUTER_KEY}":
                return or_error(401, "User not found.")
            queued = self._queued("chat")
            if queued:
                return queued
            body = _json_body(request)
            if body is None:
                return or_error(400, "Invalid JSON body")
            self.bodies.append(body)
            if not body.get("messages"):
                return or_error(400, "messages: Required")
            model = body.get("model")
            if model in self.removed_models:
                return or_error(404, f"No endpoints found for {model}.", metadata={"model": model})
            if model not in {m["id"] for m in TEXT_MODELS}:
                return or_error(400, f"{model} is not a valid model ID")
            limited = self.free_limit(model)
            if limited:
                return limited
            return self.chat(body)
        return or_error(404, "Not Found")

    def free_limit(self, model: str) -> Reply | None:
        """The account-wide limits of `:free` models: N a minute and M a day, as OpenRouter says them."""
        if not model.endswith(":free"):
            return None
        with self.lock:
            now = self.now()
            last_minute = [t for t in self.free_calls if now - t < 60]
            if len(self.free_calls) >= self.free_per_day:
                limit, reset = self.free_per_day, time.time() + 6 * 3600
                message = "Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day"
            elif len(last_minute) >= self.free_per_min:
                limit, reset = self.free_per_min, time.time() + 60 - (now - last_minute[0])
                message = "Rate limit exceeded: free-models-per-min."
            else:
                self.free_calls.append(now)
                return None
        return or_error(429, message, metadata={"headers": {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0",
                                                            "X-RateLimit-Reset": str(math.ceil(reset * 1000))}})

    def chat(self, body: dict) -> Reply | httpx.Response:
        gen_id = f"gen-1764926476-{next(self.ids):020d}"
        usage = {"prompt_tokens": 29, "completion_tokens": 33, "total_tokens": 62, "cost": self.usage_cost, "is_byok": False}
        answer, finish = self.answer, "stop"
        room = body.get("max_tokens")
        if self.answer_tokens is not None and isinstance(room, int) and room < self.answer_tokens:
            answer, finish = answer[: max(1, len(answer) * room // self.answer_tokens)], "length"
        if not body.get("stream"):
            message = {"role": "assistant", "content": None if self.reasoning_only else answer, "refusal": None,
                       "reasoning": answer if self.reasoning_only else None}
            return Reply(200, {"id": gen_id, "provider": "OpenAI", "model": body["model"], "object": "chat.completion",
                               "created": 1764926476, "choices": [{"finish_reason": finish, "index": 0,
                               "message": message}],
                               "usage": usage}, {"x-generation-id": gen_id})
        events = [": OPENROUTER PROCESSING\n\n"]
        field = "reasoning" if self.reasoning_only else "content"
        half = len(answer) // 2
        for piece in (answer[:half], answer[half:]):
            delta = {"role": "assistant", "content": "" if self.reasoning_only else piece} | {field: piece}
            chunk = {"id": gen_id, "object": "chat.completion.chunk", "model": body["model"],
                     "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
            events.append(f"data: {json.dumps(chunk)}\n\n")
            if self.mid_stream_error:
                error = {"id": gen_id, "object": "chat.completion.chunk", "error": {"code": "server_error",
                         "message": "Provider disconnected"}, "choices": [{"index": 0, "delta": {"content": ""},
                         "finish_reason": "error"}]}
                events.append(f"data: {json.dumps(error)}\n\n")
                break
        else:
            events.append(": OPENROUTER PROCESSING\n\n")
            last = {"id": gen_id, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": ""},
                    "finish_reason": finish}], "usage": usage}
            events.append(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n")
        return httpx.Response(200, content="".join(events).encode(),
                              headers={"content-type": "text/event-stream", "x-generation-id": gen_id})
