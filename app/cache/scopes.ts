// Scopes of the resource cache: a namespace's keys, or an account's namespace list. Keyed by the
// upstream account, so every connection, user and replica on that account shares the marks.

export const keyScope = (accountId: string, namespaceId: string) => `${accountId}/${namespaceId}`;
export const namespaceScope = (accountId: string) => `${accountId}/namespaces`;
