import type { Activity } from "botbuilder";
import { z } from "zod";

/**
 * The shape of an inbound Bot Framework activity, checked before any of it is used. The SDK takes the body
 * as it comes, so a missing conversation, a numeric `text` or an invoke without its `value` surfaced as a
 * TypeError deep in a turn (a 500 carrying the SDK's message) instead of a 400 naming the field.
 * Only what Callboard and the SDK read is checked; unknown fields pass through untouched.
 */

/**
 * Replies go to the activity's serviceUrl, so it must be a web address. Microsoft's security model for it is
 * the signed token: its `serviceurl` claim must equal this value (botbuilder checks that, but only when the
 * activity has a serviceUrl, which is one more reason it is required here). There is no list of trusted
 * service hosts to keep: the SDKs' TrustServiceUrl is obsolete, "not a required part of the security model".
 */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password;
  } catch {
    return false;
  }
}

const text = z.string();
const nonEmpty = z.string().min(1);
const account = z.looseObject({
  id: nonEmpty,
  name: text.nullish(),
  aadObjectId: text.nullish(),
});
const mention = z.looseObject({
  type: z.literal("mention"),
  text: text.nullish(),
  mentioned: z.looseObject({ id: text.nullish() }).nullish(),
});
const entity = z
  .looseObject({ type: text })
  .refine((e) => e.type !== "mention" || mention.safeParse(e).success, {
    message: 'must be a mention with a string "text" and "mentioned.id"',
  });

const activity = z.looseObject({
  type: nonEmpty,
  id: text.nullish(),
  name: text.nullish(),
  channelId: nonEmpty,
  serviceUrl: text.refine(isHttpUrl, "must be an http(s) URL"),
  conversation: z.looseObject({
    id: nonEmpty,
    conversationType: text.nullish(),
    isGroup: z.boolean().nullish(),
    tenantId: text.nullish(),
  }),
  from: account,
  recipient: account,
  replyToId: text.nullish(),
  text: text.nullish(),
  locale: text.nullish(),
  timestamp: text.nullish(),
  localTimestamp: text.nullish(),
  entities: z.array(entity).nullish(),
  attachments: z.array(z.looseObject({})).nullish(),
  membersAdded: z.array(account).nullish(),
  membersRemoved: z.array(account).nullish(),
  channelData: z.looseObject({}).nullish(),
});

const linkQuery = z.looseObject({ url: text.nullish() });
const taskRequest = z.looseObject({ data: z.unknown() });

/** The `value` of each invoke Callboard answers; other invokes are the SDK's (it answers 501). */
const invokeValues: Record<string, z.ZodType> = {
  "composeExtension/query": z.looseObject({
    commandId: text.nullish(),
    parameters: z.array(z.looseObject({ name: text, value: z.unknown() })).nullish(),
    queryOptions: z
      .looseObject({ skip: z.number().int().min(0).nullish(), count: z.number().int().min(0).nullish() })
      .nullish(),
  }),
  "composeExtension/queryLink": linkQuery,
  "composeExtension/anonymousQueryLink": linkQuery,
  "task/fetch": taskRequest,
  "task/submit": taskRequest,
  "adaptiveCard/action": z.looseObject({
    action: z.looseObject({ type: text, verb: text.nullish(), data: z.unknown() }),
  }),
  "application/search": z.looseObject({
    queryText: text.nullish(),
    dataset: text.nullish(),
    queryOptions: z.looseObject({ top: z.number().int().min(0).nullish() }).nullish(),
  }),
};

export type ActivityCheck = { activity: Activity } | { problem: string };

/** The activity, ready for the SDK, or what is wrong with it in words fit for a 400 answer. */
export function checkActivity(body: unknown): ActivityCheck {
  const parsed = activity.safeParse(body, { reportInput: true });
  if (!parsed.success) return { problem: describe(parsed.error.issues[0]!) };
  const checked = parsed.data;
  if (checked.type === "invoke") {
    if (!checked.name)
      return { problem: 'The activity\'s "name" is missing: an invoke must name its operation.' };
    const valueSchema = invokeValues[checked.name];
    if (valueSchema) {
      const value = valueSchema.safeParse(checked.value, { reportInput: true });
      if (!value.success) {
        const issue = value.error.issues[0]!;
        return { problem: describe({ ...issue, path: ["value", ...issue.path] }) };
      }
    }
  }
  return { activity: withDates(checked as unknown as Activity & Record<string, unknown>) };
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.path.length === 0) return "The request body must be a JSON object: a Bot Framework activity.";
  const field = issue.path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
  return `The activity's "${field}" ${problemOf(issue)}.`;
}

function problemOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "is missing" : `must be ${article(issue.expected)}`;
    case "too_small":
      return issue.origin === "string" ? "must not be empty" : `must be at least ${String(issue.minimum)}`;
    case "invalid_value":
      return "has a value that is not allowed";
    default:
      return issue.message;
  }
}

function article(kind: string): string {
  return kind === "int" ? "a whole number" : /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/** As botbuilder's own request handling does: timestamps become Dates, the sent text kept beside them. */
function withDates(activity: Activity & Record<string, unknown>): Activity {
  for (const [field, raw] of [
    ["timestamp", "rawTimestamp"],
    ["localTimestamp", "rawLocalTimestamp"],
    ["expiration", "rawExpiration"],
  ] as const) {
    const value = activity[field];
    if (typeof value === "string") {
      activity[raw] = value;
      activity[field] = new Date(value) as never;
    }
  }
  return activity;
}
