"""Which client is in which room, on which node, driven by which worker (pure, no I/O).

Small rooms split the clients evenly (client i is in small room i mod rooms). Each big room
takes big_room_size consecutive clients, starting where the previous big room ended, so big
rooms spread over every node and every worker (both are assigned round-robin).
"""

from __future__ import annotations

from dataclasses import dataclass

from tipchat.bench.config import BenchConfig


@dataclass(frozen=True)
class RoomPlan:
    index: int
    big: bool
    members: tuple[int, ...]  # client indexes; the first one creates (owns) the room

    @property
    def name(self) -> str:
        return f"bench-{'big' if self.big else 'small'}-{self.index}"


@dataclass(frozen=True)
class Plan:
    clients: int
    nodes: int
    workers: int
    rooms: tuple[RoomPlan, ...]

    def node_of(self, client: int) -> int:
        return client % self.nodes

    def worker_of(self, client: int) -> int:
        return client % self.workers

    def rooms_of(self) -> list[list[int]]:
        """For each client, the indexes of its rooms."""
        result: list[list[int]] = [[] for _ in range(self.clients)]
        for room in self.rooms:
            for member in room.members:
                result[member].append(room.index)
        return result


def make_plan(config: BenchConfig) -> Plan:
    n = config.clients
    rooms: list[RoomPlan] = []
    for r in range(config.rooms):
        rooms.append(RoomPlan(len(rooms), False, tuple(range(r, n, config.rooms))))
    start = 0
    for _ in range(config.big_rooms):
        members = tuple(sorted({(start + j) % n for j in range(config.big_room_size)}))
        rooms.append(RoomPlan(len(rooms), True, members))
        start = (start + config.big_room_size) % n
    return Plan(clients=n, nodes=config.nodes, workers=config.worker_count, rooms=tuple(rooms))
