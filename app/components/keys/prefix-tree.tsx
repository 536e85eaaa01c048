// The prefix tree beside the keys table (namespaces with a catalog): folders by delimiter with
// their key counts, each level read on demand from the .prefixes resource route. A tree in the ARIA
// sense: ArrowUp/Down move, ArrowRight opens (or goes to the first child), ArrowLeft closes (or
// goes to the parent), Enter filters the table by the folder's prefix. The delimiter starts as the
// one the catalog's overview detected and can be changed (the tree is read again at it). On a
// narrow screen the tree sits above the table, its height bounded, and folds like on a wide one.
import { Form, useNavigate } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import { DELIMITER_CANDIDATES } from "~/catalog/delimiters";
import { escapeInvisibles, formatCount } from "~/utils/format";
import { Button } from "../ui/button";
import { Input } from "../ui/input";

interface Folder {
  prefix: string;
  keys: number;
}
interface Level {
  folders: Folder[];
  loose: number;
  more: boolean;
}
/** A prefix without an entry is still loading. */
type Levels = Record<string, Level | { error: string }>;

export function PrefixTree({ base, initialDelimiter, from }: { base: string; initialDelimiter: string; from: string | null }) {
  const [delimiter, setDelimiter] = useState(initialDelimiter);
  return (
    <details open className="shrink-0 overflow-y-auto border-r md:w-56 max-md:max-h-56 max-md:w-full max-md:border-b max-md:border-r-0">
      <summary className="cursor-pointer px-2 py-1 text-sm font-medium">Prefixes (“{delimiter}”)</summary>
      <div className="flex items-center gap-2 px-2 pb-2 text-xs">
        <label htmlFor="tree-delimiter">Delimiter</label>
        <select
          id="tree-delimiter"
          value={delimiter}
          onChange={(e) => setDelimiter(e.currentTarget.value)}
          className="rounded border bg-background px-1 py-0.5"
        >
          {DELIMITER_CANDIDATES.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </div>
      {/* A jump starts the table at a key, from the catalog (the upstream lists from the start only). */}
      <Form method="get" action={base} className="flex gap-1 px-2 pb-2" key={from ?? ""}>
        <label htmlFor="jump-to-key" className="sr-only">
          Jump to key
        </label>
        <Input
          id="jump-to-key"
          name="from"
          type="search"
          defaultValue={from ?? ""}
          placeholder="Jump to key…"
          maxLength={512}
          className="h-8 min-w-0 text-xs"
        />
        <Button type="submit" size="sm" variant="outline" className="h-8">
          Jump
        </Button>
      </Form>
      <Folders key={delimiter} base={base} delimiter={delimiter} />
    </details>
  );
}

/** The folders at one delimiter, each level read when it is opened. */
function Folders({ base, delimiter }: { base: string; delimiter: string }) {
  const navigate = useNavigate();
  const [levels, setLevels] = useState<Levels>({});
  const [open, setOpen] = useState<Set<string>>(() => new Set([""]));
  const [focused, setFocused] = useState<string | null>(null);
  const items = useRef(new Map<string, HTMLLIElement>());
  const requested = useRef(new Set<string>());

  const load = useCallback(
    (prefix: string) => {
      if (requested.current.has(prefix)) return;
      requested.current.add(prefix);
      const search = new URLSearchParams({ prefix, delimiter });
      fetch(`${base}/prefixes?${search}`)
        .then(async (response) => {
          const body = await response.json();
          if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
          const { folders, loose, next } = body.level as { folders: Folder[]; loose: number; next: unknown };
          setLevels((l) => ({ ...l, [prefix]: { folders, loose, more: Boolean(next) } }));
        })
        .catch((error: Error) => setLevels((l) => ({ ...l, [prefix]: { error: error.message } })));
    },
    [base, delimiter],
  );
  useEffect(() => load(""), [load]);

  // The visible folders in order, with their depth and parent, for the keyboard.
  const visible: { prefix: string; parent: string; depth: number }[] = [];
  const walk = (prefix: string, depth: number) => {
    const level = levels[prefix];
    if (!level || "error" in level) return;
    for (const f of level.folders) {
      visible.push({ prefix: f.prefix, parent: prefix, depth });
      if (open.has(f.prefix)) walk(f.prefix, depth + 1);
    }
  };
  walk("", 1);
  const current = focused ?? visible[0]?.prefix ?? null;

  const toggle = (prefix: string, to: boolean) => {
    setOpen((o) => {
      const next = new Set(o);
      if (to) next.add(prefix);
      else next.delete(prefix);
      return next;
    });
    if (to) load(prefix);
  };
  const focus = (prefix: string) => {
    setFocused(prefix);
    items.current.get(prefix)?.focus();
  };
  const filterBy = (prefix: string) => navigate(`${base}?${new URLSearchParams({ prefix })}`);

  const onKeyDown = (event: KeyboardEvent, prefix: string) => {
    const at = visible.findIndex((v) => v.prefix === prefix);
    const item = visible[at];
    let handled = true;
    if (event.key === "ArrowDown" && at + 1 < visible.length) focus(visible[at + 1].prefix);
    else if (event.key === "ArrowUp" && at > 0) focus(visible[at - 1].prefix);
    else if (event.key === "ArrowRight") {
      if (!open.has(prefix)) toggle(prefix, true);
      else if (visible[at + 1]?.parent === prefix) focus(visible[at + 1].prefix);
    } else if (event.key === "ArrowLeft") {
      if (open.has(prefix)) toggle(prefix, false);
      else if (item?.parent) focus(item.parent);
    } else if (event.key === "Enter") filterBy(prefix);
    else handled = false;
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  };

  const renderLevel = (prefix: string, depth: number) => {
    const level = levels[prefix];
    if (!level)
      return (
        <li role="none" className="px-2 py-1 text-xs text-muted-foreground">
          Loading…
        </li>
      );
    if ("error" in level)
      return (
        <li role="none" className="px-2 py-1 text-xs text-destructive">
          {level.error}
        </li>
      );
    return (
      <>
        {level.folders.map((f) => {
          const expanded = open.has(f.prefix);
          return (
            <li
              key={f.prefix}
              ref={(el) => {
                if (el) items.current.set(f.prefix, el);
                else items.current.delete(f.prefix);
              }}
              role="treeitem"
              aria-expanded={expanded}
              aria-level={depth}
              aria-selected={false}
              aria-label={`${escapeInvisibles(f.prefix.slice(prefix.length))} ${formatCount(f.keys)} keys`}
              tabIndex={current === f.prefix ? 0 : -1}
              onKeyDown={(e) => onKeyDown(e, f.prefix)}
              onFocus={(e) => {
                if (e.target === e.currentTarget) setFocused(f.prefix);
              }}
              className="outline-none focus-visible:ring-2 focus-visible:ring-ring"
            >
              <div className="flex items-center gap-1 px-1 py-0.5 text-sm" style={{ paddingLeft: `${(depth - 1) * 0.75 + 0.25}rem` }}>
                <button
                  type="button"
                  tabIndex={-1}
                  aria-hidden="true"
                  className="w-4 text-muted-foreground"
                  onClick={(e) => {
                    e.stopPropagation();
                    toggle(f.prefix, !expanded);
                  }}
                >
                  {expanded ? "▾" : "▸"}
                </button>
                <button
                  type="button"
                  tabIndex={-1}
                  className="min-w-0 flex-1 truncate text-left hover:underline"
                  onClick={(e) => {
                    e.stopPropagation();
                    filterBy(f.prefix);
                  }}
                >
                  {escapeInvisibles(f.prefix.slice(prefix.length))}
                </button>
                <span className="tabular-nums text-xs text-muted-foreground">{formatCount(f.keys)}</span>
              </div>
              {expanded ? (
                <ul role="group" className="list-none">
                  {renderLevel(f.prefix, depth + 1)}
                </ul>
              ) : null}
            </li>
          );
        })}
        {level.loose || level.more ? (
          <li role="none" className="px-2 py-0.5 text-xs text-muted-foreground" style={{ paddingLeft: `${(depth - 1) * 0.75 + 1.5}rem` }}>
            {level.loose ? `${formatCount(level.loose)} keys directly here` : ""}
            {level.more ? " · more folders: filter by the prefix" : ""}
          </li>
        ) : null}
      </>
    );
  };

  return (
    <ul role="tree" aria-label={`Prefixes at “${delimiter}”`} className="list-none pb-2">
      {renderLevel("", 1)}
    </ul>
  );
}
