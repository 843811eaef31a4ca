/*
 * strset.c - see strset.h.  Linear probing, load factor at most 1/2.
 */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int strset_init(strset *s, size_t expected, finn_error *err)
{
    size_t cap = 16;
    while (cap < 2 * expected)
        cap *= 2;
    s->keys = calloc(cap, sizeof *s->keys);
    s->hashes = malloc(cap * sizeof *s->hashes);
    s->cap = cap;
    s->n = 0;
    if (!s->keys || !s->hashes) {
        strset_free(s);
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    }
    return 0;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t slot_of(const strset *s, const char *key, uint32_t h)
{
    size_t mask = s->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask)
        if (!s->keys[i] || (s->hashes[i] == h && !strcmp(s->keys[i], key)))
            return i;
}

bool strset_has(const strset *s, const char *key)
{
    return s->keys[slot_of(s, key, hash_str(key))] != NULL;
}

static int grow(strset *s, finn_error *err)
{
    strset bigger;
    if (strset_init(&bigger, s->cap, err))
        return -1;
    for (size_t i = 0; i < s->cap; i++)
        if (s->keys[i]) {
            size_t j = slot_of(&bigger, s->keys[i], s->hashes[i]);
            bigger.keys[j] = s->keys[i];
            bigger.hashes[j] = s->hashes[i];
        }
    bigger.n = s->n;
    strset_free(s);
    *s = bigger;
    return 0;
}

int strset_add(strset *s, const char *key, finn_error *err)
{
    if (2 * (s->n + 1) > s->cap && grow(s, err))
        return -1;
    uint32_t h = hash_str(key);
    size_t i = slot_of(s, key, h);
    if (!s->keys[i]) {
        s->keys[i] = key;
        s->hashes[i] = h;
        s->n++;
    }
    return 0;
}

void strset_free(strset *s)
{
    free(s->keys);
    free(s->hashes);
    s->keys = NULL;
    s->hashes = NULL;
    s->cap = s->n = 0;
}
