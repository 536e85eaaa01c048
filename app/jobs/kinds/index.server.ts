// Every job kind, by name.
import type { JobKind } from "../types";
import { bulkExpiry } from "./bulk-expiry.server";
import { copy } from "./copy.server";
import { deleteSelected } from "./delete-selected.server";
import { exportKind } from "./export.server";
import { importKind } from "./import.server";
import { indexKind } from "./index-catalog.server";
import type { JobKindDefinition } from "./kind.server";
import { move } from "./move.server";
import { purge } from "./purge.server";
import { restore } from "./restore.server";

// Each definition is typed by its own payload (its methods take it bivariantly, so each fits the
// registry as it is); the registry only passes payloads it validated.
export const jobKinds: Record<JobKind, JobKindDefinition<unknown, unknown>> = {
  "delete-selected": deleteSelected,
  purge,
  export: exportKind,
  import: importKind,
  copy,
  move,
  "bulk-expiry": bulkExpiry,
  index: indexKind,
  restore,
};
