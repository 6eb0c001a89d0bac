"""Generation's machinery: story text, stills, video and audio for blocks, from OpenRouter,
Replicate or a free offline mock. Front ends go through the project API (`Generation` in
`cinefile/daemon/api/generation.py`), which calls this and holds the rules.

- `plan.py` plans a job (model, provider, prompt, cost estimate, cache key) without calling a
  generation API; `runner.py` runs planned jobs, one or in waves, with progress and cancel,
  and hands each result to the API's `apply` hook: it writes no block file itself.
- `writeback.py` turns a result and the block's current text into a FileChange (text into the
  body with `generated` recorded, or media linked); a person's own text is never replaced
  unless asked (the rule: `format/own_text.py`).
- `catalog.py` (the models), `costs.py` (prices and estimates), `ledger.py` (what was spent),
  `cache.py` (never paying twice), `assets.py` (media stored by hash), `keys.py` (API keys,
  env first, then an editor's session keys), `without_keys.py` (what is said when a key is
  missing), `settings.py` (cinefile.toml), `providers/`.

Kinds without a key run on the mock provider; `mock=True` forces it for all.
"""

from .errors import Cancelled, GenerationError
from .keys import Keys, find_keys
from .runner import BatchResult, Generator, Outcome, run_batch

__all__ = ["BatchResult", "Cancelled", "GenerationError", "Keys", "find_keys", "Generator", "Outcome", "run_batch"]
