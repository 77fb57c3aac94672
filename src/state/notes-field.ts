/** A list of delivery notes as kept in a Redis hash field (JSON); anything unreadable reads as none. */
export function parseNotes(text: string | null | undefined): string[] {
  if (text === null || text === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}
