export { BrowseRooms } from "./BrowseRooms";
export { NewMessage } from "./NewMessage";
export { NewRoomForm } from "./NewRoomForm";
export { RoomHeader } from "./RoomHeader";
export { RoomsSidebar } from "./RoomsSidebar";
