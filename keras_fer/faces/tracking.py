"""Faces followed across the frames of a video: each box gets the track id of the box it overlaps most
in the last frames (IoU), or a new id."""

from __future__ import annotations

import numpy as np


def iou(a, b) -> float:
    """Intersection over union of two `(x, y, w, h)` boxes.

    Example:
        >>> iou((0, 0, 10, 10), (5, 0, 10, 10))
        0.3333333333333333
    """
    ax, ay, aw, ah = (float(v) for v in a)
    bx, by, bw, bh = (float(v) for v in b)
    w = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = w * h
    return inter / (aw * ah + bw * bh - inter) if inter else 0.0


class IouTracker:
    """Gives each face box of successive frames a track id: 1, 2, ...

    A box continues the track whose last box (seen within `max_gap` frames) it overlaps most, with IoU
    at least `min_iou`; each track takes at most one box per frame (greedy, best overlaps first).

    Args:
        min_iou: the least overlap that continues a track.
        max_gap: frames a track may go unseen (the face turned away, a missed detection) and continue.

    Example:
        >>> t = IouTracker()
        >>> t.update(0, [(0, 0, 50, 50), (100, 0, 50, 50)]), t.update(1, [(104, 2, 50, 50), (2, 1, 50, 50)])
        ([1, 2], [2, 1])
    """

    def __init__(self, min_iou: float = 0.3, max_gap: int = 10):
        self.min_iou, self.max_gap = min_iou, max_gap
        self.tracks: dict = {}  # id -> (last frame, last box)
        self.next_id = 1

    def update(self, frame: int, boxes) -> list:
        """The track ids of `boxes` (`[N, 4]` x, y, w, h) found in `frame`."""
        boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
        live = {k: v for k, v in self.tracks.items() if frame - v[0] <= self.max_gap}
        pairs = sorted(((iou(box, last), i, k) for i, box in enumerate(boxes) for k, (_, last) in live.items()),
                       reverse=True)
        ids, used = [None] * len(boxes), set()
        for overlap, i, k in pairs:
            if overlap < self.min_iou:
                break
            if ids[i] is None and k not in used:
                ids[i] = k
                used.add(k)
        for i, box in enumerate(boxes):
            if ids[i] is None:
                ids[i], self.next_id = self.next_id, self.next_id + 1
            self.tracks[ids[i]] = (frame, tuple(box))
        self.tracks = {k: v for k, v in self.tracks.items() if frame - v[0] <= self.max_gap}
        return ids
