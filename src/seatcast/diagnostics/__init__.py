"""Diagnostics that run the night or score an election in sample: never called by a forecast.

=====================  ==========================================================================
``ceiling``            the most a share regression on seatcast's seat features could call (fitted
                       to the target itself), over the night model's prior and design
``night_calibration``  replays of earlier nights (rolling origin) that rebuild election night's
                       frozen tables in :mod:`seatcast.fit.night_tables` (run by ``tools/``)
=====================  ==========================================================================

It sits above ``night`` (it replays nights and reads the night prior and design) and below
``api``; nothing in seatcast's forecasts imports it. The night calibration lives here, not in
``fit``, because it learns by replaying whole nights, and ``night`` sits above ``fit``; what it
learns is frozen as data in ``fit/night_tables.py``, which ``night``'s callers read.
"""
