"""tipchat: self-hostable real-time chat with non-custodial crypto tipping.

Layers, one direction (checked by import-linter, see pyproject.toml):

    api/, realtime/   the edges: HTTP routes and the WebSocket gateway
    chat/, auth/      the rules: every write, each one a `do_*` verb that commits, then publishes
    storage/, bus/    PostgreSQL queries and migrations; fan-out of opaque events

`app.py` wires them together, `cli.py` is the `tipchat` command.
"""

__version__ = "0.1.0"
