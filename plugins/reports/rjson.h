/*
 * rjson.h - a small JSON tree written byte-for-byte as Python's
 * json.dump(obj, f, indent=2) writes it (finn-backend.md 9.2): one item per
 * line, ": " between key and value, "{}" / "[]" when empty, non-ASCII
 * escaped as \uXXXX, floats in Python's shortest round-trip repr.
 *
 * Objects keep insertion order; setting an existing key replaces its value
 * in place (Python dict semantics).  Every constructor returns NULL when
 * memory runs out; the setters then fail and free the value they were
 * given, so a tree can be built without checking each call and checked
 * once (rj_ok) at the end.
 */
#ifndef FINN_REPORTS_RJSON_H
#define FINN_REPORTS_RJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum rj_kind { RJ_INT, RJ_FLOAT, RJ_STR, RJ_OBJ, RJ_ARR } rj_kind;

typedef struct rj {
    rj_kind kind;
    int64_t i;
    double f;
    char *s;
    size_t n, cap;
    char **keys;      /* RJ_OBJ */
    struct rj **items; /* RJ_OBJ values, RJ_ARR elements */
    bool failed;      /* a setter ran out of memory */
} rj;

rj *rj_obj(void);
rj *rj_arr(void);
rj *rj_int(int64_t v);
rj *rj_float(double v);
rj *rj_str(const char *s);
/* Take ownership of v (freed on failure); -1 when v is NULL or on OOM. */
int rj_set(rj *obj, const char *key, rj *v);
int rj_push(rj *arr, rj *v);
rj *rj_get(const rj *obj, const char *key);
/* The tree exists and no setter failed anywhere in it. */
bool rj_ok(const rj *v);
void rj_free(rj *v);

/* Python's repr(float) into buf (at least 32 bytes). */
void rj_float_repr(double v, char *buf, size_t size);
/* json.dumps(v, indent=2); malloc'ed, NULL on OOM. */
char *rj_dump(const rj *v);

#endif
