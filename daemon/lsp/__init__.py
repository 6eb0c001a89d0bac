"""The cinefile language server: any LSP editor becomes a film studio.

`server.py` holds the state (the index, and the open buffers laid over it, in `model.py`);
each capability lives in its own module and registers its handlers from `features.py`.
"""
