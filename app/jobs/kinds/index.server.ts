// Every job kind, by name.
import type { JobKind } from "../types";
import { bulkExpiry } from "./bulk-expiry.server";
import { copy } from "./copy.server";
import { deleteSelected } from "./delete-selected.server";
import { exportKind } from "./export.server";
import { importKind } from "./import.server";
import type { JobKindDefinition } from "./kind.server";
import { move } from "./move.server";
import { purge } from "./purge.server";

// Each definition is typed by its own payload; the registry only passes payloads it validated.
export const jobKinds: Record<JobKind, JobKindDefinition<unknown, unknown>> = {
  "delete-selected": deleteSelected as unknown as JobKindDefinition<unknown, unknown>,
  purge: purge as unknown as JobKindDefinition<unknown, unknown>,
  export: exportKind as unknown as JobKindDefinition<unknown, unknown>,
  import: importKind as unknown as JobKindDefinition<unknown, unknown>,
  copy: copy as unknown as JobKindDefinition<unknown, unknown>,
  move: move as unknown as JobKindDefinition<unknown, unknown>,
  "bulk-expiry": bulkExpiry as unknown as JobKindDefinition<unknown, unknown>,
};
