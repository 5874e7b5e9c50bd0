/**
 * A real `tipchat serve` for the end-to-end tests: its own embedded PostgreSQL in a temp
 * directory (or DATABASE_URL), on a fixed free port so a restart comes back at the same URL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "..", "..");
export const PYTHON = process.env.TIPCHAT_PYTHON ?? join(REPO, ".venv", "bin", "python");

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export class TipchatServer {
  private process: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly env: Record<string, string> = {},
  ) {}

  /** `env`: extra settings, e.g. `{ TIPCHAT_DEV_CHAIN: "true" }` for the tips spec. */
  static async start(env: Record<string, string> = {}): Promise<TipchatServer> {
    const server = new TipchatServer(await freePort(), mkdtempSync(join(tmpdir(), "tipchat-e2e-")), env);
    await server.launch();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    const child = spawn(
      PYTHON,
      ["-m", "tipchat", "serve", "--port", String(this.port), "--data-dir", this.dataDir],
      {
        env: {
          ...process.env,
          TIPCHAT_JWT_SECRET: "e2e-secret-" + "z".repeat(32),
          TIPCHAT_REGISTER_LIMIT_PER_IP: "[10000, 60]",
          TIPCHAT_LOGIN_LIMIT_PER_IP: "[10000, 60]",
          ...this.env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.process = child;
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`tipchat did not start:\n${output}`)), 60_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("is running at")) {
          clearTimeout(timer);
          ready();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        fail(new Error(`tipchat exited with ${code}:\n${output}`));
      });
    });
  }

  /** SIGKILL: no drain, no goodbye; clients find out by themselves. */
  async kill(): Promise<void> {
    await this.signal("SIGKILL");
  }

  async restart(): Promise<void> {
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.signal("SIGTERM");
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.kill(signal);
    await exited;
    this.process = null;
  }
}
