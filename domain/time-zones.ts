import { z } from 'zod';

/** Where someone without a time zone of their own reads their deadlines. */
export const DEFAULT_TIME_ZONE = 'UTC';

// IANA names are capitalized ("Asia/Kolkata", "UTC", "Etc/GMT+5"); Intl would also take "asia/kolkata"
const IANA_SHAPE = /^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
let known: Set<string> | undefined;

/**
 * An IANA time zone this runtime can format in. `Intl.supportedValuesOf` lists only canonical names (on Node 20
 * "Asia/Calcutta" but not "Asia/Kolkata", and no "UTC"), so a name it leaves out is checked by Intl itself.
 */
export function isTimeZone(name: string): boolean {
  known ??= new Set([DEFAULT_TIME_ZONE, ...Intl.supportedValuesOf('timeZone')]);
  if (known.has(name)) return true;
  if (!IANA_SHAPE.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

// current IANA names that the runtime's ICU lists under an older one (Asia/Calcutta, Europe/Kiev, ...)
const CURRENT_NAMES = [
  'Asia/Kolkata',
  'Europe/Kyiv',
  'Asia/Kathmandu',
  'Asia/Ho_Chi_Minh',
  'Asia/Yangon',
  'America/Nuuk',
  'America/Argentina/Buenos_Aires',
  'America/Indiana/Indianapolis',
  'America/Kentucky/Louisville',
  'Atlantic/Faroe',
  'Pacific/Kanton',
  'Pacific/Chuuk',
  'Pacific/Pohnpei',
  'Africa/Asmara',
];

/** The names the OpenAPI document lists: the runtime's canonical names, their current IANA spellings and UTC. */
export const TIME_ZONE_NAMES: readonly string[] = [
  ...new Set([DEFAULT_TIME_ZONE, ...CURRENT_NAMES, ...Intl.supportedValuesOf('timeZone')]),
]
  .filter(isTimeZone)
  .sort();

/**
 * A person's IANA time zone, e.g. "Europe/Berlin"; emails show deadlines in it, with UTC beside. The document
 * lists the names as an enum, so a generated value the schema allows is one the API accepts.
 */
export const TimeZone = z
  .string()
  .max(64)
  .refine(isTimeZone, {
    error: (issue) =>
      `unknown time zone ${JSON.stringify(issue.input)}: use an IANA name such as Europe/Berlin, Asia/Kolkata or UTC`,
  })
  .meta({ enum: [...TIME_ZONE_NAMES] });

// building a formatter costs far more than formatting with it (toLocaleString builds one on every call)
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(options: Intl.DateTimeFormatOptions, timeZone: string): Intl.DateTimeFormat {
  const key = `${timeZone} ${JSON.stringify(options)}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-US', { ...options, timeZone });
    formatters.set(key, cached);
  }
  return cached;
}

/**
 * A deadline as its reader sees it, in their time zone with UTC beside:
 * "Tuesday, March 2, 2027, 7:00 PM GMT+1 (18:00 UTC)"; the UTC date too when it is another day there.
 */
export function formatInstant(iso: string, timeZone: string): string {
  const at = new Date(iso);
  const text = (options: Intl.DateTimeFormatOptions, zone: string) =>
    formatter(options, zone)
      .format(at)
      .replace(/\u202f/g, ' ');
  const date = (zone: string) =>
    text({ weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }, zone);
  const utc = text({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, 'UTC');
  if (timeZone === DEFAULT_TIME_ZONE) return `${date('UTC')}, ${utc} UTC`;
  const local = text({ hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }, timeZone);
  const utcDay = date(timeZone) === date('UTC') ? '' : `${text({ month: 'long', day: 'numeric' }, 'UTC')}, `;
  return `${date(timeZone)}, ${local} (${utcDay}${utc} UTC)`;
}
