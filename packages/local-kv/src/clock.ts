// The local KV API's one clock for expirations: whole seconds since the epoch, as Cloudflare's are.
export const nowSeconds = () => Math.floor(Date.now() / 1000);
