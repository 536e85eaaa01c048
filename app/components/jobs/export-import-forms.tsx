// The export and import dialogs' forms (fields named as jobForm reads them: app/jobs/payloads.ts).
import type { KeyRule } from "~/kv/key-rule";
import { Input } from "../ui/input";
import { FieldError, Label } from "../ui/label";
import { Choice, JobForm, RuleFields, fieldAria, type StartWith } from "./job-form";

export function ExportForm({ start, rule }: { start: StartWith; rule: KeyRule }) {
  return (
    <JobForm start={start} submitLabel="Start export">
      {(fields) => (
        <>
          <input type="hidden" name="kind" value="export" />
          <RuleFields rule={rule} />
          <Choice
            field={fields.format}
            name="format"
            label="Format"
            options={[
              ["ndjson", "NDJSON (one key per line)"],
              ["json", "wrangler bulk JSON"],
            ]}
          />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="values" defaultChecked /> Include values (one bulk read per 100 keys)
          </label>
        </>
      )}
    </JobForm>
  );
}

export function ImportForm({ start }: { start: StartWith }) {
  return (
    <JobForm start={start} multipart submitLabel="Upload and import">
      {(fields) => (
        <>
          <input type="hidden" name="kind" value="import" />
          <div className="grid gap-1 text-sm">
            <Label htmlFor={fields.file.id} weight="normal">
              File
            </Label>
            <Input
              id={fields.file.id}
              type="file"
              name="file"
              required
              accept=".ndjson,.jsonl,.json,application/json,application/x-ndjson"
              {...fieldAria(fields.file)}
            />
            <FieldError id={fields.file.errorId} errors={fields.file.errors} />
          </div>
          <Choice
            field={fields.format}
            name="format"
            label="Format"
            options={[
              ["ndjson", "NDJSON"],
              ["json", "wrangler bulk JSON"],
            ]}
          />
          <Choice
            field={fields.onCollision}
            name="onCollision"
            label="When a key already exists"
            options={[
              ["fail", "Stop before writing anything"],
              ["skip", "Keep the existing key"],
              ["overwrite", "Overwrite it"],
            ]}
          />
        </>
      )}
    </JobForm>
  );
}
