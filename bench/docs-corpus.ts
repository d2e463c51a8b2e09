/**
 * A seeded corpus of TechDocs sites for bench:docs: by default 50 sites, 2,000 pages, 20,000 sections of
 * realistic markdown (prose, code in several languages, tables, admonitions, tabs, task lists, links between
 * pages and to images). Each site has a nested nav in mkdocs.yml. Deterministic for a seed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface DocsCorpusOptions {
  sites: number;
  pagesPerSite: number;
  sectionsPerPage: number;
  seed: number;
}

export interface GeneratedSite {
  name: string;
  root: string;
  pages: string[];
}

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

const WORDS = (
  "service database credentials rotate deploy rollback kafka consumer lag alert pager runbook latency " +
  "throughput cache invalidate token secret vault certificate renew cluster node pod replica shard index " +
  "migration schema backup restore incident postmortem dashboard metric trace span queue retry timeout " +
  "gateway ingress egress firewall policy owner team oncall escalation budget quota limit request response " +
  "payments ledger billing invoice checkout order inventory search catalog identity session login audit"
).split(" ");
const TOPICS = [
  "Overview",
  "Setup",
  "Configuration",
  "Operations",
  "Troubleshooting",
  "Architecture",
  "API",
  "Runbooks",
  "Security",
  "Monitoring",
];

export function generateDocsCorpus(out: string, options: DocsCorpusOptions): GeneratedSite[] {
  const rnd = random(options.seed);
  const pick = <T>(items: T[]): T => items[Math.floor(rnd() * items.length)]!;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
  const sentence = () => {
    const s = words(8 + Math.floor(rnd() * 12));
    return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
  };
  const paragraph = () => Array.from({ length: 3 + Math.floor(rnd() * 3) }, sentence).join(" ");
  const sites: GeneratedSite[] = [];
  for (let s = 0; s < options.sites; s++) {
    const name = `service-${String(s).padStart(3, "0")}`;
    const root = join(out, name);
    const pages: string[] = ["index.md"];
    const sections = Math.max(1, Math.ceil((options.pagesPerSite - 1) / 8));
    const nav: string[] = ["  - Home: index.md"];
    for (let t = 0; t < sections && pages.length < options.pagesPerSite; t++) {
      const folder = TOPICS[t % TOPICS.length]!.toLowerCase() + (t >= TOPICS.length ? `-${t}` : "");
      nav.push(`  - ${TOPICS[t % TOPICS.length]}${t >= TOPICS.length ? ` ${t}` : ""}:`);
      for (let p = 0; p < 8 && pages.length < options.pagesPerSite; p++) {
        const file = `${folder}/${pick(WORDS)}-${p}.md`;
        pages.push(file);
        nav.push(`    - ${file}`);
      }
    }
    const config = `site_name: ${name}\nsite_description: Docs of ${name}\nrepo_url: https://github.com/acme/${name}\nnav:\n${nav.join("\n")}\nplugins:\n  - techdocs-core\n`;
    write(join(root, "mkdocs.yml"), config);
    write(join(root, "docs", "img", "diagram.png"), "PNG-bytes");
    for (const [i, page] of pages.entries()) {
      write(join(root, "docs", page), pageMarkdown(i, page, pages));
    }
    sites.push({ name, root, pages });
  }
  return sites;

  function pageMarkdown(index: number, page: string, all: string[]): string {
    const depth = page.split("/").length - 1;
    const up = "../".repeat(depth);
    const parts: string[] = [`# ${sentence().slice(0, 40).replace(/\.$/, "")}`, "", paragraph(), ""];
    for (let k = 1; k < options.sectionsPerPage; k++) {
      parts.push(`## ${TOPICS[k % TOPICS.length]} ${words(2)}`, "", paragraph(), "");
      switch ((index + k) % 6) {
        case 0:
          parts.push(
            "```bash",
            `kubectl -n ${pick(WORDS)} rollout restart deploy/${pick(WORDS)}`,
            `vault write db/rotate/${pick(WORDS)} ttl=24h`,
            "```",
            "",
          );
          break;
        case 1:
          parts.push(
            "| Setting | Default | Meaning |",
            "|---|---|---|",
            `| ${pick(WORDS)} | ${Math.floor(rnd() * 100)} | ${words(5)} |`,
            `| ${pick(WORDS)} | true | ${words(4)} |`,
            "",
          );
          break;
        case 2:
          parts.push(
            `!!! warning "${words(2)}"`,
            `    ${sentence()}`,
            "",
            `See [the other page](${up}${pick(all)}#overview) and ![diagram](${up}img/diagram.png).`,
            "",
          );
          break;
        case 3:
          parts.push(
            '=== "TypeScript"',
            "    ```ts",
            `    const ${pick(WORDS)} = await client.${pick(WORDS)}({ retries: 3 });`,
            "    ```",
            "",
            '=== "YAML"',
            "    ```yaml",
            `    ${pick(WORDS)}: ${pick(WORDS)}`,
            "    ```",
            "",
          );
          break;
        case 4:
          parts.push(`- [x] ${sentence()}`, `- [ ] ${sentence()}`, `- ${sentence()} ==${pick(WORDS)}==`, "");
          break;
        default:
          parts.push(`??? note "${words(3)}"`, `    ${paragraph()}`, "");
      }
    }
    return parts.join("\n");
  }
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
