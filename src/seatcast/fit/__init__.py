"""Learning from history: everything that runs backtests on earlier elections to choose parameters.

=====================  ========================================================================
``fitted``             :class:`~seatcast.fit.fitted.FittedModel`, a fit as a frozen, stored value
``registry``           :func:`~seatcast.fit.registry.load_or_fit`: the stored fit, or fit and store
``covariate``          the covariate model's mechanisms and ridge regressions on earlier pairs
``ablation``           the covariate model refitted without one feature group at a time
``error_model``        the forecast error model, estimated on earlier elections' backtests
``byelections``        what the by-elections of a parliament say about the next general election
``night_tables``       election night's frozen tables (interval factors, trusted groups, trust), rebuilt
                       by :mod:`seatcast.diagnostics.night_calibration`
=====================  ========================================================================

This layer sits above ``backtest`` (it runs backtests) and below ``simulate``, ``scenarios``
and ``night``, which take its fitted values as inputs; ``api`` decides when to load or fit.
"""
