"""The WebSocket gateway (protocol version 1, see docs/protocol.md).

frames.py       client frames: parsing and validation
connection.py   one socket: its bounded send queue, its writer task, its rooms
hub.py          this node's room feeds: bus notifications put in seq order, gaps filled
                from storage, each event serialized once and queued to every socket
gateway.py      the /ws endpoint: origin check, auth, the frame loop, graceful drain
"""
