// How every browser kvdeck drives is launched: Debian's Chromium (no browser download here), with
// the flags that keep a headless run on this machine quiet and offline. Used by playwright.config.ts
// and the benchmarks under bench/.
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.KVDECK_CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
