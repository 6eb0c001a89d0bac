"""Generation: story text, stills, video and audio for blocks, from OpenRouter, Replicate or a mock.

The API the CLI and the language server use:

    from cinefile.daemon.generate import generate_block, estimate, approve, find_keys

    keys = find_keys(session={"openrouter": key_from_editor})   # env first, then session keys
    job = estimate(project, index, "scene-1", kind="text")       # plan only: job.prompt, job.model,
                                                                 # job.estimate (USD), job.provider
    outcome = generate_block(project, index, "scene-1", kind="text", mode=None, keys=keys,
                             cancel=threading.Event(), progress=lambda stage: ...)
    outcome.status   # "done", "cached", "failed" or "cancelled"; outcome.message says why
    approve(project, index, "shot-1a")                           # approve its newest still

- `kind` is text, image, video or audio; `mode` is None (the block's `mode:` or cinefile.toml's),
  "draft" or "final".
- `generate_block` raises GenerationError (a UserError: one line for the user) when the request
  itself is wrong (unknown block, kind not for this type, no approved still for a video, ...).
  Failures while running (refused key, no credit, timeout, bad answer) come back as an
  Outcome with status "failed", and leave the block file untouched.
- Setting `cancel` aborts: remote predictions are cancelled, nothing is written.
- `progress(stage)` is told "running", "submitted", "polling", "streaming", "downloading", "cached".
- Kinds without a key run on the mock provider; `mock=True` forces it for all.

For batches: `Generator` and `run_batch` in `runner.py`.
"""

from .errors import Cancelled, GenerationError
from .keys import Keys, find_keys
from .runner import Generator, Outcome, estimate, generate_block, run_batch
from .writeback import approve

__all__ = ["Cancelled", "GenerationError", "Keys", "find_keys", "Generator", "Outcome", "estimate", "generate_block",
           "run_batch", "approve"]
