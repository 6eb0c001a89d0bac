"""`$/cancelRequest` for a command stops the command.

pygls 2 runs `workspace/executeCommand` as a request that starts the command's handler as a
second, inner task; a `$/cancelRequest` cancels only the outer one, so the editor hears
"cancelled" while the work (a paid generation, say) goes on. This protocol links the two: when
the outer request is cancelled, so is the handler's task, which the handlers turn into their
own cancellation (see `progress.Work`). It leans on two names inside pygls, `_run_generator`
and `_request_futures`; tests/lsp/test_generation.py fails if they change.
"""

from __future__ import annotations

from pygls.protocol import LanguageServerProtocol


class CommandCancellingProtocol(LanguageServerProtocol):
    def _run_generator(self, future, *, gen, result_future):
        running = set(self._request_futures)
        super()._run_generator(future, gen=gen, result_future=result_future)
        for key in set(self._request_futures) - running:  # the handler task it just started
            inner = self._request_futures[key]
            if inner is not result_future:
                result_future.add_done_callback(lambda outer, inner=inner: inner.cancel() if outer.cancelled() else None)
