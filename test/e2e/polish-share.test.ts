// Browser: "Invite" in every room gives a link to copy; in a password room the link may carry the
// password, after a warning. Opening such a link asks only for a name and goes straight in, and
// the password never reaches the server nor stays in the address bar.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRoom, log, person, say, startRig, unavailable, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();
const PASSWORD = 'paperbacks & tea';

describe('sharing a room', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let pia: Person;
  let quinn: Person;

  before(async () => {
    rig = await startRig();
    [pia, quinn] = await Promise.all([person(rig), person(rig, { colorScheme: 'dark' })]);
    await pia.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: rig.server.url });
  });
  after(async () => rig?.close());

  const clipboard = () => pia.page.evaluate('navigator.clipboard.readText()') as Promise<string>;

  test('a public room: the link to copy', async () => {
    await createRoom(pia.page, { title: 'Open mic', name: 'Pia' });
    const id = /#\/room\/(\d+)$/.exec(pia.page.url())![1];
    await pia.page.getByRole('button', { name: 'Invite' }).click();
    const dialog = pia.page.getByRole('dialog', { name: 'Invite people to “Open mic”' });
    assert.equal(await dialog.getByLabel('Invite link').inputValue(), `${rig.server.url}/#/room/${id}`);
    assert.equal(await dialog.getByLabel('Include the password in the link').count(), 0, 'no password to include');
    await dialog.getByRole('button', { name: 'Copy invite link' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Invite link copied.' }).waitFor();
    assert.equal(await clipboard(), `${rig.server.url}/#/room/${id}`);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  test('a password room: the password in the link, with a warning; the link lets a new person in by name alone', async () => {
    await createRoom(pia.page, { title: 'Book swap', visibility: 'private', password: PASSWORD, name: 'Pia' });
    await say(pia.page, 'Bring two books each');
    await pia.page.getByRole('button', { name: 'Invite' }).click();
    const dialog = pia.page.getByRole('dialog', { name: 'Invite people to “Book swap”' });
    const link = dialog.getByLabel('Invite link');
    assert.doesNotMatch(await link.inputValue(), /password/, 'without the option the link is the bare address');
    await dialog.getByLabel('Include the password in the link').check();
    await dialog.getByText('Anyone who gets this link can enter the room').waitFor();
    assert.equal(await dialog.getByLabel('Room password').inputValue(), PASSWORD, 'the password typed at creation is offered');
    const invite = await link.inputValue();
    assert.match(invite, /#\/room\/\d+\?password=/, 'the password rides in the fragment');
    await dialog.getByRole('button', { name: 'Copy invite link' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Invite link copied.' }).waitFor();
    assert.equal(await clipboard(), invite);
    await dialog.getByRole('button', { name: 'Close' }).click();

    const sent: string[] = [];
    quinn.page.on('request', (r) => sent.push(r.url() + (r.postData() ?? '')));
    await quinn.page.goto(invite);
    await quinn.page.getByRole('heading', { name: 'Book swap' }).waitFor();
    assert.equal(await quinn.page.getByLabel('Room password').count(), 0, 'no password asked');
    assert.doesNotMatch(quinn.page.url(), /password/, 'the password is gone from the address bar');
    await quinn.page.getByLabel('Your name').fill('Quinn');
    await quinn.page.getByRole('button', { name: 'Enter room' }).click();
    await waitLive(quinn.page);
    await log(quinn.page).getByText('Bring two books each').waitFor();
    await say(quinn.page, 'I have three');
    await log(pia.page).getByText('I have three').waitFor();
    // The join itself sends the password (POST …/token); nothing else carries it, the page address included.
    const carrying = sent.filter((s) => s.includes(encodeURIComponent(PASSWORD)) || (s.includes(PASSWORD) && !s.includes('/token')));
    assert.deepEqual(carrying, [], 'the link’s password went nowhere but the join');
  });

  test('a link whose password was changed asks for the new one', async () => {
    const other = await person(rig);
    const room = /#\/room\/(\d+)$/.exec(pia.page.url())![1];
    const stale = `${rig.server.url}/#/room/${room}?password=${encodeURIComponent('an old password')}`;
    await other.page.goto(stale);
    await other.page.getByLabel('Your name').fill('Rui');
    await other.page.getByRole('button', { name: 'Enter room' }).click();
    await other.page.getByText('The password in the invite link no longer works. Ask for the new one.').waitFor();
    await other.page.getByLabel('Room password').fill(PASSWORD);
    await other.page.getByRole('button', { name: 'Enter room' }).click();
    await waitLive(other.page);
    assert.deepEqual([...pia.errors, ...quinn.errors, ...other.errors], []);
    await other.context.close();
  });
});
