// One user on the users page: role, password reset and delete, each its own form.
import { useFetcher } from "@remix-run/react";
import { ROLE_LABELS, ROLES, type Role } from "~/auth/roles";
import type { ActionResult } from "~/features/admin/action-result";
import { formatAbsolute } from "~/utils/format";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { Select } from "../ui/select";
import { TableCell, TableRow } from "../ui/table";
import { ResultMessage } from "./result-message";
import { TwoStepDelete } from "./two-step-delete";
import { useResetOnSuccess } from "./use-reset-on-success";

export interface UserRowData {
  id: number;
  username: string;
  role: Role;
  createdAt: number;
}

export function UserRow({ user, isMe }: { user: UserRowData; isMe: boolean }) {
  const roleFetcher = useFetcher<ActionResult>();
  const passwordFetcher = useFetcher<ActionResult>();
  const deleteFetcher = useFetcher<ActionResult>();
  const passwordForm = useResetOnSuccess(passwordFetcher);
  const result = deleteFetcher.data ?? roleFetcher.data ?? passwordFetcher.data;

  return (
    <TableRow aria-label={user.username}>
      <TableCell className="align-top">
        <span className="font-medium">{user.username}</span> {isMe ? <Badge variant="secondary">you</Badge> : null}
        <ResultMessage result={result} className="text-xs" />
      </TableCell>
      <TableCell className="align-top">
        <roleFetcher.Form method="post" className="flex items-center gap-2">
          <input type="hidden" name="intent" value="role" />
          <input type="hidden" name="id" value={user.id} />
          <Select name="role" size="sm" defaultValue={user.role} key={user.role} disabled={isMe} aria-label={`Role of ${user.username}`}>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </Select>
          {isMe ? null : (
            <Button type="submit" size="sm" variant="outline" disabled={roleFetcher.state !== "idle"}>
              Change role
            </Button>
          )}
        </roleFetcher.Form>
      </TableCell>
      <TableCell className="align-top">
        <passwordFetcher.Form method="post" ref={passwordForm} className="flex items-center gap-2">
          <input type="hidden" name="intent" value="password" />
          <input type="hidden" name="id" value={user.id} />
          <Input
            name="password"
            type="password"
            autoComplete="new-password"
            placeholder="New password"
            aria-label={`New password for ${user.username}`}
            minLength={8}
            required
            className="h-8 w-40"
          />
          <Button type="submit" size="sm" variant="outline" disabled={passwordFetcher.state !== "idle"}>
            Reset password
          </Button>
        </passwordFetcher.Form>
      </TableCell>
      <TableCell className="align-top text-muted-foreground">{formatAbsolute(Math.floor(user.createdAt / 1000))}</TableCell>
      <TableCell className="text-right align-top">
        {isMe ? null : (
          <TwoStepDelete fetcher={deleteFetcher} id={user.id} label={user.username}>
            {user.username}
          </TwoStepDelete>
        )}
      </TableCell>
    </TableRow>
  );
}
