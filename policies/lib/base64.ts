const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes base64 (as EC2 user data is stored) to text; undefined when it is not base64. */
export function decodeBase64(input: string): string | undefined {
  const s = input.replace(/\s+/g, "");
  if (s.length === 0 || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i += 4) {
    const n = [0, 1, 2, 3].map((j) => (s[i + j] === "=" ? 0 : ALPHABET.indexOf(s[i + j])));
    const v = (n[0] << 18) | (n[1] << 12) | (n[2] << 6) | n[3];
    bytes.push((v >> 16) & 255);
    if (s[i + 2] !== "=") bytes.push((v >> 8) & 255);
    if (s[i + 3] !== "=") bytes.push(v & 255);
  }
  // Byte-per-char is enough: the patterns looked for (keys, secret names) are ASCII.
  return String.fromCharCode(...bytes);
}
