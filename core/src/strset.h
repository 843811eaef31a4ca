/*
 * strset.h - a set of C strings that does not copy them: open addressing
 * over borrowed pointers, for passes that ask "have I seen this tensor
 * name?" thousands of times while the model's own strings stay put.
 */
#ifndef FINN_STRSET_H
#define FINN_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finn/error.h"

typedef struct strset {
    const char **keys; /* NULL marks an empty slot; the strings are not owned */
    uint32_t *hashes;
    size_t cap, n;     /* cap is a power of two */
} strset;

/* An empty set with room for `expected` keys before it grows. */
int strset_init(strset *s, size_t expected, finn_error *err);
bool strset_has(const strset *s, const char *key);
/* Adds key (the pointer is kept: it must outlive the set); 0 when it was
 * there already too. */
int strset_add(strset *s, const char *key, finn_error *err);
void strset_free(strset *s);

#endif
