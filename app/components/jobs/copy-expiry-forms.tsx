// The copy/move and set-expiry dialogs' forms (fields named as jobForm reads them:
// app/jobs/payloads.ts). A copy's mode is its kind; an expiry's mode picks which field is sent.
import { useState } from "react";
import type { KeyRule } from "~/kv/key-rule";
import { escapeInvisibles } from "~/utils/format";
import { Input } from "../ui/input";
import { FieldError, Label } from "../ui/label";
import { RadioGroup, RadioGroupItem } from "../ui/radio-group";
import { Select } from "../ui/select";
import { KeepCopyField } from "../recycle/keep-copy-field";
import { Choice, JobForm, RuleFields, fieldAria, type StartWith } from "./job-form";

export function CopyForm({
  start,
  rule,
  namespaces,
  copyByDefault = true,
}: {
  start: StartWith;
  rule: KeyRule;
  namespaces: { id: string; title: string }[];
  /** A move keeps a recycle copy of what it deletes from here unless the person skips it. */
  copyByDefault?: boolean;
}) {
  const [kind, setKind] = useState("copy");
  return (
    <JobForm start={start} submitLabel="Start">
      {(fields) => (
        <>
          <RuleFields rule={rule} />
          <div className="grid gap-1 text-sm">
            <Label htmlFor={fields.targetNamespaceId.id} weight="normal">
              Target namespace
            </Label>
            <Select id={fields.targetNamespaceId.id} name="targetNamespaceId" required {...fieldAria(fields.targetNamespaceId)}>
              {namespaces.map((n) => (
                <option key={n.id} value={n.id}>
                  {escapeInvisibles(n.title)}
                </option>
              ))}
            </Select>
            <FieldError id={fields.targetNamespaceId.errorId} errors={fields.targetNamespaceId.errors} />
          </div>
          <Choice
            field={fields.kind}
            name="kind"
            label="Mode"
            onValueChange={setKind}
            options={[
              ["copy", "Copy"],
              ["move", "Move (delete from here after a verified copy)"],
            ]}
          />
          <Choice
            field={fields.onCollision}
            name="onCollision"
            label="When a key already exists there"
            options={[
              ["overwrite", "Overwrite it"],
              ["skip", "Keep it"],
            ]}
          />
          {kind === "move" ? (
            <KeepCopyField
              keys={null}
              requestsPerSecond={null}
              defaultChecked={copyByDefault}
              cost="No request more: the move has read the values to copy them."
            />
          ) : null}
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="dryRun" /> Dry run first (a plan of the exact keys; change nothing)
          </label>
        </>
      )}
    </JobForm>
  );
}

const EXPIRY_MODES = { ttl: "After", at: "At", clear: "Never (clear it)" } as const;
type ExpiryMode = keyof typeof EXPIRY_MODES;

export function ExpiryForm({ start, rule }: { start: StartWith; rule: KeyRule }) {
  const [mode, setMode] = useState<ExpiryMode>("ttl");
  /** The chosen time in epoch seconds: the browser knows the time zone a datetime-local is in. */
  const [at, setAt] = useState("");
  return (
    <JobForm start={start} submitLabel="Start">
      {(fields) => (
        <>
          <input type="hidden" name="kind" value="bulk-expiry" />
          <RuleFields rule={rule} />
          <div className="grid gap-1.5 text-sm">
            <span id="expiry-mode-label">Expiry</span>
            <RadioGroup
              value={mode}
              onValueChange={(value) => setMode(value as ExpiryMode)}
              aria-labelledby="expiry-mode-label"
              className="flex flex-wrap gap-4"
            >
              {(Object.keys(EXPIRY_MODES) as ExpiryMode[]).map((m) => (
                <div key={m} className="flex items-center gap-1.5">
                  <RadioGroupItem value={m} id={`expiry-mode-${m}`} />
                  <Label htmlFor={`expiry-mode-${m}`} weight="normal">
                    {EXPIRY_MODES[m]}
                  </Label>
                </div>
              ))}
            </RadioGroup>
          </div>
          {mode === "ttl" ? (
            <div className="grid gap-1">
              <label className="flex items-center gap-2 text-sm">
                <Input
                  name="expirationTtl"
                  type="number"
                  min={60}
                  defaultValue={86400}
                  className="w-32"
                  aria-label="Expiry TTL in seconds"
                  {...fieldAria(fields.expirationTtl)}
                />{" "}
                seconds
              </label>
              <FieldError id={fields.expirationTtl.errorId} errors={fields.expirationTtl.errors} />
            </div>
          ) : null}
          {mode === "at" ? (
            <div className="grid gap-1">
              <Input
                type="datetime-local"
                required
                aria-label="Expiry date and time"
                className="w-64"
                onChange={(event) => {
                  const time = new Date(event.currentTarget.value).getTime();
                  setAt(Number.isFinite(time) ? String(Math.floor(time / 1000)) : "");
                }}
                {...fieldAria(fields.expiration)}
              />
              <input type="hidden" name="expiration" value={at} />
              <FieldError id={fields.expiration.errorId} errors={fields.expiration.errors} />
            </div>
          ) : null}
          {mode === "clear" ? <input type="hidden" name="clear" value="on" /> : null}
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="dryRun" /> Dry run first (count and sample, change nothing)
          </label>
        </>
      )}
    </JobForm>
  );
}
