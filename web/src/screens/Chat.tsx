// The chat room: header with connection state and controls, the conversation, the composer and
// the people here. State lives in ChatSession; this file lays it out.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Attention, notifications, setTitle } from '../attention';
import { Composer } from '../components/Composer';
import { ConnectionStatus } from '../components/ConnectionStatus';
import { DeviceLink } from '../components/DeviceLink';
import { InviteDialog } from '../components/InviteDialog';
import { MessageList } from '../components/MessageList';
import { OwnerKeyDialog } from '../components/OwnerKeyNotice';
import { OwnerPanel } from '../components/OwnerPanel';
import { People } from '../components/People';
import { ReplyBar, replyRef } from '../components/ReplyQuote';
import { RetentionNote } from '../components/Retention';
import { SearchPanel } from '../components/SearchPanel';
import type { ReplyRef } from '../types';
import { LockIcon } from '../components/RoomList';
import type { Entry } from '../entry';
import { focusComposer } from '../focus';
import { requestEdit } from '../editRequests';
import { useStore } from '../hooks';
import { memberships, ownerKeys } from '../memberships';
import { typingText } from '../presence';
import { navigate } from '../router';
import { ChatSession, sameName, type EndReason } from '../session';
import { tokens } from '../tokens';
import type { Room } from '../types';

export function Chat({ room, entry, onExit }: { room: Room; entry: Entry; onExit(text: string, reason?: EndReason): void }) {
  const [unread, setUnread] = useState(0);
  const [peopleOpen, setPeopleOpen] = useState(false);
  const [managing, setManaging] = useState(false);
  const [inviting, setInviting] = useState(false);
  // Only right after creating the room here: the key is shown once, then forgotten.
  const [freshKey, setFreshKey] = useState(() => ownerKeys.take(room.id));
  const [linking, setLinking] = useState(false);
  const [replyTo, setReplyTo] = useState<ReplyRef>();
  const { session, attention } = useMemo(() => {
    let s: ChatSession | undefined;
    const a = new Attention(
      () => entry.name,
      () => s?.state.room.title ?? room.title,
      () => setUnread(a.unread),
    );
    s = new ChatSession({ room, name: entry.name, color: entry.color, role: entry.role, onIncoming: (m) => a.incoming(m) });
    return { session: s, attention: a };
  }, []);
  useEffect(() => {
    void session.start();
    return () => {
      session.stop();
      attention.dispose();
    };
  }, [session]);

  const s = useStore(session.subscribe, () => session.state);
  const ownerToken = useStore(tokens.subscribe, () => tokens.get(room.id, 'owner')?.token);
  const isOwner = entry.role === 'owner' && !!ownerToken;
  useEffect(() => setTitle(s.room.title, unread), [s.room.title, unread]);

  // Losing the pass, the name or the ban list sends the person back to the door with the reason.
  const ended = s.ended;
  useEffect(() => {
    if (ended && ended.reason !== 'kicked' && ended.reason !== 'deleted') onExit(ended.text, ended.reason);
  }, [ended]);

  // Leaving keeps the room one click away (memberships), as "← Rooms" does.
  const leave = () => {
    session.stop();
    navigate('#/');
  };

  return (
    <div class={`chat${peopleOpen ? ' people-open' : ''}`}>
      <header class="chat-head">
        <a class="back" href="#/" aria-label="All rooms">
          <span aria-hidden="true">←</span>
          <span class="back-text">Rooms</span>
        </a>
        <div class="room-name">
          <h1>
            {s.room.visibility !== 'public' && <LockIcon />} {s.room.title}
          </h1>
          {s.room.description && <p class="room-desc">{s.room.description}</p>}
          <RetentionNote room={s.room} />
        </div>
        <SearchPanel roomId={room.id} token={() => session.token()} onOpen={(seq) => void session.conv.jumpTo(seq)} />
        <ConnectionStatus conn={s.conn} joined={s.joined} waitingForName={s.waitingForName} onRetry={() => session.retryNow()} />
        <div class="head-actions">
          <button type="button" class="btn small people-toggle" aria-expanded={peopleOpen} aria-controls="people" onClick={() => setPeopleOpen(!peopleOpen)}>
            People <span class="count-pill">{s.users.length}</span>
          </button>
          <button type="button" class="btn small" onClick={() => setInviting(true)}>
            Invite
          </button>
          <NotifyToggle />
          {s.joined && session.nameSecret && (
            <button type="button" class="btn small ghost" onClick={() => setLinking(true)}>
              Use on another device
            </button>
          )}
          {isOwner && (
            <button type="button" class="btn small" onClick={() => setManaging(true)}>
              Manage room
            </button>
          )}
          <button type="button" class="btn small ghost" onClick={leave}>
            Leave
          </button>
        </div>
      </header>
      <main id="main" class="chat-main">
        <MessageList
          items={s.items}
          pending={s.pending}
          me={s.name}
          trip={s.trip}
          color={s.color}
          connected={s.joined}
          isOwner={isOwner}
          hasMore={s.hasMore}
          loadingOlder={s.loadingOlder}
          historyError={s.historyError}
          onLoadOlder={() => void session.loadOlder()}
          onEdit={(id, msg) => session.edit(id, msg)}
          onDelete={(id) => session.remove(id)}
          onRetry={(id) => session.retry(id)}
          onDiscard={(id) => session.discard(id)}
          conv={{
            state: s.conv,
            me: s.name,
            onReply: (m) => {
              setReplyTo(replyRef(m));
              document.getElementById('composer-input')?.focus();
            },
            onReact: (id, emoji) => session.conv.react(id, emoji),
            onJump: (seq) => void session.conv.jumpTo(seq),
            onSeen: (seq) => session.conv.seen(seq),
            onLoadGap: (g) => void session.conv.loadGap(g),
          }}
        />
        <p class="typing" aria-hidden={s.typing.length ? undefined : 'true'}>
          {typingText(s.typing)}
        </p>
        {ended ? (
          <div class="ended" role="alert">
            <p>{ended.text}</p>
            <a class="btn primary" href="#/">
              Back to rooms
            </a>
          </div>
        ) : (
          <div class="composer-wrap">
            {replyTo && <ReplyBar reply={replyTo} onCancel={() => setReplyTo(undefined)} />}
            <Composer
              room={room.id}
              onSend={(t) => {
                session.send(t, replyTo?.id);
                setReplyTo(undefined);
              }}
              onTyping={() => session.typing()}
              onEditLast={() => {
                for (let i = s.items.length - 1; i >= 0; i--) {
                  const it = s.items[i]!;
                  if (it.kind === 'msg' && sameName(it.m.name, s.name)) return requestEdit(it.m.id);
                }
                return false;
              }}
              names={s.users.map((u) => u.username).filter((n) => !sameName(n, s.name))}
              onEscape={() => setReplyTo(undefined)}
            />
          </div>
        )}
      </main>
      <div class="scrim" aria-hidden="true" onClick={() => setPeopleOpen(false)} />
      <People
        roomId={room.id}
        users={s.users}
        me={s.name}
        isOwner={isOwner}
        open={peopleOpen}
        onClose={() => setPeopleOpen(false)}
        onRename={() => {
          // Back to the door, which asks for a name again.
          session.stop();
          memberships.forget(room.id);
          onExit('');
        }}
      />
      {linking && session.nameSecret && (
        <DeviceLink roomId={room.id} name={s.name} secret={session.nameSecret} onClose={() => setLinking(false)} />
      )}
      {managing && isOwner && <OwnerPanel room={s.room} onSaved={(r) => session.roomChanged(r)} onClose={() => setManaging(false)} />}
      {inviting && <InviteDialog room={s.room} onClose={() => setInviting(false)} />}
      {freshKey && (
        <OwnerKeyDialog
          title={s.room.title}
          ownerKey={freshKey}
          onClose={() => {
            setFreshKey(undefined);
            focusComposer();
          }}
        />
      )}
    </div>
  );
}

function NotifyToggle() {
  const [on, setOn] = useState<boolean>(notifications.enabled);
  if (!notifications.supported()) return null;
  return (
    <button
      type="button"
      class="btn small ghost"
      aria-pressed={on}
      title="Desktop notification when someone mentions your name while this tab is in the background"
      onClick={async () => {
        if (on) {
          notifications.disable();
          setOn(false);
        } else setOn(await notifications.enable());
      }}
    >
      {on ? 'Mentions: on' : 'Notify mentions'}
    </button>
  );
}
