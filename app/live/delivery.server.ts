// How one stream hands a topic's states to its browser: a topic some visible tab watches gets every
// state as it comes; a background one (only hidden tabs watch it) gets its first state at once, then
// at most one state every `intervalMs`: the newest one, at the end of the window (the ones between
// are dropped: a hidden page needs where things stand, not each step).
export interface Delivery {
  push(state: unknown): void;
  stop(): void;
}

export function immediateDelivery(send: (state: unknown) => void): Delivery {
  return { push: send, stop: () => {} };
}

export function coalescedDelivery(send: (state: unknown) => void, intervalMs: number, now: () => number = Date.now): Delivery {
  let lastSentAt: number | null = null;
  let pending: { state: unknown } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (!pending) return;
    const { state } = pending;
    pending = null;
    lastSentAt = now();
    send(state);
  };
  return {
    push(state) {
      const elapsed = lastSentAt === null ? Infinity : now() - lastSentAt;
      if (elapsed >= intervalMs && !timer) {
        lastSentAt = now();
        send(state);
        return;
      }
      pending = { state };
      timer ??= setTimeout(flush, Math.max(0, intervalMs - elapsed));
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
