"""The array types the OCR stage passes between its steps."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[Any]  # an image: rows × columns (× BGR channels), uint8
Matrix = npt.NDArray[np.float64]  # a 3×3 homography
