import { navigate, type Route } from "../../lib/route";
import { RoomList } from "./RoomList";

function ActionButton({ label, route, current }: { label: string; route: Route; current: Route }) {
  return (
    <button
      type="button"
      aria-current={current.name === route.name ? "page" : undefined}
      onClick={() => navigate(route)}
    >
      {label}
    </button>
  );
}

/** Ways to get into a room, then the rooms I am in. */
export function RoomsSidebar({ route }: { route: Route }) {
  return (
    <>
      <div className="room-actions">
        <ActionButton label="New room" route={{ name: "newRoom" }} current={route} />
        <ActionButton label="Browse rooms" route={{ name: "browse" }} current={route} />
        <ActionButton label="New message" route={{ name: "newMessage" }} current={route} />
      </div>
      <RoomList currentRoomId={route.name === "room" ? route.roomId : null} />
    </>
  );
}
