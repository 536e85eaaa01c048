// "Add a user": username, role and an initial password the admin passes on (kvdeck sends no mail).
import { useFetcher } from "@remix-run/react";
import { useId } from "react";
import { ROLE_LABELS, ROLES } from "~/auth/roles";
import type { ActionResult } from "~/features/admin/action-result";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { Label } from "../ui/label";
import { Select } from "../ui/select";
import { ResultMessage } from "./result-message";
import { useResetOnSuccess } from "./use-reset-on-success";

export function CreateUserForm() {
  const fetcher = useFetcher<ActionResult>();
  const form = useResetOnSuccess(fetcher);
  const id = useId();
  return (
    <section aria-labelledby="create-user-heading" className="max-w-xl">
      <h2 id="create-user-heading" className="mb-3 text-lg font-semibold">
        Add a user
      </h2>
      <fetcher.Form method="post" ref={form} className="grid gap-3 sm:grid-cols-[1fr_auto]">
        <input type="hidden" name="intent" value="create" />
        <div className="space-y-1">
          <Label htmlFor={`${id}-username`}>Username</Label>
          <Input
            id={`${id}-username`}
            name="username"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            required
            maxLength={64}
          />
        </div>
        <div className="space-y-1">
          <Label htmlFor={`${id}-role`}>Role</Label>
          <Select id={`${id}-role`} name="role" defaultValue="viewer">
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </Select>
        </div>
        <div className="space-y-1 sm:col-span-2">
          <Label htmlFor={`${id}-password`}>Initial password</Label>
          <Input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            aria-describedby={`${id}-password-hint`}
          />
          <p id={`${id}-password-hint`} className="text-xs text-muted-foreground">
            At least 8 characters. Tell the person; kvdeck sends no mail.
          </p>
        </div>
        <ResultMessage result={fetcher.data} className="text-sm sm:col-span-2" />
        <div className="sm:col-span-2">
          <Button type="submit" disabled={fetcher.state !== "idle"}>
            Add user
          </Button>
        </div>
      </fetcher.Form>
    </section>
  );
}
