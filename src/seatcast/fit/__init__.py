"""Learned from earlier elections: frozen night tables (``night_tables``) and their refit (``night_calibration``)."""
