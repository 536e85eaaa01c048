import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";

export async function loader({ context }: LoaderFunctionArgs) {
  await requireRole(context, "admin");
  throw redirect("/admin/users");
}
