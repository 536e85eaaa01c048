// A namespace as the list shows it, shared by the loader and the browser.
import type { OverlayMeta } from "~/cache/types";
import type { Namespace } from "~/kv/upstream.server";

/** A namespace's catalog as the list shows it (app/catalog): its key count and age. */
export interface NamespaceCatalog {
  keyCount: number;
  /** ISO time of the last finished listing's start; null while the first one runs. */
  asOf: string | null;
  state: "building" | "ready";
}

/** `catalog`: null when the namespace is not indexed. */
export type NamespaceRow = Namespace & { _meta?: OverlayMeta; catalog?: NamespaceCatalog | null };
