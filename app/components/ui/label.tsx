import { cva, type VariantProps } from "class-variance-authority";
import { Label as Primitive } from "radix-ui";
import { forwardRef, type ComponentPropsWithoutRef, type ElementRef } from "react";
import { cn } from "~/utils/cn";

export const labelVariants = cva("text-sm leading-none peer-disabled:cursor-not-allowed peer-disabled:opacity-70", {
  variants: {
    weight: { default: "font-medium", normal: "font-normal" },
  },
  defaultVariants: { weight: "default" },
});

/** A label (Radix Label: a click never selects its text). Point it at its control with htmlFor, or wrap the control. */
export const Label = forwardRef<
  ElementRef<typeof Primitive.Root>,
  ComponentPropsWithoutRef<typeof Primitive.Root> & VariantProps<typeof labelVariants>
>(({ className, weight, ...props }, ref) => <Primitive.Root ref={ref} className={cn(labelVariants({ weight }), className)} {...props} />);
Label.displayName = "Label";

/** The messages of a field that did not validate, under the field; the field points here with aria-describedby. */
export function FieldError({ id, errors, className }: { id: string; errors?: string[] | null; className?: string }) {
  if (!errors?.length) return null;
  return (
    <p id={id} className={cn("text-xs text-destructive", className)}>
      {errors.join(" ")}
    </p>
  );
}
