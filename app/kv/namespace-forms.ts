// Forms that change namespaces, shared by browser and action.
import { z } from "zod";
import { NAMESPACE_TITLE_MAX_CHARS } from "./limits";

const title = z
  .string()
  .trim()
  .min(1, "A namespace needs a title.")
  .max(NAMESPACE_TITLE_MAX_CHARS, `A title is at most ${NAMESPACE_TITLE_MAX_CHARS} characters.`);

export const createNamespaceSchema = z.object({ intent: z.literal("create"), title });
export const renameNamespaceSchema = z.object({ intent: z.literal("rename"), id: z.string().min(1), title });
export const deleteNamespaceSchema = z.object({ intent: z.literal("delete"), id: z.string().min(1), confirmTitle: z.string() });
