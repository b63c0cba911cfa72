"""Small figures shared by the metrics store and the benchmarks."""


def percentile(values, fraction, empty=0.0):
    """The value below which `fraction` (0–1) of `values` lie (nearest rank); `empty` when there are none."""
    if not values:
        return empty
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]
