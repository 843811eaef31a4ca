/*
 * datatype.c - the QONNX/FINN DataType system: parsing and printing the
 * canonical names, ranges, allowed(), and the smallest-type rule.
 *
 * Semantics follow QONNX's core/datatype.py.  Deliberate choices where QONNX
 * is lax, raises, or has a quirk (each is noted where it happens):
 *  - parsing is strict: "INT0", "UINT", "FIXED<8>", "FIXED<4,2" (no '>'),
 *    "int8", "FOO" are parse errors, and widths above 64 bits are
 *    unsupported;
 *  - FLOAT<e,m,0> gets the default bias 2^(e-1)-1, as in QONNX;
 *  - "UINT1" parses to BINARY (QONNX: IntType(1, unsigned), whose canonical
 *    name is "BINARY"), so finn_dt_name never prints "UINT1";
 *  - where QONNX raises (SCALEDINT min/max/allowed, no fitting integer type)
 *    we return NaN / false / FLOAT32 instead;
 *  - FIXED num_values is 2^bits (QONNX sums its scaled min/max, a bug);
 *  - smallest_for_range needs every integer of [lo, hi] representable, so
 *    BIPOLAR only ever holds the single value -1.
 * This file only computes with small values: no allocation, no I/O.
 */
#include "finn/datatype.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define FLOAT16_MAX 65504.0 /* np.finfo(np.float16).max */

/* ---- constructors ---------------------------------------------------- */

static finn_datatype make(finn_dt_kind kind, int bits)
{
    finn_datatype dt = {kind, bits, 0, 0, 0};
    return dt;
}

finn_datatype finn_dt_float32(void) { return make(FINN_DT_FLOAT32, 32); }
finn_datatype finn_dt_bipolar(void) { return make(FINN_DT_BIPOLAR, 1); }
finn_datatype finn_dt_binary(void) { return make(FINN_DT_BINARY, 1); }
finn_datatype finn_dt_ternary(void) { return make(FINN_DT_TERNARY, 2); }
finn_datatype finn_dt_int(int bits) { return make(FINN_DT_INT, bits); }

finn_datatype finn_dt_uint(int bits)
{
    return bits == 1 ? finn_dt_binary() : make(FINN_DT_UINT, bits);
}

static finn_datatype make_fixed(int bits, int int_bits)
{
    finn_datatype dt = make(FINN_DT_FIXED, bits);
    dt.int_bits = int_bits;
    return dt;
}

static finn_datatype make_minifloat(int exp_bits, int mant_bits, int bias)
{
    finn_datatype dt = make(FINN_DT_FLOAT, 1 + exp_bits + mant_bits);
    dt.int_bits = exp_bits;
    dt.mant_bits = mant_bits;
    dt.bias = bias;
    return dt;
}

/* Map equivalent spellings to one form (a hand-built UINT1 is BINARY). */
static finn_datatype normalize(finn_datatype dt)
{
    if (dt.kind == FINN_DT_UINT && dt.bits == 1)
        return finn_dt_binary();
    return dt;
}

/* ---- parsing --------------------------------------------------------- */

/* Parse a decimal integer at *p (a leading '-' only if allow_neg); no
 * spaces.  Advances *p. */
static bool parse_int(const char **p, bool allow_neg, int *out)
{
    const char *s = *p;
    bool neg = false;
    if (allow_neg && *s == '-') {
        neg = true;
        s++;
    }
    if (*s < '0' || *s > '9')
        return false;
    long v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s - '0');
        if (v > 1000000) /* far beyond any valid field; avoids overflow */
            return false;
        s++;
    }
    *out = (int)(neg ? -v : v);
    *p = s;
    return true;
}

static void skip_spaces(const char **p)
{
    while (**p == ' ')
        (*p)++;
}

/* Parse "<a,b,...>" (1..max numbers) that must end the string; spaces
 * around the numbers are accepted as QONNX strips them.  neg_from is the
 * index of the first field allowed to be negative.  Returns the count or 0
 * on a syntax error. */
static int parse_angle_list(const char *s, int *nums, int max, int neg_from)
{
    if (*s++ != '<')
        return 0;
    int n = 0;
    for (;;) {
        skip_spaces(&s);
        if (n == max || !parse_int(&s, n >= neg_from, &nums[n]))
            return 0;
        n++;
        skip_spaces(&s);
        if (*s == ',') {
            s++;
            continue;
        }
        if (s[0] == '>' && s[1] == '\0')
            return n;
        return 0;
    }
}

/* "INTn" / "UINTn": digits only, no sign or spaces. */
static int parse_int_type(const char *name, const char *digits, bool is_signed,
                          finn_datatype *out, finn_error *err)
{
    const char *s = digits;
    int bits;
    if (!parse_int(&s, false, &bits) || *s != '\0')
        return finn_error_set(err, FINN_ERR_PARSE, "bad datatype name '%s': expected %sn, e.g. %s8",
                              name, is_signed ? "INT" : "UINT", is_signed ? "INT" : "UINT");
    if (bits < 1)
        return finn_error_set(err, FINN_ERR_PARSE,
                              "bad datatype name '%s': bit width must be at least 1", name);
    if (bits > 64)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "datatype '%s': integer widths above 64 bits are not supported",
                              name);
    *out = is_signed ? finn_dt_int(bits) : finn_dt_uint(bits);
    return 0;
}

static int parse_fixed(const char *name, finn_datatype *out, finn_error *err)
{
    int nums[2];
    if (parse_angle_list(name + strlen("FIXED"), nums, 2, 1) != 2)
        return finn_error_set(err, FINN_ERR_PARSE,
                              "bad datatype name '%s': expected FIXED<bits,int_bits>", name);
    if (nums[0] < 1 || nums[0] > 64)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "datatype '%s': FIXED width must be 1..64", name);
    /* QONNX asserts int_bits < bits; the lower bound keeps 2^frac finite */
    if (nums[1] >= nums[0] || nums[1] <= -900)
        return finn_error_set(err, FINN_ERR_PARSE,
                              "bad datatype name '%s': FIXED needs int_bits < bits", name);
    *out = make_fixed(nums[0], nums[1]);
    return 0;
}

static int parse_scaledint(const char *name, finn_datatype *out, finn_error *err)
{
    int bits;
    if (parse_angle_list(name + strlen("SCALEDINT"), &bits, 1, 1) != 1)
        return finn_error_set(err, FINN_ERR_PARSE,
                              "bad datatype name '%s': expected SCALEDINT<bits>", name);
    if (bits < 1 || bits > 64)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "datatype '%s': SCALEDINT width must be 1..64", name);
    *out = make(FINN_DT_SCALEDINT, bits);
    return 0;
}

static int parse_minifloat(const char *name, finn_datatype *out, finn_error *err)
{
    int nums[3];
    int n = parse_angle_list(name + strlen("FLOAT"), nums, 3, 2);
    if (n < 2)
        return finn_error_set(err, FINN_ERR_PARSE,
                              "bad datatype name '%s': expected FLOAT<exp_bits,mant_bits[,bias]>",
                              name);
    int e = nums[0], m = nums[1];
    if (e < 1 || e > 11 || m > 52 || 1 + e + m > 64)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "datatype '%s': minifloat needs 1..11 exponent bits, 0..52 "
                              "mantissa bits and at most 64 bits in all", name);
    /* QONNX uses the IEEE-style default bias when none is given and also when
     * the given bias is 0 (its `if not exponent_bias` test); we do the same. */
    int bias = (n == 3 && nums[2] != 0) ? nums[2] : (1 << (e - 1)) - 1;
    if (bias < -4096 || bias > 4096)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "datatype '%s': exponent bias out of range", name);
    *out = make_minifloat(e, m, bias);
    return 0;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int finn_dt_parse(const char *name, finn_datatype *out, finn_error *err)
{
    if (!name)
        return finn_error_set(err, FINN_ERR_PARSE, "datatype name is missing");
    finn_datatype dt;
    int rc = 0;
    if (strcmp(name, "BINARY") == 0)
        dt = finn_dt_binary();
    else if (strcmp(name, "BIPOLAR") == 0)
        dt = finn_dt_bipolar();
    else if (strcmp(name, "TERNARY") == 0)
        dt = finn_dt_ternary();
    else if (strcmp(name, "FLOAT32") == 0)
        dt = finn_dt_float32();
    else if (strcmp(name, "FLOAT16") == 0)
        dt = make(FINN_DT_FLOAT16, 16);
    else if (starts_with(name, "UINT")) /* before "INT": same suffix */
        rc = parse_int_type(name, name + 4, false, &dt, err);
    else if (starts_with(name, "INT"))
        rc = parse_int_type(name, name + 3, true, &dt, err);
    else if (starts_with(name, "FIXED<"))
        rc = parse_fixed(name, &dt, err);
    else if (starts_with(name, "SCALEDINT<"))
        rc = parse_scaledint(name, &dt, err);
    else if (starts_with(name, "FLOAT<"))
        rc = parse_minifloat(name, &dt, err);
    else
        return finn_error_set(err, FINN_ERR_PARSE, "unknown datatype '%s'", name);
    if (rc != 0)
        return rc;
    *out = dt;
    return 0;
}

/* ---- printing -------------------------------------------------------- */

const char *finn_dt_name(finn_datatype dt, char *buf, size_t bufsize)
{
    if (!buf || bufsize == 0)
        return "";
    dt = normalize(dt);
    switch (dt.kind) {
    case FINN_DT_FLOAT32: snprintf(buf, bufsize, "FLOAT32"); break;
    case FINN_DT_FLOAT16: snprintf(buf, bufsize, "FLOAT16"); break;
    case FINN_DT_BINARY: snprintf(buf, bufsize, "BINARY"); break;
    case FINN_DT_BIPOLAR: snprintf(buf, bufsize, "BIPOLAR"); break;
    case FINN_DT_TERNARY: snprintf(buf, bufsize, "TERNARY"); break;
    case FINN_DT_UINT: snprintf(buf, bufsize, "UINT%d", dt.bits); break;
    case FINN_DT_INT: snprintf(buf, bufsize, "INT%d", dt.bits); break;
    case FINN_DT_FIXED: snprintf(buf, bufsize, "FIXED<%d,%d>", dt.bits, dt.int_bits); break;
    case FINN_DT_SCALEDINT: snprintf(buf, bufsize, "SCALEDINT<%d>", dt.bits); break;
    case FINN_DT_FLOAT:
        snprintf(buf, bufsize, "FLOAT<%d,%d,%d>", dt.int_bits, dt.mant_bits, dt.bias);
        break;
    default: snprintf(buf, bufsize, "INVALID"); break;
    }
    return buf;
}

const char *finn_dt_hls_type(finn_datatype dt, char *buf, size_t bufsize)
{
    if (!buf || bufsize == 0)
        return "";
    dt = normalize(dt);
    switch (dt.kind) {
    case FINN_DT_FLOAT32: snprintf(buf, bufsize, "float"); break;
    case FINN_DT_FLOAT16: snprintf(buf, bufsize, "half"); break;
    case FINN_DT_BINARY: snprintf(buf, bufsize, "ap_uint<1>"); break;
    case FINN_DT_BIPOLAR: snprintf(buf, bufsize, "ap_int<1>"); break;
    case FINN_DT_TERNARY: snprintf(buf, bufsize, "ap_int<2>"); break;
    case FINN_DT_UINT: snprintf(buf, bufsize, "ap_uint<%d>", dt.bits); break;
    case FINN_DT_INT: snprintf(buf, bufsize, "ap_int<%d>", dt.bits); break;
    case FINN_DT_FIXED:
        snprintf(buf, bufsize, "ap_fixed<%d, %d>", dt.bits, dt.int_bits);
        break;
    default:
        /* SCALEDINT and FLOAT<> have no HLS type (QONNX raises) */
        buf[0] = '\0';
        break;
    }
    return buf;
}

/* ---- properties ------------------------------------------------------ */

int finn_dt_bitwidth(finn_datatype dt)
{
    dt = normalize(dt);
    switch (dt.kind) {
    case FINN_DT_FLOAT32: return 32;
    case FINN_DT_FLOAT16: return 16;
    case FINN_DT_BINARY:
    case FINN_DT_BIPOLAR: return 1;
    case FINN_DT_TERNARY: return 2;
    case FINN_DT_FLOAT: return 1 + dt.int_bits + dt.mant_bits;
    default: return dt.bits;
    }
}

/* Largest finite value of FLOAT<e,m,bias>, assuming no NaN/inf encodings:
 * (2 - 2^-m) * 2^(2^e - 1 - bias). */
static double minifloat_max(finn_datatype dt)
{
    double mant = 2.0 - ldexp(1.0, -dt.mant_bits);
    int max_exp = (1 << dt.int_bits) - 1 - dt.bias;
    return ldexp(mant, max_exp);
}

double finn_dt_min(finn_datatype dt)
{
    dt = normalize(dt);
    switch (dt.kind) {
    case FINN_DT_FLOAT32: return -(double)FLT_MAX;
    case FINN_DT_FLOAT16: return -FLOAT16_MAX;
    case FINN_DT_BINARY:
    case FINN_DT_UINT: return 0.0;
    case FINN_DT_BIPOLAR:
    case FINN_DT_TERNARY: return -1.0;
    case FINN_DT_INT: return -ldexp(1.0, dt.bits - 1);
    case FINN_DT_FIXED: return -ldexp(1.0, dt.int_bits - 1);
    case FINN_DT_FLOAT: return -minifloat_max(dt);
    default: return NAN; /* SCALEDINT: undefined in QONNX */
    }
}

double finn_dt_max(finn_datatype dt)
{
    dt = normalize(dt);
    switch (dt.kind) {
    case FINN_DT_FLOAT32: return (double)FLT_MAX;
    case FINN_DT_FLOAT16: return FLOAT16_MAX;
    case FINN_DT_BINARY:
    case FINN_DT_BIPOLAR:
    case FINN_DT_TERNARY: return 1.0;
    case FINN_DT_UINT: return ldexp(1.0, dt.bits) - 1.0;
    case FINN_DT_INT: return ldexp(1.0, dt.bits - 1) - 1.0;
    case FINN_DT_FIXED:
        /* (2^(bits-1) - 1) * 2^-frac, frac = bits - int_bits */
        return ldexp(ldexp(1.0, dt.bits - 1) - 1.0, dt.int_bits - dt.bits);
    case FINN_DT_FLOAT: return minifloat_max(dt);
    default: return NAN;
    }
}

bool finn_dt_signed(finn_datatype dt)
{
    dt = normalize(dt);
    return dt.kind != FINN_DT_BINARY && dt.kind != FINN_DT_UINT;
}

bool finn_dt_is_integer(finn_datatype dt)
{
    dt = normalize(dt);
    switch (dt.kind) {
    case FINN_DT_BINARY:
    case FINN_DT_BIPOLAR:
    case FINN_DT_TERNARY:
    case FINN_DT_UINT:
    case FINN_DT_INT: return true;
    default: return false;
    }
}

bool finn_dt_is_fixed_point(finn_datatype dt)
{
    return dt.kind == FINN_DT_FIXED;
}

bool finn_dt_equal(finn_datatype a, finn_datatype b)
{
    a = normalize(a);
    b = normalize(b);
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case FINN_DT_UINT:
    case FINN_DT_INT:
    case FINN_DT_SCALEDINT: return a.bits == b.bits;
    case FINN_DT_FIXED: return a.bits == b.bits && a.int_bits == b.int_bits;
    case FINN_DT_FLOAT:
        return a.int_bits == b.int_bits && a.mant_bits == b.mant_bits && a.bias == b.bias;
    default: return true;
    }
}

double finn_dt_num_values(finn_datatype dt)
{
    dt = normalize(dt);
    switch (dt.kind) {
    case FINN_DT_BINARY:
    case FINN_DT_BIPOLAR: return 2.0;
    case FINN_DT_TERNARY: return 3.0;
    case FINN_DT_UINT:
    case FINN_DT_INT:
    case FINN_DT_FIXED:
    case FINN_DT_FLOAT: return ldexp(1.0, finn_dt_bitwidth(dt));
    default: return 0.0; /* FLOAT32, FLOAT16, SCALEDINT: undefined */
    }
}

/* ---- allowed() ------------------------------------------------------- */

static bool is_integral(double v)
{
    return isfinite(v) && v == floor(v);
}

/* Whether the integer range [lo, hi] fits an n-bit integer.  The bounds are
 * compared as "< 2^k", which is exact in double even for n = 64, where
 * 2^64 - 1 itself is not representable. */
static bool fits_uint(double lo, double hi, int n)
{
    return lo >= 0.0 && hi < ldexp(1.0, n);
}

static bool fits_int(double lo, double hi, int n)
{
    return lo >= -ldexp(1.0, n - 1) && hi < ldexp(1.0, n - 1);
}

/* QONNX's ArbPrecFloatType.allowed: the value must lie in [-max, max] and
 * its float32 encoding must use no more mantissa bits than the minifloat
 * has at that exponent (fewer once the minifloat goes subnormal).  The
 * exponent arithmetic is signed, as QONNX intends under NumPy 1.x. */
static bool minifloat_allowed(finn_datatype dt, double v)
{
    double max = minifloat_max(dt);
    if (!(v <= max && v >= -max))
        return false;
    float f = (float)v;
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    int exp = (int)((bits >> 23) & 0xffu);
    uint32_t mant = bits & 0x7fffffu;
    int exp_unbiased = exp - 127;
    uint32_t mant_norm = mant + (exp != 0 ? (1u << 23) : 0u);
    int min_exp = 1 - dt.bias;
    int nrm_bits = dt.mant_bits + 1;
    int shift = min_exp - exp_unbiased;
    if (shift < 0)
        shift = 0;
    if (shift > nrm_bits)
        shift = nrm_bits;
    int available = nrm_bits - shift;
    if (available >= 24)
        return true;
    uint32_t mask = (1u << (24 - available)) - 1u;
    return (mant_norm & mask) == 0;
}

bool finn_dt_allowed(finn_datatype dt, double v)
{
    dt = normalize(dt);
    switch (dt.kind) {
    case FINN_DT_FLOAT32:
    case FINN_DT_FLOAT16: return true; /* QONNX: any value */
    case FINN_DT_BINARY: return v == 0.0 || v == 1.0;
    case FINN_DT_BIPOLAR: return v == -1.0 || v == 1.0;
    case FINN_DT_TERNARY: return v == -1.0 || v == 0.0 || v == 1.0;
    case FINN_DT_UINT: return is_integral(v) && fits_uint(v, v, dt.bits);
    case FINN_DT_INT: return is_integral(v) && fits_int(v, v, dt.bits);
    case FINN_DT_FIXED: {
        /* v * 2^frac must be an in-range bits-wide integer; ldexp is exact */
        double scaled = ldexp(v, dt.bits - dt.int_bits);
        return is_integral(scaled) && fits_int(scaled, scaled, dt.bits);
    }
    case FINN_DT_FLOAT: return minifloat_allowed(dt, v);
    default: return false; /* SCALEDINT: undefined in QONNX */
    }
}

/* ---- smallest type --------------------------------------------------- */

/* QONNX's candidate order (get_accumulator_dt_cands): BINARY, UINT1..64,
 * BIPOLAR, TERNARY, INT1..64.  QONNX tests only min <= v <= max, which for a
 * single value never picks BIPOLAR wrongly (0 and 1 go to BINARY first); for
 * a range we also require every integer in it to be representable, so
 * BIPOLAR is chosen only for the single value -1. */
finn_datatype finn_dt_smallest_for_range(double lo, double hi)
{
    if (!is_integral(lo) || !is_integral(hi))
        return finn_dt_float32();
    if (lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    for (int n = 1; n <= 64; n++)
        if (fits_uint(lo, hi, n))
            return finn_dt_uint(n); /* n == 1 is BINARY */
    if (lo == -1.0 && hi == -1.0)
        return finn_dt_bipolar();
    if (lo >= -1.0 && hi <= 1.0)
        return finn_dt_ternary();
    for (int n = 1; n <= 64; n++)
        if (fits_int(lo, hi, n))
            return finn_dt_int(n);
    return finn_dt_float32(); /* QONNX raises: no integer type fits */
}

finn_datatype finn_dt_smallest_for_value(double v)
{
    return finn_dt_smallest_for_range(v, v);
}
