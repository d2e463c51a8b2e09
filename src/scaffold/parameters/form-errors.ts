import type { FieldErrors, FormValues } from "../../message/form.ts";
import { checkParameters } from "./check-parameters.ts";
import { formValuesToParameters } from "./coerce-values.ts";
import type { EntityLookup } from "./field-extensions.ts";
import type { ParameterPage } from "./parameter-pages.ts";

/**
 * A form page's errors, keyed by the Form's field names, for a form session: the values typed so far
 * (earlier pages included) are read as parameters and checked against that one page.
 */
export function pageErrors(
  pages: ParameterPage[],
  pageIndex: number,
  values: FormValues,
  catalog?: EntityLookup,
): FieldErrors {
  const parameters = formValuesToParameters(pages, values);
  const check = checkParameters(pages, parameters, { onlyPage: pageIndex, ...(catalog ? { catalog } : {}) });
  const errors: FieldErrors = {};
  for (const problem of check.problems) {
    // A problem inside a list (`tags[1]`) belongs to the list's field.
    const field = problem.field.replace(/\[\d+\].*$/, "");
    errors[field] ??= problem.message;
  }
  return errors;
}
