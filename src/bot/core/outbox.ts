import type { Reply } from "../../message/reply.ts";
import type { Address, MessageRef, Outbox } from "../../plugins/outbox.ts";
import type { Adapter } from "./adapter.ts";

/**
 * The outbox plugins use: each address names the adapter that understands it, and that adapter posts or
 * updates through its platform's pacer. An address or ref from an adapter that is not running (Teams was
 * turned off since the task started) fails with a message that says so.
 */
export class AdapterOutbox implements Outbox {
  private readonly adapters = new Map<string, Adapter>();

  attach(adapter: Adapter): void {
    this.adapters.set(adapter.name, adapter);
  }

  post(address: Address, reply: Reply): Promise<MessageRef> {
    return this.adapterFor(address).post(address, reply);
  }

  update(ref: MessageRef, reply: Reply): Promise<MessageRef> {
    return this.adapterFor(ref.address).update(ref, reply);
  }

  private adapterFor(address: Address): Adapter {
    const adapter = this.adapters.get(address?.adapter);
    if (!adapter) {
      throw new Error(
        `No chat adapter "${String(address?.adapter)}" is running, so this message cannot be delivered. ` +
          `Running: ${[...this.adapters.keys()].join(", ") || "none"}.`,
      );
    }
    return adapter;
  }
}
