/**
 * A tiny hash router: the URL says which pane is open, so the browser's Back button and
 * reloads work, and the server needs no SPA fallback for deep links.
 */
import { useSyncExternalStore } from "react";

export type Route =
  | { name: "home" }
  | { name: "room"; roomId: number }
  | { name: "newRoom" }
  | { name: "browse" }
  | { name: "newMessage" };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "");
  const room = /^\/rooms\/(\d+)$/.exec(path);
  if (room) return { name: "room", roomId: Number(room[1]) };
  if (path === "/new-room") return { name: "newRoom" };
  if (path === "/browse") return { name: "browse" };
  if (path === "/new-message") return { name: "newMessage" };
  return { name: "home" };
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case "room":
      return `#/rooms/${route.roomId}`;
    case "newRoom":
      return "#/new-room";
    case "browse":
      return "#/browse";
    case "newMessage":
      return "#/new-message";
    default:
      return "#/";
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

function subscribe(listener: () => void): () => void {
  window.addEventListener("hashchange", listener);
  return () => window.removeEventListener("hashchange", listener);
}

const getHash = () => window.location.hash;

export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, getHash));
}
