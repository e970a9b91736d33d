export { CHAUKAS_QUERY_DEFAULTS, type ChaukasQueryOptions } from "./options.js";
export { wrapQuery } from "./wrap-query.js";
