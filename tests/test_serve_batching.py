"""keras_fer.serve.batching: concurrent requests share model calls, each gets its own rows back."""

import asyncio
import threading

import numpy as np
import pytest

from keras_fer.serve.batching import Busy, DynamicBatcher


class Model:
    """Answers each crop with a row holding the crop's first pixel; records each call's size."""

    def __init__(self, gate=None, fail=False):
        self.calls, self.gate, self.fail = [], gate, fail

    def __call__(self, x):
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail:
            raise RuntimeError("the model broke")
        self.calls.append(len(x))
        return np.repeat(x[:, :1, 0, 0].astype(np.float32), 7, axis=1)


def crops(*values):
    return np.stack([np.full((48, 48, 1), v, np.uint8) for v in values])


def test_concurrent_requests_share_calls_and_get_their_own_rows():
    model = Model()

    async def main():
        async with DynamicBatcher(model, max_batch=64, window=0.05) as batcher:
            requests = [crops(*range(10 * i, 10 * i + i + 1)) for i in range(8)]  # 1..8 faces each
            results = await asyncio.gather(*(batcher.classify(r) for r in requests))
            return requests, results, batcher.stats()

    requests, results, stats = asyncio.run(main())
    for request, result in zip(requests, results):
        assert result.shape == (len(request), 7)
        np.testing.assert_array_equal(result[:, 0], request[:, 0, 0, 0])
    assert sum(model.calls) == 36 and len(model.calls) < 8
    assert stats["requests"] == 8 and stats["faces"] == 36 and stats["faces_per_call"] > 4.5


def test_max_batch_bounds_a_call_and_window_zero_waits_for_nobody():
    model = Model()

    async def main():
        async with DynamicBatcher(model, max_batch=4, window=0.05) as batcher:
            await asyncio.gather(*(batcher.classify(crops(i, i)) for i in range(6)))
        async with DynamicBatcher(model, max_batch=64, window=0.0) as batcher:
            for i in range(3):  # one after another: nobody to wait for
                await batcher.classify(crops(i))

    asyncio.run(main())
    assert max(model.calls[:-3]) <= 4 and sum(model.calls[:-3]) == 12
    assert model.calls[-3:] == [1, 1, 1]


def test_a_full_queue_answers_busy_and_a_broken_model_reaches_every_waiter():
    gate = threading.Event()
    model = Model(gate=gate)

    async def main():
        async with DynamicBatcher(model, max_batch=1, window=0.0, max_waiting=2) as batcher:
            first = asyncio.ensure_future(batcher.classify(crops(1)))  # taken by the worker, blocked in the model
            await asyncio.sleep(0.05)
            waiting = [asyncio.ensure_future(batcher.classify(crops(v))) for v in (2, 3)]
            await asyncio.sleep(0.01)
            with pytest.raises(Busy, match="2 requests are waiting"):
                await batcher.classify(crops(4))
            gate.set()
            return [float(r[0, 0]) for r in await asyncio.gather(first, *waiting)]

    assert asyncio.run(main()) == [1.0, 2.0, 3.0]

    async def broken():
        async with DynamicBatcher(Model(fail=True), window=0.05) as batcher:
            return await asyncio.gather(*(batcher.classify(crops(i)) for i in range(3)), return_exceptions=True)

    errors = asyncio.run(broken())
    assert all(isinstance(e, RuntimeError) and "broke" in str(e) for e in errors)


def test_stop_answers_those_still_waiting():
    gate = threading.Event()

    async def main():
        batcher = DynamicBatcher(Model(gate=gate), max_batch=1, window=0.0)
        await batcher.start()
        first = asyncio.ensure_future(batcher.classify(crops(1)))
        await asyncio.sleep(0.05)
        second = asyncio.ensure_future(batcher.classify(crops(2)))
        await asyncio.sleep(0.01)
        threading.Timer(0.1, gate.set).start()  # the model call in flight ends; stop waits for it
        await batcher.stop()
        return await asyncio.gather(first, second, return_exceptions=True)

    results = asyncio.run(main())
    assert all(isinstance(r, Busy) for r in results)
