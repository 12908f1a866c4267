// The connection's state in words, in a polite live region so screen readers hear changes.
// The countdown sits outside the region: a number ticking every second is not news.
import { useNow } from '../hooks';
import type { ConnStatus } from '../socket';

const LABEL: Record<ConnStatus['state'], string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  closed: 'Disconnected',
};

export function ConnectionStatus(props: { conn: ConnStatus; joined: boolean; waitingForName: boolean; onRetry(): void }) {
  const { conn, joined, onRetry } = props;
  const waiting = conn.retryAt !== undefined && conn.state !== 'live' && conn.state !== 'closed';
  const now = useNow(waiting);
  // Open but not yet joined is still connecting, as far as a person can tell.
  const state = conn.state === 'live' && !joined ? (conn.attempt === 0 ? 'connecting' : 'reconnecting') : conn.state;
  const secs = waiting ? Math.max(0, Math.ceil((conn.retryAt! - now) / 1000)) : 0;
  return (
    <div class={`conn conn-${state}`}>
      <span class="dot" aria-hidden="true" />
      <span role="status" aria-live="polite" aria-atomic="true" class="conn-label">
        <span class="sr-only">Connection: </span>
        {LABEL[state]}
      </span>
      {props.waitingForName && state !== 'live' && (
        <span class="conn-wait" title="The server still holds your previous connection; it lets go within about a minute.">
          waiting for your old connection to close
        </span>
      )}
      {waiting && secs > 0 && (
        <>
          <span class="conn-wait" aria-hidden="true">
            {' '}
            in {secs}s
          </span>
          <button type="button" class="link-btn" onClick={onRetry}>
            Retry now
          </button>
        </>
      )}
    </div>
  );
}
