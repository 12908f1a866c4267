// Browser: the lobby pages the room list ("Show more rooms"), and a hidden room, whose id alone
// the server no longer answers, is still entered, reloaded and created through the web app.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRoom as apiCreateRoom } from '../helpers/chat.ts';
import { createRoom, person, startRig, unavailable, type Person, type Rig } from './harness.js';

const skip = unavailable();

describe('lobby paging and hidden rooms', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let ann: Person;

  before(async () => {
    rig = await startRig();
    // 105 rooms besides room 1: a full page of 100 and some more.
    for (let i = 0; i < 105; i++) await apiCreateRoom(rig.server.url, { title: `Lobby room ${i}`, visibility: 'public' });
    ann = await person(rig);
  });
  after(async () => rig?.close());

  test('the lobby shows 100 rooms and "Show more rooms" brings the rest', async () => {
    const list = ann.page.getByRole('list', { name: 'Rooms' });
    await list.getByRole('link', { name: /Lobby room 104/ }).waitFor();
    assert.equal(await list.getByRole('listitem').count(), 100);
    await ann.page.getByRole('button', { name: 'Show more rooms' }).click();
    await list.getByRole('link', { name: /Public Chat/ }).waitFor();
    assert.equal(await list.getByRole('listitem').count(), 106);
    assert.equal(await ann.page.getByRole('button', { name: 'Show more rooms' }).count(), 0, 'nothing more to show');
  });

  test('a hidden room created in the browser is entered and survives a reload', async () => {
    // The creator lands in the room (createRoom waits until it is live).
    await createRoom(ann.page, { title: 'Quiet Corner', visibility: 'hidden', password: 'quiet corner pw', name: 'Ann' });
    assert.match(decodeURIComponent(new URL(ann.page.url()).hash), /Quiet Corner/, 'the address names the hidden room by its title');
    await ann.page.reload();
    await ann.page.getByRole('heading', { name: 'Quiet Corner' }).waitFor();
    assert.deepEqual(ann.errors, []);
  });
});
