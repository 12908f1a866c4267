import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { takeDeviceLink } from './identity';
import { useRoute } from './router';
import { Lobby } from './screens/Lobby';
import { RoomScreen } from './screens/RoomScreen';
import { startTokenKeeper } from './tokens';
import './styles/base.css';
import './styles/forms.css';
import './styles/lobby.css';
import './styles/messages.css';
import './styles/people.css';
import './styles/identity.css';
import './styles/conversations.css';
// Last: its phone layout overrides the two above.
import './styles/chat.css';
// After chat.css: the polish of the chat screen on phones overrides its layout.
import './styles/polish.css';

// A device link's secret leaves the address before anything reads it; also when one is opened later.
takeDeviceLink();
window.addEventListener('hashchange', takeDeviceLink);

function App() {
  const route = useRoute();
  useEffect(() => startTokenKeeper(), []);
  const inChat = route.name === 'room';
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      {route.name === 'lobby' && <TopBar />}
      {inChat ? <RoomScreen room={route.room} password={route.password} key={route.room} /> : <Lobby />}
    </>
  );
}

function TopBar() {
  return (
    <header class="topbar">
      <a class="brand" href="#/">
        <Logo />
        <span>ChitChat</span>
      </a>
      <p class="tagline">Open a room and talk. No sign-up.</p>
    </header>
  );
}

export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
      <rect width="32" height="32" rx="9" fill="var(--accent)" />
      <path d="M9 10.5h14a2.5 2.5 0 0 1 2.5 2.5v6a2.5 2.5 0 0 1-2.5 2.5h-7l-4.5 3.5v-3.5H9A2.5 2.5 0 0 1 6.5 19v-6A2.5 2.5 0 0 1 9 10.5Z" fill="#fff" />
      <circle cx="12" cy="16" r="1.4" fill="var(--accent)" />
      <circle cx="16" cy="16" r="1.4" fill="var(--accent)" />
      <circle cx="20" cy="16" r="1.4" fill="var(--accent)" />
    </svg>
  );
}

render(<App />, document.getElementById('app')!);
