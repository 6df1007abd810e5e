/** A slot value after normalisation to its slot type. */
export type SlotValue = string | number | boolean;

/** Slot name → value, for the slots found in one message. */
export type ExtractedSlots = { [slot: string]: SlotValue };

/** A calendar date in the conversation's time zone. */
export interface CalendarDate {
  year: number;
  /** 1–12. */
  month: number;
  /** 1–31. */
  day: number;
}

/** A wall-clock time in the conversation's time zone. */
export interface WallTime {
  /** 0–23. */
  hour: number;
  /** 0–59. */
  minute: number;
}

/** The hours a time slot expects, e.g. a restaurant's noon to 10 pm; `from` after `to` wraps past midnight. */
export interface ExpectedHours {
  from: WallTime;
  to: WallTime;
}

/**
 * Counts the characters each parser pass reads (regular-expression scans,
 * text handed to chrono-node or libphonenumber), so tests can show the work
 * grows linearly with the text without timing anything.
 */
export interface WorkMeter {
  characters: number;
}

/** What a message's dates and times are read against. */
export interface TemporalReference {
  /** Epoch milliseconds of "now". */
  now: number;
  /** IANA time zone, e.g. `Europe/London`. */
  timeZone: string;
  /** BCP 47 language tag, e.g. `en-GB`; its base language picks the parser module. */
  language: string;
  /** A bare hour ("at 8") is read in the half of the day these hours allow (20:00 for noon–22:00). */
  hours?: ExpectedHours;
  /** The slot type the current question asks for: a number alone ("8") answers "what time?". */
  expecting?: 'date' | 'time';
  meter?: WorkMeter;
}

/**
 * One date and/or time expression found in a message. `date` is present when
 * the text names a day ("tomorrow", "the 3rd"), `time` when it names a time
 * of day ("7pm"); `impliedDate` is the day a bare time refers to.
 */
export interface TemporalMention {
  start: number;
  end: number;
  date?: CalendarDate;
  time?: WallTime;
  impliedDate: CalendarDate;
}

/** One phone number found in a message, in E.164 form. */
export interface PhoneMention {
  start: number;
  end: number;
  /** E.164 (`+14155552671`). */
  value: string;
}

/**
 * The swappable parsers: the widget starts with {@link basicParsers} (a few
 * hundred bytes) and can load the full ones (chrono-node, libphonenumber-js)
 * when a flow needs them.
 */
export interface SlotParsers {
  findTemporal(text: string, reference: TemporalReference): TemporalMention[];
  /**
   * `region` is an ISO 3166 code (`GB`) used for numbers without a country
   * code. A local number that cannot be placed ("555-1234") is returned as
   * written.
   */
  findPhones(text: string, region: string | undefined, meter?: WorkMeter): PhoneMention[];
}

export interface ExtractOptions {
  /** The clock: epoch milliseconds or a Date. Relative dates ("tomorrow") are read against it. */
  now: number | Date;
  /** IANA time zone the conversation's dates and times are in. Default `UTC`. */
  timeZone?: string;
  /** BCP 47 language tag; its region is the default phone region (`en-GB` → `GB`). Default `en-US`. */
  language?: string;
  /** Date/time and phone parsers. Default {@link basicParsers}; see `loadFullParsers()`. */
  parsers?: SlotParsers;
  /**
   * The slot the current question asks for (the engine's prompt): when a
   * message holds several candidates ("2" in "2 at 8"), or a bare number,
   * this slot decides.
   */
  asking?: string;
  /** Phone region for numbers without a country code when no slot declares one (the flow's `meta.region`). */
  region?: string;
  meter?: WorkMeter;
}
