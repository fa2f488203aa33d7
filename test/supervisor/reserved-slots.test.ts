// Activity slots of which the pollers leave a few to eager dispatch (the next nodes of the runs
// whose workflows the worker runs).
import { describe, expect, it } from 'vitest';
import { ReservedSlots } from '../../src/supervisor/reserved-slots.js';

const release = (s: ReservedSlots): void => s.releaseSlot({ permit: {} });
const poll = (s: ReservedSlots, signal = new AbortController().signal): Promise<unknown> => s.reserveSlot({}, signal);
/** Slots with `n` pollers already in. */
const polled = async (o: { slots: number; reserved: number }, n: number): Promise<ReservedSlots> => {
  const s = new ReservedSlots(o);
  for (let i = 0; i < n; i++) await poll(s);
  return s;
};
/** Whether `p` has settled once pending callbacks ran. */
const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setTimeout(r, 0));
  return done;
};

describe('reserved activity slots', () => {
  it('gives pollers slots until only the reserved ones are free', async () => {
    const s = await polled({ slots: 4, reserved: 2 }, 2);
    const third = poll(s);
    expect(await settled(third)).toBe(false);
    expect(s.waitingPolls).toBe(1);
    expect(s.taken).toBe(2);
    release(s);
    await third;
    expect(s.taken).toBe(2);
  });

  it('gives eager dispatch the reserved slots too, and refuses it only when every slot is taken', async () => {
    const s = await polled({ slots: 3, reserved: 1 }, 2);
    expect(s.tryReserveSlot()).not.toBeNull();
    expect(s.tryReserveSlot()).toBeNull();
    release(s);
    expect(s.tryReserveSlot()).not.toBeNull();
  });

  it('lets a waiting poller in only once more than the reserved slots are free', async () => {
    const s = await polled({ slots: 3, reserved: 1 }, 2);
    s.tryReserveSlot();
    const waiting = poll(s);
    // One slot free: the reserved one, which the poller leaves alone.
    release(s);
    expect(await settled(waiting)).toBe(false);
    release(s);
    await waiting;
    expect(s.taken).toBe(2);
  });

  it('serves waiting pollers first come, first served', async () => {
    const s = await polled({ slots: 2, reserved: 1 }, 1);
    const order: number[] = [];
    const a = poll(s).then(() => order.push(1));
    const b = poll(s).then(() => order.push(2));
    release(s);
    await a;
    expect(await settled(b)).toBe(false);
    release(s);
    await b;
    expect(order).toEqual([1, 2]);
  });

  it('rejects an aborted poll with the abort reason and forgets it', async () => {
    const s = new ReservedSlots({ slots: 2, reserved: 1 });
    await poll(s);
    const ac = new AbortController();
    const waiting = poll(s, ac.signal);
    const reason = new Error('poller stopped');
    ac.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(s.waitingPolls).toBe(0);
    release(s);
    expect(s.taken).toBe(0);
  });

  it('validates its options: never every slot reserved', () => {
    expect(() => new ReservedSlots({ slots: 1, reserved: 1 })).toThrow(/slots must be an integer >= 2, got 1/);
    expect(() => new ReservedSlots({ slots: 4, reserved: 4 })).toThrow(/reserved must be an integer from 1 to 3, got 4/);
    expect(() => new ReservedSlots({ slots: 4, reserved: 0 })).toThrow(/reserved must be an integer from 1 to 3, got 0/);
  });
});
