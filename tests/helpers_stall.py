"""The suite's stall meter (bench/stall.py: gaps between a GUI timer's ticks, each with the CPU other processes used
around it) and its one test-only rule: stall bounds judge the uncontended gaps only (a CI machine running something
else is not the app's fault), and when fewer than MIN_CLEAN of the gaps are uncontended the measurement says
nothing and the test is skipped, not failed."""
from __future__ import annotations

import pytest

from bench.stall import StallMeter as _Meter

MIN_CLEAN = 0.3            # the share of uncontended gaps below which a measurement is skipped


class StallMeter(_Meter):
    def skip_if_contended(self) -> None:
        """Skip (not fail) a test whose measurement other processes spoiled: too few gaps were free of them."""
        if self.gaps and len(self.clean) < MIN_CLEAN * len(self.gaps):
            share = sorted(self.others)[len(self.gaps) // 2]
            pytest.skip(f"another process held the CPU ({share:.2f} cores on average) during "
                        f"{len(self.gaps) - len(self.clean)} of {len(self.gaps)} gaps: the stall bound cannot be judged")
