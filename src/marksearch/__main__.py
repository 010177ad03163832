"""``python -m marksearch`` runs the command line."""

from marksearch.cli import main

main()
