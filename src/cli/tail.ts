// `chitchat tail ROOM`: prints the room's messages as they come, one per line, until Ctrl-C.
import { Command } from 'commander';
import type { ChatMessage } from '../client/index.js';
import { action, CliError, client, connectCredentials, credentialOptions, out, type CredentialOptions } from './common.js';

export function tailCommand(): Command {
  return credentialOptions(new Command('tail').description('print live messages, one per line (Ctrl-C stops)'), 'tail')
    .argument('<room>', 'id or title')
    .option('--since <seq>', 'first print every stored message after this seq (0: all)')
    .option('--json', 'one JSON object per message, for scripts')
    .action(
      action(async (room: string, opts: CredentialOptions & { since?: string; json?: boolean }) => {
        const since = opts.since === undefined ? undefined : Number(opts.since);
        if (since !== undefined && (!Number.isSafeInteger(since) || since < 0)) throw new CliError(`--since must be a seq (a whole number ≥ 0), got "${opts.since}"`, 2);
        const chat = client(opts);
        // Listening only: the socket joins no name (it only names the token), so nobody sees it.
        const socket = await chat.connect(room, {
          name: opts.name ?? 'tail',
          listenOnly: true,
          ...connectCredentials(opts),
          ...(since !== undefined && { since }),
        });
        const stop = () => void socket.close();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        socket.on('status', (s) => {
          if (s.state === 'reconnecting' && s.retryAt) process.stderr.write(`chitchat: connection lost, retrying (attempt ${s.attempt})\n`);
        });
        const ended = socket.once('closed');
        for await (const ev of socket) {
          if (ev.event_type === 'send') await out(opts.json ? JSON.stringify(ev) : line(ev));
        }
        const why = await ended;
        if (why.error) throw new CliError(`the room socket closed: ${why.error.error}`);
      }),
    );
}

function line(m: ChatMessage): string {
  const time = m.time.slice(11, 19);
  return `${time} #${m.seq} ${m.name}: ${m.msg}`;
}
