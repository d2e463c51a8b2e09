/**
 * What doc suggestions keep (the port; src/db/doc-suggestion-store.ts implements it with Prisma): which
 * channels turned them on, and which threads already got one.
 */
export interface ChannelSetting {
  enabled: boolean;
  changedBy: string;
  changedAt: Date;
}

export interface DocSuggestionStore {
  /** The channel's setting, undefined when nobody ever set it (suggestions are then off). */
  setting(surface: string, channelId: string): Promise<ChannelSetting | undefined>;
  set(surface: string, channelId: string, enabled: boolean, changedBy: string): Promise<void>;
  /**
   * Claim the thread for its one suggestion: true for exactly one caller, ever, across replicas; false when the
   * thread had one (or another replica is giving it one).
   */
  claimThread(surface: string, channelId: string, threadId: string): Promise<boolean>;
}
