import { act, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import type { Room } from "../../lib/api/client";
import { roomsKey } from "../../lib/rooms";
import { aRoom } from "../../lib/testing/data";
import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders } from "../../lib/testing/render";
import { useEnterRoom } from "./useEnterRoom";

function Enter({ room }: { room: Room }) {
  const enterRoom = useEnterRoom();
  return (
    <button type="button" onClick={() => enterRoom(room)}>
      enter
    </button>
  );
}

beforeEach(() => {
  window.location.hash = "";
});

describe("useEnterRoom", () => {
  it("adds the room to my rooms, follows it from its last seq and opens it", () => {
    const socket = new FakeSocket();
    const { queryClient } = renderWithProviders(<Enter room={aRoom({ id: 5, last_seq: 7 })} />, { socket });
    queryClient.setQueryData<Room[]>(roomsKey, [aRoom({ id: 1 })]);
    act(() => screen.getByRole("button", { name: "enter" }).click());
    expect(queryClient.getQueryData<Room[]>(roomsKey)?.map((r) => r.id).sort((a, b) => a - b)).toEqual([1, 5]);
    expect(socket.followed.get(5)).toBe(7);
    expect(window.location.hash).toBe("#/rooms/5");
  });

  it("leaves a room the socket already follows where it is", () => {
    const socket = new FakeSocket();
    socket.follow(5, 9);
    renderWithProviders(<Enter room={aRoom({ id: 5, last_seq: 7 })} />, { socket });
    act(() => screen.getByRole("button", { name: "enter" }).click());
    expect(socket.followed.get(5)).toBe(9);
  });
});
