// `chitchat rooms list|create|delete`.
import { Command, Option } from 'commander';
import { action, client, credentialOptions, out, ownerToken, serverOption, type CredentialOptions, type ServerOptions } from './common.js';

export function roomsCommand(): Command {
  const rooms = new Command('rooms').description('list, create and delete rooms');

  serverOption(rooms.command('list').description('rooms that are listed (public and private), newest activity first'))
    .option('--json', 'one JSON object per line')
    .action(
      action(async (opts: ServerOptions & { json?: boolean }) => {
        const list = await client(opts).listRooms();
        for (const r of list) {
          await out(opts.json ? JSON.stringify(r) : `${String(r.id).padStart(5)}  ${r.visibility.padEnd(8)} ${String(r.participants).padStart(3)} here  ${r.title}`);
        }
      }),
    );

  serverOption(rooms.command('create').description('create a room; prints its id and its owner key (shown this once)'))
    .argument('<title>', '2–70 characters, not only digits')
    .option('-d, --description <text>', 'up to 70 characters', '')
    .addOption(new Option('--visibility <v>', 'who finds it').choices(['public', 'private', 'hidden']).default('public'))
    .option('-p, --password <password>', 'required for private and hidden rooms (8–128 characters)')
    .option('--json', 'the whole answer as JSON')
    .action(
      action(async (title: string, opts: ServerOptions & { description: string; visibility: 'public' | 'private' | 'hidden'; password?: string; json?: boolean }) => {
        const room = await client(opts).createRoom({
          title,
          description: opts.description,
          visibility: opts.visibility,
          ...(opts.password !== undefined && { password: opts.password }),
        });
        await out(opts.json ? JSON.stringify(room) : `created room ${room.id} "${room.title}"\nowner key: ${room.owner_key}\n(keep the owner key: it is shown only now)`);
      }),
    );

  credentialOptions(rooms.command('delete').description("delete a room with its messages (needs its owner key or the server's admin key)"), 'cli')
    .argument('<room>', 'id or title')
    .action(
      action(async (room: string, opts: CredentialOptions) => {
        const chat = client(opts);
        const token = await ownerToken(chat, room, opts);
        await chat.deleteRoom(room, token);
        await out(`deleted room ${room}`);
      }),
    );
  return rooms;
}
