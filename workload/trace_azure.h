/* trace_azure: the Azure LLM inference trace layout (AzurePublicDataset 2023,
 * the Splitwise traces): header TIMESTAMP,ContextTokens,GeneratedTokens.
 * TIMESTAMP is a wall-clock time "YYYY-MM-DD HH:MM:SS[.fraction]" (no zone,
 * up to 9 fractional digits; the release has 7). trace_csv recognises the
 * header names and turns each time into an offset from the first row's. */
#ifndef OM_TRACE_AZURE_H
#define OM_TRACE_AZURE_H

#include <stdint.h>

#define AZURE_COL_TIME "TIMESTAMP"
#define AZURE_COL_PROMPT "ContextTokens"
#define AZURE_COL_OUTPUT "GeneratedTokens"

/* Parses a TIMESTAMP into nanoseconds since 1970-01-01 00:00:00 (proleptic
 * Gregorian, the zone ignored); -1 if s is not such a time. */
int azure_time_ns(const char *s, int64_t *ns);

#endif
