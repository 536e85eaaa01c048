// The parts of the start-a-job dialogs: the dialog, a Conform form validated with jobForm in the
// browser (and again by the action), the page's rule as hidden fields, radio choices and the
// submit row. Field errors show under their field, which points at them (aria-describedby).
import { getFormProps, useForm, type FieldMetadata } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { useId, type ReactNode } from "react";
import { jobForm, ruleFormEntries } from "~/jobs/payloads";
import type { JobSnapshot } from "~/jobs/types";
import type { KeyRule } from "~/kv/key-rule";
import { VisibleText } from "../key-name";
import { Button } from "../ui/button";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "../ui/dialog";
import { FieldError, Label } from "../ui/label";
import { RadioGroup, RadioGroupItem } from "../ui/radio-group";
import { useStartJob } from "./use-start-job";

/** Where a dialog's form posts, and what happens to the job it started. */
export interface StartWith {
  action: string;
  onStarted: (job: JobSnapshot) => void;
}

export function JobDialog({
  open,
  onOpenChange,
  title,
  description,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: string;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogTitle>{title}</DialogTitle>
        <DialogDescription>
          <VisibleText text={description} />
        </DialogDescription>
        {children}
      </DialogContent>
    </Dialog>
  );
}

/** A form of the start-a-job schema, posted by a fetcher of its own. `children` gets the fields. */
export function JobForm({
  start,
  multipart = false,
  submitLabel,
  children,
}: {
  start: StartWith;
  multipart?: boolean;
  submitLabel: string;
  children: (fields: JobFormFields) => ReactNode;
}) {
  // A fetcher of its own, mounted with the dialog: a dialog opened again shows no old refusal.
  const starter = useStartJob(start.action, start.onStarted);
  const [form, fields] = useForm({
    lastResult: starter.reply,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: jobForm }),
  });
  // The form as a whole did not validate, or the action refused (its message; field errors show by their fields too).
  const problem = form.errors?.join(" ") || starter.error;
  return (
    <starter.Form
      method="post"
      action={start.action}
      encType={multipart ? "multipart/form-data" : undefined}
      className="grid gap-3"
      {...getFormProps(form)}
    >
      {children(fields)}
      {problem ? (
        <p role="alert" id={form.errorId} className="rounded-md bg-destructive/10 p-2 text-sm text-destructive">
          <VisibleText text={problem} />
        </p>
      ) : null}
      <div className="flex justify-end">
        <Button type="submit" disabled={starter.pending}>
          {starter.pending ? "Starting…" : submitLabel}
        </Button>
      </div>
    </starter.Form>
  );
}

export type JobFormFields = ReturnType<typeof useForm<Record<string, unknown>>>[1];
type Field = FieldMetadata<unknown>;

/** What a control says about its field: invalid, and where the message is. */
export function fieldAria(field: Field) {
  return { "aria-invalid": field.errors?.length ? true : undefined, "aria-describedby": field.errors?.length ? field.errorId : undefined };
}

/** The page's rule as hidden fields; an empty rule posts none (a whole-namespace job). */
export function RuleFields({ rule }: { rule: KeyRule }) {
  return (
    <>
      {ruleFormEntries(rule).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

/** One choice among a few, the first chosen at first. */
export function Choice({
  field,
  name,
  label,
  options,
  onValueChange,
}: {
  field?: Field;
  name: string;
  label: string;
  options: [string, string][];
  onValueChange?: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="grid gap-1.5 text-sm">
      <span id={`${id}-label`}>{label}</span>
      <RadioGroup
        name={name}
        defaultValue={options[0][0]}
        onValueChange={onValueChange}
        aria-labelledby={`${id}-label`}
        className="gap-1.5"
        {...(field ? fieldAria(field) : {})}
      >
        {options.map(([value, text]) => (
          <div key={value} className="flex items-center gap-2">
            <RadioGroupItem value={value} id={`${id}-${value}`} />
            <Label htmlFor={`${id}-${value}`} weight="normal">
              {text}
            </Label>
          </div>
        ))}
      </RadioGroup>
      {field ? <FieldError id={field.errorId} errors={field.errors} /> : null}
    </div>
  );
}
