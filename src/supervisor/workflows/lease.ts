// The `dbt_lease` workflow (docs/coordination.md): one per lease key on the namespace. Runs
// ask with signal-with-start (activity acquire_lease), get a grant signal back in arrival
// order, and release with a signal. A scope's presence lease tells a run alone that it need
// not lease its relations, and a solo run when another arrives (shared/leases.ts). Holders
// are pinged: a run that is closed or terminated loses its slots, so nothing is stranded.
// Idle for a minute, it ends; long, it continues as new.
import { condition, continueAsNew, defineSignal, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { LEASE_SIGNALS, acquire, dropHolder, emptyLease, grantOf, isIdle, release, switched, toContend } from '../../shared/leases.js';
import type { GrantMessage, LeaseRequest, LeaseState, LeaseWorkflowInput, ReleaseMessage } from '../../shared/leases.js';

export const acquireLeaseSignal = defineSignal<[LeaseRequest]>(LEASE_SIGNALS.acquire);
export const releaseLeaseSignal = defineSignal<[ReleaseMessage]>(LEASE_SIGNALS.release);
export const leaseGrantedSignal = defineSignal<[GrantMessage]>(LEASE_SIGNALS.granted);
export const leasePingSignal = defineSignal<[]>(LEASE_SIGNALS.ping);
/** Presence (docs/coordination.md): to a solo holder, another run waits (the holder's request id). */
export const leaseContendedSignal = defineSignal<[{ id: string }]>(LEASE_SIGNALS.contended);
/** Presence: from a holder that was solo, it now leases its relations. */
export const leaseSwitchedSignal = defineSignal<[{ id: string }]>(LEASE_SIGNALS.switched);

/** How long an idle lease stays (its last build record lets a run that comes late reuse it). */
const IDLE_MS = 60_000;
const DEFAULT_PING_MS = 30_000;
/** Continue as new well before the server's history limits (each grant is a few events). */
const MAX_HISTORY_EVENTS = 4_000;

export async function dbt_lease(input: LeaseWorkflowInput): Promise<void> {
  const state: LeaseState = input.state ?? emptyLease(input.key);
  const pingMs = input.ping_ms ?? DEFAULT_PING_MS;
  const maxEvents = input.max_history_events ?? MAX_HISTORY_EVENTS;
  let sending = 0;

  const track = (p: Promise<void>, onFailure: () => void): void => {
    sending += 1;
    p.catch(onFailure).finally(() => (sending -= 1));
  };
  // Grants go out in one batch; a holder that cannot be signalled (closed) is dropped.
  const grant = (granted: LeaseRequest[]): void => {
    for (const req of granted) {
      const msg = grantOf(state, req, Date.now());
      track(getExternalWorkflowHandle(req.holder).signal(leaseGrantedSignal, msg), () => grant(dropHolder(state, req.holder, Date.now())));
    }
  };
  // Presence: a solo holder that another run waits for is told once; it answers `switched`.
  const contend = (): void => {
    for (const h of toContend(state)) {
      track(getExternalWorkflowHandle(h.holder).signal(leaseContendedSignal, { id: h.id }), () => grant(dropHolder(state, h.holder, Date.now())));
    }
  };
  setHandler(acquireLeaseSignal, (req) => {
    grant(acquire(state, req, Date.now()));
    contend();
  });
  setHandler(releaseLeaseSignal, (msg) => grant(release(state, msg, Date.now())));
  setHandler(leaseSwitchedSignal, (msg) => grant(switched(state, msg.id, Date.now())));

  const tooLong = (): boolean => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxEvents;
  for (;;) {
    if (isIdle(state)) {
      await condition(() => !isIdle(state) || tooLong(), IDLE_MS);
      if (isIdle(state) && sending === 0) return;
    } else {
      await condition(tooLong, pingMs);
      if (!tooLong()) {
        for (const holder of new Set(state.holders.map((h) => h.holder))) {
          track(getExternalWorkflowHandle(holder).signal(leasePingSignal), () => grant(dropHolder(state, holder, Date.now())));
        }
      }
    }
    if (tooLong()) {
      await condition(() => sending === 0);
      return continueAsNew<typeof dbt_lease>({ key: state.key, state, ping_ms: pingMs, max_history_events: maxEvents });
    }
  }
}

