// Namespace titles as the job pages receive them from their loaders (namespace-titles.server.ts):
// one map per page, keyed by connection and namespace id. Shared by server and browser.

/** Title by `namespaceKey(connectionId, namespaceId)`; a namespace that is gone is absent. */
export type NamespaceTitles = Record<string, string>;

export const namespaceKey = (connectionId: number, namespaceId: string) => `${connectionId}/${namespaceId}`;

/** The namespace's title, or its id when the title is not known (the namespace is gone). */
export function namespaceTitle(titles: NamespaceTitles | undefined, connectionId: number, namespaceId: string): string {
  return titles?.[namespaceKey(connectionId, namespaceId)] ?? namespaceId;
}
