export const resultsDir = new URL('../results/', import.meta.url).pathname;
