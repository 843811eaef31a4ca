/*
 * npy.c - NumPy .npy files and .npz archives.
 *
 * .npy: versions 1.0, 2.0 and 3.0 are read; version 1.0 is written, with
 * the header laid out exactly as numpy.save lays it out (keys sorted,
 * growth spaces after the dict, padded with spaces so that the data starts
 * on a 64-byte boundary, ending in '\n'), so the bytes match numpy's.
 *
 * .npz: a zip archive of "<name>.npy" entries.  Reading supports stored
 * and deflated entries and zip64 fields; writing produces the stored
 * archive numpy.savez produces (zip64 extra field in each local header,
 * timestamp 1980-01-01, mode 0600).
 *
 * Host byte order must be little-endian: tensors hold native data and
 * the files hold little-endian data.
 */
#include "finn/npy.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.c assumes a little-endian host"
#endif

static const char NPY_MAGIC[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};
#define NPY_ALIGN 64
/* numpy leaves room for the first axis to grow to this many digits */
#define NPY_GROWTH_DIGITS 21

/* ---- little-endian helpers ---------------------------------------------- */

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static uint64_t rd64(const unsigned char *p) { return rd32(p) | ((uint64_t)rd32(p + 4) << 32); }
static unsigned char *wr16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    return p + 2;
}
static unsigned char *wr32(unsigned char *p, uint32_t v)
{
    wr16(p, (uint16_t)v);
    wr16(p + 2, (uint16_t)(v >> 16));
    return p + 4;
}
static unsigned char *wr64(unsigned char *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
    return p + 8;
}

/* ---- dtypes ------------------------------------------------------------- */

typedef struct dtype_map {
    char kind; /* numpy type character */
    int size;
    finn_elem_type type;
} dtype_map;

static const dtype_map DTYPES[] = {
    {'f', 4, FINN_ELEM_FLOAT},  {'f', 8, FINN_ELEM_DOUBLE},  {'f', 2, FINN_ELEM_FLOAT16},
    {'i', 1, FINN_ELEM_INT8},   {'i', 2, FINN_ELEM_INT16},   {'i', 4, FINN_ELEM_INT32},
    {'i', 8, FINN_ELEM_INT64},  {'u', 1, FINN_ELEM_UINT8},   {'u', 2, FINN_ELEM_UINT16},
    {'u', 4, FINN_ELEM_UINT32}, {'u', 8, FINN_ELEM_UINT64},  {'b', 1, FINN_ELEM_BOOL},
};

/* '<f4' and friends; '|' or any order for one-byte types, '=' means the
 * (little-endian) host order.  Returns UNDEFINED when not supported. */
static finn_elem_type descr_to_type(const char *d)
{
    if (strlen(d) != 3)
        return FINN_ELEM_UNDEFINED;
    char order = d[0], kind = d[1];
    if (d[2] < '1' || d[2] > '8')
        return FINN_ELEM_UNDEFINED;
    int size = d[2] - '0';
    if (order != '<' && order != '=' && order != '|' && order != '>')
        return FINN_ELEM_UNDEFINED;
    if (size > 1 && (order == '|' || order == '>'))
        return FINN_ELEM_UNDEFINED;
    for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++)
        if (DTYPES[i].kind == kind && DTYPES[i].size == size)
            return DTYPES[i].type;
    return FINN_ELEM_UNDEFINED;
}

/* The descr numpy.save writes for a type, or NULL. */
static const char *type_to_descr(finn_elem_type t)
{
    switch (t) {
    case FINN_ELEM_FLOAT: return "<f4";
    case FINN_ELEM_DOUBLE: return "<f8";
    case FINN_ELEM_FLOAT16: return "<f2";
    case FINN_ELEM_INT8: return "|i1";
    case FINN_ELEM_INT16: return "<i2";
    case FINN_ELEM_INT32: return "<i4";
    case FINN_ELEM_INT64: return "<i8";
    case FINN_ELEM_UINT8: return "|u1";
    case FINN_ELEM_UINT16: return "<u2";
    case FINN_ELEM_UINT32: return "<u4";
    case FINN_ELEM_UINT64: return "<u8";
    case FINN_ELEM_BOOL: return "|b1";
    case FINN_ELEM_UNDEFINED:
    case FINN_ELEM_STRING:
        break;
    }
    return NULL;
}

/* ---- header dict parser ------------------------------------------------- */

/* The header is a Python dict literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }
 * Only the three keys numpy writes are accepted. */
typedef struct hdr_parser {
    const char *start, *p, *end;
    const char *what;
    finn_error *err;
} hdr_parser;

static void skip_ws(hdr_parser *h)
{
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r'))
        h->p++;
}

static int hdr_fail(hdr_parser *h, const char *expected)
{
    return finn_error_set(h->err, FINN_ERR_PARSE, "%s: malformed .npy header: expected %s at offset %d",
                          h->what, expected, (int)(h->p - h->start));
}

static int expect_char(hdr_parser *h, char c, const char *name)
{
    skip_ws(h);
    if (h->p >= h->end || *h->p != c)
        return hdr_fail(h, name);
    h->p++;
    return 0;
}

/* Quoted string (no escapes) into out[outsize]. */
static int parse_str(hdr_parser *h, char *out, size_t outsize)
{
    skip_ws(h);
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"'))
        return hdr_fail(h, "a quoted string");
    char q = *h->p++;
    size_t n = 0;
    while (h->p < h->end && *h->p != q) {
        if (*h->p == '\\')
            return hdr_fail(h, "a string without escapes");
        if (n + 1 < outsize)
            out[n++] = *h->p;
        h->p++;
    }
    if (h->p >= h->end)
        return hdr_fail(h, "a closing quote");
    h->p++;
    out[n] = '\0';
    return 0;
}

static int parse_bool(hdr_parser *h, bool *out)
{
    skip_ws(h);
    size_t left = (size_t)(h->end - h->p);
    if (left >= 4 && memcmp(h->p, "True", 4) == 0) {
        *out = true;
        h->p += 4;
        return 0;
    }
    if (left >= 5 && memcmp(h->p, "False", 5) == 0) {
        *out = false;
        h->p += 5;
        return 0;
    }
    return hdr_fail(h, "True or False");
}

/* "(a, b, c)", "(a,)", "()"; Python 2 files may write "3L". */
static int parse_shape(hdr_parser *h, int *ndim, int64_t *shape)
{
    if (expect_char(h, '(', "'(' starting the shape") != 0)
        return -1;
    *ndim = 0;
    for (;;) {
        skip_ws(h);
        if (h->p < h->end && *h->p == ')') {
            h->p++;
            return 0;
        }
        if (h->p >= h->end || *h->p < '0' || *h->p > '9')
            return hdr_fail(h, "a non-negative dimension");
        uint64_t v = 0;
        while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
            v = v * 10 + (uint64_t)(*h->p - '0');
            if (v > (uint64_t)INT64_MAX)
                return finn_error_set(h->err, FINN_ERR_PARSE, "%s: dimension too large in .npy header",
                                      h->what);
            h->p++;
        }
        if (h->p < h->end && (*h->p == 'L' || *h->p == 'l'))
            h->p++;
        if (*ndim >= FINN_MAX_DIMS)
            return finn_error_set(h->err, FINN_ERR_UNSUPPORTED,
                                  "%s: arrays of more than %d dimensions are not supported",
                                  h->what, FINN_MAX_DIMS);
        shape[(*ndim)++] = (int64_t)v;
        skip_ws(h);
        if (h->p < h->end && *h->p == ',')
            h->p++;
        else if (h->p >= h->end || *h->p != ')')
            return hdr_fail(h, "',' or ')' in the shape");
    }
}

typedef struct npy_header {
    char descr[32];
    bool fortran;
    int ndim;
    int64_t shape[FINN_MAX_DIMS];
} npy_header;

static int parse_header_dict(const char *text, size_t len, const char *what, npy_header *out,
                             finn_error *err)
{
    hdr_parser h = {text, text, text + len, what, err};
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    if (expect_char(&h, '{', "'{'") != 0)
        return -1;
    for (;;) {
        skip_ws(&h);
        if (h.p < h.end && *h.p == '}') {
            h.p++;
            break;
        }
        char key[32];
        if (parse_str(&h, key, sizeof key) != 0 || expect_char(&h, ':', "':'") != 0)
            return -1;
        skip_ws(&h);
        if (strcmp(key, "descr") == 0) {
            if (h.p < h.end && *h.p == '[')
                return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                                      "%s: structured dtypes are not supported", what);
            if (parse_str(&h, out->descr, sizeof out->descr) != 0)
                return -1;
            seen_descr = true;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (parse_bool(&h, &out->fortran) != 0)
                return -1;
            seen_fortran = true;
        } else if (strcmp(key, "shape") == 0) {
            if (parse_shape(&h, &out->ndim, out->shape) != 0)
                return -1;
            seen_shape = true;
        } else {
            return finn_error_set(err, FINN_ERR_PARSE, "%s: unexpected key '%s' in .npy header",
                                  what, key);
        }
        skip_ws(&h);
        if (h.p < h.end && *h.p == ',')
            h.p++;
        else if (h.p >= h.end || *h.p != '}')
            return hdr_fail(&h, "',' or '}'");
    }
    skip_ws(&h);
    if (h.p != h.end)
        return hdr_fail(&h, "the end of the header");
    if (!seen_descr || !seen_fortran || !seen_shape)
        return finn_error_set(err, FINN_ERR_PARSE, "%s: .npy header lacks the '%s' key", what,
                              !seen_descr ? "descr" : !seen_fortran ? "fortran_order" : "shape");
    return 0;
}

/* ---- .npy parse / serialize --------------------------------------------- */

int finn_npy_parse(const void *buf, size_t len, const char *what, finn_tensor **out,
                   finn_error *err)
{
    const unsigned char *b = buf;
    if (!what)
        what = "(buffer)";
    *out = NULL;
    if (len < 10 || memcmp(b, NPY_MAGIC, sizeof NPY_MAGIC) != 0)
        return finn_error_set(err, FINN_ERR_PARSE, "%s: not a .npy file (bad magic)", what);
    int major = b[6], minor = b[7];
    size_t hstart, hlen;
    if (major == 1 && minor == 0) {
        hstart = 10;
        hlen = rd16(b + 8);
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (len < 12)
            return finn_error_set(err, FINN_ERR_PARSE, "%s: truncated .npy header", what);
        hstart = 12;
        hlen = rd32(b + 8);
    } else {
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "%s: unsupported .npy format version %d.%d",
                              what, major, minor);
    }
    if (hlen > len - hstart)
        return finn_error_set(err, FINN_ERR_PARSE,
                              "%s: truncated .npy header (%zu header bytes announced, %zu present)",
                              what, hlen, len - hstart);
    npy_header hd;
    memset(&hd, 0, sizeof hd);
    if (parse_header_dict((const char *)b + hstart, hlen, what, &hd, err) != 0)
        return -1;
    finn_elem_type type = descr_to_type(hd.descr);
    if (type == FINN_ELEM_UNDEFINED)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "%s: dtype '%s' is not supported", what,
                              hd.descr);
    if (hd.fortran)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "%s: fortran_order True (column-major data) is not supported", what);
    finn_tensor *t = finn_tensor_new(type, hd.ndim, hd.shape, err);
    if (!t)
        return finn_error_prefix(err, "%s: ", what);
    size_t need = finn_tensor_nbytes(t);
    size_t have = len - hstart - hlen;
    if (have < need) {
        char s[256];
        finn_tensor_free(t);
        return finn_error_set(err, FINN_ERR_PARSE,
                              "%s: truncated data: %s %s needs %zu bytes, file has %zu", what,
                              hd.descr, finn_shape_str(hd.ndim, hd.shape, s, sizeof s), need,
                              have);
    }
    memcpy(t->data, b + hstart + hlen, need);
    *out = t;
    return 0;
}

int finn_npy_read(const char *path, finn_tensor **out, finn_error *err)
{
    void *buf;
    size_t len;
    *out = NULL;
    if (finn_read_file(path, &buf, &len, err) != 0)
        return -1;
    int rc = finn_npy_parse(buf, len, path, out, err);
    free(buf);
    return rc;
}

int finn_npy_serialize(const finn_tensor *t, void **buf, size_t *len, finn_error *err)
{
    *buf = NULL;
    *len = 0;
    const char *descr = t ? type_to_descr(t->type) : NULL;
    if (!descr)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "cannot write a %s tensor as .npy", t ? finn_elem_name(t->type) : "NULL");
    if (t->ndim < 0 || t->ndim > FINN_MAX_DIMS)
        return finn_error_set(err, FINN_ERR_INVALID, "cannot write a tensor of rank %d as .npy",
                              t->ndim);
    /* dict, then the growth spaces numpy adds (room for the first axis) */
    char shape[FINN_MAX_DIMS * 24 + 8], dict[512];
    finn_shape_str(t->ndim, t->shape, shape, sizeof shape);
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                     descr, shape);
    if (t->ndim > 0) {
        char first[24];
        int digits = snprintf(first, sizeof first, "%" PRId64, t->shape[0]);
        for (int i = digits; i < NPY_GROWTH_DIGITS; i++)
            dict[n++] = ' ';
        dict[n] = '\0';
    }
    /* pad so that magic(6) + version(2) + length(2) + header is a multiple
     * of 64; like numpy, a full 64 bytes of padding when already aligned */
    size_t hlen = (size_t)n + 1;
    size_t pad = NPY_ALIGN - (10 + hlen) % NPY_ALIGN;
    hlen += pad;
    size_t nbytes = finn_tensor_nbytes(t);
    size_t total = 10 + hlen + nbytes;
    unsigned char *p = finn_xmalloc(total, err);
    if (!p)
        return -1;
    memcpy(p, NPY_MAGIC, sizeof NPY_MAGIC);
    p[6] = 1;
    p[7] = 0;
    wr16(p + 8, (uint16_t)hlen);
    memcpy(p + 10, dict, (size_t)n);
    memset(p + 10 + n, ' ', pad);
    p[10 + hlen - 1] = '\n';
    if (nbytes)
        memcpy(p + 10 + hlen, t->data, nbytes);
    *buf = p;
    *len = total;
    return 0;
}

int finn_npy_write(const char *path, const finn_tensor *t, finn_error *err)
{
    void *buf;
    size_t len;
    if (finn_npy_serialize(t, &buf, &len, err) != 0)
        return finn_error_prefix(err, "%s: ", path);
    int rc = finn_write_file(path, buf, len, err);
    free(buf);
    return rc;
}

/* ---- npz container ------------------------------------------------------ */

finn_npz *finn_npz_new(void)
{
    return calloc(1, sizeof(finn_npz));
}

void finn_npz_free(finn_npz *npz)
{
    if (!npz)
        return;
    for (size_t i = 0; i < npz->count; i++) {
        free(npz->names[i]);
        finn_tensor_free(npz->arrays[i]);
    }
    free(npz->names);
    free(npz->arrays);
    free(npz);
}

const finn_tensor *finn_npz_get(const finn_npz *npz, const char *name)
{
    if (!npz || !name)
        return NULL;
    for (size_t i = 0; i < npz->count; i++)
        if (strcmp(npz->names[i], name) == 0)
            return npz->arrays[i];
    return NULL;
}

/* Append, taking ownership of name and t (freed on failure). */
static int npz_append(finn_npz *npz, char *name, finn_tensor *t, finn_error *err)
{
    if (finn_npz_get(npz, name)) {
        finn_error_set(err, FINN_ERR_INVALID, "npz: duplicate array name '%s'", name);
        goto fail;
    }
    /* names and arrays always have the same capacity: count + 1 */
    char **names = realloc(npz->names, (npz->count + 1) * sizeof *names);
    if (!names)
        goto nomem;
    npz->names = names;
    finn_tensor **arrays = realloc(npz->arrays, (npz->count + 1) * sizeof *arrays);
    if (!arrays)
        goto nomem;
    npz->arrays = arrays;
    npz->names[npz->count] = name;
    npz->arrays[npz->count] = t;
    npz->count++;
    return 0;
nomem:
    finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
fail:
    free(name);
    finn_tensor_free(t);
    return -1;
}

int finn_npz_add(finn_npz *npz, const char *name, const finn_tensor *t, finn_error *err)
{
    if (!npz || !name || !t)
        return finn_error_set(err, FINN_ERR_INVALID, "finn_npz_add: NULL argument");
    char *n = finn_xstrdup(name, err);
    if (!n)
        return -1;
    finn_tensor *c = finn_tensor_copy(t, err);
    if (!c) {
        free(n);
        return -1;
    }
    return npz_append(npz, n, c, err);
}

/* ---- zip reading -------------------------------------------------------- */

#define ZIP_LOCAL_SIG 0x04034b50u
#define ZIP_CENTRAL_SIG 0x02014b50u
#define ZIP_END_SIG 0x06054b50u
#define ZIP64_END_SIG 0x06064b50u
#define ZIP64_LOCATOR_SIG 0x07064b50u

typedef struct zip_entry {
    char *name;
    int method;
    uint16_t flags;
    uint32_t crc;
    uint64_t csize, usize, offset;
} zip_entry;

static uint32_t crc32_big(const unsigned char *p, size_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt chunk = n > UINT_MAX ? UINT_MAX : (uInt)n;
        crc = crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)crc;
}

/* Locate the central directory: offset, size and entry count, reading the
 * zip64 end record when the classic one holds 0xFFFF.. markers. */
static int zip_find_directory(const unsigned char *b, size_t len, const char *path,
                              uint64_t *cd_off, uint64_t *cd_size, uint64_t *count,
                              finn_error *err)
{
    if (len < 22)
        return finn_error_set(err, FINN_ERR_PARSE, "%s: not a zip/npz file (too short)", path);
    size_t lowest = len - 22 > 65535 ? len - 22 - 65535 : 0;
    size_t eocd = len - 22;
    for (;;) {
        if (rd32(b + eocd) == ZIP_END_SIG)
            break;
        if (eocd == lowest)
            return finn_error_set(err, FINN_ERR_PARSE,
                                  "%s: not a zip/npz file (no end of central directory)", path);
        eocd--;
    }
    *count = rd16(b + eocd + 10);
    *cd_size = rd32(b + eocd + 12);
    *cd_off = rd32(b + eocd + 16);
    if (*count == 0xFFFF || *cd_size == 0xFFFFFFFFu || *cd_off == 0xFFFFFFFFu) {
        if (eocd < 20 || rd32(b + eocd - 20) != ZIP64_LOCATOR_SIG)
            return finn_error_set(err, FINN_ERR_PARSE, "%s: zip64 end locator missing", path);
        uint64_t z = rd64(b + eocd - 20 + 8);
        if (z > len || len - z < 56 || rd32(b + z) != ZIP64_END_SIG)
            return finn_error_set(err, FINN_ERR_PARSE, "%s: bad zip64 end of central directory",
                                  path);
        *count = rd64(b + z + 32);
        *cd_size = rd64(b + z + 40);
        *cd_off = rd64(b + z + 48);
    }
    if (*cd_off > len || *cd_size > len - *cd_off)
        return finn_error_set(err, FINN_ERR_PARSE, "%s: central directory lies outside the file",
                              path);
    return 0;
}

/* Apply a zip64 extra field (id 1) to the fields that hold 0xFFFFFFFF. */
static int zip64_extra(const unsigned char *x, size_t xlen, zip_entry *e, bool u32, bool c32,
                       bool o32, const char *path, finn_error *err)
{
    while (xlen >= 4) {
        uint16_t id = rd16(x), sz = rd16(x + 2);
        if (sz > xlen - 4)
            break;
        if (id == 1) {
            const unsigned char *p = x + 4;
            size_t need = 8u * ((size_t)u32 + (size_t)c32 + (size_t)o32);
            if (sz < need)
                return finn_error_set(err, FINN_ERR_PARSE, "%s: entry %s: short zip64 field",
                                      path, e->name);
            if (u32) { e->usize = rd64(p); p += 8; }
            if (c32) { e->csize = rd64(p); p += 8; }
            if (o32) e->offset = rd64(p);
            return 0;
        }
        x += 4 + sz;
        xlen -= 4 + (size_t)sz;
    }
    if (u32 || c32 || o32)
        return finn_error_set(err, FINN_ERR_PARSE, "%s: entry %s: zip64 field missing", path,
                              e->name);
    return 0;
}

/* Parse one central directory record at *pos (advanced past it). */
static int zip_read_central(const unsigned char *b, size_t end, size_t *pos, const char *path,
                            zip_entry *e, finn_error *err)
{
    size_t p = *pos;
    if (end - p < 46 || rd32(b + p) != ZIP_CENTRAL_SIG)
        return finn_error_set(err, FINN_ERR_PARSE, "%s: corrupt zip central directory", path);
    size_t nlen = rd16(b + p + 28), xlen = rd16(b + p + 30), clen = rd16(b + p + 32);
    if (end - p - 46 < nlen + xlen + clen)
        return finn_error_set(err, FINN_ERR_PARSE, "%s: corrupt zip central directory", path);
    e->flags = rd16(b + p + 8);
    e->method = rd16(b + p + 10);
    e->crc = rd32(b + p + 16);
    e->csize = rd32(b + p + 20);
    e->usize = rd32(b + p + 24);
    e->offset = rd32(b + p + 42);
    if (memchr(b + p + 46, '\0', nlen))
        return finn_error_set(err, FINN_ERR_PARSE, "%s: zip entry name contains NUL", path);
    e->name = finn_xmalloc(nlen + 1, err);
    if (!e->name)
        return -1;
    memcpy(e->name, b + p + 46, nlen);
    e->name[nlen] = '\0';
    if (zip64_extra(b + p + 46 + nlen, xlen, e, e->usize == 0xFFFFFFFFu,
                    e->csize == 0xFFFFFFFFu, e->offset == 0xFFFFFFFFu, path, err) != 0)
        return -1;
    *pos = p + 46 + nlen + xlen + clen;
    return 0;
}

/* Inflate raw deflate data of csize bytes into exactly usize bytes. */
static int zip_inflate(const unsigned char *src, uint64_t csize, unsigned char *dst,
                       uint64_t usize, const char *path, const char *name, finn_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
        return finn_error_set(err, FINN_ERR_NOMEM, "%s: entry %s: cannot start inflate", path,
                              name);
    uint64_t in_left = csize, out_left = usize;
    zs.next_in = (Bytef *)src; /* zlib's API is not const-correct */
    zs.next_out = dst;
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (zs.avail_in == 0) {
            zs.avail_in = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
            in_left -= zs.avail_in;
        }
        if (zs.avail_out == 0) {
            zs.avail_out = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
            out_left -= zs.avail_out;
        }
        /* buffers are refilled above, so Z_BUF_ERROR means input ran out
         * early or the output would exceed usize: both end the loop */
        rc = inflate(&zs, Z_NO_FLUSH);
    }
    bool ok = rc == Z_STREAM_END && zs.avail_out == 0 && out_left == 0;
    inflateEnd(&zs);
    if (!ok)
        return finn_error_set(err, FINN_ERR_PARSE,
                              "%s: entry %s: corrupt deflate data (%s)", path, name,
                              rc == Z_STREAM_END ? "size differs from the directory"
                                                 : "stream ends early or is invalid");
    return 0;
}

/* Extract entry e of the archive b[len] into a malloc'ed buffer. */
static int zip_extract(const unsigned char *b, size_t len, const zip_entry *e, const char *path,
                       unsigned char **out, finn_error *err)
{
    *out = NULL;
    if (e->flags & 1)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "%s: entry %s is encrypted", path,
                              e->name);
    if (e->method != 0 && e->method != 8)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "%s: entry %s uses zip compression method %d (only stored and "
                              "deflate are supported)", path, e->name, e->method);
    if (e->offset > len || len - e->offset < 30 || rd32(b + e->offset) != ZIP_LOCAL_SIG)
        return finn_error_set(err, FINN_ERR_PARSE, "%s: entry %s: bad local header", path,
                              e->name);
    size_t data = (size_t)e->offset + 30 + rd16(b + e->offset + 26) + rd16(b + e->offset + 28);
    if (data > len || e->csize > len - data)
        return finn_error_set(err, FINN_ERR_PARSE, "%s: entry %s: truncated archive (data past "
                              "the end of the file)", path, e->name);
    if (e->method == 0 && e->csize != e->usize)
        return finn_error_set(err, FINN_ERR_PARSE, "%s: entry %s: stored sizes differ", path,
                              e->name);
    /* deflate cannot expand more than ~1032:1; refuse absurd sizes before
     * allocating them */
    if (e->method == 8 && e->usize / 1032 > e->csize + 1)
        return finn_error_set(err, FINN_ERR_PARSE, "%s: entry %s: implausible size %" PRIu64,
                              path, e->name, e->usize);
    if (e->usize > SIZE_MAX - 1)
        return finn_error_set(err, FINN_ERR_NOMEM, "%s: entry %s too large", path, e->name);
    unsigned char *u = finn_xmalloc((size_t)e->usize, err);
    if (!u)
        return finn_error_prefix(err, "%s: entry %s: ", path, e->name);
    if (e->method == 0) {
        memcpy(u, b + data, (size_t)e->usize);
    } else if (zip_inflate(b + data, e->csize, u, e->usize, path, e->name, err) != 0) {
        free(u);
        return -1;
    }
    if (crc32_big(u, (size_t)e->usize) != e->crc) {
        free(u);
        return finn_error_set(err, FINN_ERR_PARSE, "%s: entry %s: CRC-32 mismatch (corrupt file)",
                              path, e->name);
    }
    *out = u;
    return 0;
}

/* Extract, parse and append one entry. */
static int npz_load_entry(const unsigned char *b, size_t len, zip_entry *e, const char *path,
                          finn_npz *npz, finn_error *err)
{
    size_t nlen = strlen(e->name);
    if (nlen < 4 || strcmp(e->name + nlen - 4, ".npy") != 0)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "%s: entry %s is not a .npy array",
                              path, e->name);
    unsigned char *u;
    if (zip_extract(b, len, e, path, &u, err) != 0)
        return -1;
    size_t wlen = strlen(path) + nlen + 2;
    char *what = finn_xmalloc(wlen, err);
    if (!what) {
        free(u);
        return -1;
    }
    snprintf(what, wlen, "%s:%s", path, e->name);
    finn_tensor *t;
    int rc = finn_npy_parse(u, (size_t)e->usize, what, &t, err);
    free(what);
    free(u);
    if (rc != 0)
        return -1;
    e->name[nlen - 4] = '\0';
    char *name = e->name;
    e->name = NULL; /* ownership moves into the npz */
    if (npz_append(npz, name, t, err) != 0)
        return finn_error_prefix(err, "%s: ", path);
    return 0;
}

int finn_npz_read(const char *path, finn_npz **out, finn_error *err)
{
    *out = NULL;
    void *buf;
    size_t len;
    if (finn_read_file(path, &buf, &len, err) != 0)
        return -1;
    const unsigned char *b = buf;
    uint64_t cd_off = 0, cd_size = 0, count = 0;
    finn_npz *npz = NULL;
    if (zip_find_directory(b, len, path, &cd_off, &cd_size, &count, err) != 0)
        goto fail;
    npz = finn_npz_new();
    if (!npz) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory reading %s", path);
        goto fail;
    }
    size_t pos = (size_t)cd_off, end = (size_t)(cd_off + cd_size);
    for (uint64_t i = 0; i < count; i++) {
        zip_entry e;
        memset(&e, 0, sizeof e);
        int rc = zip_read_central(b, end, &pos, path, &e, err);
        if (rc == 0)
            rc = npz_load_entry(b, len, &e, path, npz, err);
        free(e.name);
        if (rc != 0)
            goto fail;
    }
    free(buf);
    *out = npz;
    return 0;
fail:
    finn_npz_free(npz);
    free(buf);
    return -1;
}

/* ---- zip writing -------------------------------------------------------- */

#define ZIP_DOS_DATE_1980 0x0021 /* 1980-01-01, what numpy (zipfile) writes */
#define ZIP64_EXTRA_LEN 20

int finn_npz_write(const char *path, const finn_npz *npz, finn_error *err)
{
    if (!npz)
        return finn_error_set(err, FINN_ERR_INVALID, "%s: NULL npz", path);
    if (npz->count > 0xFFFE)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "%s: too many arrays for a zip (%zu)",
                              path, npz->count);
    size_t n = npz->count;
    void **bodies = calloc(n ? n : 1, sizeof *bodies);
    size_t *sizes = calloc(n ? n : 1, sizeof *sizes);
    uint64_t *offsets = calloc(n ? n : 1, sizeof *offsets);
    uint32_t *crcs = calloc(n ? n : 1, sizeof *crcs);
    unsigned char *zip = NULL;
    int rc = -1;
    if (!bodies || !sizes || !offsets || !crcs) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory writing %s", path);
        goto done;
    }
    /* serialize every array and lay out the archive */
    uint64_t total = 0, cd_size = 0;
    for (size_t i = 0; i < n; i++) {
        if (finn_npy_serialize(npz->arrays[i], &bodies[i], &sizes[i], err) != 0) {
            finn_error_prefix(err, "%s: array %s: ", path, npz->names[i]);
            goto done;
        }
        crcs[i] = crc32_big(bodies[i], sizes[i]);
        size_t nlen = strlen(npz->names[i]) + 4;
        if (nlen > 0xFFFF) {
            finn_error_set(err, FINN_ERR_INVALID, "%s: array name too long", path);
            goto done;
        }
        offsets[i] = total;
        total += 30 + nlen + ZIP64_EXTRA_LEN + sizes[i];
        cd_size += 46 + nlen;
    }
    uint64_t cd_off = total;
    total += cd_size + 22;
    if (total > 0xFFFFFFFFu || total > SIZE_MAX) {
        finn_error_set(err, FINN_ERR_UNSUPPORTED, "%s: archives over 4 GiB are not supported",
                       path);
        goto done;
    }
    zip = finn_xmalloc((size_t)total, err);
    if (!zip)
        goto done;
    unsigned char *p = zip;
    for (size_t i = 0; i < n; i++) {
        size_t nlen = strlen(npz->names[i]);
        p = wr32(p, ZIP_LOCAL_SIG);
        p = wr16(p, 20);                /* version needed */
        p = wr16(p, 0);                 /* flags */
        p = wr16(p, 0);                 /* method: stored */
        p = wr16(p, 0);                 /* time */
        p = wr16(p, ZIP_DOS_DATE_1980);
        p = wr32(p, crcs[i]);
        p = wr32(p, (uint32_t)sizes[i]);
        p = wr32(p, (uint32_t)sizes[i]);
        p = wr16(p, (uint16_t)(nlen + 4));
        p = wr16(p, ZIP64_EXTRA_LEN);
        memcpy(p, npz->names[i], nlen);
        memcpy(p + nlen, ".npy", 4);
        p += nlen + 4;
        /* numpy opens entries with force_zip64, which leaves this field */
        p = wr16(p, 1);
        p = wr16(p, 16);
        p = wr64(p, sizes[i]);
        p = wr64(p, sizes[i]);
        memcpy(p, bodies[i], sizes[i]);
        p += sizes[i];
    }
    for (size_t i = 0; i < n; i++) {
        size_t nlen = strlen(npz->names[i]);
        p = wr32(p, ZIP_CENTRAL_SIG);
        p = wr16(p, 0x0314);            /* made by: unix, 2.0 */
        p = wr16(p, 20);
        p = wr16(p, 0);
        p = wr16(p, 0);
        p = wr16(p, 0);
        p = wr16(p, ZIP_DOS_DATE_1980);
        p = wr32(p, crcs[i]);
        p = wr32(p, (uint32_t)sizes[i]);
        p = wr32(p, (uint32_t)sizes[i]);
        p = wr16(p, (uint16_t)(nlen + 4));
        p = wr16(p, 0);                 /* extra */
        p = wr16(p, 0);                 /* comment */
        p = wr16(p, 0);                 /* disk */
        p = wr16(p, 0);                 /* internal attributes */
        p = wr32(p, 0600u << 16);       /* external: unix mode rw------- */
        p = wr32(p, (uint32_t)offsets[i]);
        memcpy(p, npz->names[i], nlen);
        memcpy(p + nlen, ".npy", 4);
        p += nlen + 4;
    }
    p = wr32(p, ZIP_END_SIG);
    p = wr16(p, 0);
    p = wr16(p, 0);
    p = wr16(p, (uint16_t)n);
    p = wr16(p, (uint16_t)n);
    p = wr32(p, (uint32_t)cd_size);
    p = wr32(p, (uint32_t)cd_off);
    wr16(p, 0);
    rc = finn_write_file(path, zip, (size_t)total, err);
done:
    for (size_t i = 0; bodies && i < n; i++)
        free(bodies[i]);
    free(bodies);
    free(sizes);
    free(offsets);
    free(crcs);
    free(zip);
    return rc;
}
