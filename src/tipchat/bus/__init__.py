"""Fan-out of opaque events between channels, behind one small interface.

    base.py     the Bus protocol: connect, publish, subscribe, unsubscribe, disconnect
    memory.py   in-process implementation (single node)
    redis.py    Redis/Valkey pub/sub between the nodes of a cluster (REDIS_URL)

The bus knows nothing of rooms or messages: it moves bytes. PostgreSQL stays the source of
truth, so a lost notification is a delay (the receiver fills the gap from storage), not a loss.
"""

from tipchat.bus.base import Bus, Handler
from tipchat.bus.memory import InProcessBus
from tipchat.bus.redis import RedisBus

__all__ = ["Bus", "Handler", "InProcessBus", "RedisBus"]
