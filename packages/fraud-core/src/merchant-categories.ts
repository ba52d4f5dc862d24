/**
 * Merchant category codes (ISO 18245) that card schemes and acquirers treat
 * as high risk: goods that resell easily (electronics, jewellery), cash-like
 * (money transfer, quasi-cash, crypto), gambling, digital goods. Public
 * industry knowledge, not derived from the simulator.
 */
export const HIGH_RISK_MERCHANT_CATEGORIES: ReadonlySet<string> = new Set([
  '4829', // money transfer
  '5732', // electronics stores
  '5816', // digital goods: games
  '5944', // jewellery, watches
  '5967', // direct marketing: inbound teleservices
  '6051', // quasi-cash, crypto
  '7995', // gambling
]);
