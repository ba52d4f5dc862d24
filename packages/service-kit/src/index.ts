export * from './app.js';
export * from './errors.js';
export * from './shutdown.js';
export * from './warm-up.js';
