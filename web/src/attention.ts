// Getting a person's attention when the tab is in the background: an unread count in the tab
// title, and (opt-in) a desktop notification when someone mentions their name.
import { mentionsMe } from './mentions';
import { load, save } from './storage';
import type { ChatMessage } from './types';

const BASE_TITLE = 'ChitChat';

export function setTitle(page: string | undefined, unread = 0): void {
  const main = page ? `${page} · ${BASE_TITLE}` : BASE_TITLE;
  document.title = unread > 0 ? `(${unread}) ${main}` : main;
}

export const notifications = {
  supported: () => typeof Notification !== 'undefined',
  enabled: () => notifications.supported() && Notification.permission === 'granted' && load('notify', false),
  async enable(): Promise<boolean> {
    if (!notifications.supported()) return false;
    const p = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
    save('notify', p === 'granted');
    return p === 'granted';
  },
  disable(): void {
    save('notify', false);
  },
};

/** Counts messages that arrive while the tab is hidden; zero again when it is shown. */
export class Attention {
  unread = 0;
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible' && this.unread) {
      this.unread = 0;
      this.changed();
    }
  };

  constructor(
    private readonly me: () => string,
    private readonly room: () => string,
    private readonly changed: () => void,
  ) {
    document.addEventListener('visibilitychange', this.onVisible);
  }

  dispose(): void {
    document.removeEventListener('visibilitychange', this.onVisible);
  }

  incoming(m: ChatMessage): void {
    if (document.visibilityState !== 'hidden') return;
    this.unread++;
    this.changed();
    if (notifications.enabled() && mentionsMe(m, this.me())) {
      try {
        const n = new Notification(`${m.name} mentioned you in ${this.room()}`, { body: m.msg.slice(0, 200), tag: `chitchat-${m.room_id}` });
        n.onclick = () => {
          window.focus();
          n.close();
        };
      } catch {
        /* some platforms only allow notifications from a service worker */
      }
    }
  }
}
