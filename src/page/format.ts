// Numbers, bytes, rates and durations in the page's language (Cockpit's, not the browser's): digits and
// separators from Intl for that locale, duration words from the translations; dates likewise.
import { _, format, pageLocale } from "./i18n";

function decimal(v: number, digits: number): string {
  return new Intl.NumberFormat(pageLocale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${decimal(v, i === 0 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  const s = ms / 1000;
  if (s < 60) return format(_("$0 s"), decimal(s, s < 10 ? 1 : 0));
  const totalSeconds = Math.round(s);
  const m = Math.floor(totalSeconds / 60);
  if (m < 60) return format(_("$0 min $1 s"), m, totalSeconds % 60);
  return format(_("$0 h $1 min"), Math.floor(m / 60), m % 60);
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return "-";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(pageLocale());
}

/** Time of day only (event lines), in the page's language. */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(pageLocale());
}
