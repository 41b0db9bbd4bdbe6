"""Charts drawn server-side as SVG geometry (the templates render it; no script, no other host)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Geometry of the timeline in SVG user units (the SVG scales to the page width).
LEFT, RIGHT, TOP = 36, 10, 14
TOTAL_HEIGHT, GAP, BARS_HEIGHT, AXIS = 120, 26, 56, 20
STEP = 12  # width of one year, at the least
MIN_PLOT = 600  # a short timeline is spread over this width, so it never renders taller than wide
BAR_GAP = 4  # between a year's bar and the next


@dataclass
class Bar:
    year: int
    x: float
    y: float
    height: float
    count: int


@dataclass
class TimelineChart:
    """The timeline: ``rows`` (one per year, gaps filled) for the table, and the geometry of
    two panels sharing the x axis: partnerships in force at the end of each year (a
    stepped line) and partnerships established that year (bars)."""

    rows: list[dict]
    width: float = 0
    height: float = 0
    bars: list[Bar] = field(default_factory=list)
    line: str = ""
    area: str = ""
    year_ticks: list[tuple[float, int]] = field(default_factory=list)
    max_in_force: int = 0
    max_established: int = 0
    total_top: float = TOP
    total_bottom: float = TOP + TOTAL_HEIGHT
    bars_top: float = TOP + TOTAL_HEIGHT + GAP
    bars_bottom: float = TOP + TOTAL_HEIGHT + GAP + BARS_HEIGHT
    left: float = LEFT
    step: float = STEP
    bar_width: float = STEP - BAR_GAP

    @property
    def left_share(self) -> float:
        """The left margin (the y axis's labels) as a percentage of the chart's width: the axis drawn
        apart from the chart, to stay in view while the years scroll, has the chart's scale."""
        return LEFT / self.width * 100 if self.width else 0

    @property
    def first_year(self) -> int | None:
        return self.rows[0]["year"] if self.rows else None

    @property
    def last(self) -> dict | None:
        return self.rows[-1] if self.rows else None


def timeline_chart(rows: list[dict], until: int | None = None) -> TimelineChart:
    """Geometry for :func:`registry.network.timeline` rows (years without a change are
    added, up to the year ``until`` when given)."""
    if not rows:
        return TimelineChart(rows=[])
    by_year = {row["year"]: row for row in rows}
    filled, in_force = [], 0
    for year in range(rows[0]["year"], max(rows[-1]["year"], until or 0) + 1):
        row = by_year.get(year)
        if row is None:
            row = {"year": year, "established": 0, "sister": 0, "friendship": 0, "ended": 0, "in_force": in_force}
        in_force = row["in_force"]
        filled.append(row)

    chart = TimelineChart(rows=filled)
    # A few years are spread over MIN_PLOT units (wider bars, a label every year), so the
    # chart keeps the home page's proportions instead of scaling a narrow SVG to the width.
    step = chart.step = max(STEP, MIN_PLOT / len(filled))
    chart.bar_width = min(step - BAR_GAP, 3 * (STEP - BAR_GAP))
    label_every = 1 if len(filled) <= 12 else 5 if len(filled) <= 30 else 10
    chart.width = LEFT + len(filled) * step + RIGHT
    chart.height = chart.bars_bottom + AXIS
    chart.max_in_force = max(max(row["in_force"] for row in filled), 1)
    chart.max_established = max(max(row["established"] for row in filled), 1)

    points = []
    for index, row in enumerate(filled):
        x = LEFT + index * step
        y = chart.total_bottom - row["in_force"] / chart.max_in_force * TOTAL_HEIGHT
        points += [f"{x:g},{y:.1f}", f"{x + step:g},{y:.1f}"]
        height = row["established"] / chart.max_established * BARS_HEIGHT
        chart.bars.append(
            Bar(
                row["year"],
                round(x + (step - chart.bar_width) / 2, 1),
                round(chart.bars_bottom - height, 1),
                round(height, 1),
                row["established"],
            )
        )
        if row["year"] % label_every == 0 or index == 0:
            chart.year_ticks.append((round(x + step / 2, 1), row["year"]))
    chart.line = " ".join(points)
    chart.area = f"{LEFT:g},{chart.total_bottom:g} {chart.line} {LEFT + len(filled) * step:g},{chart.total_bottom:g}"
    return chart
