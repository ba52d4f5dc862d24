/** `value` rounded to `digits` decimals, as figures are kept in the results file. */
export const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
