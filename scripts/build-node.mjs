// The second half of `npm run build`: compiles the Node shell (server/*.ts) to plain JavaScript in
// build/node/, one file per entry point, so `npm start` and the other commands run no TypeScript.
// npm packages stay imports (node_modules has them); the workspace packages (@kvdeck/*) ship
// TypeScript sources, so they are bundled in. The app itself is not: the shell imports the Remix
// server build (build/server/index.js) at run time (server/build.ts).
import { build } from "esbuild";

const ENTRY_POINTS = ["server/index.ts", "server/worker.ts", "server/seed-cli.ts", "server/kv-api.ts"];

await build({
  entryPoints: ENTRY_POINTS,
  outdir: "build/node",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  plugins: [
    {
      name: "npm-packages-external",
      setup(esbuild) {
        // A bare specifier (not ./, ../ or /) names a package: leave it to Node, unless it is ours.
        esbuild.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith("@kvdeck/") ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
