import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";

/** Encrypts a short secret (an identity number) with AES-256-GCM: base64 of iv | tag | ciphertext. */
export function encryptField(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

export function decryptField(key: Buffer, stored: string): string {
  const raw = Buffer.from(stored, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}

/** A keyed hash of a normalised value, to find duplicates without decrypting (a separate key derived from the data key). */
export function keyedHash(key: Buffer, value: string): string {
  const macKey = createHash("sha256").update(key).update("kilowatt-identity-hmac").digest();
  return createHmac("sha256", macKey).update(value).digest("hex");
}

export const sha256Hex = (value: string) => createHash("sha256").update(value).digest("hex");

/** A random 256-bit secret, URL-safe. */
export const randomToken = () => randomBytes(32).toString("base64url");
