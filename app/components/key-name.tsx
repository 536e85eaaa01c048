// Names as people should read them: every control, bidi or invisible character shown as a
// visible escape token (a U+202E cannot reorder what follows it), and long key names cut in the
// middle so the end that tells them apart stays in view.
import { cn } from "~/utils/cn";
import { escapeInvisibles, visibleSegments, type TextSegment } from "~/utils/format";

/** How many characters of a long name stay visible at its end when the middle is cut. */
const TAIL_CHARS = 14;

function Segments({ segments }: { segments: TextSegment[] }) {
  return (
    <>
      {segments.map((s, i) =>
        s.escaped ? (
          <span
            key={i}
            className="rounded-sm bg-warning/25 px-px font-mono text-[0.9em] text-warning-foreground dark:text-warning"
            data-escape=""
          >
            {s.text}
          </span>
        ) : (
          s.text
        ),
      )}
    </>
  );
}

/** Any text that may carry a key or namespace name (titles, messages, errors), escapes shown. */
export function VisibleText({ text, className }: { text: string; className?: string }) {
  const segments = visibleSegments(text);
  if (!segments.some((s) => s.escaped)) return className ? <span className={className}>{text}</span> : <>{text}</>;
  // Isolated, so the text around it keeps its own direction whatever the name holds.
  return (
    <bdi className={className}>
      <Segments segments={segments} />
    </bdi>
  );
}

/**
 * A key name. `truncate="middle"`: one line, the start cut with an ellipsis when it does not fit,
 * the last characters always shown; the full name is the element's title.
 */
export function KeyName({ name, truncate, className }: { name: string; truncate?: "middle"; className?: string }) {
  const segments = visibleSegments(name);
  if (truncate !== "middle") {
    return (
      <bdi className={cn("break-all", className)}>
        <Segments segments={segments} />
      </bdi>
    );
  }
  const [head, tail] = splitTail(segments, TAIL_CHARS);
  return (
    <bdi dir="ltr" className={cn("flex min-w-0 whitespace-pre", className)} title={escapeInvisibles(name)}>
      {head.length ? (
        <span className="min-w-[3ch] overflow-hidden text-ellipsis whitespace-pre">
          <Segments segments={head} />
        </span>
      ) : null}
      <span className="shrink-0">
        <Segments segments={tail} />
      </span>
    </bdi>
  );
}

/** Splits after the display's last `chars` characters (an escape token counts as one; never inside a surrogate pair). */
export function splitTail(segments: TextSegment[], chars: number): [TextSegment[], TextSegment[]] {
  const head: TextSegment[] = [];
  const tail: TextSegment[] = [];
  let left = chars;
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i];
    if (left <= 0) head.unshift(s);
    else if (s.escaped) {
      tail.unshift(s);
      left--;
    } else {
      const points = Array.from(s.text);
      if (points.length <= left) {
        tail.unshift(s);
        left -= points.length;
      } else {
        head.unshift({ text: points.slice(0, points.length - left).join(""), escaped: false });
        tail.unshift({ text: points.slice(points.length - left).join(""), escaped: false });
        left = 0;
      }
    }
  }
  return [head, tail];
}
