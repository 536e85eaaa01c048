// Ordered teardown for test helpers: what uses a resource (a jobs runner using a local KV API, a
// server using a database) registers how to stop it, and the resource's close() stops those users
// first, newest first, before it lets go of anything they might still touch.

export class Teardown {
  private readonly users: { what: string; stop: () => Promise<void> }[] = [];

  /** Registers a user; returns a function that forgets it (call it when the user stops on its own). */
  add(what: string, stop: () => Promise<void>): () => void {
    const entry = { what, stop };
    this.users.push(entry);
    return () => {
      const at = this.users.indexOf(entry);
      if (at >= 0) this.users.splice(at, 1);
    };
  }

  /** Stops every registered user, newest first; every one is stopped even if another fails. */
  async run(): Promise<void> {
    const failures: string[] = [];
    for (let entry = this.users.pop(); entry; entry = this.users.pop()) {
      try {
        await entry.stop();
      } catch (error) {
        failures.push(`${entry.what}: ${(error as Error)?.stack ?? error}`);
      }
    }
    if (failures.length > 0) throw new Error(`teardown: could not stop\n${failures.join("\n")}`);
  }
}
