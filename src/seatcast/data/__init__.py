"""Data: the domain records, party codes, loaders, the bundled UK data, polls and the SQLite store.

* :mod:`~seatcast.data.schema`: Election, Constituency, Candidacy (frozen, validated).
* :mod:`~seatcast.data.parties`: party codes, names, colours, lineage.
* :mod:`~seatcast.data.loaders`: House of Commons Library and generic FPTP files.
* :mod:`~seatcast.data.bundled`: what ships in the package and where it came from.
* :mod:`~seatcast.data.store`: the SQLite store (all SQL lives there).
* :mod:`~seatcast.data.frame`: an election as a seats x parties share matrix.
* :mod:`~seatcast.data.polls`: final polls and their averages.
* :mod:`~seatcast.data.hexmaps`: the bundled hex cartograms (the web page and the plots).
* :mod:`~seatcast.data.covariates`, :mod:`~seatcast.data.nominations`,
  :mod:`~seatcast.data.tactical`: seat covariates, nominations and tactical advice (what was
  known before polling day).

``data`` imports nothing of seatcast but :mod:`seatcast.errors` (see docs/architecture.md).
"""
