/** Sex as encoded by the first digit: odd = male, even = female. */
export type Sex = 'male' | 'female';

/** First digit G → (century start, sex). 1/2 = 1800s … 7/8 = 2100s; 0 and 9 are not assigned. */
export function decodeCenturyDigit(g: number): { centuryStart: number; sex: Sex } | undefined {
  if (g < 1 || g > 8) return undefined;
  return { centuryStart: 1800 + Math.floor((g - 1) / 2) * 100, sex: g % 2 === 1 ? 'male' : 'female' };
}

export function encodeCenturyDigit(year: number, sex: Sex): number {
  const index = Math.floor((year - 1800) / 100);
  if (index < 0 || index > 3) throw new RangeError(`year ${year} is outside 1800-2199`);
  return index * 2 + (sex === 'male' ? 1 : 2);
}

/** True when y-m-d is a real Gregorian calendar date. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}
