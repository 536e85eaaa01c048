// The clock in the unit Workers KV speaks: whole seconds since the epoch (expirations, TTLs).
// Shared by server and browser.

/** The current time in whole epoch seconds, rounded down. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
