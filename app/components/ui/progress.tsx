import { Progress as Primitive } from "radix-ui";
import { cn } from "~/utils/cn";

/** A progress bar; `value` 0..100, null for "working, amount unknown". 0 is a bar at 0 %. */
export function Progress({ value, label, className }: { value: number | null; label: string; className?: string }) {
  const clamped = value === null ? null : Math.max(0, Math.min(100, value));
  return (
    <Primitive.Root
      value={clamped}
      max={100}
      aria-label={label}
      className={cn("relative h-2 w-full overflow-hidden rounded-full bg-secondary", className)}
    >
      <Primitive.Indicator
        className={cn("h-full bg-primary transition-[width] duration-300", clamped === null && "w-1/3 animate-pulse")}
        style={clamped === null ? undefined : { width: `${clamped}%` }}
      />
    </Primitive.Root>
  );
}
