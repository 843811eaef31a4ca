/*
 * onnx_strip.c - protobuf wire-format walk that cuts the initializers'
 * raw_data out of an encoded ModelProto (see onnx_strip.h).
 *
 * Only three message levels matter: ModelProto.graph (field 7),
 * GraphProto.initializer (field 5) and TensorProto.raw_data (field 9).
 * Every other field is copied through byte for byte, so protobuf-c sees
 * exactly the original message minus those payloads.
 */
#include "onnx_strip.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };
enum { MODEL_GRAPH = 7, GRAPH_INITIALIZER = 5, TENSOR_RAW_DATA = 9 };

typedef struct bytes {
    uint8_t *p;
    size_t n, cap;
    bool nomem;
} bytes;

static void put(bytes *b, const void *src, size_t n)
{
    if (b->nomem)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->nomem = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_varint(bytes *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    put(b, tmp, n);
}

/* Reads a varint at *p; false when it runs past end or over 10 bytes. */
static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t c = *(*p)++;
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

/* One field: its number, wire type, the whole field (key included) and,
 * for length-delimited fields, the payload. */
typedef struct field {
    uint64_t number;
    int wire;
    const uint8_t *start, *payload;
    size_t size, payload_len;
} field;

/* Next field at *p; 1 = got one, 0 = end of message, -1 = malformed. */
static int next_field(const uint8_t **p, const uint8_t *end, field *f)
{
    if (*p == end)
        return 0;
    f->start = *p;
    uint64_t key, len = 0;
    if (!get_varint(p, end, &key))
        return -1;
    f->number = key >> 3;
    f->wire = (int)(key & 7);
    switch (f->wire) {
    case WT_VARINT:
        if (!get_varint(p, end, &len))
            return -1;
        len = 0;
        break;
    case WT_I64: len = 8; break;
    case WT_I32: len = 4; break;
    case WT_LEN:
        if (!get_varint(p, end, &len))
            return -1;
        break;
    default: return -1; /* groups: not used by ONNX */
    }
    if (len > (uint64_t)(end - *p))
        return -1;
    f->payload = *p;
    f->payload_len = (size_t)len;
    *p += len;
    f->size = (size_t)(*p - f->start);
    return 1;
}

typedef struct spans {
    raw_span *v;
    size_t n, cap;
    bool nomem;
} spans;

static void add_span(spans *s, size_t index, const uint8_t *data, size_t len)
{
    if (s->n && s->v[s->n - 1].index == index) { /* a repeated field: the last wins */
        s->v[s->n - 1].data = data;
        s->v[s->n - 1].len = len;
        return;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        raw_span *v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            s->nomem = true;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (raw_span){index, data, len};
}

/* Writes key + length + body of a rebuilt length-delimited field. */
static void put_len_field(bytes *out, uint64_t number, const bytes *body)
{
    put_varint(out, number << 3 | WT_LEN);
    put_varint(out, body->n);
    if (body->n)
        put(out, body->p, body->n);
}

static int strip_tensor(const uint8_t *p, const uint8_t *end, bytes *out, size_t index,
                        spans *s)
{
    field f;
    int rc;
    while ((rc = next_field(&p, end, &f)) == 1) {
        if (f.number == TENSOR_RAW_DATA && f.wire == WT_LEN)
            add_span(s, index, f.payload, f.payload_len);
        else
            put(out, f.start, f.size);
    }
    return rc;
}

static int strip_graph(const uint8_t *p, const uint8_t *end, bytes *out, spans *s)
{
    field f;
    int rc;
    size_t index = 0;
    bytes t = {0};
    while ((rc = next_field(&p, end, &f)) == 1) {
        if (f.number != GRAPH_INITIALIZER || f.wire != WT_LEN) {
            put(out, f.start, f.size);
            continue;
        }
        t.n = 0;
        if ((rc = strip_tensor(f.payload, f.payload + f.payload_len, &t, index++, s)) < 0)
            break;
        put_len_field(out, GRAPH_INITIALIZER, &t);
    }
    out->nomem |= t.nomem;
    free(t.p);
    return rc;
}

int onnx_strip_raw_data(const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len,
                        raw_span **spans_out, size_t *n_spans)
{
    *out = NULL;
    *spans_out = NULL;
    *out_len = *n_spans = 0;
    const uint8_t *p = buf, *end = buf + len;
    bytes m = {0}, g = {0};
    spans s = {0};
    field f;
    int rc, graphs = 0;
    while ((rc = next_field(&p, end, &f)) == 1) {
        if (f.number != MODEL_GRAPH || f.wire != WT_LEN) {
            put(&m, f.start, f.size);
            continue;
        }
        if (graphs++ || (rc = strip_graph(f.payload, f.payload + f.payload_len, &g, &s)) < 0) {
            rc = -1; /* a second graph would be merged into the first: leave it to protobuf-c */
            break;
        }
        put_len_field(&m, MODEL_GRAPH, &g);
    }
    bool nomem = m.nomem || g.nomem || s.nomem;
    free(g.p);
    if (rc < 0 || nomem) {
        free(m.p);
        free(s.v);
        return nomem && rc == 0 ? -1 : 1;
    }
    *out = m.p;
    *out_len = m.n;
    *spans_out = s.v;
    *n_spans = s.n;
    return 0;
}
