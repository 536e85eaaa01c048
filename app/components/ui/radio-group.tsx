import { RadioGroup as Primitive } from "radix-ui";
import { forwardRef, type ComponentPropsWithoutRef, type ElementRef } from "react";
import { cn } from "~/utils/cn";

/** Radix RadioGroup: arrow keys move between the items; inside a form it posts its value under `name`. */
export const RadioGroup = forwardRef<ElementRef<typeof Primitive.Root>, ComponentPropsWithoutRef<typeof Primitive.Root>>(
  ({ className, ...props }, ref) => <Primitive.Root ref={ref} className={cn("grid gap-2", className)} {...props} />,
);
RadioGroup.displayName = "RadioGroup";

export const RadioGroupItem = forwardRef<ElementRef<typeof Primitive.Item>, ComponentPropsWithoutRef<typeof Primitive.Item>>(
  ({ className, ...props }, ref) => (
    <Primitive.Item
      ref={ref}
      className={cn(
        "peer grid aspect-square h-4 w-4 shrink-0 place-content-center rounded-full border border-input text-primary shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:cursor-not-allowed disabled:opacity-50 data-[state=checked]:border-primary",
        className,
      )}
      {...props}
    >
      <Primitive.Indicator className="h-2 w-2 rounded-full bg-primary" />
    </Primitive.Item>
  ),
);
RadioGroupItem.displayName = "RadioGroupItem";
