/*
 * rjson.c - the JSON tree of rjson.h and its Python-compatible writer.
 */
#include "rjson.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rj *rj_new(rj_kind kind)
{
    rj *v = calloc(1, sizeof *v);
    if (v)
        v->kind = kind;
    return v;
}

rj *rj_obj(void) { return rj_new(RJ_OBJ); }
rj *rj_arr(void) { return rj_new(RJ_ARR); }

rj *rj_int(int64_t x)
{
    rj *v = rj_new(RJ_INT);
    if (v)
        v->i = x;
    return v;
}

rj *rj_float(double x)
{
    rj *v = rj_new(RJ_FLOAT);
    if (v)
        v->f = x;
    return v;
}

rj *rj_str(const char *s)
{
    rj *v = rj_new(RJ_STR);
    if (v && !(v->s = strdup(s ? s : ""))) {
        free(v);
        return NULL;
    }
    return v;
}

void rj_free(rj *v)
{
    if (!v)
        return;
    for (size_t k = 0; k < v->n; k++) {
        if (v->keys)
            free(v->keys[k]);
        rj_free(v->items[k]);
    }
    free(v->keys);
    free(v->items);
    free(v->s);
    free(v);
}

static int grow(rj *c)
{
    if (c->n < c->cap)
        return 0;
    size_t cap = c->cap ? 2 * c->cap : 8;
    rj **items = realloc(c->items, cap * sizeof *items);
    if (!items)
        return -1;
    c->items = items;
    if (c->kind == RJ_OBJ) {
        char **keys = realloc(c->keys, cap * sizeof *keys);
        if (!keys)
            return -1;
        c->keys = keys;
    }
    c->cap = cap;
    return 0;
}

rj *rj_get(const rj *obj, const char *key)
{
    if (!obj || obj->kind != RJ_OBJ)
        return NULL;
    for (size_t k = 0; k < obj->n; k++)
        if (!strcmp(obj->keys[k], key))
            return obj->items[k];
    return NULL;
}

int rj_set(rj *obj, const char *key, rj *v)
{
    if (!obj || obj->kind != RJ_OBJ || !v) {
        if (obj)
            obj->failed = true;
        rj_free(v);
        return -1;
    }
    for (size_t k = 0; k < obj->n; k++)
        if (!strcmp(obj->keys[k], key)) {
            rj_free(obj->items[k]);
            obj->items[k] = v;
            return 0;
        }
    char *kc = strdup(key);
    if (!kc || grow(obj)) {
        free(kc);
        rj_free(v);
        obj->failed = true;
        return -1;
    }
    obj->keys[obj->n] = kc;
    obj->items[obj->n++] = v;
    return 0;
}

int rj_push(rj *arr, rj *v)
{
    if (!arr || arr->kind != RJ_ARR || !v || grow(arr)) {
        if (arr)
            arr->failed = true;
        rj_free(v);
        return -1;
    }
    arr->items[arr->n++] = v;
    return 0;
}

bool rj_ok(const rj *v)
{
    if (!v || v->failed)
        return false;
    for (size_t k = 0; k < v->n; k++)
        if (!rj_ok(v->items[k]))
            return false;
    return true;
}

/* ---- Python float repr ------------------------------------------------------ */

void rj_float_repr(double v, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "NaN"); /* json.dump's spelling */
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (v == 0) {
        snprintf(buf, size, signbit(v) ? "-0.0" : "0.0");
        return;
    }
    /* shortest digits that round-trip, from %.{p}e */
    char sci[40];
    for (int p = 0; p <= 17; p++) {
        snprintf(sci, sizeof sci, "%.*e", p, v);
        if (strtod(sci, NULL) == v)
            break;
    }
    /* split "-d.ddde+XX" into sign, digits and exponent */
    const char *s = sci;
    bool neg = *s == '-';
    if (neg)
        s++;
    char digits[24];
    size_t nd = 0;
    for (; *s && *s != 'e'; s++)
        if (*s != '.' && nd < sizeof digits - 1)
            digits[nd++] = *s;
    digits[nd] = 0;
    while (nd > 1 && digits[nd - 1] == '0') /* %.*e may pad when p is larger */
        digits[--nd] = 0;
    int exp = atoi(s + 1);
    char out[64];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (exp < -4 || exp >= 16) {
        /* d[.ddd]e+XX, at least two exponent digits */
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (size_t k = 1; k < nd; k++)
                out[o++] = digits[k];
        }
        snprintf(out + o, sizeof out - o, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    } else if (exp < 0) {
        out[o++] = '0', out[o++] = '.';
        for (int k = -1; k > exp; k--)
            out[o++] = '0';
        for (size_t k = 0; k < nd; k++)
            out[o++] = digits[k];
        out[o] = 0;
    } else {
        size_t ip = (size_t)exp + 1; /* digits before the point */
        for (size_t k = 0; k < ip; k++)
            out[o++] = k < nd ? digits[k] : '0';
        out[o++] = '.';
        if (nd > ip)
            for (size_t k = ip; k < nd; k++)
                out[o++] = digits[k];
        else
            out[o++] = '0';
        out[o] = 0;
    }
    snprintf(buf, size, "%s", out);
}

/* ---- writer ------------------------------------------------------------------ */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

static void putf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(sbuf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    puts_(b, tmp);
}

/* Decode one UTF-8 sequence at s; invalid bytes come back as themselves
 * (Latin-1), which is what a lenient decoder would give. */
static unsigned long utf8_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    unsigned long c = p[0];
    int extra = c >= 0xF0 && c < 0xF8 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (c < 0x80 || !extra) {
        *s = p + 1;
        return c;
    }
    unsigned long cp = c & (0x3F >> extra);
    for (int k = 1; k <= extra; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            *s = p + 1;
            return c;
        }
        cp = cp << 6 | (p[k] & 0x3F);
    }
    *s = p + extra + 1;
    return cp;
}

static void put_str(sbuf *b, const char *s)
{
    put(b, "\"", 1);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned long c = utf8_next(&p);
        switch (c) {
        case '"': puts_(b, "\\\""); break;
        case '\\': puts_(b, "\\\\"); break;
        case '\n': puts_(b, "\\n"); break;
        case '\r': puts_(b, "\\r"); break;
        case '\t': puts_(b, "\\t"); break;
        case '\b': puts_(b, "\\b"); break;
        case '\f': puts_(b, "\\f"); break;
        default:
            if (c < 0x20 || (c >= 0x7F && c <= 0xFFFF && c != 0x7F))
                putf(b, "\\u%04lx", c);
            else if (c > 0xFFFF) { /* surrogate pair */
                c -= 0x10000;
                putf(b, "\\u%04lx\\u%04lx", 0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF));
            } else {
                char ch = (char)c;
                put(b, &ch, 1);
            }
        }
    }
    put(b, "\"", 1);
}

static void indent(sbuf *b, int level)
{
    put(b, "\n", 1);
    for (int k = 0; k < level; k++)
        put(b, "  ", 2);
}

static void dump(sbuf *b, const rj *v, int level)
{
    char num[40];
    switch (v->kind) {
    case RJ_INT:
        putf(b, "%lld", (long long)v->i);
        return;
    case RJ_FLOAT:
        rj_float_repr(v->f, num, sizeof num);
        puts_(b, num);
        return;
    case RJ_STR:
        put_str(b, v->s);
        return;
    case RJ_OBJ:
    case RJ_ARR:
        break;
    }
    bool obj = v->kind == RJ_OBJ;
    if (!v->n) {
        puts_(b, obj ? "{}" : "[]");
        return;
    }
    put(b, obj ? "{" : "[", 1);
    for (size_t k = 0; k < v->n; k++) {
        if (k)
            put(b, ",", 1);
        indent(b, level + 1);
        if (obj) {
            put_str(b, v->keys[k]);
            puts_(b, ": ");
        }
        dump(b, v->items[k], level + 1);
    }
    indent(b, level);
    put(b, obj ? "}" : "]", 1);
}

char *rj_dump(const rj *v)
{
    sbuf b = {0};
    dump(&b, v, 0);
    put(&b, "", 0);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
