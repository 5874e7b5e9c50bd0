"""The chat rules: every change to a room is a verb that commits an event, then publishes it.

events.py     the event log: take a seq, store the frame, publish after commit; frames
access.py     who may read and write a room (private rooms are invisible: 404)
rooms.py      create, join, invite, remove, leave, rename, roles, DMs, listings
messages.py   send (idempotent), edit, delete, history, read markers
"""
