// The audit log's filter: user, action, outcome and a range of UTC days, as the page's query.
import { Form, Link } from "@remix-run/react";
import { useId } from "react";
import { AUDIT_OUTCOMES } from "~/audit/outcomes";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { Label } from "../ui/label";
import { Select } from "../ui/select";

export interface AuditFilterValues {
  user?: string;
  action?: string;
  outcome?: string;
  from?: string;
  to?: string;
}

function Choose({
  id,
  label,
  name,
  value,
  any,
  options,
}: {
  id: string;
  label: string;
  name: string;
  value?: string;
  any: string;
  options: readonly string[];
}) {
  return (
    <div className="space-y-1">
      <Label htmlFor={id}>{label}</Label>
      <Select id={id} name={name} defaultValue={value ?? ""}>
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </Select>
    </div>
  );
}

export function AuditFilterForm({ filter, choices }: { filter: AuditFilterValues; choices: { usernames: string[]; actions: string[] } }) {
  const id = useId();
  return (
    <Form method="get" className="grid items-end gap-3 sm:grid-cols-3 lg:grid-cols-6" aria-label="Filter the audit log">
      <Choose id={`${id}-user`} label="User" name="user" value={filter.user} any="anyone" options={choices.usernames} />
      <Choose id={`${id}-action`} label="Action" name="action" value={filter.action} any="any" options={choices.actions} />
      <Choose id={`${id}-outcome`} label="Outcome" name="outcome" value={filter.outcome} any="any" options={AUDIT_OUTCOMES} />
      <div className="space-y-1">
        <Label htmlFor={`${id}-from`}>From (UTC)</Label>
        <Input id={`${id}-from`} type="date" name="from" defaultValue={filter.from ?? ""} />
      </div>
      <div className="space-y-1">
        <Label htmlFor={`${id}-to`}>To (UTC)</Label>
        <Input id={`${id}-to`} type="date" name="to" defaultValue={filter.to ?? ""} />
      </div>
      <div className="flex gap-2">
        <Button type="submit">Filter</Button>
        <Button asChild variant="ghost">
          <Link to="/admin/audit">Clear</Link>
        </Button>
      </div>
    </Form>
  );
}
