/* test_datatype.c - the DataType system against QONNX's datatype.py facts. */
#include <float.h>
#include <math.h>

#include "finn/datatype.h"
#include "finn/exec.h"
#include "test.h"

static finn_datatype P(const char *name)
{
    finn_datatype dt = {FINN_DT_SCALEDINT, -1, 0, 0, 0};
    finn_error err = {0};
    if (finn_dt_parse(name, &dt, &err) != 0)
        fprintf(stderr, "parse %s failed: %s\n", name, err.msg);
    return dt;
}

static const char *name_of(finn_datatype dt)
{
    static char buf[FINN_DT_NAME_MAX];
    return finn_dt_name(dt, buf, sizeof buf);
}

static const char *hls_of(const char *name)
{
    static char buf[FINN_DT_NAME_MAX];
    return finn_dt_hls_type(P(name), buf, sizeof buf);
}

/* name of the smallest type for v / [lo, hi] */
static const char *small(double v)
{
    return name_of(finn_dt_smallest_for_value(v));
}

static const char *small_range(double lo, double hi)
{
    return name_of(finn_dt_smallest_for_range(lo, hi));
}

static void test_round_trip(void)
{
    static const char *names[] = {
        "BINARY", "BIPOLAR", "TERNARY", "FLOAT32", "FLOAT16", "UINT2", "UINT8",
        "UINT64", "INT1", "INT2", "INT8", "INT32", "INT64", "FIXED<8,3>",
        "FIXED<16,0>", "FIXED<8,-2>", "SCALEDINT<8>", "FLOAT<4,3,7>", "FLOAT<5,2,15>",
        "FLOAT<4,3,5>", "FLOAT<4,0,7>",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        finn_datatype dt;
        finn_error err = {0};
        CHECK_EQ_INT(finn_dt_parse(names[i], &dt, &err), 0);
        CHECK_STR(name_of(dt), names[i]);
    }
    /* non-canonical spellings QONNX accepts */
    CHECK_STR(name_of(P("UINT1")), "BINARY");
    CHECK_STR(name_of(P("FLOAT<4,3>")), "FLOAT<4,3,7>");  /* default bias 2^(e-1)-1 */
    CHECK_STR(name_of(P("FLOAT<5,2>")), "FLOAT<5,2,15>");
    CHECK_STR(name_of(P("FLOAT<4,3,0>")), "FLOAT<4,3,7>"); /* QONNX: bias 0 means default */
    CHECK_STR(name_of(P("FIXED< 8, 3 >")), "FIXED<8,3>");
    CHECK_STR(name_of(P("INT08")), "INT8");

    /* kinds and fields */
    finn_datatype dt = P("FIXED<8,3>");
    CHECK_EQ_INT(dt.kind, FINN_DT_FIXED);
    CHECK_EQ_INT(dt.bits, 8);
    CHECK_EQ_INT(dt.int_bits, 3);
    dt = P("FLOAT<5,2,15>");
    CHECK_EQ_INT(dt.kind, FINN_DT_FLOAT);
    CHECK_EQ_INT(dt.int_bits, 5);
    CHECK_EQ_INT(dt.mant_bits, 2);
    CHECK_EQ_INT(dt.bias, 15);
    CHECK_EQ_INT(P("UINT1").kind, FINN_DT_BINARY);
    CHECK_EQ_INT(P("UINT7").kind, FINN_DT_UINT);
    CHECK_EQ_INT(P("INT1").kind, FINN_DT_INT);
    CHECK_EQ_INT(P("FLOAT16").kind, FINN_DT_FLOAT16);

    /* constructors */
    CHECK_STR(name_of(finn_dt_uint(1)), "BINARY");
    CHECK_EQ_INT(finn_dt_uint(1).kind, FINN_DT_BINARY);
    CHECK_STR(name_of(finn_dt_uint(4)), "UINT4");
    CHECK_STR(name_of(finn_dt_int(1)), "INT1");
    CHECK_STR(name_of(finn_dt_int(17)), "INT17");
    CHECK_STR(name_of(finn_dt_bipolar()), "BIPOLAR");
    CHECK_STR(name_of(finn_dt_binary()), "BINARY");
    CHECK_STR(name_of(finn_dt_ternary()), "TERNARY");
    CHECK_STR(name_of(finn_dt_float32()), "FLOAT32");
    finn_datatype zero = {0};
    CHECK_STR(name_of(zero), "FLOAT32"); /* a zeroed struct means FLOAT32 */
    /* a hand-built UINT1 prints and compares as BINARY */
    finn_datatype u1 = {FINN_DT_UINT, 1, 0, 0, 0};
    CHECK_STR(name_of(u1), "BINARY");
    CHECK(finn_dt_equal(u1, finn_dt_binary()));

    /* truncating buffer stays terminated */
    char tiny[4];
    CHECK_STR(finn_dt_name(P("FIXED<8,3>"), tiny, sizeof tiny), "FIX");
}

static void test_parse_errors(void)
{
    struct { const char *name; finn_errcode code; } bad[] = {
        {"INT0", FINN_ERR_PARSE},        {"UINT0", FINN_ERR_PARSE},
        {"UINT", FINN_ERR_PARSE},        {"INT", FINN_ERR_PARSE},
        {"FIXED<8>", FINN_ERR_PARSE},    {"FOO", FINN_ERR_PARSE},
        {"", FINN_ERR_PARSE},            {"int8", FINN_ERR_PARSE},
        {"INT8 ", FINN_ERR_PARSE},       {"INT-8", FINN_ERR_PARSE},
        {"INT8x", FINN_ERR_PARSE},       {"UINT 8", FINN_ERR_PARSE},
        {"FIXED<8,8>", FINN_ERR_PARSE},  {"FIXED<8,3", FINN_ERR_PARSE},
        {"FIXED<8,3>x", FINN_ERR_PARSE}, {"FIXED<8,3,1>", FINN_ERR_PARSE},
        {"FIXED<,3>", FINN_ERR_PARSE},   {"SCALEDINT<>", FINN_ERR_PARSE},
        {"SCALEDINT<8,2>", FINN_ERR_PARSE}, {"FLOAT<4>", FINN_ERR_PARSE},
        {"FLOAT<4,3,7,1>", FINN_ERR_PARSE}, {"FLOAT8", FINN_ERR_PARSE},
        {"FLOAT64", FINN_ERR_PARSE},     {"BINARY1", FINN_ERR_PARSE},
        {"INT99999999999", FINN_ERR_PARSE},
        {"INT65", FINN_ERR_UNSUPPORTED}, {"UINT128", FINN_ERR_UNSUPPORTED},
        {"FIXED<65,3>", FINN_ERR_UNSUPPORTED}, {"SCALEDINT<0>", FINN_ERR_UNSUPPORTED},
        {"FLOAT<0,3>", FINN_ERR_UNSUPPORTED}, {"FLOAT<12,3>", FINN_ERR_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        finn_datatype dt = finn_dt_int(5);
        finn_error err = {0};
        int rc = finn_dt_parse(bad[i].name, &dt, &err);
        if (rc != -1 || err.code != bad[i].code)
            fprintf(stderr, "case '%s'\n", bad[i].name);
        CHECK_EQ_INT(rc, -1);
        CHECK_EQ_INT(err.code, bad[i].code);
        /* the message quotes the name; *out is untouched */
        char quoted[64];
        snprintf(quoted, sizeof quoted, "'%s'", bad[i].name);
        CHECK_CONTAINS(err.msg, quoted);
        CHECK_STR(name_of(dt), "INT5");
    }
    finn_error err = {0};
    finn_datatype dt;
    CHECK_EQ_INT(finn_dt_parse("FOO", &dt, &err), -1);
    CHECK_STR(err.msg, "unknown datatype 'FOO'");
    CHECK_EQ_INT(finn_dt_parse(NULL, &dt, &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_PARSE);
    CHECK_EQ_INT(finn_dt_parse("BAR", &dt, NULL), -1); /* err may be NULL */
}

static void test_bitwidth_and_flags(void)
{
    CHECK_EQ_INT(finn_dt_bitwidth(P("BINARY")), 1);
    CHECK_EQ_INT(finn_dt_bitwidth(P("BIPOLAR")), 1);
    CHECK_EQ_INT(finn_dt_bitwidth(P("TERNARY")), 2);
    CHECK_EQ_INT(finn_dt_bitwidth(P("UINT5")), 5);
    CHECK_EQ_INT(finn_dt_bitwidth(P("INT64")), 64);
    CHECK_EQ_INT(finn_dt_bitwidth(P("FIXED<12,4>")), 12);
    CHECK_EQ_INT(finn_dt_bitwidth(P("SCALEDINT<6>")), 6);
    CHECK_EQ_INT(finn_dt_bitwidth(P("FLOAT32")), 32);
    CHECK_EQ_INT(finn_dt_bitwidth(P("FLOAT16")), 16);
    CHECK_EQ_INT(finn_dt_bitwidth(P("FLOAT<4,3,7>")), 8);
    CHECK_EQ_INT(finn_dt_bitwidth(P("FLOAT<5,10>")), 16);

    /* signed() is min() < 0 in QONNX */
    CHECK(!finn_dt_signed(P("BINARY")));
    CHECK(!finn_dt_signed(P("UINT8")));
    CHECK(finn_dt_signed(P("INT1")));
    CHECK(finn_dt_signed(P("INT8")));
    CHECK(finn_dt_signed(P("BIPOLAR")));
    CHECK(finn_dt_signed(P("TERNARY")));
    CHECK(finn_dt_signed(P("FIXED<4,2>")));
    CHECK(finn_dt_signed(P("SCALEDINT<8>")));
    CHECK(finn_dt_signed(P("FLOAT<4,3>")));
    CHECK(finn_dt_signed(P("FLOAT32")));
    CHECK(finn_dt_signed(P("FLOAT16")));

    CHECK(finn_dt_is_integer(P("BINARY")));
    CHECK(finn_dt_is_integer(P("BIPOLAR")));
    CHECK(finn_dt_is_integer(P("TERNARY")));
    CHECK(finn_dt_is_integer(P("UINT3")));
    CHECK(finn_dt_is_integer(P("INT3")));
    CHECK(!finn_dt_is_integer(P("FIXED<4,2>")));
    CHECK(!finn_dt_is_integer(P("SCALEDINT<8>")));
    CHECK(!finn_dt_is_integer(P("FLOAT32")));
    CHECK(!finn_dt_is_integer(P("FLOAT16")));
    CHECK(!finn_dt_is_integer(P("FLOAT<4,3>")));

    CHECK(finn_dt_is_fixed_point(P("FIXED<4,2>")));
    CHECK(!finn_dt_is_fixed_point(P("INT4")));
    CHECK(!finn_dt_is_fixed_point(P("FLOAT32")));
    CHECK(!finn_dt_is_fixed_point(P("SCALEDINT<4>")));

    CHECK(finn_dt_equal(P("INT8"), finn_dt_int(8)));
    CHECK(!finn_dt_equal(P("INT8"), finn_dt_uint(8)));
    CHECK(!finn_dt_equal(P("INT8"), P("INT7")));
    CHECK(finn_dt_equal(P("FIXED<8,3>"), P("FIXED<8,3>")));
    CHECK(!finn_dt_equal(P("FIXED<8,3>"), P("FIXED<8,4>")));
    CHECK(!finn_dt_equal(P("FLOAT<4,3,7>"), P("FLOAT<4,3,6>")));
    CHECK(finn_dt_equal(P("FLOAT<4,3>"), P("FLOAT<4,3,7>")));
    CHECK(!finn_dt_equal(P("BIPOLAR"), P("BINARY")));
    CHECK(!finn_dt_equal(P("BIPOLAR"), P("INT1")));
    CHECK(!finn_dt_equal(P("FLOAT32"), P("FLOAT16")));
    CHECK(finn_dt_equal(P("SCALEDINT<8>"), P("SCALEDINT<8>")));
    CHECK(!finn_dt_equal(P("SCALEDINT<8>"), P("INT8")));
}

static void test_min_max(void)
{
    CHECK_EQ_DBL(finn_dt_min(P("INT8")), -128.0);
    CHECK_EQ_DBL(finn_dt_max(P("INT8")), 127.0);
    CHECK_EQ_DBL(finn_dt_min(P("UINT8")), 0.0);
    CHECK_EQ_DBL(finn_dt_max(P("UINT8")), 255.0);
    CHECK_EQ_DBL(finn_dt_min(P("INT1")), -1.0);
    CHECK_EQ_DBL(finn_dt_max(P("INT1")), 0.0);
    CHECK_EQ_DBL(finn_dt_min(P("INT32")), -2147483648.0);
    CHECK_EQ_DBL(finn_dt_max(P("INT32")), 2147483647.0);
    CHECK_EQ_DBL(finn_dt_max(P("UINT32")), 4294967295.0);
    /* 2^64 - 1 rounds to 2^64 as a double */
    CHECK_EQ_DBL(finn_dt_max(P("UINT64")), 18446744073709551615.0);
    CHECK_EQ_DBL(finn_dt_max(P("UINT64")), ldexp(1.0, 64));
    CHECK_EQ_DBL(finn_dt_min(P("UINT64")), 0.0);
    CHECK_EQ_DBL(finn_dt_min(P("INT64")), -9223372036854775808.0);
    CHECK_EQ_DBL(finn_dt_min(P("BINARY")), 0.0);
    CHECK_EQ_DBL(finn_dt_max(P("BINARY")), 1.0);
    CHECK_EQ_DBL(finn_dt_min(P("BIPOLAR")), -1.0);
    CHECK_EQ_DBL(finn_dt_max(P("BIPOLAR")), 1.0);
    CHECK_EQ_DBL(finn_dt_min(P("TERNARY")), -1.0);
    CHECK_EQ_DBL(finn_dt_max(P("TERNARY")), 1.0);
    CHECK_EQ_DBL(finn_dt_min(P("FIXED<8,3>")), -4.0);
    CHECK_EQ_DBL(finn_dt_max(P("FIXED<8,3>")), 3.96875);
    CHECK_EQ_DBL(finn_dt_min(P("FIXED<4,2>")), -2.0);
    CHECK_EQ_DBL(finn_dt_max(P("FIXED<4,2>")), 1.75);
    CHECK_EQ_DBL(finn_dt_min(P("FIXED<8,0>")), -0.5);
    CHECK_EQ_DBL(finn_dt_max(P("FIXED<8,0>")), 0.49609375); /* 127 / 256 */
    CHECK_EQ_DBL(finn_dt_min(P("FIXED<4,-1>")), -0.25); /* -8 * 2^-5 */
    CHECK_EQ_DBL(finn_dt_max(P("FLOAT<4,3>")), 480.0);   /* 1.875 * 2^8 */
    CHECK_EQ_DBL(finn_dt_min(P("FLOAT<4,3>")), -480.0);
    CHECK_EQ_DBL(finn_dt_max(P("FLOAT<4,3,5>")), 1920.0); /* 1.875 * 2^10 */
    CHECK_EQ_DBL(finn_dt_max(P("FLOAT<4,0>")), 256.0);    /* 1 * 2^(15-7) */
    CHECK_EQ_DBL(finn_dt_max(P("FLOAT<5,2,15>")), 114688.0); /* 1.75 * 2^16 */
    CHECK_EQ_DBL(finn_dt_max(P("FLOAT32")), 3.4028234663852886e38);
    CHECK_EQ_DBL(finn_dt_min(P("FLOAT32")), -3.4028234663852886e38);
    CHECK_EQ_DBL(finn_dt_max(P("FLOAT16")), 65504.0);
    CHECK_EQ_DBL(finn_dt_min(P("FLOAT16")), -65504.0);
    CHECK(isnan(finn_dt_min(P("SCALEDINT<8>"))));
    CHECK(isnan(finn_dt_max(P("SCALEDINT<8>"))));
}

static void test_num_values(void)
{
    CHECK_EQ_DBL(finn_dt_num_values(P("BINARY")), 2.0);
    CHECK_EQ_DBL(finn_dt_num_values(P("BIPOLAR")), 2.0);
    CHECK_EQ_DBL(finn_dt_num_values(P("TERNARY")), 3.0);
    CHECK_EQ_DBL(finn_dt_num_values(P("INT1")), 2.0);
    CHECK_EQ_DBL(finn_dt_num_values(P("UINT4")), 16.0);
    CHECK_EQ_DBL(finn_dt_num_values(P("INT8")), 256.0);
    CHECK_EQ_DBL(finn_dt_num_values(P("UINT64")), ldexp(1.0, 64));
    CHECK_EQ_DBL(finn_dt_num_values(P("FIXED<8,3>")), 256.0);
    CHECK_EQ_DBL(finn_dt_num_values(P("FLOAT<4,3>")), 256.0);
    CHECK_EQ_DBL(finn_dt_num_values(P("FLOAT32")), 0.0);
    CHECK_EQ_DBL(finn_dt_num_values(P("FLOAT16")), 0.0);
    CHECK_EQ_DBL(finn_dt_num_values(P("SCALEDINT<8>")), 0.0);
}

static void test_allowed_int(void)
{
    finn_datatype bip = P("BIPOLAR"), bin = P("BINARY"), ter = P("TERNARY");
    CHECK(finn_dt_allowed(bip, -1));
    CHECK(finn_dt_allowed(bip, 1));
    CHECK(!finn_dt_allowed(bip, 0));
    CHECK(!finn_dt_allowed(bip, 0.5));
    CHECK(finn_dt_allowed(bin, 0));
    CHECK(finn_dt_allowed(bin, 1));
    CHECK(!finn_dt_allowed(bin, -1));
    CHECK(!finn_dt_allowed(bin, 2));
    CHECK(finn_dt_allowed(ter, -1));
    CHECK(finn_dt_allowed(ter, 0));
    CHECK(finn_dt_allowed(ter, 1));
    CHECK(!finn_dt_allowed(ter, 2));
    CHECK(!finn_dt_allowed(ter, -0.5));

    finn_datatype i8 = P("INT8"), u8 = P("UINT8");
    CHECK(finn_dt_allowed(i8, -128));
    CHECK(finn_dt_allowed(i8, 127));
    CHECK(!finn_dt_allowed(i8, 128));
    CHECK(!finn_dt_allowed(i8, -129));
    CHECK(!finn_dt_allowed(i8, 1.5));
    CHECK(!finn_dt_allowed(i8, -1.04));
    CHECK(finn_dt_allowed(i8, -0.0));
    CHECK(!finn_dt_allowed(i8, NAN));
    CHECK(!finn_dt_allowed(i8, INFINITY));
    CHECK(finn_dt_allowed(u8, 0));
    CHECK(finn_dt_allowed(u8, 255));
    CHECK(!finn_dt_allowed(u8, 256));
    CHECK(!finn_dt_allowed(u8, -1));
    CHECK(finn_dt_allowed(P("INT1"), -1));
    CHECK(finn_dt_allowed(P("INT1"), 0));
    CHECK(!finn_dt_allowed(P("INT1"), 1));
    CHECK(finn_dt_allowed(P("UINT2"), 3));
    CHECK(!finn_dt_allowed(P("UINT2"), 4));
    /* 64-bit edges: 2^64 and 2^63 are just outside, compared exactly */
    CHECK(finn_dt_allowed(P("UINT64"), ldexp(1.0, 63)));
    CHECK(!finn_dt_allowed(P("UINT64"), ldexp(1.0, 64)));
    CHECK(finn_dt_allowed(P("INT64"), -ldexp(1.0, 63)));
    CHECK(!finn_dt_allowed(P("INT64"), ldexp(1.0, 63)));
    CHECK(!finn_dt_allowed(P("INT64"), -ldexp(1.0, 64)));
}

static void test_allowed_fixed_float(void)
{
    finn_datatype f = P("FIXED<8,3>");
    CHECK(finn_dt_allowed(f, -4.0));
    CHECK(finn_dt_allowed(f, 3.96875));
    CHECK(finn_dt_allowed(f, 0.03125)); /* one LSB */
    CHECK(finn_dt_allowed(f, -0.03125));
    CHECK(!finn_dt_allowed(f, 4.0));
    CHECK(!finn_dt_allowed(f, -4.03125));
    CHECK(!finn_dt_allowed(f, 0.015625)); /* half an LSB */
    CHECK(!finn_dt_allowed(f, NAN));
    f = P("FIXED<4,2>");
    CHECK(finn_dt_allowed(f, 0.5));
    CHECK(finn_dt_allowed(f, 1.5));
    CHECK(finn_dt_allowed(f, -1.5));
    CHECK(!finn_dt_allowed(f, 1.8));
    CHECK(finn_dt_allowed(P("FIXED<4,-1>"), 0.03125));
    CHECK(!finn_dt_allowed(P("FIXED<4,-1>"), 0.25));

    /* FLOAT<4,3> (bias 7): max 480, smallest subnormal 2^-9 */
    f = P("FLOAT<4,3>");
    CHECK(finn_dt_allowed(f, 0.0));
    CHECK(finn_dt_allowed(f, 0.5));
    CHECK(finn_dt_allowed(f, 1.875));
    CHECK(finn_dt_allowed(f, -1.5));
    CHECK(finn_dt_allowed(f, 480.0));
    CHECK(finn_dt_allowed(f, -480.0));
    CHECK(!finn_dt_allowed(f, 1.8));
    CHECK(!finn_dt_allowed(f, 1.0625)); /* needs a 4th mantissa bit */
    CHECK(!finn_dt_allowed(f, 512.0));  /* out of range */
    CHECK(!finn_dt_allowed(f, -512.0));
    CHECK(finn_dt_allowed(f, 0.013671875));   /* b1.110 * 2^-7: subnormal */
    CHECK(!finn_dt_allowed(f, 0.0087890625)); /* b1.001 * 2^-7 */
    CHECK(finn_dt_allowed(f, 0.001953125));   /* 2^-9 */
    CHECK(!finn_dt_allowed(f, 0.0009765625)); /* 2^-10 */
    CHECK(!finn_dt_allowed(f, NAN));
    CHECK(!finn_dt_allowed(f, INFINITY));
    f = P("FLOAT<4,0>");
    CHECK(finn_dt_allowed(f, 0.0));
    CHECK(finn_dt_allowed(f, 0.5));
    CHECK(!finn_dt_allowed(f, 0.75));
    CHECK(finn_dt_allowed(f, 0.015625));   /* 2^-6 */
    CHECK(!finn_dt_allowed(f, 0.0078125)); /* 2^-7 */
    f = P("FLOAT<4,3,5>");
    CHECK(finn_dt_allowed(f, 0.0));
    CHECK(finn_dt_allowed(f, 1.875));
    CHECK(!finn_dt_allowed(f, 1.8));
    CHECK(finn_dt_allowed(f, -512.0));
    CHECK(finn_dt_allowed(P("FLOAT<4,0,5>"), 0.0625));
    CHECK(!finn_dt_allowed(P("FLOAT<4,0,5>"), 0.03125));

    CHECK(finn_dt_allowed(P("FLOAT32"), 0.1));
    CHECK(finn_dt_allowed(P("FLOAT32"), 1e300)); /* QONNX: anything */
    CHECK(finn_dt_allowed(P("FLOAT16"), 1e6));
    CHECK(!finn_dt_allowed(P("SCALEDINT<8>"), 1.0));
}

static void test_smallest(void)
{
    CHECK_STR(small(0), "BINARY");
    CHECK_STR(small(1), "BINARY");
    CHECK_STR(small(-1), "BIPOLAR");
    CHECK_STR(small(2), "UINT2");
    CHECK_STR(small(3), "UINT2");
    CHECK_STR(small(-2), "INT2");
    CHECK_STR(small(-3), "INT3");
    CHECK_STR(small(255), "UINT8");
    CHECK_STR(small(256), "UINT9");
    CHECK_STR(small(-128), "INT8");
    CHECK_STR(small(-129), "INT9");
    CHECK_STR(small(0.5), "FLOAT32");
    CHECK_STR(small(1.1), "FLOAT32");
    CHECK_STR(small(-3.2), "FLOAT32");
    CHECK_STR(small(NAN), "FLOAT32");
    CHECK_STR(small(INFINITY), "FLOAT32");
    CHECK_STR(small(ldexp(1.0, 63)), "UINT64");
    CHECK_STR(small(ldexp(1.0, 64)), "FLOAT32"); /* QONNX raises: nothing fits */
    CHECK_STR(small(-ldexp(1.0, 63)), "INT64");
    CHECK_STR(small(-ldexp(1.0, 64)), "FLOAT32");

    CHECK_STR(small_range(0, 1), "BINARY");
    CHECK_STR(small_range(0, 255), "UINT8");
    CHECK_STR(small_range(3, 256), "UINT9");
    CHECK_STR(small_range(-1, -1), "BIPOLAR");
    CHECK_STR(small_range(-1, 0), "TERNARY"); /* BIPOLAR cannot hold 0 */
    CHECK_STR(small_range(-1, 1), "TERNARY");
    CHECK_STR(small_range(-2, 1), "INT2");
    CHECK_STR(small_range(-1, 2), "INT3");
    CHECK_STR(small_range(-128, 127), "INT8");
    CHECK_STR(small_range(-128, 128), "INT9");
    CHECK_STR(small_range(-129, 0), "INT9");
    CHECK_STR(small_range(255, 0), "UINT8"); /* order does not matter */
    CHECK_STR(small_range(0, 0.5), "FLOAT32");
    CHECK_STR(small_range(-ldexp(1.0, 63), ldexp(1.0, 63)), "FLOAT32");
}

static void test_hls(void)
{
    CHECK_STR(hls_of("UINT8"), "ap_uint<8>");
    CHECK_STR(hls_of("INT8"), "ap_int<8>");
    CHECK_STR(hls_of("INT1"), "ap_int<1>");
    CHECK_STR(hls_of("BINARY"), "ap_uint<1>");
    CHECK_STR(hls_of("BIPOLAR"), "ap_int<1>");
    CHECK_STR(hls_of("TERNARY"), "ap_int<2>");
    CHECK_STR(hls_of("FIXED<8,3>"), "ap_fixed<8, 3>");
    CHECK_STR(hls_of("FLOAT32"), "float");
    CHECK_STR(hls_of("FLOAT16"), "half");
    CHECK_STR(hls_of("SCALEDINT<8>"), ""); /* QONNX: undefined */
    CHECK_STR(hls_of("FLOAT<4,3>"), "");
}

/* finn_tensor_find_disallowed (a vectorised path for float32 data and
 * integer types up to 24 bits) agrees with finn_dt_allowed element by
 * element: first on odd values, then on allowed data with one bad value at
 * block edges. */
static size_t first_disallowed(const float *v, size_t n, finn_datatype dt, size_t from)
{
    for (size_t i = from; i < n; i++)
        if (!finn_dt_allowed(dt, v[i]))
            return i;
    return n;
}

static void test_find_disallowed(void)
{
    static const char *types[] = {"BINARY", "BIPOLAR", "TERNARY", "UINT2", "UINT8", "INT1",
                                  "INT2", "INT8", "UINT24", "INT24", "INT25", "UINT32"};
    const float odd[] = {0.0f, -0.0f, 1.0f, -1.0f, 2.0f, 3.0f, -2.0f, 0.5f, -0.5f, 127.0f,
                         128.0f, -128.0f, -129.0f, 255.0f, 256.0f, 8388607.0f, 8388608.0f,
                         16777215.0f, 16777216.0f, -8388608.0f, -8388609.0f, 3e9f, -3e9f,
                         NAN, INFINITY, -INFINITY, 1e-30f};
    enum { N = 600 };
    int64_t shape[1] = {N};
    finn_error err = {0};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 1, shape, &err);
    CHECK(t != NULL);
    if (!t)
        return;
    float *v = t->data;
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        finn_datatype dt = P(types[k]);
        for (size_t i = 0; i < N; i++)
            v[i] = odd[(i * 7) % (sizeof odd / sizeof odd[0])];
        for (size_t from = 0; from < N; from += 37)
            CHECK_EQ_INT((long long)finn_tensor_find_disallowed(t, dt, from),
                         (long long)first_disallowed(v, N, dt, from));
        const size_t bad_at[] = {0, 255, 256, 511, 512, 599};
        for (size_t b = 0; b < sizeof bad_at / sizeof bad_at[0]; b++) {
            double hi = finn_dt_max(dt); /* UINT32's max is not a float32 */
            hi = (double)(float)hi == hi ? hi : 1;
            for (size_t i = 0; i < N; i++)
                v[i] = (float)(i % 2 ? hi : finn_dt_min(dt));
            v[bad_at[b]] = 0.25f;
            CHECK_EQ_INT((long long)finn_tensor_find_disallowed(t, dt, 0),
                         (long long)bad_at[b]);
            CHECK_EQ_INT((long long)finn_tensor_find_disallowed(t, dt, bad_at[b] + 1), N);
        }
    }
    finn_tensor_free(t);
}

int main(void)
{
    test_round_trip();
    test_parse_errors();
    test_bitwidth_and_flags();
    test_min_max();
    test_num_values();
    test_allowed_int();
    test_allowed_fixed_float();
    test_smallest();
    test_hls();
    test_find_disallowed();
    return test_done();
}
