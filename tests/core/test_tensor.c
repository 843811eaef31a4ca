/* test_tensor.c - finn_tensor: sizes, shapes, element access, conversion. */
#include "finn/tensor.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

static void test_elem_sizes(void)
{
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_FLOAT), 4);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_UINT8), 1);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_INT8), 1);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_UINT16), 2);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_INT16), 2);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_INT32), 4);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_INT64), 8);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_STRING), 0);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_BOOL), 1);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_FLOAT16), 2);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_DOUBLE), 8);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_UINT32), 4);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_UINT64), 8);
    CHECK_EQ_INT(finn_elem_size(FINN_ELEM_UNDEFINED), 0);
    CHECK_EQ_INT(finn_elem_size((finn_elem_type)99), 0);
    CHECK_STR(finn_elem_name(FINN_ELEM_FLOAT), "float32");
    CHECK_STR(finn_elem_name(FINN_ELEM_DOUBLE), "float64");
    CHECK_STR(finn_elem_name(FINN_ELEM_INT64), "int64");
    CHECK_STR(finn_elem_name(FINN_ELEM_UINT8), "uint8");
    CHECK_STR(finn_elem_name(FINN_ELEM_BOOL), "bool");
    CHECK_STR(finn_elem_name(FINN_ELEM_FLOAT16), "float16");
}

static void test_shape_str(void)
{
    char buf[64];
    int64_t s4[] = {1, 3, 32, 32};
    int64_t s1[] = {5};
    int64_t big[] = {INT64_MAX, 0};
    CHECK_STR(finn_shape_str(4, s4, buf, sizeof buf), "(1, 3, 32, 32)");
    CHECK_STR(finn_shape_str(0, NULL, buf, sizeof buf), "()");
    CHECK_STR(finn_shape_str(1, s1, buf, sizeof buf), "(5,)");
    CHECK_STR(finn_shape_str(2, big, buf, sizeof buf), "(9223372036854775807, 0)");
    /* truncation keeps a terminated prefix */
    char small[5];
    CHECK_STR(finn_shape_str(4, s4, small, sizeof small), "(1, ");
    char one[1] = {'x'};
    CHECK_STR(finn_shape_str(4, s4, one, sizeof one), "");
}

static void test_shape_helpers(void)
{
    int64_t a[] = {2, 3, 4}, b[] = {2, 3, 4}, c[] = {2, 3, 5}, z[] = {7, 0, 3};
    CHECK_EQ_INT(finn_shape_numel(3, a), 24);
    CHECK_EQ_INT(finn_shape_numel(0, NULL), 1);
    CHECK_EQ_INT(finn_shape_numel(3, z), 0);
    CHECK(finn_shape_equal(3, a, 3, b));
    CHECK(!finn_shape_equal(3, a, 3, c));
    CHECK(!finn_shape_equal(3, a, 2, b));
    CHECK(finn_shape_equal(0, NULL, 0, NULL));
}

static void test_new_and_errors(void)
{
    finn_error err = {0};
    int64_t shape[] = {2, 3};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_INT32, 2, shape, &err);
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK_EQ_INT(t->ndim, 2);
    CHECK_EQ_INT(t->shape[0], 2);
    CHECK_EQ_INT(t->shape[1], 3);
    CHECK_EQ_INT(finn_tensor_numel(t), 6);
    CHECK_EQ_INT(finn_tensor_nbytes(t), 24);
    const int32_t *d = t->data;
    int zeros = 0;
    for (int i = 0; i < 6; i++)
        zeros += d[i] == 0;
    CHECK_EQ_INT(zeros, 6);
    finn_tensor_free(t);

    finn_tensor *s = finn_tensor_new(FINN_ELEM_DOUBLE, 0, NULL, &err);
    CHECK(s != NULL);
    CHECK_EQ_INT(finn_tensor_numel(s), 1);
    CHECK_EQ_INT(finn_tensor_nbytes(s), 8);
    finn_tensor_free(s);

    int64_t empty_shape[] = {0, 5};
    finn_tensor *e = finn_tensor_new(FINN_ELEM_FLOAT, 2, empty_shape, &err);
    CHECK(e != NULL);
    CHECK_EQ_INT(finn_tensor_numel(e), 0);
    CHECK_EQ_INT(finn_tensor_nbytes(e), 0);
    CHECK(isnan(finn_tensor_get(e, 0)));
    finn_tensor_free(e);

    int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    finn_error_clear(&err);
    CHECK(finn_tensor_new(FINN_ELEM_FLOAT, 9, nine, &err) == NULL);
    CHECK_EQ_INT(err.code, FINN_ERR_INVALID);
    CHECK_CONTAINS(err.msg, "rank 9");

    int64_t neg[] = {2, -1};
    finn_error_clear(&err);
    CHECK(finn_tensor_new(FINN_ELEM_FLOAT, 2, neg, &err) == NULL);
    CHECK_EQ_INT(err.code, FINN_ERR_INVALID);
    CHECK_CONTAINS(err.msg, "-1");

    finn_error_clear(&err);
    CHECK(finn_tensor_new(FINN_ELEM_STRING, 1, shape, &err) == NULL);
    CHECK_EQ_INT(err.code, FINN_ERR_UNSUPPORTED);
    CHECK_CONTAINS(err.msg, "string");

    finn_error_clear(&err);
    CHECK(finn_tensor_new(FINN_ELEM_FLOAT, 2, NULL, &err) == NULL);
    CHECK_EQ_INT(err.code, FINN_ERR_INVALID);

    int64_t huge[] = {INT64_C(1) << 40, INT64_C(1) << 40};
    finn_error_clear(&err);
    CHECK(finn_tensor_new(FINN_ELEM_FLOAT, 2, huge, &err) == NULL);
    CHECK_EQ_INT(err.code, FINN_ERR_INVALID);
    CHECK_CONTAINS(err.msg, "too large");
}

static void test_get_set_ints(void)
{
    finn_error err = {0};
    int64_t n[] = {4};
    finn_tensor *t8 = finn_tensor_new(FINN_ELEM_INT8, 1, n, &err);
    finn_tensor *u8 = finn_tensor_new(FINN_ELEM_UINT8, 1, n, &err);
    finn_tensor *i64 = finn_tensor_new(FINN_ELEM_INT64, 1, n, &err);
    finn_tensor *u16 = finn_tensor_new(FINN_ELEM_UINT16, 1, n, &err);
    CHECK(t8 && u8 && i64 && u16);
    if (!t8 || !u8 || !i64 || !u16)
        return;
    finn_tensor_set(t8, 0, -2.7);   /* truncation toward zero */
    finn_tensor_set(t8, 1, 2.7);
    finn_tensor_set(t8, 2, 1000.0); /* saturates */
    finn_tensor_set(t8, 3, NAN);    /* defined as 0 */
    CHECK_EQ_DBL(finn_tensor_get(t8, 0), -2);
    CHECK_EQ_DBL(finn_tensor_get(t8, 1), 2);
    CHECK_EQ_DBL(finn_tensor_get(t8, 2), 127);
    CHECK_EQ_DBL(finn_tensor_get(t8, 3), 0);
    CHECK_EQ_INT(((int8_t *)t8->data)[0], -2);

    finn_tensor_set(u8, 0, 255.9);
    finn_tensor_set(u8, 1, -1.0);
    finn_tensor_set(u8, 2, 300.0);
    finn_tensor_set(u8, 3, 17.0);
    CHECK_EQ_DBL(finn_tensor_get(u8, 0), 255);
    CHECK_EQ_DBL(finn_tensor_get(u8, 1), 0);
    CHECK_EQ_DBL(finn_tensor_get(u8, 2), 255);
    CHECK_EQ_DBL(finn_tensor_get(u8, 3), 17);

    finn_tensor_set(i64, 0, 9007199254740992.0); /* 2^53 exactly */
    finn_tensor_set(i64, 1, -3.9);
    finn_tensor_set(i64, 2, 1e30);
    CHECK_EQ_INT(((int64_t *)i64->data)[0], INT64_C(9007199254740992));
    CHECK_EQ_INT(((int64_t *)i64->data)[1], -3);
    CHECK_EQ_INT(((int64_t *)i64->data)[2], INT64_MAX);

    finn_tensor_set(u16, 0, 65535);
    finn_tensor_set(u16, 1, 65536);
    CHECK_EQ_INT(((uint16_t *)u16->data)[0], 65535);
    CHECK_EQ_INT(((uint16_t *)u16->data)[1], 65535);

    /* out of range index: get is NaN, set is ignored */
    CHECK(isnan(finn_tensor_get(t8, 4)));
    finn_tensor_set(t8, 4, 1.0);
    CHECK_EQ_DBL(finn_tensor_get(t8, 3), 0);

    finn_tensor_free(t8);
    finn_tensor_free(u8);
    finn_tensor_free(i64);
    finn_tensor_free(u16);
}

static void test_get_set_bool_float(void)
{
    finn_error err = {0};
    int64_t n[] = {4};
    finn_tensor *b = finn_tensor_new(FINN_ELEM_BOOL, 1, n, &err);
    finn_tensor *f = finn_tensor_new(FINN_ELEM_FLOAT, 1, n, &err);
    finn_tensor *d = finn_tensor_new(FINN_ELEM_DOUBLE, 1, n, &err);
    CHECK(b && f && d);
    if (!b || !f || !d)
        return;
    finn_tensor_set(b, 0, 0.5);
    finn_tensor_set(b, 1, 0.0);
    finn_tensor_set(b, 2, -3.0);
    finn_tensor_set(b, 3, NAN);
    const uint8_t *bd = b->data;
    CHECK_EQ_INT(bd[0], 1);
    CHECK_EQ_INT(bd[1], 0);
    CHECK_EQ_INT(bd[2], 1);
    CHECK_EQ_INT(bd[3], 1);
    /* any nonzero byte reads as true */
    ((uint8_t *)b->data)[2] = 7;
    CHECK_EQ_DBL(finn_tensor_get(b, 2), 1);

    finn_tensor_set(f, 0, 0.1);
    CHECK_EQ_DBL(finn_tensor_get(f, 0), (double)0.1f);
    CHECK(finn_tensor_get(f, 0) != 0.1);
    finn_tensor_set(d, 0, 0.1);
    CHECK_EQ_DBL(finn_tensor_get(d, 0), 0.1);
    finn_tensor_set(f, 1, INFINITY);
    CHECK(isinf(finn_tensor_get(f, 1)));
    finn_tensor_free(b);
    finn_tensor_free(f);
    finn_tensor_free(d);
}

/* float16 bits after set(v); expected values are what numpy's astype
 * produces. */
static unsigned half_bits(finn_tensor *h, double v)
{
    finn_tensor_set(h, 0, v);
    return ((uint16_t *)h->data)[0];
}

static void test_float16(void)
{
    finn_error err = {0};
    int64_t n[] = {1};
    finn_tensor *h = finn_tensor_new(FINN_ELEM_FLOAT16, 1, n, &err);
    CHECK(h != NULL);
    if (!h)
        return;
    CHECK_EQ_INT(half_bits(h, 1.0), 0x3c00);
    CHECK_EQ_INT(half_bits(h, 65504.0), 0x7bff);
    CHECK_EQ_INT(half_bits(h, 65519.99), 0x7bff);
    CHECK_EQ_INT(half_bits(h, 65520.0), 0x7c00); /* rounds up into inf */
    CHECK_EQ_INT(half_bits(h, -70000.0), 0xfc00);
    CHECK_EQ_INT(half_bits(h, 1.0 / 3.0), 0x3555);
    CHECK_EQ_INT(half_bits(h, 0.1), 0x2e66);
    CHECK_EQ_INT(half_bits(h, ldexp(1, -24)), 0x0001);
    CHECK_EQ_INT(half_bits(h, ldexp(1, -25)), 0x0000);             /* tie -> even */
    CHECK_EQ_INT(half_bits(h, ldexp(1.0000001, -25)), 0x0001);
    CHECK_EQ_INT(half_bits(h, ldexp(3, -25)), 0x0002);             /* tie -> even */
    CHECK_EQ_INT(half_bits(h, 1.0 + ldexp(1, -11)), 0x3c00);       /* tie -> even */
    CHECK_EQ_INT(half_bits(h, 1.0 + ldexp(3, -11)), 0x3c02);       /* tie -> even */
    CHECK_EQ_INT(half_bits(h, 1e-8), 0x0000);
    CHECK_EQ_INT(half_bits(h, -0.0), 0x8000);
    CHECK_EQ_INT(half_bits(h, ldexp(1023, -24)), 0x03ff);          /* largest subnormal */
    CHECK_EQ_INT(half_bits(h, ldexp(2047, -25)), 0x0400);          /* rounds to min normal */
    CHECK_EQ_INT(half_bits(h, INFINITY), 0x7c00);
    unsigned nan_bits = half_bits(h, NAN);
    CHECK_EQ_INT(nan_bits & 0x7c00, 0x7c00);
    CHECK((nan_bits & 0x3ff) != 0);
    CHECK(isnan(finn_tensor_get(h, 0)));

    uint16_t *hd = h->data;
    hd[0] = 0x3555;
    CHECK_EQ_DBL(finn_tensor_get(h, 0), 0.333251953125);
    hd[0] = 0x0001;
    CHECK_EQ_DBL(finn_tensor_get(h, 0), ldexp(1, -24));
    hd[0] = 0x7bff;
    CHECK_EQ_DBL(finn_tensor_get(h, 0), 65504.0);
    hd[0] = 0xc000;
    CHECK_EQ_DBL(finn_tensor_get(h, 0), -2.0);
    hd[0] = 0xfc00;
    CHECK(isinf(finn_tensor_get(h, 0)) && finn_tensor_get(h, 0) < 0);
    hd[0] = 0x8000;
    CHECK(signbit(finn_tensor_get(h, 0)) && finn_tensor_get(h, 0) == 0.0);
    finn_tensor_free(h);
}

static void test_convert(void)
{
    finn_error err = {0};
    int64_t n[] = {2, 3};
    finn_tensor *f = finn_tensor_new(FINN_ELEM_FLOAT, 2, n, &err);
    CHECK(f != NULL);
    if (!f)
        return;
    float vals[6] = {-2.7f, 2.7f, 0.0f, -0.0f, 0.25f, 65504.0f};
    memcpy(f->data, vals, sizeof vals);

    finn_tensor *i = finn_tensor_convert(f, FINN_ELEM_INT32, &err);
    CHECK(i != NULL);
    if (i) {
        const int32_t *d = i->data;
        CHECK_EQ_INT(i->type, FINN_ELEM_INT32);
        CHECK(finn_shape_equal(i->ndim, i->shape, 2, n));
        CHECK_EQ_INT(d[0], -2);
        CHECK_EQ_INT(d[1], 2);
        CHECK_EQ_INT(d[4], 0);
        CHECK_EQ_INT(d[5], 65504);
    }
    finn_tensor *b = finn_tensor_convert(f, FINN_ELEM_BOOL, &err);
    CHECK(b != NULL);
    if (b) {
        const uint8_t *d = b->data;
        CHECK_EQ_INT(d[0], 1);
        CHECK_EQ_INT(d[2], 0);
        CHECK_EQ_INT(d[3], 0); /* -0.0 is zero */
        CHECK_EQ_INT(d[4], 1);
    }
    finn_tensor *h = finn_tensor_convert(f, FINN_ELEM_FLOAT16, &err);
    CHECK(h != NULL);
    if (h) {
        const uint16_t *d = h->data;
        CHECK_EQ_INT(d[4], 0x3400);
        CHECK_EQ_INT(d[5], 0x7bff);
        finn_tensor *back = finn_tensor_convert(h, FINN_ELEM_FLOAT, &err);
        CHECK(back != NULL);
        if (back)
            CHECK_EQ_DBL(((float *)back->data)[0], -2.69921875); /* nearest half to -2.7 */
        finn_tensor_free(back);
    }

    /* integer -> integer keeps exact 64-bit values and wraps on narrowing */
    int64_t m[] = {4};
    finn_tensor *big = finn_tensor_new(FINN_ELEM_INT64, 1, m, &err);
    CHECK(big != NULL);
    if (big) {
        int64_t v[4] = {(INT64_C(1) << 62) + 1, 300, -1, -129};
        memcpy(big->data, v, sizeof v);
        finn_tensor *u64 = finn_tensor_convert(big, FINN_ELEM_UINT64, &err);
        finn_tensor *u8 = finn_tensor_convert(big, FINN_ELEM_UINT8, &err);
        finn_tensor *s8 = finn_tensor_convert(big, FINN_ELEM_INT8, &err);
        finn_tensor *dd = finn_tensor_convert(big, FINN_ELEM_DOUBLE, &err);
        CHECK(u64 && u8 && s8 && dd);
        if (u64 && u8 && s8 && dd) {
            CHECK_EQ_INT(((uint64_t *)u64->data)[0], (INT64_C(1) << 62) + 1);
            CHECK_EQ_INT(((uint64_t *)u64->data)[2] == UINT64_MAX, 1);
            CHECK_EQ_INT(((uint8_t *)u8->data)[1], 44);
            CHECK_EQ_INT(((uint8_t *)u8->data)[2], 255);
            CHECK_EQ_INT(((int8_t *)s8->data)[3], 127);
            CHECK_EQ_DBL(((double *)dd->data)[1], 300.0);
            CHECK_EQ_DBL(((double *)dd->data)[3], -129.0);
        }
        finn_tensor_free(u64);
        finn_tensor_free(u8);
        finn_tensor_free(s8);
        finn_tensor_free(dd);
        finn_tensor_free(big);
    }
    finn_tensor *same = finn_tensor_convert(f, FINN_ELEM_FLOAT, &err);
    CHECK(same && memcmp(same->data, f->data, sizeof vals) == 0);
    finn_tensor_free(same);

    finn_error_clear(&err);
    CHECK(finn_tensor_convert(f, FINN_ELEM_STRING, &err) == NULL);
    CHECK_EQ_INT(err.code, FINN_ERR_UNSUPPORTED);

    finn_tensor_free(f);
    finn_tensor_free(i);
    finn_tensor_free(b);
    finn_tensor_free(h);
}

static void test_copy_reshape(void)
{
    finn_error err = {0};
    int64_t s23[] = {2, 3};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_INT16, 2, s23, &err);
    CHECK(t != NULL);
    if (!t)
        return;
    for (size_t i = 0; i < 6; i++)
        finn_tensor_set(t, i, (double)i * 10 - 20);
    finn_tensor *c = finn_tensor_copy(t, &err);
    CHECK(c != NULL);
    if (c) {
        CHECK(c->data != t->data);
        CHECK_EQ_DBL(finn_tensor_get(c, 5), 30);
        finn_tensor_set(c, 5, 7);
        CHECK_EQ_DBL(finn_tensor_get(t, 5), 30);
    }
    int64_t s32[] = {3, 2}, s6[] = {6}, s4[] = {4};
    CHECK_EQ_INT(finn_tensor_reshape(t, 2, s32, &err), 0);
    CHECK_EQ_INT(t->shape[0], 3);
    CHECK_EQ_INT(t->shape[1], 2);
    CHECK_EQ_INT(finn_tensor_reshape(t, 1, s6, &err), 0);
    CHECK_EQ_INT(t->ndim, 1);
    CHECK_EQ_INT(t->shape[0], 6);
    CHECK_EQ_INT(t->shape[1], 0);
    /* reshape to its own shape array (aliasing) */
    CHECK_EQ_INT(finn_tensor_reshape(t, t->ndim, t->shape, &err), 0);
    CHECK_EQ_INT(t->shape[0], 6);
    finn_error_clear(&err);
    CHECK_EQ_INT(finn_tensor_reshape(t, 1, s4, &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_INVALID);
    CHECK_CONTAINS(err.msg, "(6,)");
    CHECK_CONTAINS(err.msg, "(4,)");
    CHECK_EQ_INT(t->ndim, 1);
    CHECK_EQ_INT(t->shape[0], 6);
    CHECK_EQ_DBL(finn_tensor_get(t, 0), -20);
    finn_tensor_free(t);
    finn_tensor_free(c);
    finn_tensor_free(NULL); /* must be a no-op */
}

int main(void)
{
    test_elem_sizes();
    test_shape_str();
    test_shape_helpers();
    test_new_and_errors();
    test_get_set_ints();
    test_get_set_bool_float();
    test_float16();
    test_convert();
    test_copy_reshape();
    return test_done();
}
