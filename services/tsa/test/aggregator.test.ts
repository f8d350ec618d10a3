import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { aggregationLeafData, Ed25519NoteSigner, verifyInclusion } from '@riik/core';
import { createLogger } from '@riik/http';
import { calendarLeafHash } from '@riik/ksi';
import { FakeClock, tempDir } from '@riik/testing';
import { Aggregator, Calendar, CalendarStore } from '../src/index.js';

const signer = new Ed25519NoteSigner('riik/TEST/calendar', new Uint8Array(32).fill(5));
const log = createLogger('tsa', 'silent');

describe('Aggregator rounds', () => {
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  async function setup(maxRoundSize: number, clock = new FakeClock('2026-03-01T00:00:00Z')) {
    const dir = tempDir();
    dirs.push(dir);
    const store = await CalendarStore.open(`${dir.path}/t.db`);
    const calendar = await Calendar.open(store, signer, 'riik/TEST/calendar');
    return {
      store,
      calendar,
      clock,
      aggregator: new Aggregator(calendar, { maxRoundSize, now: clock.now, log }),
    };
  }
  const leaf = () => aggregationLeafData(new Uint8Array(randomBytes(32)), 0);

  it('closes a round as soon as it is full, and proves every leaf against the calendar', async () => {
    const { aggregator, calendar, store } = await setup(10);
    const placed = Array.from({ length: 25 }, () => aggregator.add(leaf()));
    expect(new Set(placed.map((p) => p.round)).size).toBe(3);
    expect(placed.slice(0, 10).every((p) => p.round === placed[0]!.round)).toBe(true);
    expect(aggregator.pending).toBe(5); // the third round waits for the timer
    await aggregator.closeRound();
    expect(calendar.size).toBe(3);
    for (const { round, index } of placed) {
      const closed = await round.closed;
      expect(closed.header.roundSize).toBe(round.number < 2 ? 10 : 5);
      verifyInclusion(
        index,
        closed.tree.size,
        closed.tree.leafHash(index),
        closed.tree.inclusionProof(index),
        closed.header.roundRoot,
      );
      const entry = calendarLeafHash(closed.header.roundTime, closed.header.roundRoot);
      verifyInclusion(
        closed.header.calendarIndex,
        closed.header.calendarIndex + 1,
        entry,
        closed.header.calendarPath,
        await calendar.rootAt(closed.header.calendarIndex + 1),
      );
    }
    await store.close();
  });

  it('skips empty rounds and never lets round times go backwards', async () => {
    const { aggregator, calendar, clock, store } = await setup(1000);
    await aggregator.closeRound();
    expect(calendar.size).toBe(0);
    const first = aggregator.add(leaf()).round;
    await aggregator.closeRound();
    clock.advance(-60_000); // the clock steps back a minute
    const second = aggregator.add(leaf()).round;
    await aggregator.closeRound();
    const [a, b] = [await first.closed, await second.closed];
    expect(b.header.roundTime).toBeGreaterThanOrEqual(a.header.roundTime);
    expect(calendar.size).toBe(2);
    await store.close();
  });

  it('fails the round, not the service, when the store fails; and refuses after stop', async () => {
    const { aggregator, store } = await setup(1000);
    const before = aggregator.add(leaf()).round;
    await store.close(); // the database goes away
    void aggregator.closeRound();
    await expect(before.closed).rejects.toMatchObject({ code: 'ROUND_FAILED' });
    await aggregator.stop();
    expect(() => aggregator.add(leaf())).toThrow(expect.objectContaining({ code: 'SHUTTING_DOWN' }));
  });
});
