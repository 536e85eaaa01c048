// The keys table's filter: a prefix (narrows the upstream listing), then a name pattern and one
// metadata condition (applied to each listed page). A GET form, so the URL carries the filter.
import { Form } from "@remix-run/react";
import { useState } from "react";
import type { KeyRule } from "~/kv/key-rule";
import { Button } from "./ui/button";
import { Input } from "./ui/input";

export function KeyFilterForm({ base, rule, onPrefixTyped, onSubmitted }: { base: string; rule: KeyRule; onPrefixTyped: (form: HTMLFormElement | null) => void; onSubmitted: () => void }) {
  const condition = rule.metadata?.[0];
  const [more, setMore] = useState(Boolean(rule.glob || rule.regex || condition));
  const [op, setOp] = useState(condition?.op ?? "equals");
  return (
    <Form method="get" action={base} role="search" aria-label="Filter keys" className="ml-auto flex w-full flex-wrap items-center gap-2 sm:w-auto" onSubmit={onSubmitted}>
      <label htmlFor="prefix" className="text-sm text-muted-foreground">
        Prefix
      </label>
      <Input
        id="prefix"
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
      {more ? (
        <>
          <Input name="glob" aria-label="Name pattern" placeholder="Pattern, e.g. *:cart" defaultValue={rule.glob ?? ""} className="w-40 font-mono" />
          <Input name="metaField" aria-label="Metadata field" placeholder="Metadata field" defaultValue={condition?.field ?? ""} className="w-36 font-mono" />
          <select
            name="metaOp"
            aria-label="Metadata comparison"
            value={op}
            onChange={(e) => setOp(e.currentTarget.value as typeof op)}
            className="h-9 rounded-md border border-input bg-background px-2 text-sm"
          >
            <option value="equals">equals</option>
            <option value="contains">contains</option>
            <option value="exists">exists</option>
          </select>
          {op !== "exists" ? (
            <Input name="metaValue" aria-label="Metadata value" placeholder="Value" defaultValue={condition?.value ?? ""} className="w-32 font-mono" />
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
