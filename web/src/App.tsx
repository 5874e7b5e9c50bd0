import { useQueryClient } from "@tanstack/react-query";
import { useEffect, type ReactNode } from "react";

import { ConnectionStatus } from "./components/ConnectionStatus";
import { AccountPage, OidcLink } from "./features/account";
import { AuthScreen } from "./features/auth";
import { ChatView } from "./features/chat";
import { RoomTips, tipSlots, WalletButton } from "./features/tips";
import { BrowseRooms, NewMessage, NewRoomForm, RoomHeader, RoomsSidebar } from "./features/rooms";
import { MentionsPanel, RoomSocial, SearchPanel, socialSlots } from "./features/social";
import { mergeSlots } from "./lib/messageSlots";
import { usePresenceReporter } from "./lib/presence";
import { useRoomSync } from "./lib/roomSync";
import { useRooms } from "./lib/rooms";
import { oidcKey, type OidcResult } from "./lib/oidc";
import { navigate, useRoute, type Route } from "./lib/route";
import { session, useMe, useSession } from "./lib/session";
import { SocketContext, useSocket } from "./lib/socketHooks";
import { useChatSocket } from "./lib/useChatSocket";
import { MessageSlotsContext } from "./lib/messageSlots";
import { WalletProvider } from "./lib/wallet";

/** `oidc`: where a provider sign-in (or link) came back, shown by whichever screen opens. */
export function App({ oidc = null }: { oidc?: OidcResult }) {
  const { status, notice } = useSession();
  const queryClient = useQueryClient();

  // Runs after the signed-in tree has unmounted (and stopped its socket), so nothing
  // refetches into the cleared cache; the next user starts from nothing. The sign-in
  // screen's own query (which provider it offers) is no one's data, and it is being shown.
  useEffect(() => {
    if (status !== "signedOut") return;
    queryClient.getMutationCache().clear();
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== oidcKey[0] });
  }, [status, queryClient]);

  if (status === "loading") {
    return (
      <p className="splash" role="status">
        Loading…
      </p>
    );
  }
  if (status === "signedOut") return <AuthScreen notice={notice} oidc={oidc} />;
  return <SignedIn oidc={oidc} />;
}

/** Tips and social features both add to chat messages. */
const slots = mergeSlots(tipSlots, socialSlots);

function SignedIn({ oidc }: { oidc: OidcResult }) {
  const socket = useChatSocket(session.getToken);
  if (!socket) return null;
  return (
    <SocketContext value={socket}>
      <WalletProvider>
        <MessageSlotsContext value={slots}>
          <Shell oidc={oidc} />
        </MessageSlotsContext>
      </WalletProvider>
    </SocketContext>
  );
}

async function signOut() {
  await session.signOut();
  navigate({ name: "home" });
}

/** Shows the total unread count in the tab title, so it is visible from other tabs. */
function useUnreadTitle() {
  const rooms = useRooms().data;
  // Muted rooms count only their mentions.
  const unread =
    rooms?.reduce((sum, room) => sum + (room.muted ? room.unread_mentions : room.unread_count), 0) ?? 0;
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) tipchat` : "tipchat";
  }, [unread]);
}

/** Sidebar entries of the social feature: my mentions (with a count) and search. */
function SocialLinks({ route }: { route: Route }) {
  const mentions = useRooms().data?.reduce((sum, room) => sum + room.unread_mentions, 0) ?? 0;
  return (
    <div className="room-actions social-links">
      <button
        type="button"
        aria-current={route.name === "mentions" ? "page" : undefined}
        onClick={() => navigate({ name: "mentions" })}
      >
        Mentions
        {mentions > 0 && (
          <span className="badge badge--mention" aria-label={`${mentions} unread`}>
            @{mentions > 99 ? "99+" : mentions}
          </span>
        )}
      </button>
      <button
        type="button"
        aria-current={route.name === "search" ? "page" : undefined}
        onClick={() => navigate({ name: "search" })}
      >
        Search
      </button>
    </div>
  );
}

function Shell({ oidc }: { oidc: OidcResult }) {
  useRoomSync();
  useUnreadTitle();
  usePresenceReporter(useSocket());
  const route = useRoute();
  const me = useMe();
  // On a phone only one pane fits: the room list at home, the chosen pane otherwise.
  const pane = route.name === "home" ? "layout--list" : "layout--detail";

  return (
    <div className="app">
      {/* Above both panes, so it shows on a phone whichever pane is open. */}
      <ConnectionStatus />
      <div className={`layout ${pane}`}>
        <aside className="sidebar">
          <header className="sidebar__header">
            <h1 className="brand">tipchat</h1>
            {/* My name opens my account page: the header has no room for another button. */}
            <button
              type="button"
              className="sidebar__me"
              title="Your account"
              aria-label={`Account: ${me.username}`}
              aria-current={route.name === "account" ? "page" : undefined}
              onClick={() => navigate({ name: "account" })}
            >
              {me.username}
            </button>
            <WalletButton />
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
            <OidcLink result={oidc} />
          </header>
          <SocialLinks route={route} />
          <RoomsSidebar route={route} />
        </aside>
        <main className="main-pane">
          <MainPane route={route} />
        </main>
      </div>
    </div>
  );
}

function PanelFrame({ children }: { children: ReactNode }) {
  return (
    <div className="panel-frame">
      <button type="button" className="back" onClick={() => navigate({ name: "home" })}>
        Back
      </button>
      {children}
    </div>
  );
}

function MainPane({ route }: { route: Route }) {
  switch (route.name) {
    case "room":
      return <RoomScreen roomId={route.roomId} />;
    case "newRoom":
      return (
        <PanelFrame>
          <NewRoomForm />
        </PanelFrame>
      );
    case "browse":
      return (
        <PanelFrame>
          <BrowseRooms />
        </PanelFrame>
      );
    case "newMessage":
      return (
        <PanelFrame>
          <NewMessage />
        </PanelFrame>
      );
    case "mentions":
      return (
        <PanelFrame>
          <MentionsPanel />
        </PanelFrame>
      );
    case "search":
      return (
        <PanelFrame>
          <SearchPanel key={route.roomId ?? "all"} roomId={route.roomId} />
        </PanelFrame>
      );
    case "account":
      return (
        <PanelFrame>
          <AccountPage />
        </PanelFrame>
      );
    default:
      return <p className="muted main-pane__empty">Choose a room, or start a conversation.</p>;
  }
}

function RoomScreen({ roomId }: { roomId: number }) {
  const rooms = useRooms();
  const room = rooms.data?.find((r) => r.id === roomId);
  if (rooms.isPending) return <p className="muted main-pane__empty">Loading…</p>;
  if (!room) {
    return (
      <PanelFrame>
        <p className="main-pane__empty">This room does not exist, or you are not a member.</p>
      </PanelFrame>
    );
  }
  return (
    <div className="room">
      <RoomHeader room={room} />
      <RoomSocial room={room} />
      <RoomTips room={room} />
      <ChatView key={room.id} room={room} />
    </div>
  );
}
