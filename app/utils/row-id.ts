// Ids of rows with an `integer` primary key (users, connections) as forms, URLs and job payloads
// name them. Shared by server and browser.

/** The largest value of an `integer` id column: a bigger number names no row (and Postgres would refuse it). */
export const MAX_ROW_ID = 2_147_483_647;
