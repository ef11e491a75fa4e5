"""Boxes and labels drawn on a copy of a photo or frame."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def annotate(bgr: np.ndarray, boxes, labels: Sequence[str], confidences: Sequence[float]) -> np.ndarray:
    """A copy of `bgr` with a box and "label 0.87" over each face."""
    import cv2

    out = bgr.copy()
    thickness = max(1, round(max(out.shape[:2]) / 400))
    for (x, y, w, h), label, conf in zip(np.asarray(boxes).reshape(-1, 4), labels, confidences):
        cv2.rectangle(out, (int(x), int(y)), (int(x + w), int(y + h)), (0, 200, 0), thickness)
        text = f"{label} {conf:.2f}"
        scale = max(0.4, w / 180)
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        top = max(int(y) - th - base - 2, 0)
        cv2.rectangle(out, (int(x), top), (int(x) + tw + 2, top + th + base + 2), (0, 200, 0), -1)
        cv2.putText(out, text, (int(x) + 1, top + th + 1), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness,
                    cv2.LINE_AA)
    return out


