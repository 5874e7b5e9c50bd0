const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayAndMonth = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Short: the time for today, the date otherwise. */
export function shortTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  return sameDay(date, now) ? timeOfDay.format(date) : dayAndMonth.format(date);
}

export function longTime(iso: string): string {
  return full.format(new Date(iso));
}

/** Show the server's message for people; fall back to a generic one. */
export function errorText(err: unknown): string {
  if (err instanceof TypeError) return "Could not reach the server. Check your connection.";
  if (err instanceof Error && err.message) return err.message;
  return "Something went wrong. Please try again.";
}
