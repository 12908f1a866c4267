// Browser: a calm timeline. A reload (a leave and a join within a minute) leaves no trace for the
// others; a real departure still shows. The owner's edits say what changed. "New messages" counts
// messages, not the notices that came with them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRoom, enter, log, person, say, startRig, unavailable, waitFor, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();

describe('a calm timeline', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let eve: Person;
  let fay: Person;

  before(async () => {
    rig = await startRig();
    [eve, fay] = await Promise.all([person(rig), person(rig, { colorScheme: 'dark' })]);
    await createRoom(eve.page, { title: 'Quiet corner', name: 'Eve' });
    await fay.page.goto('/#/room/Quiet%20corner');
    await enter(fay.page, { name: 'Fay' });
    await log(eve.page).getByText('Fay joined the room').waitFor();
  });
  after(async () => rig?.close());

  const notices = async () => log(eve.page).locator('.notice').allInnerTexts();
  const people = () => eve.page.getByRole('list', { name: 'People in this room' });

  test('a reload folds its leave and join away; leaving for good still shows', async () => {
    for (let i = 0; i < 2; i++) {
      await fay.page.reload();
      await waitLive(fay.page);
      await say(fay.page, `back ${i + 1}`);
      await log(eve.page).getByText(`back ${i + 1}`).waitFor();
    }
    assert.deepEqual(await notices(), ['Fay joined the room'], 'no left/joined pair per reload');
    await people().getByText('Fay', { exact: true }).waitFor();

    await fay.page.getByRole('button', { name: 'Leave' }).click();
    await log(eve.page).getByText('Fay left the room').waitFor();
    await people().getByText('Fay', { exact: true }).waitFor({ state: 'detached' });
  });

  test('the owner’s edit says what changed', async () => {
    await fay.page.getByRole('link', { name: /Quiet corner/ }).click();
    await waitLive(fay.page);
    await eve.page.getByRole('button', { name: 'Manage room' }).click();
    const dialog = eve.page.getByRole('dialog', { name: /Manage/ });
    await dialog.getByLabel('Room title').fill('Quiet garden');
    await dialog.getByLabel('Description (optional)').fill('Whisper, please');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByText('Saved.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    const said = 'The owner renamed the room (it was “Quiet corner”) and changed its description.';
    await log(fay.page).getByText(said).waitFor();
    await fay.page.getByRole('heading', { name: 'Quiet garden' }).waitFor();
    await log(eve.page).getByText(said).waitFor();
    assert.equal(await log(fay.page).getByText('The owner updated the room.').count(), 0);
  });

  test('"new messages" counts messages, not join and leave notices', async () => {
    for (let i = 1; i <= 30; i++) await say(eve.page, `filler ${i}`);
    await log(fay.page).getByText('filler 30', { exact: true }).waitFor();
    // Fay scrolls up to read; meanwhile two messages and someone coming and going.
    await log(fay.page).evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    const gil = await person(rig);
    await gil.page.goto('/#/room/Quiet%20garden');
    await enter(gil.page, { name: 'Gil' });
    await say(eve.page, 'news one');
    await say(eve.page, 'news two');
    await log(fay.page).getByText('Gil joined the room').waitFor();
    await log(fay.page).getByText('news two').waitFor();
    await gil.page.getByRole('button', { name: 'Leave' }).click();
    await log(fay.page).getByText('Gil left the room').waitFor();
    const jump = fay.page.getByRole('button', { name: /new message/ });
    await waitFor(async () => (await jump.count()) === 1, 'the jump button');
    assert.equal((await jump.innerText()).replace('↓', '').trim(), '2 new messages');
    await jump.click();
    await jump.waitFor({ state: 'detached' });
    await gil.context.close();
    assert.deepEqual([...eve.errors, ...fay.errors], []);
  });
});
