// A namespace as the list shows it, shared by the loader and the browser.
import type { OverlayMeta } from "~/cache/types";
import type { Namespace } from "~/kv/upstream.server";

export type NamespaceRow = Namespace & { _meta?: OverlayMeta };
