"""Label placement: text boxes on a figure that never cover one another.

A :class:`LabelPlacer` keeps the window extents (display pixels) of what is
already on a figure: labels it placed, and obstacles such as tick labels,
markers or a path.  Each new label is tried at a list of candidate offsets
from its anchor, in order, and put at the first whose rendered box
(``Text.get_window_extent`` with the figure's renderer, widened by the text's
bbox patch) overlaps no placed label and stays inside the allowed area; among
those, one clear of the soft obstacles (markers, paths) is preferred.  A label
with no clear place is left out (or, when required, put where it covers only
soft obstacles).  The result depends only on the order of the calls: the same
figure always gets the same layout.
"""

import numpy as np
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

__all__ = ["LabelPlacer", "ring_offsets", "beside_offsets", "text_box"]


def text_box(text, renderer, pad_px=1.0):
    """The window extent of ``text`` (a matplotlib Text), its bbox patch included, padded."""
    if isinstance(text, Annotation):
        text.update_positions(renderer)
    box = Text.get_window_extent(text, renderer)  # the text alone (an Annotation's arrow left out)
    patch = text.get_bbox_patch()
    if patch is not None:
        text.update_bbox_position_size(renderer)
        box = Bbox.union([box, patch.get_window_extent(renderer)])
    return box.padded(pad_px)


def ring_offsets(direction_rad=None, radii_pt=(30, 44, 60, 80)):
    """Candidate offsets (points) around an anchor: rings of 12 directions at
    each radius, starting with ``direction_rad`` (display angle) and turning
    away from it both ways."""
    start = 0.0 if direction_rad is None else direction_rad
    turns = [0, 30, -30, 60, -60, 90, -90, 120, -120, 150, -150, 180]
    return [
        (r * np.cos(start + np.radians(a)), r * np.sin(start + np.radians(a)))
        for r in radii_pt
        for a in turns
    ]


def beside_offsets(gap_pt=4.0):
    """Candidate offsets for a small label beside its dot: the four diagonals,
    then above, below, right and left, then the same further out."""
    g = gap_pt
    near = [(g, g), (-g, -g), (g, -g), (-g, g), (0, 1.5 * g), (0, -1.5 * g), (1.5 * g, 0), (-1.5 * g, 0)]
    return near + [(3 * x, 3 * y) for x, y in near]


#: Where a required label is tried when none of its own offsets is clear.
_FAR = ring_offsets(None, (100, 125, 150, 180, 220, 260))


class LabelPlacer:
    """Places labels on ``ax``'s figure, clear of each other and of obstacles.

    ``inside(box)`` (optional) says whether a box is in the allowed area (by
    default: inside the figure).  Obstacles are added with :meth:`block`
    (hard: a label may never overlap them, like tick labels) or
    :meth:`avoid` (soft: avoided when possible, like markers and paths).
    """

    def __init__(self, ax, inside=None):
        self.ax = ax
        self.figure = ax.figure
        self.renderer = self.figure.canvas.get_renderer()
        frame = self.figure.bbox
        self.inside = inside or (
            lambda b: frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
        )
        self.placed = []  # boxes of labels and hard obstacles
        self.soft = []  # boxes of soft obstacles
        self.soft_points = np.empty((0, 2))  # display points of soft obstacles (paths)

    def block(self, artists):
        """Texts (tick labels, titles) no label may overlap."""
        for a in artists:
            if a.get_visible() and a.get_text():
                self.placed.append(text_box(a, self.renderer))

    def avoid_points(self, xy, size_pt=0.0, transform=None):
        """Data points (``(n, 2)``) labels should keep off; with ``size_pt``
        each is a square of that size (a marker)."""
        transform = transform or self.ax.transData
        pts = transform.transform(np.asarray(xy, float).reshape(-1, 2))
        pts = pts[np.isfinite(pts).all(axis=1)]
        if size_pt:
            half = size_pt * self.figure.dpi / 72.0 / 2.0
            self.soft += [Bbox([[x - half, y - half], [x + half, y + half]]) for x, y in pts]
        else:
            self.soft_points = np.vstack([self.soft_points, pts])

    def _clear(self, box):
        return self.inside(box) and not any(box.overlaps(b) for b in self.placed)

    def _soft_hits(self, box):
        hits = sum(box.overlaps(b) for b in self.soft)
        if len(self.soft_points):
            hits += int(box.count_contains(self.soft_points))
        return hits

    def place(self, text, offsets, required=False):
        """Move ``text`` (an Annotation with ``textcoords="offset points"``) to
        the first of ``offsets`` where it is clear; returns True when placed.
        Unplaced labels are hidden unless ``required`` (then the clear place
        covering the fewest soft obstacles is taken, or, with none clear, the
        first offset)."""
        best = None
        for dx, dy in offsets:
            self._move(text, dx, dy)
            box = text_box(text, self.renderer, 2.0)
            if not self._clear(box):
                continue
            hits = self._soft_hits(box)
            if hits == 0:
                self.placed.append(box)
                return True
            if best is None or hits < best[0]:
                best = (hits, dx, dy, box)
        if best is not None and required:
            _, dx, dy, box = best
            self._move(text, dx, dy)
            self.placed.append(box)
            return True
        if required and offsets is not _FAR:  # nowhere near: look further out
            return self.place(text, _FAR, True)
        text.set_visible(False)
        return False

    @staticmethod
    def _move(text, dx, dy):
        text.xyann = (dx, dy)
        text.set_horizontalalignment("left" if dx > 0.5 else "right" if dx < -0.5 else "center")
        text.set_verticalalignment("bottom" if dy > 0.5 else "top" if dy < -0.5 else "center")
