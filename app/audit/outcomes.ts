// How an audited operation ended: everything done, some of it, or none.
export const AUDIT_OUTCOMES = ["ok", "partial", "failed"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
