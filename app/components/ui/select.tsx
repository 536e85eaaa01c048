// A styled native <select>: the platform's own picker (a phone's wheel, a screen reader's list),
// so it works without script and with Playwright's selectOption. shadcn ships this as
// "native-select" beside its Radix Select; kvdeck's choices are short lists, so the native one does.
import { cva, type VariantProps } from "class-variance-authority";
import { forwardRef, type SelectHTMLAttributes } from "react";
import { cn } from "~/utils/cn";

export const selectVariants = cva(
  "flex rounded-md border border-input bg-background px-2 text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:cursor-not-allowed disabled:opacity-50 aria-[invalid=true]:border-destructive",
  {
    variants: {
      size: { default: "h-9 w-full", sm: "h-8" },
    },
    defaultVariants: { size: "default" },
  },
);

export interface SelectProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, "size">, VariantProps<typeof selectVariants> {}

export const Select = forwardRef<HTMLSelectElement, SelectProps>(({ className, size, ...props }, ref) => (
  <select ref={ref} className={cn(selectVariants({ size }), className)} {...props} />
));
Select.displayName = "Select";
