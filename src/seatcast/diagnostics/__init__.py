"""In-sample diagnostics: bounds measured on the very election they score, never forecasts.

=============  ==================================================================================
``ceiling``    the most a share regression on seatcast's seat features could call (fitted to the
               target itself), over the night model's prior and design
=============  ==================================================================================

It sits above ``night`` (it reads the night prior and design) and below ``api``; nothing in
seatcast's forecasts imports it.
"""
