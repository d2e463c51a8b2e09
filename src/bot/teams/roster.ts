import { TeamsInfo, type TurnContext } from "botbuilder";
import type { Logger } from "pino";
import type { ChatUser } from "../../plugins/api.ts";
import type { Deadline } from "./deadline.ts";

const MEMBER_CACHE_TTL_MS = 60 * 60 * 1000;
const MEMBER_CACHE_MAX = 20_000;

interface Member {
  at: number;
  email?: string;
  name?: string;
}

/**
 * Who a Teams person is, as a ChatUser: the AAD object id is the stable id the catalog can map
 * (graph.microsoft.com/user-id), and the conversation roster adds the email (microsoft.com/email).
 * Roster answers are cached (they are throttled at 14 a second per conversation), and a lookup already in
 * flight is shared. A lookup that misses the caller's deadline goes on in the background and fills the cache
 * for the next question; this one is answered without the email.
 */
export class Roster {
  private readonly members = new Map<string, Member>();
  private readonly inFlight = new Map<string, Promise<Member>>();

  constructor(private readonly log: Logger) {}

  async chatUser(context: TurnContext, deadline: Deadline): Promise<ChatUser> {
    const from = context.activity.from ?? { id: "unknown", name: "" };
    const id = from.aadObjectId ?? from.id;
    let member: Member | undefined = this.cached(from.id);
    if (!member && context.activity.channelId === "msteams" && context.activity.conversation?.id) {
      member = await deadline.race(this.lookup(context, from.id), undefined);
    }
    const name = member?.name ?? from.name;
    return {
      surface: "teams",
      id,
      ...(name ? { name } : {}),
      ...(member?.email ? { email: member.email } : {}),
    };
  }

  private cached(memberId: string): Member | undefined {
    const member = this.members.get(memberId);
    return member && Date.now() - member.at < MEMBER_CACHE_TTL_MS ? member : undefined;
  }

  private lookup(context: TurnContext, memberId: string): Promise<Member> {
    const running = this.inFlight.get(memberId);
    if (running) return running;
    // TeamsInfo takes what it needs from the turn before its first await, so the lookup may outlive the turn.
    const lookup = TeamsInfo.getMember(context, memberId)
      .then(
        (account): Member => ({
          at: Date.now(),
          ...((account.email ?? account.userPrincipalName)
            ? { email: account.email ?? account.userPrincipalName }
            : {}),
          ...(account.name ? { name: account.name } : {}),
        }),
        (error: unknown): Member => {
          this.log.debug({ err: error }, "teams: roster lookup failed; continuing without email");
          return { at: Date.now() };
        },
      )
      .then((member) => {
        if (this.members.size >= MEMBER_CACHE_MAX) this.members.clear();
        this.members.set(memberId, member);
        return member;
      })
      .finally(() => this.inFlight.delete(memberId));
    this.inFlight.set(memberId, lookup);
    return lookup;
  }
}
