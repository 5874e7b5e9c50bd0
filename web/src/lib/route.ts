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
  | { name: "newMessage" }
  | { name: "mentions" }
  | { name: "account" }
  /** Search all my rooms, or only `roomId`. */
  | { name: "search"; roomId?: number };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "");
  const room = /^\/rooms\/(\d+)$/.exec(path);
  if (room) return { name: "room", roomId: Number(room[1]) };
  if (path === "/new-room") return { name: "newRoom" };
  if (path === "/browse") return { name: "browse" };
  if (path === "/new-message") return { name: "newMessage" };
  if (path === "/mentions") return { name: "mentions" };
  if (path === "/account") return { name: "account" };
  if (path === "/search") return { name: "search" };
  const search = /^\/search\/rooms\/(\d+)$/.exec(path);
  if (search) return { name: "search", roomId: Number(search[1]) };
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
    case "mentions":
      return "#/mentions";
    case "account":
      return "#/account";
    case "search":
      return route.roomId === undefined ? "#/search" : `#/search/rooms/${route.roomId}`;
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
