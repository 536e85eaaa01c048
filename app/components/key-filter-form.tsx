// The keys table's filter: a prefix (narrows the upstream listing), then a name pattern, one
// metadata condition and an expiry condition (applied to each listed page). A GET form, so the
// URL carries the filter (app/kv/key-filter.ts reads it).
import { Form } from "@remix-run/react";
import { useId, useState, type ReactNode } from "react";
import { EXPIRY_FILTERS, utcInputValue, type ExpiryFilter } from "~/kv/key-filter";
import type { KeyRule } from "~/kv/key-rule";
import { cn } from "~/utils/cn";
import { Button } from "./ui/button";
import { Input } from "./ui/input";

const SELECT_CLASS = "h-9 rounded-md border border-input bg-background px-2 text-sm";

export function KeyFilterForm({
  base,
  rule,
  expiry,
  onPrefixTyped,
  onSubmitted,
}: {
  base: string;
  rule: KeyRule;
  /** The expiry filter as the URL names it (`expired` is a time in the rule, but a choice in the form). */
  expiry: ExpiryFilter | null;
  onPrefixTyped: (form: HTMLFormElement | null) => void;
  onSubmitted: () => void;
}) {
  const condition = rule.metadata?.[0];
  const [more, setMore] = useState(Boolean(rule.glob || rule.regex || condition || expiry));
  const [op, setOp] = useState(condition?.op ?? "equals");
  const [expiryChoice, setExpiryChoice] = useState<ExpiryFilter | "">(expiry ?? "");
  const id = useId();
  return (
    <Form
      method="get"
      action={base}
      role="search"
      aria-label="Filter keys"
      className="ml-auto flex w-full flex-wrap items-end gap-2 sm:w-auto"
      onSubmit={onSubmitted}
    >
      <Field id={`${id}-prefix`} label="Prefix" className="w-full sm:w-auto">
        <Input
          id={`${id}-prefix`}
          name="prefix"
          type="search"
          defaultValue={rule.prefix ?? ""}
          key={rule.prefix ?? ""}
          placeholder="Filter keys by prefix"
          className="font-mono sm:w-72"
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => onPrefixTyped(event.currentTarget.form)}
        />
      </Field>
      {more ? (
        <>
          <Field id={`${id}-glob`} label="Name pattern">
            <Input
              id={`${id}-glob`}
              name="glob"
              placeholder="e.g. *:cart"
              defaultValue={rule.glob ?? ""}
              className="w-40 font-mono"
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
          <Field id={`${id}-field`} label="Metadata field">
            <Input
              id={`${id}-field`}
              name="metaField"
              placeholder="e.g. cache-tag"
              defaultValue={condition?.field ?? ""}
              className="w-36 font-mono"
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
          <Field id={`${id}-op`} label="Metadata comparison">
            <select
              id={`${id}-op`}
              name="metaOp"
              value={op}
              onChange={(e) => setOp(e.currentTarget.value as typeof op)}
              className={SELECT_CLASS}
            >
              <option value="equals">equals</option>
              <option value="contains">contains</option>
              <option value="exists">exists</option>
            </select>
          </Field>
          {op !== "exists" ? (
            <Field id={`${id}-value`} label="Metadata value">
              <Input
                id={`${id}-value`}
                name="metaValue"
                defaultValue={condition?.value ?? ""}
                className="w-32 font-mono"
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
          ) : null}
          <Field id={`${id}-expiry`} label="Expiry">
            <select
              id={`${id}-expiry`}
              name="expiry"
              value={expiryChoice}
              onChange={(e) => setExpiryChoice(e.currentTarget.value as ExpiryFilter | "")}
              className={SELECT_CLASS}
            >
              <option value="">any</option>
              {EXPIRY_FILTERS.map((choice) => (
                <option key={choice} value={choice}>
                  {EXPIRY_LABELS[choice]}
                </option>
              ))}
            </select>
          </Field>
          {expiryChoice === "from" || expiryChoice === "between" ? (
            <TimeField
              id={`${id}-from`}
              name="expiresFrom"
              label="Expiring from (UTC)"
              seconds={expiry === expiryChoice ? rule.expiringFrom : undefined}
            />
          ) : null}
          {expiryChoice === "before" || expiryChoice === "between" ? (
            <TimeField
              id={`${id}-before`}
              name="expiresBefore"
              label="Expiring before (UTC)"
              seconds={expiry === expiryChoice ? rule.expiringBefore : undefined}
            />
          ) : null}
        </>
      ) : (
        <Button type="button" variant="ghost" size="sm" onClick={() => setMore(true)}>
          More filters
        </Button>
      )}
      <Button type="submit" variant="secondary" size="sm">
        Filter
      </Button>
    </Form>
  );
}

const EXPIRY_LABELS: Record<ExpiryFilter, string> = {
  before: "expiring before…",
  from: "expiring from…",
  between: "expiring between…",
  expired: "already expired",
  never: "no expiry",
};

/** A UTC time input; a time not on a whole minute (a link from the overview) keeps its seconds. */
function TimeField({ id, name, label, seconds }: { id: string; name: string; label: string; seconds: number | undefined }) {
  return (
    <Field id={id} label={label}>
      <Input
        id={id}
        name={name}
        type="datetime-local"
        required
        step={seconds !== undefined && seconds % 60 ? 1 : 60}
        defaultValue={seconds !== undefined ? utcInputValue(seconds) : ""}
        className="w-auto"
      />
    </Field>
  );
}

/** A visible label above its control. */
function Field({ id, label, className, children }: { id: string; label: string; className?: string; children: ReactNode }) {
  return (
    <div className={cn("grid gap-0.5", className)}>
      <label htmlFor={id} className="text-xs text-muted-foreground">
        {label}
      </label>
      {children}
    </div>
  );
}
