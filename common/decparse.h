/* decparse: strtod for the saved models' weight tables, cheaper and with the
 * same result bit for bit and the same end pointer. A plain decimal d*10^q
 * of at most 19 significant digits with |q| <= 27 (what "%.17g" writes for
 * the weights) is converted exactly in 128-bit integers (d*5^q, or the
 * quotient and remainder of a division by 5^-q) and rounded once, to
 * nearest with ties to even, as strtod does in the default rounding mode
 * (the program never changes it); any other text goes to strtod. */
#ifndef OM_DECPARSE_H
#define OM_DECPARSE_H

double decparse(const char *s, char **end);

#endif
