/**
 * External credit checks go through an adapter. `SandboxBureau` is a sandbox: it asks no one and answers the same
 * score for the same customer every time (from the customer's keyed identity hash, else the party id), so demos and
 * tests can rely on it. A real bureau's adapter implements `CreditBureau` and is chosen by KILOWATT_CREDIT_BUREAU.
 * Sandbox answers: a score from 300 to 850; identity numbers ending in 1111 score 540 (poor), ending in 9999 score
 * 780 (good), for predictable demos.
 */
import { createHash } from "node:crypto";

export interface BureauSubject {
  party_id: number;
  /** The keyed hash of the identity number (never the number itself), if the customer gave one. */
  identity_hash: string | null;
  identity_last4: string | null;
  name: string;
}

export interface BureauAnswer {
  bureau: string;
  score: number;
  /** The bureau's reference for the inquiry. */
  reference: string;
  /** What the bureau says drove the score. */
  factors: string[];
}

export interface CreditBureau {
  readonly name: string;
  check(subject: BureauSubject, on: string): Promise<BureauAnswer>;
}

export class SandboxBureau implements CreditBureau {
  readonly name = "sandbox";
  async check(subject: BureauSubject, on: string): Promise<BureauAnswer> {
    const seed = subject.identity_hash ?? `party:${subject.party_id}`;
    const digest = createHash("sha256").update(`kilowatt-sandbox-bureau:${seed}`).digest();
    let score = 300 + (digest.readUInt32BE(0) % 551);
    if (subject.identity_last4 === "1111") score = 540;
    if (subject.identity_last4 === "9999") score = 780;
    const factors =
      score >= 700
        ? ["long credit history", "no delinquencies reported"]
        : score >= 620
          ? ["limited credit history"]
          : ["delinquencies reported in the last 24 months", "high balances on revolving accounts"];
    return {
      bureau: this.name,
      score,
      reference: `SBX-${on.replaceAll("-", "")}-${digest.toString("hex").slice(0, 10).toUpperCase()}`,
      factors,
    };
  }
}

/** The configured bureau: only the sandbox ships; a deployment adds its bureau's adapter here. */
export function configuredBureau(env: NodeJS.ProcessEnv = process.env): CreditBureau {
  const name = env.KILOWATT_CREDIT_BUREAU ?? "sandbox";
  if (name === "sandbox") return new SandboxBureau();
  throw new Error(`KILOWATT_CREDIT_BUREAU: no adapter named ${name} (only "sandbox" ships)`);
}
