/* test_npy.c - .npy and .npz reading and writing, checked byte for byte
 * against what numpy writes: a fixed byte string, files numpy generates at
 * test time (when a python3 with numpy is found) and the corpus files. */
#include "finn/npy.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "test.h"

/* np.save(f, np.array([[1.0, -2.5, 3.0]], dtype='<f4')) with numpy 1.24 */
static const char FIXED_NPY[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }"
    "                                                          \n"
    "\x00\x00\x80?\x00\x00 \xc0\x00\x00@@";
#define FIXED_NPY_LEN 140

static char path_buf[4096];
static const char *tmp_path(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", test_tmpdir(), name);
    return path_buf;
}

static int write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    fclose(f);
    return w == len ? 0 : -1;
}

/* The value numpy and this test both put at flat index i for a dtype kind
 * ('f', 'i', 'u', 'b'); the python generator uses the same formula. */
static double pattern(char kind, size_t i)
{
    switch (kind) {
    case 'b': return i % 3 == 0;
    case 'u': return (double)((i * 37) % 251);
    case 'i': return (double)((long)((i * 37) % 11) - 5);
    default: return (double)((long)((i * 37) % 11) - 5) * 0.75;
    }
}

static char kind_of(finn_elem_type t)
{
    switch (t) {
    case FINN_ELEM_BOOL: return 'b';
    case FINN_ELEM_UINT8: case FINN_ELEM_UINT16: case FINN_ELEM_UINT32: case FINN_ELEM_UINT64:
        return 'u';
    case FINN_ELEM_INT8: case FINN_ELEM_INT16: case FINN_ELEM_INT32: case FINN_ELEM_INT64:
        return 'i';
    default: return 'f';
    }
}

static finn_tensor *pattern_tensor(finn_elem_type type, int ndim, const int64_t *shape)
{
    finn_error err = {0};
    finn_tensor *t = finn_tensor_new(type, ndim, shape, &err);
    if (!t) {
        fprintf(stderr, "finn_tensor_new: %s\n", err.msg);
        return NULL;
    }
    size_t n = finn_tensor_numel(t);
    for (size_t i = 0; i < n; i++)
        finn_tensor_set(t, i, pattern(kind_of(type), i));
    return t;
}

static bool same_tensor(const finn_tensor *a, const finn_tensor *b)
{
    return a && b && a->type == b->type && finn_shape_equal(a->ndim, a->shape, b->ndim, b->shape) &&
           memcmp(a->data, b->data, finn_tensor_nbytes(a)) == 0;
}

/* ---- fixed bytes -------------------------------------------------------- */

static void test_fixed_bytes(void)
{
    finn_error err = {0};
    int64_t shape[] = {1, 3};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 2, shape, &err);
    CHECK(t != NULL);
    if (!t)
        return;
    finn_tensor_set(t, 0, 1.0);
    finn_tensor_set(t, 1, -2.5);
    finn_tensor_set(t, 2, 3.0);
    void *buf = NULL;
    size_t len = 0;
    CHECK_EQ_INT(finn_npy_serialize(t, &buf, &len, &err), 0);
    CHECK_EQ_INT(sizeof FIXED_NPY - 1, FIXED_NPY_LEN);
    CHECK_EQ_INT(len, FIXED_NPY_LEN);
    CHECK(buf && len == FIXED_NPY_LEN && memcmp(buf, FIXED_NPY, FIXED_NPY_LEN) == 0);
    free(buf);

    /* the data starts on a 64-byte boundary */
    CHECK_EQ_INT((10 + (unsigned char)FIXED_NPY[8]) % 64, 0);

    finn_tensor *r = NULL;
    CHECK_EQ_INT(finn_npy_parse(FIXED_NPY, FIXED_NPY_LEN, "fixed", &r, &err), 0);
    CHECK(same_tensor(r, t));
    if (r)
        CHECK_EQ_DBL(finn_tensor_get(r, 1), -2.5);
    finn_tensor_free(r);

    /* write goes through a file and reads back identically */
    const char *p = tmp_path("fixed.npy");
    CHECK_EQ_INT(finn_npy_write(p, t, &err), 0);
    size_t flen = 0;
    char *file = test_read_file(p, &flen);
    CHECK(file && flen == FIXED_NPY_LEN && memcmp(file, FIXED_NPY, FIXED_NPY_LEN) == 0);
    free(file);
    r = NULL;
    CHECK_EQ_INT(finn_npy_read(p, &r, &err), 0);
    CHECK(same_tensor(r, t));
    finn_tensor_free(r);
    finn_tensor_free(t);
}

/* ---- round trips -------------------------------------------------------- */

static void test_roundtrip_all_types(void)
{
    static const finn_elem_type types[] = {
        FINN_ELEM_FLOAT, FINN_ELEM_DOUBLE, FINN_ELEM_FLOAT16, FINN_ELEM_INT8, FINN_ELEM_INT16,
        FINN_ELEM_INT32, FINN_ELEM_INT64, FINN_ELEM_UINT8, FINN_ELEM_UINT16, FINN_ELEM_UINT32,
        FINN_ELEM_UINT64, FINN_ELEM_BOOL};
    static const char *descrs[] = {"'<f4'", "'<f8'", "'<f2'", "'|i1'", "'<i2'", "'<i4'",
                                   "'<i8'", "'|u1'", "'<u2'", "'<u4'", "'<u8'", "'|b1'"};
    int64_t shape[] = {2, 3, 2};
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        finn_error err = {0};
        finn_tensor *t = pattern_tensor(types[k], 3, shape);
        CHECK(t != NULL);
        if (!t)
            continue;
        void *buf = NULL;
        size_t len = 0;
        CHECK_EQ_INT(finn_npy_serialize(t, &buf, &len, &err), 0);
        CHECK_EQ_INT(len, 128 + finn_tensor_nbytes(t));
        if (buf) {
            char hdr[129];
            memcpy(hdr, (char *)buf + 10, 118);
            hdr[118] = 0;
            CHECK_CONTAINS(hdr, descrs[k]);
            CHECK_CONTAINS(hdr, "'shape': (2, 3, 2), }");
            CHECK_EQ_INT(hdr[117], '\n');
        }
        finn_tensor *r = NULL;
        CHECK_EQ_INT(finn_npy_parse(buf, len, "roundtrip", &r, &err), 0);
        CHECK(same_tensor(r, t));
        if (r)
            CHECK_EQ_DBL(finn_tensor_get(r, 11), pattern(kind_of(types[k]), 11));
        finn_tensor_free(r);
        free(buf);
        finn_tensor_free(t);
    }
    /* scalar and empty arrays */
    finn_error err = {0};
    finn_tensor *s = pattern_tensor(FINN_ELEM_INT64, 0, NULL);
    finn_tensor_set(s, 0, -123456789.0);
    void *buf = NULL;
    size_t len = 0;
    CHECK_EQ_INT(finn_npy_serialize(s, &buf, &len, &err), 0);
    CHECK(buf && len == 136 && memcmp((char *)buf + 10, "{'descr': '<i8', 'fortran_order': False, "
                                                        "'shape': (), }      ", 61) == 0);
    finn_tensor *r = NULL;
    CHECK_EQ_INT(finn_npy_parse(buf, len, "scalar", &r, &err), 0);
    CHECK(r && r->ndim == 0 && finn_tensor_get(r, 0) == -123456789.0);
    finn_tensor_free(r);
    free(buf);
    finn_tensor_free(s);

    int64_t eshape[] = {0, 4};
    finn_tensor *e = pattern_tensor(FINN_ELEM_FLOAT, 2, eshape);
    CHECK_EQ_INT(finn_npy_serialize(e, &buf, &len, &err), 0);
    CHECK_EQ_INT(len, 128);
    r = NULL;
    CHECK_EQ_INT(finn_npy_parse(buf, len, "empty", &r, &err), 0);
    CHECK(r && r->ndim == 2 && r->shape[0] == 0 && r->shape[1] == 4);
    finn_tensor_free(r);
    free(buf);
    finn_tensor_free(e);

    /* a header longer than numpy ever writes still pads to 64 bytes */
    int64_t lshape[] = {0, 123456789, 123456789, 123456789, 123456789, 123456789, 123456789,
                        123456789};
    finn_tensor *l = pattern_tensor(FINN_ELEM_UINT8, 8, lshape);
    CHECK_EQ_INT(finn_npy_serialize(l, &buf, &len, &err), 0);
    CHECK_EQ_INT(len, 192);
    CHECK(buf && ((unsigned char *)buf)[8] == 182 && ((unsigned char *)buf)[191] == '\n');
    r = NULL;
    CHECK_EQ_INT(finn_npy_parse(buf, len, "long", &r, &err), 0);
    CHECK(r && r->ndim == 8 && r->shape[7] == 123456789 && finn_tensor_numel(r) == 0);
    finn_tensor_free(r);
    free(buf);
    finn_tensor_free(l);

    /* unsupported element types cannot be written */
    finn_tensor fake = {FINN_ELEM_STRING, 0, {0}, NULL};
    finn_error_clear(&err);
    CHECK_EQ_INT(finn_npy_serialize(&fake, &buf, &len, &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_UNSUPPORTED);
}

/* ---- hand-built headers ------------------------------------------------- */

/* A .npy image with the given version and header text (no padding) and
 * data; malloc'ed. */
static unsigned char *make_npy(int major, const char *header, const void *data, size_t dlen,
                               size_t *len)
{
    size_t hl = strlen(header), pre = major == 1 ? 10 : 12;
    unsigned char *b = malloc(pre + hl + dlen + 1);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    if (major == 1) {
        b[8] = (unsigned char)hl;
        b[9] = (unsigned char)(hl >> 8);
    } else {
        for (int i = 0; i < 4; i++)
            b[8 + i] = (unsigned char)(hl >> (8 * i));
    }
    memcpy(b + pre, header, hl);
    if (dlen)
        memcpy(b + pre + hl, data, dlen);
    *len = pre + hl + dlen;
    return b;
}

static void test_versions_and_variants(void)
{
    int16_t data[6] = {1, -2, 3, -4, 5, -6};
    struct {
        int major;
        const char *header;
        finn_elem_type type;
        int ndim;
    } ok[] = {
        {2, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }\n", FINN_ELEM_INT16, 2},
        {3, "{'descr': '<i2', 'fortran_order': False, 'shape': (6,), }   \n", FINN_ELEM_INT16, 1},
        /* native order, double quotes, key order, spacing, Python 2 longs */
        {1, "{\"shape\": (2L,3L), \"fortran_order\": False, \"descr\": \"=i2\"}", FINN_ELEM_INT16, 2},
        {1, "{'descr':'<u2','fortran_order':False,'shape':(6,)}", FINN_ELEM_UINT16, 1},
        {1, "{'descr': '|i1', 'fortran_order': False, 'shape': (12,), }", FINN_ELEM_INT8, 1},
        {1, "{'descr': '>u1', 'fortran_order': False, 'shape': (12,), }", FINN_ELEM_UINT8, 1},
        {1, "{'descr': '<b1', 'fortran_order': False, 'shape': (3, 4), }", FINN_ELEM_BOOL, 2},
    };
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        finn_error err = {0};
        size_t len;
        unsigned char *b = make_npy(ok[k].major, ok[k].header, data, sizeof data, &len);
        finn_tensor *t = NULL;
        int rc = finn_npy_parse(b, len, "variant", &t, &err);
        CHECK_EQ_INT(rc, 0);
        if (rc != 0)
            fprintf(stderr, "  case %zu: %s\n", k, err.msg);
        CHECK(t && t->type == ok[k].type && t->ndim == ok[k].ndim);
        CHECK(t && memcmp(t->data, data, finn_tensor_nbytes(t)) == 0);
        if (t && k < 4)
            CHECK_EQ_DBL(finn_tensor_get(t, 3), k == 3 ? 65532 : -4);
        finn_tensor_free(t);
        free(b);
    }
    /* a v2 header read back reserializes as v1 with numpy's layout */
    finn_error err = {0};
    size_t len;
    unsigned char *b = make_npy(2, ok[0].header, data, sizeof data, &len);
    finn_tensor *t = NULL;
    CHECK_EQ_INT(finn_npy_parse(b, len, "v2", &t, &err), 0);
    void *out = NULL;
    size_t olen = 0;
    CHECK_EQ_INT(finn_npy_serialize(t, &out, &olen, &err), 0);
    CHECK(out && olen == 128 + sizeof data && ((unsigned char *)out)[6] == 1);
    free(out);
    finn_tensor_free(t);
    free(b);
}

/* Write a hand-built file and read it; returns the error. */
static finn_error read_bad(const char *name, int major, const char *header, size_t dlen,
                           int cut)
{
    static const unsigned char zeros[64];
    finn_error err = {0};
    size_t len;
    unsigned char *b = make_npy(major, header, zeros, dlen, &len);
    const char *p = tmp_path(name);
    CHECK_EQ_INT(write_bytes(p, b, len - (size_t)cut), 0);
    free(b);
    finn_tensor *t = (finn_tensor *)1;
    CHECK_EQ_INT(finn_npy_read(p, &t, &err), -1);
    CHECK(t == NULL);
    CHECK_CONTAINS(err.msg, name);
    return err;
}

static void test_refusals(void)
{
    finn_error e;
    e = read_bad("fortran.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                 16, 0);
    CHECK_EQ_INT(e.code, FINN_ERR_UNSUPPORTED);
    CHECK_CONTAINS(e.msg, "fortran_order");

    const char *bad_dtypes[] = {">f4", "<c8", "|O", "<U3", ">i8", "<f16", "<m8", "<i3"};
    for (size_t k = 0; k < sizeof bad_dtypes / sizeof bad_dtypes[0]; k++) {
        char hdr[128];
        snprintf(hdr, sizeof hdr, "{'descr': '%s', 'fortran_order': False, 'shape': (2,), }",
                 bad_dtypes[k]);
        e = read_bad("dtype.npy", 1, hdr, 32, 0);
        CHECK_EQ_INT(e.code, FINN_ERR_UNSUPPORTED);
        char quoted[16];
        snprintf(quoted, sizeof quoted, "'%s'", bad_dtypes[k]);
        CHECK_CONTAINS(e.msg, quoted);
    }
    e = read_bad("struct.npy", 1,
                 "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8, 0);
    CHECK_EQ_INT(e.code, FINN_ERR_UNSUPPORTED);
    CHECK_CONTAINS(e.msg, "structured");

    /* one byte of data missing */
    e = read_bad("short_data.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                 24, 1);
    CHECK_EQ_INT(e.code, FINN_ERR_PARSE);
    CHECK_CONTAINS(e.msg, "truncated data");
    CHECK_CONTAINS(e.msg, "24 bytes");
    CHECK_CONTAINS(e.msg, "has 23");
    /* header cut short */
    e = read_bad("short_header.npy", 1,
                 "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0, 20);
    CHECK_EQ_INT(e.code, FINN_ERR_PARSE);
    CHECK_CONTAINS(e.msg, "truncated");
    e = read_bad("no_shape.npy", 1, "{'descr': '<f4', 'fortran_order': False, }", 0, 0);
    CHECK_EQ_INT(e.code, FINN_ERR_PARSE);
    CHECK_CONTAINS(e.msg, "shape");
    e = read_bad("extra_key.npy", 1,
                 "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", 4, 0);
    CHECK_EQ_INT(e.code, FINN_ERR_PARSE);
    CHECK_CONTAINS(e.msg, "'x'");
    e = read_bad("neg_dim.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
                 4, 0);
    CHECK_EQ_INT(e.code, FINN_ERR_PARSE);
    e = read_bad("nine_dims.npy", 1,
                 "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 4, 0);
    CHECK_EQ_INT(e.code, FINN_ERR_UNSUPPORTED);
    e = read_bad("junk.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x",
                 4, 0);
    CHECK_EQ_INT(e.code, FINN_ERR_PARSE);
    e = read_bad("v4.npy", 4, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4, 0);
    CHECK_EQ_INT(e.code, FINN_ERR_UNSUPPORTED);
    CHECK_CONTAINS(e.msg, "version 4.0");

    /* not an npy at all, too short, missing file */
    finn_error err = {0};
    finn_tensor *t = NULL;
    CHECK_EQ_INT(finn_npy_parse("PK\x03\x04 hello world", 17, "zip.npy", &t, &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_PARSE);
    CHECK_CONTAINS(err.msg, "zip.npy");
    CHECK_CONTAINS(err.msg, "magic");
    CHECK_EQ_INT(finn_npy_parse("\x93NUMPY\x01", 7, "tiny", &t, &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_PARSE);
    CHECK_EQ_INT(finn_npy_read(tmp_path("does_not_exist.npy"), &t, &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_IO);
    CHECK_CONTAINS(err.msg, "does_not_exist.npy");

    /* a failed write leaves an existing file untouched */
    int64_t shape[] = {2};
    finn_tensor *ok = pattern_tensor(FINN_ELEM_FLOAT, 1, shape);
    finn_error_clear(&err);
    CHECK_EQ_INT(finn_npy_write(tmp_path("no_such_dir/x.npy"), ok, &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_IO);
    CHECK_CONTAINS(err.msg, "no_such_dir/x.npy");
    finn_tensor_free(ok);
}

/* ---- npz ---------------------------------------------------------------- */

static finn_npz *sample_npz(void)
{
    finn_error err = {0};
    int64_t s1[] = {2, 3}, s2[] = {4};
    finn_npz *z = finn_npz_new();
    finn_tensor *a = pattern_tensor(FINN_ELEM_FLOAT, 2, s1);
    finn_tensor *b = pattern_tensor(FINN_ELEM_INT64, 1, s2);
    finn_tensor *c = pattern_tensor(FINN_ELEM_UINT8, 0, NULL);
    CHECK_EQ_INT(finn_npz_add(z, "w", a, &err), 0);
    CHECK_EQ_INT(finn_npz_add(z, "idx", b, &err), 0);
    CHECK_EQ_INT(finn_npz_add(z, "scalar", c, &err), 0);
    finn_tensor_free(a);
    finn_tensor_free(b);
    finn_tensor_free(c);
    return z;
}

static void test_npz_roundtrip(void)
{
    finn_error err = {0};
    finn_npz *z = sample_npz();
    CHECK_EQ_INT(z->count, 3);
    /* duplicate names are refused; the archive is unchanged */
    CHECK_EQ_INT(finn_npz_add(z, "idx", z->arrays[0], &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_INVALID);
    CHECK_CONTAINS(err.msg, "idx");
    CHECK_EQ_INT(z->count, 3);
    CHECK(finn_npz_get(z, "nope") == NULL);

    const char *p = tmp_path("rt.npz");
    CHECK_EQ_INT(finn_npz_write(p, z, &err), 0);
    finn_npz *r = NULL;
    CHECK_EQ_INT(finn_npz_read(p, &r, &err), 0);
    CHECK(r && r->count == 3);
    if (r && r->count == 3) {
        CHECK_STR(r->names[0], "w");
        CHECK_STR(r->names[1], "idx");
        CHECK_STR(r->names[2], "scalar");
        for (size_t i = 0; i < 3; i++)
            CHECK(same_tensor(r->arrays[i], z->arrays[i]));
        CHECK(finn_npz_get(r, "idx") == r->arrays[1]);
        CHECK_EQ_DBL(finn_tensor_get(finn_npz_get(r, "w"), 5), pattern('f', 5));
    }
    finn_npz_free(r);

    /* layout: "w.npy" local header with the zip64 extra field, stored */
    size_t len = 0;
    unsigned char *bytes = (unsigned char *)test_read_file(p, &len);
    CHECK(bytes && len > 30);
    if (bytes && len > 30) {
        CHECK(memcmp(bytes, "PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x21\x00", 14) == 0);
        CHECK(memcmp(bytes + 26, "\x05\x00\x14\x00w.npy\x01\x00\x10\x00", 13) == 0);
        CHECK(memcmp(bytes + len - 22, "PK\x05\x06\x00\x00\x00\x00\x03\x00\x03\x00", 12) == 0);

        /* corrupt one data byte: the CRC check catches it */
        unsigned char *bad = malloc(len);
        memcpy(bad, bytes, len);
        bad[30 + 5 + 20 + 128] ^= 0x40;
        CHECK_EQ_INT(write_bytes(tmp_path("crc.npz"), bad, len), 0);
        finn_error_clear(&err);
        r = NULL;
        CHECK_EQ_INT(finn_npz_read(tmp_path("crc.npz"), &r, &err), -1);
        CHECK(r == NULL);
        CHECK_CONTAINS(err.msg, "CRC");
        CHECK_CONTAINS(err.msg, "crc.npz");
        CHECK_CONTAINS(err.msg, "w.npy");
        /* cut the archive: the end record is gone */
        CHECK_EQ_INT(write_bytes(tmp_path("cut.npz"), bytes, len - 30), 0);
        finn_error_clear(&err);
        CHECK_EQ_INT(finn_npz_read(tmp_path("cut.npz"), &r, &err), -1);
        CHECK_EQ_INT(err.code, FINN_ERR_PARSE);
        CHECK_CONTAINS(err.msg, "cut.npz");
        /* an unsupported compression method */
        memcpy(bad, bytes, len);
        size_t cd = len - 22 - (46 + 5) - (46 + 7) - (46 + 10);
        CHECK(memcmp(bad + cd, "PK\x01\x02", 4) == 0);
        bad[cd + 10] = 14; /* LZMA */
        CHECK_EQ_INT(write_bytes(tmp_path("lzma.npz"), bad, len), 0);
        finn_error_clear(&err);
        CHECK_EQ_INT(finn_npz_read(tmp_path("lzma.npz"), &r, &err), -1);
        CHECK_EQ_INT(err.code, FINN_ERR_UNSUPPORTED);
        CHECK_CONTAINS(err.msg, "method 14");
        free(bad);
    }
    free(bytes);

    /* an empty archive */
    finn_npz *empty = finn_npz_new();
    CHECK_EQ_INT(finn_npz_write(tmp_path("empty.npz"), empty, &err), 0);
    r = NULL;
    CHECK_EQ_INT(finn_npz_read(tmp_path("empty.npz"), &r, &err), 0);
    CHECK(r && r->count == 0);
    finn_npz_free(r);
    finn_npz_free(empty);

    finn_error_clear(&err);
    CHECK_EQ_INT(finn_npz_read(tmp_path("fixed.npy"), &r, &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_PARSE);
    CHECK_CONTAINS(err.msg, "not a zip");
    finn_npz_free(z);
}

/* A one-entry archive built by hand: method 0 (stored) or 8 (deflate),
 * optionally with every size and offset moved into zip64 fields and a
 * zip64 end record, as zip writers do for archives over 4 GiB. */
static unsigned char *put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    return p + 2;
}
static unsigned char *put32(unsigned char *p, uint32_t v)
{
    return put16(put16(p, v & 0xFFFF), v >> 16);
}
static unsigned char *put64(unsigned char *p, uint64_t v)
{
    return put32(put32(p, (uint32_t)v), (uint32_t)(v >> 32));
}

static unsigned char *build_zip(const char *name, const void *data, size_t dlen, int method,
                                bool zip64, size_t *zlen)
{
    /* compress first */
    unsigned char *comp = malloc(dlen + 64);
    size_t clen = dlen;
    if (method == 8) {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        zs.next_in = (Bytef *)data;
        zs.avail_in = (uInt)dlen;
        zs.next_out = comp;
        zs.avail_out = (uInt)(dlen + 64);
        deflate(&zs, Z_FINISH);
        clen = zs.total_out;
        deflateEnd(&zs);
    } else {
        memcpy(comp, data, dlen);
    }
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)dlen);
    size_t nlen = strlen(name);
    unsigned char *z = calloc(1, 30 + nlen + 20 + clen + 46 + nlen + 28 + 56 + 20 + 22);
    unsigned char *p = z;
    p = put32(p, 0x04034b50);
    p = put16(p, zip64 ? 45 : 20);
    p = put16(p, 0);
    p = put16(p, (unsigned)method);
    p = put16(p, 0);
    p = put16(p, 0x21);
    p = put32(p, crc);
    p = put32(p, zip64 ? 0xFFFFFFFFu : (uint32_t)clen);
    p = put32(p, zip64 ? 0xFFFFFFFFu : (uint32_t)dlen);
    p = put16(p, (unsigned)nlen);
    p = put16(p, zip64 ? 20 : 0);
    memcpy(p, name, nlen);
    p += nlen;
    if (zip64) {
        p = put16(put16(p, 1), 16);
        p = put64(put64(p, dlen), clen);
    }
    memcpy(p, comp, clen);
    p += clen;
    size_t cd_off = (size_t)(p - z);
    p = put32(p, 0x02014b50);
    p = put16(p, 0x0314);
    p = put16(p, zip64 ? 45 : 20);
    p = put16(p, 0);
    p = put16(p, (unsigned)method);
    p = put16(p, 0);
    p = put16(p, 0x21);
    p = put32(p, crc);
    p = put32(p, zip64 ? 0xFFFFFFFFu : (uint32_t)clen);
    p = put32(p, zip64 ? 0xFFFFFFFFu : (uint32_t)dlen);
    p = put16(p, (unsigned)nlen);
    p = put16(p, zip64 ? 28 : 0);
    p = put16(p, 0);
    p = put16(p, 0);
    p = put16(p, 0);
    p = put32(p, 0600u << 16);
    p = put32(p, zip64 ? 0xFFFFFFFFu : 0);
    memcpy(p, name, nlen);
    p += nlen;
    if (zip64) {
        p = put16(put16(p, 1), 24);
        p = put64(put64(put64(p, dlen), clen), 0);
    }
    size_t cd_size = (size_t)(p - z) - cd_off;
    if (zip64) {
        size_t z64 = (size_t)(p - z);
        p = put32(p, 0x06064b50);
        p = put64(p, 44);
        p = put16(put16(p, 45), 45);
        p = put32(put32(p, 0), 0);
        p = put64(put64(p, 1), 1);
        p = put64(put64(p, cd_size), cd_off);
        p = put32(p, 0x07064b50);
        p = put32(p, 0);
        p = put64(p, z64);
        p = put32(p, 1);
    }
    p = put32(p, 0x06054b50);
    p = put16(put16(p, 0), 0);
    p = put16(put16(p, zip64 ? 0xFFFF : 1), zip64 ? 0xFFFF : 1);
    p = put32(p, zip64 ? 0xFFFFFFFFu : (uint32_t)cd_size);
    p = put32(p, zip64 ? 0xFFFFFFFFu : (uint32_t)cd_off);
    p = put16(p, 0);
    *zlen = (size_t)(p - z);
    free(comp);
    return z;
}

static void test_npz_methods_and_zip64(void)
{
    int64_t shape[] = {50, 40};
    finn_tensor *t = pattern_tensor(FINN_ELEM_FLOAT, 2, shape);
    finn_error err = {0};
    void *npy = NULL;
    size_t nlen = 0;
    CHECK_EQ_INT(finn_npy_serialize(t, &npy, &nlen, &err), 0);
    for (int k = 0; k < 4; k++) {
        int method = k & 1 ? 8 : 0;
        bool zip64 = k >= 2;
        size_t zlen = 0;
        unsigned char *z = build_zip("arr_0.npy", npy, nlen, method, zip64, &zlen);
        if (method == 8)
            CHECK(zlen < nlen); /* the repeating pattern compresses */
        char name[64];
        snprintf(name, sizeof name, "m%d_z%d.npz", method, (int)zip64);
        CHECK_EQ_INT(write_bytes(tmp_path(name), z, zlen), 0);
        finn_npz *r = NULL;
        finn_error_clear(&err);
        CHECK_EQ_INT(finn_npz_read(tmp_path(name), &r, &err), 0);
        if (err.code)
            fprintf(stderr, "  %s: %s\n", name, err.msg);
        CHECK(r && r->count == 1 && strcmp(r->names[0], "arr_0") == 0 &&
              same_tensor(r->arrays[0], t));
        finn_npz_free(r);
        if (method == 8 && !zip64) {
            /* damage the deflate stream: cut it short */
            size_t data_start = 30 + 9;
            unsigned char *bad = malloc(zlen);
            memcpy(bad, z, zlen);
            memset(bad + data_start + 10, 0xFF, 8);
            CHECK_EQ_INT(write_bytes(tmp_path("bad_deflate.npz"), bad, zlen), 0);
            finn_error_clear(&err);
            r = NULL;
            CHECK_EQ_INT(finn_npz_read(tmp_path("bad_deflate.npz"), &r, &err), -1);
            CHECK_EQ_INT(err.code, FINN_ERR_PARSE);
            CHECK_CONTAINS(err.msg, "bad_deflate.npz");
            CHECK_CONTAINS(err.msg, "arr_0.npy");
            free(bad);
        }
        free(z);
    }
    /* an entry that is not an array */
    size_t zlen = 0;
    unsigned char *z = build_zip("notes.txt", "hello", 5, 0, false, &zlen);
    CHECK_EQ_INT(write_bytes(tmp_path("txt.npz"), z, zlen), 0);
    finn_npz *r = NULL;
    finn_error_clear(&err);
    CHECK_EQ_INT(finn_npz_read(tmp_path("txt.npz"), &r, &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_UNSUPPORTED);
    CHECK_CONTAINS(err.msg, "notes.txt");
    free(z);
    free(npy);
    finn_tensor_free(t);
}

/* ---- against numpy ------------------------------------------------------ */

static const char *find_python(void)
{
    static const char *candidates[] = {"python3", "/usr/bin/python3", "python"};
    const char *env = getenv("FINN_PYTHON");
    if (env && *env) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "%s -c 'import numpy' >/dev/null", env);
        int st = -1;
        free(test_run(cmd, &st));
        if (st == 0)
            return env;
    }
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "%s -c 'import numpy' >/dev/null", candidates[i]);
        int st = -1;
        free(test_run(cmd, &st));
        if (st == 0)
            return candidates[i];
    }
    return NULL;
}

static const char PY_GEN[] =
    "import math, sys\n"
    "import numpy as np\n"
    "d = sys.argv[1]\n"
    "def pat(dt, shape):\n"
    "    n = math.prod(shape)\n"
    "    k = np.dtype(dt).kind\n"
    "    if k == 'b': v = [i % 3 == 0 for i in range(n)]\n"
    "    elif k == 'u': v = [(i * 37) % 251 for i in range(n)]\n"
    "    elif k == 'i': v = [(i * 37) % 11 - 5 for i in range(n)]\n"
    "    else: v = [((i * 37) % 11 - 5) * 0.75 for i in range(n)]\n"
    "    return np.array(v, dtype=dt).reshape(shape)\n"
    "for line in open(d + '/cases.txt'):\n"
    "    name, dt, *dims = line.split()\n"
    "    np.save(d + '/' + name + '.npy', pat(dt, tuple(int(x) for x in dims)))\n"
    "a = pat('<f4', (2, 3)); b = pat('<i8', (4,)); c = pat('|u1', ())\n"
    "np.savez(d + '/np_savez.npz', w=a, idx=b, scalar=c)\n"
    "np.savez_compressed(d + '/np_comp.npz', big=pat('<f4', (300, 1000)), small=pat('|u1', (3,)))\n"
    "for v in ((2, 0), (3, 0)):\n"
    "    with open(d + '/np_v%d.npy' % v[0], 'wb') as f:\n"
    "        np.lib.format.write_array(f, pat('<i2', (3, 5)), version=v)\n";

typedef struct py_case {
    const char *name;
    const char *descr;
    finn_elem_type type;
    int ndim;
    int64_t shape[FINN_MAX_DIMS];
} py_case;

static const py_case PY_CASES[] = {
    {"f4", "<f4", FINN_ELEM_FLOAT, 2, {2, 3}},
    {"f8", "<f8", FINN_ELEM_DOUBLE, 1, {4}},
    {"f2", "<f2", FINN_ELEM_FLOAT16, 2, {3, 2}},
    {"i1", "|i1", FINN_ELEM_INT8, 1, {5}},
    {"i2", "<i2", FINN_ELEM_INT16, 2, {2, 2}},
    {"i4", "<i4", FINN_ELEM_INT32, 3, {1, 3, 4}},
    {"i8", "<i8", FINN_ELEM_INT64, 0, {0}},
    {"u1", "|u1", FINN_ELEM_UINT8, 2, {2, 5}},
    {"u2", "<u2", FINN_ELEM_UINT16, 1, {3}},
    {"u4", "<u4", FINN_ELEM_UINT32, 2, {2, 1}},
    {"u8", "<u8", FINN_ELEM_UINT64, 1, {1}},
    {"b1", "|b1", FINN_ELEM_BOOL, 2, {2, 2}},
    {"empty", "<f4", FINN_ELEM_FLOAT, 1, {0}},
    {"image", "<f4", FINN_ELEM_FLOAT, 4, {1, 1, 28, 28}},
    {"rank8", "<f2", FINN_ELEM_FLOAT16, 8, {1, 2, 1, 2, 1, 2, 1, 2}},
    /* the longest headers numpy can produce, with and without growth room */
    {"long_hdr", "|u1", FINN_ELEM_UINT8, 8, {0, 1000, 1000, 1000, 1000, 1000, 1000, 9}},
    {"wide_first", "<i2", FINN_ELEM_INT16, 2, {INT64_C(12345678901234567), 0}},
};
#define N_PY_CASES (sizeof PY_CASES / sizeof PY_CASES[0])

static void compare_with_numpy_npy(const char *dir)
{
    char path[4096];
    for (size_t k = 0; k < N_PY_CASES; k++) {
        const py_case *c = &PY_CASES[k];
        finn_error err = {0};
        snprintf(path, sizeof path, "%s/%s.npy", dir, c->name);
        size_t nlen = 0;
        char *numpy_bytes = test_read_file(path, &nlen);
        CHECK(numpy_bytes != NULL);
        finn_tensor *t = pattern_tensor(c->type, c->ndim, c->shape);
        void *ours = NULL;
        size_t olen = 0;
        CHECK_EQ_INT(finn_npy_serialize(t, &ours, &olen, &err), 0);
        bool same = numpy_bytes && ours && olen == nlen && memcmp(ours, numpy_bytes, nlen) == 0;
        CHECK(same);
        if (!same)
            fprintf(stderr, "  %s: our bytes differ from numpy's (%zu vs %zu bytes)\n", c->name,
                    olen, nlen);
        finn_tensor *r = NULL;
        CHECK_EQ_INT(finn_npy_read(path, &r, &err), 0);
        CHECK(same_tensor(r, t));
        finn_tensor_free(r);
        free(ours);
        free(numpy_bytes);
        finn_tensor_free(t);
    }
    /* version 2.0 and 3.0 files written by numpy */
    int64_t shape[] = {3, 5};
    finn_tensor *want = pattern_tensor(FINN_ELEM_INT16, 2, shape);
    for (int v = 2; v <= 3; v++) {
        finn_error err = {0};
        snprintf(path, sizeof path, "%s/np_v%d.npy", dir, v);
        size_t len = 0;
        char *raw = test_read_file(path, &len);
        CHECK(raw && len > 8 && raw[6] == v);
        free(raw);
        finn_tensor *r = NULL;
        CHECK_EQ_INT(finn_npy_read(path, &r, &err), 0);
        CHECK(same_tensor(r, want));
        finn_tensor_free(r);
    }
    finn_tensor_free(want);
}

static void compare_with_numpy_npz(const char *py, const char *dir)
{
    char path[4096], ours[4096];
    finn_error err = {0};
    /* numpy.savez and finn_npz_write give the same bytes */
    snprintf(path, sizeof path, "%s/np_savez.npz", dir);
    snprintf(ours, sizeof ours, "%s/ours.npz", dir);
    finn_npz *z = sample_npz();
    CHECK_EQ_INT(finn_npz_write(ours, z, &err), 0);
    size_t la = 0, lb = 0;
    char *a = test_read_file(path, &la), *b = test_read_file(ours, &lb);
    CHECK(a && b && la == lb && memcmp(a, b, la) == 0);
    free(a);
    free(b);
    finn_npz *r = NULL;
    CHECK_EQ_INT(finn_npz_read(path, &r, &err), 0);
    CHECK(r && r->count == 3);
    for (size_t i = 0; r && i < r->count && i < 3; i++) {
        CHECK_STR(r->names[i], z->names[i]);
        CHECK(same_tensor(r->arrays[i], z->arrays[i]));
    }
    finn_npz_free(r);
    finn_npz_free(z);

    /* numpy reads our archive */
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "%s -c \"import numpy as np; z = np.load('%s'); "
             "print(sorted(z.files), z['w'].dtype, z['w'].shape, float(z['w'].sum()), "
             "z['idx'].tolist(), int(z['scalar']))\"",
             py, ours);
    int st = -1;
    char *out = test_run(cmd, &st);
    CHECK_EQ_INT(st, 0);
    CHECK_CONTAINS(out, "['idx', 'scalar', 'w'] float32 (2, 3) -2.25 [-5, -1, 3, -4] 0");
    free(out);

    /* savez_compressed: deflated entries */
    snprintf(path, sizeof path, "%s/np_comp.npz", dir);
    r = NULL;
    CHECK_EQ_INT(finn_npz_read(path, &r, &err), 0);
    if (err.code)
        fprintf(stderr, "  %s\n", err.msg);
    const finn_tensor *big = finn_npz_get(r, "big");
    const finn_tensor *small = finn_npz_get(r, "small");
    CHECK(big && big->type == FINN_ELEM_FLOAT && big->ndim == 2 && big->shape[0] == 300 &&
          big->shape[1] == 1000);
    CHECK(small && small->type == FINN_ELEM_UINT8 && finn_tensor_numel(small) == 3);
    if (big) {
        int64_t bs[] = {300, 1000};
        finn_tensor *want = pattern_tensor(FINN_ELEM_FLOAT, 2, bs);
        CHECK(same_tensor(big, want));
        finn_tensor_free(want);
    }
    if (small)
        CHECK_EQ_DBL(finn_tensor_get(small, 2), 74);
    finn_npz_free(r);
}

static void test_against_numpy(void)
{
    const char *py = find_python();
    if (!py) {
        printf("SKIP part: no python3 with numpy found; checked against the fixed bytes only\n");
        return;
    }
    char dir[1024], path[2048], cmd[8192];
    snprintf(dir, sizeof dir, "%s/numpy", test_tmpdir());
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    for (size_t k = 0; k < N_PY_CASES; k++) {
        fprintf(f, "%s %s", PY_CASES[k].name, PY_CASES[k].descr);
        for (int i = 0; i < PY_CASES[k].ndim; i++)
            fprintf(f, " %lld", (long long)PY_CASES[k].shape[i]);
        fprintf(f, "\n");
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/gen.py", dir);
    CHECK_EQ_INT(write_bytes(path, PY_GEN, sizeof PY_GEN - 1), 0);
    snprintf(cmd, sizeof cmd, "%s '%s' '%s'", py, path, dir);
    int st = -1;
    char *out = test_run(cmd, &st);
    CHECK_EQ_INT(st, 0);
    if (st != 0) {
        fprintf(stderr, "numpy generator failed:\n%s\n", out ? out : "");
        free(out);
        return;
    }
    free(out);
    printf("checking against numpy via %s\n", py);
    compare_with_numpy_npy(dir);
    compare_with_numpy_npz(py, dir);
}

/* ---- corpus ------------------------------------------------------------- */

static int corpus_npy, corpus_npz;

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Read a corpus .npy and write it again: byte-identical for v1.0 files
 * (all corpus files were written by numpy.save), data-identical otherwise. */
static void corpus_check_npy(const char *path)
{
    finn_error err = {0};
    size_t len = 0;
    char *orig = test_read_file(path, &len);
    finn_tensor *t = NULL;
    CHECK_EQ_INT(finn_npy_read(path, &t, &err), 0);
    if (!t || !orig) {
        fprintf(stderr, "  %s: %s\n", path, err.msg);
        free(orig);
        return;
    }
    void *buf = NULL;
    size_t blen = 0;
    CHECK_EQ_INT(finn_npy_serialize(t, &buf, &blen, &err), 0);
    if (orig[6] == 1) {
        bool same = blen == len && memcmp(buf, orig, len) == 0;
        CHECK(same);
        if (!same)
            fprintf(stderr, "  %s: re-serialized bytes differ\n", path);
    } else {
        size_t nb = finn_tensor_nbytes(t);
        CHECK(nb <= len && memcmp((char *)buf + blen - nb, orig + len - nb, nb) == 0);
    }
    corpus_npy++;
    free(buf);
    free(orig);
    finn_tensor_free(t);
}

/* Read a corpus .npz, write it again and read that back.  Archives from a
 * numpy that opens entries with force_zip64 (a 20-byte extra field in the
 * first local header) must come out byte-identical. */
static void corpus_check_npz(const char *path)
{
    finn_error err = {0};
    finn_npz *z = NULL;
    CHECK_EQ_INT(finn_npz_read(path, &z, &err), 0);
    if (!z) {
        fprintf(stderr, "  %s: %s\n", path, err.msg);
        return;
    }
    CHECK(z->count > 0);
    const char *out = tmp_path("corpus_copy.npz");
    CHECK_EQ_INT(finn_npz_write(out, z, &err), 0);
    finn_npz *r = NULL;
    CHECK_EQ_INT(finn_npz_read(out, &r, &err), 0);
    CHECK(r && r->count == z->count);
    for (size_t i = 0; r && i < r->count && i < z->count; i++) {
        CHECK_STR(r->names[i], z->names[i]);
        CHECK(same_tensor(r->arrays[i], z->arrays[i]));
    }
    size_t la = 0, lb = 0;
    unsigned char *a = (unsigned char *)test_read_file(path, &la);
    unsigned char *b = (unsigned char *)test_read_file(out, &lb);
    if (a && la > 30 && a[28] == 20 && a[29] == 0) {
        bool same = b && la == lb && memcmp(a, b, la) == 0;
        CHECK(same);
        if (!same)
            fprintf(stderr, "  %s: rewritten archive differs\n", path);
    }
    free(a);
    free(b);
    finn_npz_free(r);
    finn_npz_free(z);
    corpus_npz++;
}

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(path);
        else if (ends_with(path, ".npy"))
            corpus_check_npy(path);
        else if (ends_with(path, ".npz"))
            corpus_check_npz(path);
    }
    closedir(d);
}

static void test_corpus(void)
{
    const char *shared = test_shared_dir();
    if (!shared) {
        printf("SKIP part: shared corpus not found; corpus files not checked\n");
        return;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/corpus", shared);
    walk(dir);
    printf("corpus: %d .npy and %d .npz files checked\n", corpus_npy, corpus_npz);
    CHECK(corpus_npy >= 1);
    CHECK(corpus_npz >= 1);
}

int main(void)
{
    test_fixed_bytes();
    test_roundtrip_all_types();
    test_versions_and_variants();
    test_refusals();
    test_npz_roundtrip();
    test_npz_methods_and_zip64();
    test_against_numpy();
    test_corpus();
    return test_done();
}
