# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake Amazon Chime endpoint for tests, the demo and the benchmarks. Test infrastructure only."""

from .data import TenantData
from .data import generate
from .data import load
from .faults import FaultRule
from .faults import Faults
from .server import FakeChime

__all__ = ["FakeChime", "FaultRule", "Faults", "TenantData", "generate", "load"]
