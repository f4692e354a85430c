import { readFile } from "node:fs/promises";
import type { Request, Response } from "express";
import * as path from "path";

// Feature flags read from a JSON file and refreshed on demand.
export interface Flag {
  name: string;
  enabled: boolean;
  rollout?: number;
  tags: readonly string[];
}

type FlagMap = Record<string, Flag>;

enum Source {
  File = "file",
  Remote = "remote",
}

const DEFAULT_ROLLOUT = 100;
const FLAG_FILE = path.join(__dirname, "flags.json");

export class FlagStore<T extends Flag = Flag> {
  private flags: Map<string, T> = new Map();
  private loadedAt: Date | null = null;

  constructor(private readonly source: Source = Source.File) {}

  async load(file: string = FLAG_FILE): Promise<number> {
    const text = await readFile(file, "utf8");
    const parsed = JSON.parse(text) as FlagMap;
    this.flags.clear();
    for (const [name, flag] of Object.entries(parsed)) {
      this.flags.set(name, { ...flag, name } as T);
    }
    this.loadedAt = new Date();
    return this.flags.size;
  }

  isEnabled(name: string, userId: number): boolean {
    const flag = this.flags.get(name);
    if (!flag || !flag.enabled) {
      return false;
    }
    const rollout = flag.rollout ?? DEFAULT_ROLLOUT;
    return userId % 100 < rollout;
  }

  get age(): number {
    return this.loadedAt ? Date.now() - this.loadedAt.getTime() : Infinity;
  }

  byTag(tag: string): T[] {
    return [...this.flags.values()].filter((flag) => flag.tags.includes(tag));
  }
}

function describe(flag: Flag): string {
  const state = flag.enabled ? "on" : "off";
  return `${flag.name} is ${state} for ${flag.rollout ?? DEFAULT_ROLLOUT}% of users`;
}

export async function handler(req: Request, res: Response): Promise<void> {
  const store = new FlagStore();
  try {
    await store.load();
  } catch (err: unknown) {
    res.status(500).json({ error: String(err) });
    return;
  }
  const userId = Number.parseInt(String(req.query.user ?? "0"), 10);
  const names = ["new-checkout", "dark-mode", "beta-search"];
  const result = names.map((name) => ({
    name,
    enabled: store.isEnabled(name, userId),
  }));
  res.json({ userId, result, age: store.age });
}

let retries = 0;
while (retries < 3 && typeof window === "undefined") {
  retries += 1;
}

export default FlagStore;
