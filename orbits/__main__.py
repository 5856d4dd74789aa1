"""``python -m orbits`` runs the command-line tool."""

from .cli import run

run()
