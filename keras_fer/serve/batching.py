"""Dynamic batching: face crops sent by concurrent requests are classified together, one model call for
all that arrive within a short window (up to `max_batch` faces), so throughput grows with load.

Example:
    >>> import asyncio, numpy as np
    >>> calls = []
    >>> def classify(x):
    ...     calls.append(len(x))
    ...     return np.tile(np.eye(7)[:1], (len(x), 1))
    >>> async def main():
    ...     async with DynamicBatcher(classify, window=0.05) as batcher:
    ...         return await asyncio.gather(*(batcher.classify(np.zeros((n, 48, 48, 1))) for n in (1, 2, 3)))
    >>> [p.shape for p in asyncio.run(main())], calls
    ([(1, 7), (2, 7), (3, 7)], [6])
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from typing import Callable

import numpy as np

from keras_fer.errors import KerasFerError


class Busy(KerasFerError):
    """More requests wait than the server accepts: answer 503 and ask the client to retry later."""


class DynamicBatcher:
    """Classifies the crops of concurrent requests in shared model calls.

    Args:
        classify: `[N, 48, 48, 1] -> [N, 7]` probabilities (e.g. `EmotionDetector.classify`); runs in one
            worker thread, one call at a time.
        max_batch: the most faces gathered into one call (a single request with more is one call).
        window: seconds the first waiting request waits for others to join its call; 0: only those
            already waiting join.
        max_waiting: requests that may wait for a model call; one more raises `Busy`.
    """

    def __init__(self, classify: Callable, max_batch: int = 64, window: float = 0.005, max_waiting: int = 64):
        self._classify, self.max_batch, self.window, self.max_waiting = classify, max_batch, window, max_waiting
        self._queue = None
        self._worker = None
        self._executor = None
        self.calls = self.faces = self.requests = 0

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.stop()

    async def start(self):
        self._queue = asyncio.Queue()
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="keras-fer-model")
        self._worker = asyncio.get_running_loop().create_task(self._run())

    async def stop(self):
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass
            self._worker = None
        while self._queue is not None and not self._queue.empty():
            _fail([self._queue.get_nowait()[1]], Busy("the server is shutting down"))
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    async def classify(self, crops: np.ndarray) -> np.ndarray:
        """The probabilities `[N, 7]` of `crops` (`[N, 48, 48, 1]`), computed in a shared call.

        Raises:
            Busy: `max_waiting` requests are already waiting.
        """
        if self._worker is None:
            raise RuntimeError("DynamicBatcher.start() was not called")
        if self._queue.qsize() >= self.max_waiting:
            raise Busy(f"{self._queue.qsize()} requests are waiting for the model; try again shortly")
        future = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((np.asarray(crops), future))
        return await future

    def stats(self) -> dict:
        """Model calls, requests and faces so far, and faces per call."""
        return {"model_calls": self.calls, "requests": self.requests, "faces": self.faces,
                "faces_per_call": round(self.faces / self.calls, 2) if self.calls else 0.0,
                "waiting": self._queue.qsize() if self._queue is not None else 0}

    async def _gather(self):
        batch = [await self._queue.get()]
        count = len(batch[0][0])
        deadline = time.monotonic() + self.window
        while count < self.max_batch:
            if not self._queue.empty():
                item = self._queue.get_nowait()
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    item = await asyncio.wait_for(self._queue.get(), left)
                except asyncio.TimeoutError:
                    break
            batch.append(item)
            count += len(item[0])
        return batch

    async def _run(self):
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._gather()
            futures = [f for _, f in batch]
            try:
                x = np.concatenate([c for c, _ in batch])
                probs = await loop.run_in_executor(self._executor, self._classify, x)
            except asyncio.CancelledError:
                _fail(futures, Busy("the server is shutting down"))
                raise
            except Exception as err:  # the model failed: every waiting request hears it
                _fail(futures, err)
                continue
            self.calls += 1
            self.requests += len(batch)
            self.faces += len(x)
            start = 0
            for crops, future in batch:
                if not future.done():  # a client that went away has a cancelled future
                    future.set_result(probs[start:start + len(crops)])
                start += len(crops)


def _fail(futures, error: BaseException) -> None:
    """`error` for each of `futures` still waiting (a client that went away has a cancelled one)."""
    for future in futures:
        if not future.done():
            future.set_exception(error)
