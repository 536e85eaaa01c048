// A form that empties itself once its fetcher's change went through: the admin pages' add and
// reset forms, so the next entry starts blank (a refusal keeps what was typed, to correct it).
import { useEffect, useRef } from "react";
import type { ActionResult } from "~/features/admin/action-result";

export function useResetOnSuccess(fetcher: { state: string; data?: ActionResult }) {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) form.current?.reset();
  }, [fetcher.state, fetcher.data]);
  return form;
}
