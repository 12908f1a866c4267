// `chitchat send ROOM MESSAGE`: joins, sends, waits for the ack (the message is stored), leaves.
import { Command } from 'commander';
import { action, client, connectCredentials, credentialOptions, out, type CredentialOptions } from './common.js';

export function sendCommand(): Command {
  return credentialOptions(new Command('send').description('send one message; prints its seq once it is stored'), 'cli')
    .argument('<room>', 'id or title')
    .argument('<message>', '1–4000 characters')
    .option('--color <color>', 'the colour of the name', '#607d8b')
    .option('--json', 'print the ack as JSON')
    .action(
      action(async (room: string, message: string, opts: CredentialOptions & { color: string; json?: boolean }) => {
        const chat = client(opts);
        const socket = await chat.connect(room, { name: opts.name ?? 'cli', color: opts.color, reconnect: { maxMs: 2000 }, ...connectCredentials(opts) });
        try {
          const ack = await socket.send(message);
          await out(opts.json ? JSON.stringify(ack) : `sent: seq ${ack.seq}, id ${ack.id}`);
        } finally {
          await socket.close();
        }
      }),
    );
}
