"""OpenRouter: chat completions for text, and the model list with prices.

The answer is streamed (server-sent events) so that an abort stops it at once; comment lines
are skipped, the last data message carries `usage` (with `cost`), and `[DONE]` ends it. An
error after the answer started arrives as an event with `error` and HTTP 200.

An answer whose `finish_reason` is `length` was cut off: it is asked for once more with twice
the room (up to MAX_ANSWER_TOKENS), and never kept as if whole. A reasoning model that gives
only its `reasoning` and no content has not answered. 408, 502 and 503 before the answer
starts cost nothing on OpenRouter, so the chat is retried on them.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field

import httpx

from ..errors import Cancelled
from ..http import Api, ApiError, Clock
from ..keys import Secret
from .base import GenRequest, GenResult, PaidNotStored, RunContext

BASE_URL = "https://openrouter.ai/api/v1"
CHAT_TIMEOUT = httpx.Timeout(120.0, connect=5.0)
ATTRIBUTION = {"HTTP-Referer": "https://github.com/cinefile/cinefile", "X-Title": "cinefile"}
# Statuses OpenRouter does not charge for, before the answer starts: a chat may be sent again.
FREE_TO_RETRY = frozenset({408, 502, 503})
# The most room an answer cut off at `max_tokens` is given when asked again.
MAX_ANSWER_TOKENS = 8000
# The 429 of the free models' account-wide limits ("Rate limit exceeded: free-models-per-day").
FREE_LIMIT_MARK = "free-models-per-"
CREDITS_URL = "https://openrouter.ai/settings/credits"


def base_url() -> str:
    return os.environ.get("OPENROUTER_BASE_URL", BASE_URL).rstrip("/")


def is_free(model: str) -> bool:
    return model.endswith(":free")


class FreeModelsLimited(ApiError):
    """The account's limit on `:free` models is reached: another free model would be refused too."""


@dataclass
class _Answer:
    text: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    usage: dict = field(default_factory=dict)
    generation_id: str | None = None

    @property
    def cost(self) -> float:
        cost = self.usage.get("cost")
        return float(cost) if isinstance(cost, (int, float)) else 0.0


class OpenRouter:
    name = "openrouter"

    def __init__(self, key: Secret | None, *, clock: Clock | None = None, cancel: threading.Event | None = None) -> None:
        self.api = Api("OpenRouter", base_url(), key, "OPENROUTER_API_KEY", clock or Clock(), cancel or threading.Event())
        # What OpenRouter said when the free models' limit was hit in this run, if it was.
        self.free_limit: str | None = None

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
        max_tokens = request.params.get("max_tokens")
        answer = self._ask(request, context, max_tokens)
        cost = answer.cost
        if answer.finish_reason == "length":  # cut off: never kept as if whole
            room = min(max_tokens * 2, MAX_ANSWER_TOKENS) if isinstance(max_tokens, int) else None
            if room is not None and room > max_tokens:
                context.progress(f"the answer was cut off at {max_tokens} tokens: asking again with room for {room}")
                answer = self._ask(request, context, room)
                cost += answer.cost
            if answer.finish_reason == "length":
                raise _paid(answer, cost, f"OpenRouter: `{request.model}`'s answer was cut off at {room or max_tokens} "
                            "tokens (finish_reason length): nothing was written; shorten the block's prompt, or pick "
                            "another model")
        if not answer.text.strip():
            if answer.reasoning.strip():
                raise _paid(answer, cost, f"OpenRouter: `{request.model}` gave only its reasoning and no answer: "
                            "nothing was written; try again, or pick a model that is not a reasoning model")
            raise _paid(answer, cost, "OpenRouter returned an empty answer: try again, or pick another model")
        return GenResult(text=answer.text, cost=cost, meta={"generation_id": answer.generation_id, "usage": answer.usage})

    def _ask(self, request: GenRequest, context: RunContext, max_tokens: int | None) -> _Answer:
        messages = [{"role": "system", "content": request.params.get("system", "")},
                    {"role": "user", "content": request.prompt}]
        body = {"model": request.model, "messages": messages, "stream": True, "seed": request.seed,
                "max_tokens": max_tokens, "temperature": request.params.get("temperature")}
        body = {k: v for k, v in body.items() if v is not None}
        try:
            response = self.api.request("POST", "/chat/completions", json=body, headers=ATTRIBUTION,
                                        timeout=CHAT_TIMEOUT, stream=True, retry_on=FREE_TO_RETRY)
        except ApiError as error:
            raise self._explained(error, request.model) from None
        context.progress("streaming")
        try:
            return self._read_stream(response, context.cancel)
        except httpx.TimeoutException:
            raise ApiError("OpenRouter: network timeout while the answer streamed: try again; nothing was written") from None
        except httpx.TransportError as error:
            raise ApiError(f"OpenRouter: the answer broke off ({type(error).__name__}): try again; nothing was written") from None
        finally:
            response.close()

    def _explained(self, error: ApiError, model: str) -> ApiError:
        """OpenRouter's refusals, said with what to do about each."""
        detail = error.detail
        metadata = _metadata(error.body)
        if error.status == 429 and FREE_LIMIT_MARK in detail and is_free(model):
            self.free_limit = detail
            return FreeModelsLimited(f"OpenRouter: the free models' limit is reached ({detail}): add credits at "
                                     f"{CREDITS_URL}, pick a model that is not `:free`, or wait", 429, detail, error.body)
        if error.status == 403:
            reasons = metadata.get("reasons")
            why = ", ".join(str(r) for r in reasons) if isinstance(reasons, list) and reasons else detail
            flagged = metadata.get("flagged_input")
            excerpt = f' in "{_excerpt(self.api.redact(str(flagged)))}"' if flagged else ""
            return ApiError(f"OpenRouter's moderation refused the prompt ({why}{excerpt}): change the block's text or "
                            "its template in prompts/, or pick another model", 403, detail, error.body)
        if error.status == 402:
            return ApiError(f"OpenRouter: not enough credits ({detail}): add credits at {CREDITS_URL}, or use a free "
                            "draft model (`cinefile models --kind text --draft`) or --mock", 402, detail, error.body)
        if error.status == 404:
            return ApiError(f"OpenRouter: model `{model}` is not available any more ({detail}): pick another from "
                            "`cinefile models --kind text --refresh`", 404, detail, error.body)
        if error.status == 400 and "model" in detail.lower():
            return ApiError(f"OpenRouter: model `{model}` does not exist ({detail}): pick one from "
                            "`cinefile models --kind text`", 400, detail, error.body)
        return error

    def _read_stream(self, response: httpx.Response, cancel: threading.Event) -> _Answer:
        parts: list[str] = []
        thoughts: list[str] = []
        answer = _Answer(generation_id=response.headers.get("x-generation-id"))
        for line in response.iter_lines():
            if cancel.is_set():
                raise Cancelled()
            if not line or line.startswith(":"):
                continue  # keep-alive comments such as `: OPENROUTER PROCESSING`
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                answer.text, answer.reasoning = "".join(parts), "".join(thoughts)
                return answer
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
            answer.generation_id = answer.generation_id or chunk.get("id")
            if isinstance(chunk.get("usage"), dict):
                answer.usage = chunk["usage"]
            for choice in chunk.get("choices") or []:
                if not isinstance(choice, dict):
                    continue
                answer.finish_reason = choice.get("finish_reason") or answer.finish_reason
                delta = choice.get("delta") if isinstance(choice.get("delta"), dict) else {}
                if isinstance(delta.get("content"), str):
                    parts.append(delta["content"])
                if isinstance(delta.get("reasoning"), str):
                    thoughts.append(delta["reasoning"])
        raise self.api.malformed("the answer ended before [DONE]")


def _metadata(body: object) -> dict:
    error = body.get("error") if isinstance(body, dict) else None
    metadata = error.get("metadata") if isinstance(error, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def _excerpt(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _paid(answer: _Answer, cost: float, message: str) -> PaidNotStored:
    """An answer that cannot be kept was still billed: the runner puts its cost in the ledger.
    Nothing can be fetched again (chat answers are not stored by the provider)."""
    error = ApiError(message)
    return PaidNotStored(message, prediction_id=answer.generation_id or "", cost=cost, cause=error, refetchable=False)
