// Synthetic identity numbers for tests: valid GB 11643 resident IDs for
// people who do not exist, and volunteer-number checks.
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const C = '10X98765432';

/** The check character of 17 digits. */
export function checkChar(body17) {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(body17[i]) * W[i];
  return C[s % 11];
}

/** A valid resident ID: region (6 digits), birth (YYYYMMDD), sequence (0-999; odd = male). */
export function residentId(region, birth, seq) {
  const body = `${region}${birth}${String(seq).padStart(3, '0')}`;
  return body + checkChar(body);
}

/** YYYYMMDD for someone who is `years` old today (China time). */
export function birthForAge(years) {
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  const y = now.getUTCFullYear() - years;
  return `${y}${String(now.getUTCMonth() + 1).padStart(2, '0')}${String(Math.min(now.getUTCDate(), 28)).padStart(2, '0')}`;
}
