// `chitchat export ROOM`: the room's history as JSON lines, oldest first, paged through the API.
import { Command } from 'commander';
import { action, client, credentialOptions, out, readToken, type CredentialOptions } from './common.js';

const PAGE = 200;

export function exportCommand(): Command {
  return credentialOptions(new Command('export').description("print a room's stored messages as JSON lines, oldest first"), 'cli')
    .argument('<room>', 'id or title')
    .action(
      action(async (room: string, opts: CredentialOptions) => {
        const chat = client(opts);
        const token = await readToken(chat, room, opts);
        let after = 0;
        for (;;) {
          const page = await chat.messages(room, { after, limit: PAGE }, token);
          for (const m of page.messages) await out(JSON.stringify(m));
          const last = page.messages.at(-1);
          if (!page.has_more || !last) break;
          after = last.seq;
        }
      }),
    );
}
