"""``python -m seatcast``: the same as the ``seatcast`` command."""

from seatcast.cli import main

main()
