/*
 * tensor.c - dense row-major tensors with an ONNX element type.
 *
 * FLOAT16 elements are stored as raw IEEE binary16 bits (uint16_t) and
 * converted with round-to-nearest-even.  Conversions between element types
 * follow C casts: float -> int truncates toward zero, int -> int narrowing
 * wraps (two's complement), anything -> bool is "nonzero".  Where C leaves
 * a conversion undefined (NaN or out-of-range float -> int) the result is
 * defined here: NaN gives 0, out-of-range values saturate.
 */
#include "finn/tensor.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

size_t finn_elem_size(finn_elem_type t)
{
    switch (t) {
    case FINN_ELEM_FLOAT: return 4;
    case FINN_ELEM_UINT8: return 1;
    case FINN_ELEM_INT8: return 1;
    case FINN_ELEM_UINT16: return 2;
    case FINN_ELEM_INT16: return 2;
    case FINN_ELEM_INT32: return 4;
    case FINN_ELEM_INT64: return 8;
    case FINN_ELEM_BOOL: return 1;
    case FINN_ELEM_FLOAT16: return 2;
    case FINN_ELEM_DOUBLE: return 8;
    case FINN_ELEM_UINT32: return 4;
    case FINN_ELEM_UINT64: return 8;
    case FINN_ELEM_UNDEFINED:
    case FINN_ELEM_STRING:
        break;
    }
    return 0;
}

const char *finn_elem_name(finn_elem_type t)
{
    switch (t) {
    case FINN_ELEM_UNDEFINED: return "undefined";
    case FINN_ELEM_FLOAT: return "float32";
    case FINN_ELEM_UINT8: return "uint8";
    case FINN_ELEM_INT8: return "int8";
    case FINN_ELEM_UINT16: return "uint16";
    case FINN_ELEM_INT16: return "int16";
    case FINN_ELEM_INT32: return "int32";
    case FINN_ELEM_INT64: return "int64";
    case FINN_ELEM_STRING: return "string";
    case FINN_ELEM_BOOL: return "bool";
    case FINN_ELEM_FLOAT16: return "float16";
    case FINN_ELEM_DOUBLE: return "float64";
    case FINN_ELEM_UINT32: return "uint32";
    case FINN_ELEM_UINT64: return "uint64";
    }
    return "unknown";
}

/* ---- IEEE binary16 ------------------------------------------------------ */

static double half_to_double(uint16_t h)
{
    int sign = h >> 15;
    int exp = (h >> 10) & 0x1f;
    int mant = h & 0x3ff;
    double v;
    if (exp == 0)
        v = ldexp((double)mant, -24); /* zero or subnormal */
    else if (exp == 31)
        v = mant ? NAN : INFINITY;
    else
        v = ldexp((double)(mant | 0x400), exp - 25);
    return sign ? -v : v;
}

/* Round the 53-bit significand m (value m * 2^-shift units) to an integer,
 * nearest-even. */
static uint32_t round_shift(uint64_t m, int shift)
{
    if (shift >= 64)
        return 0;
    uint64_t q = m >> shift;
    uint64_t rem = m & ((UINT64_C(1) << shift) - 1);
    uint64_t half = UINT64_C(1) << (shift - 1);
    if (rem > half || (rem == half && (q & 1)))
        q++;
    return (uint32_t)q;
}

/* Directly from double (not via float) so there is a single rounding. */
static uint16_t double_to_half(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    uint16_t sign = (uint16_t)((b >> 48) & 0x8000);
    uint64_t abs = b & UINT64_C(0x7fffffffffffffff);
    if (abs >= UINT64_C(0x7ff0000000000000)) {
        if (abs == UINT64_C(0x7ff0000000000000))
            return sign | 0x7c00;
        /* NaN: keep the top payload bits, force quiet */
        return (uint16_t)(sign | 0x7e00 | ((abs >> 42) & 0x3ff));
    }
    int exp = (int)(abs >> 52) - 1023;
    uint64_t m = (abs & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
    if (exp > 15)
        return sign | 0x7c00;
    if (exp < -25)
        return sign; /* below half the smallest subnormal: rounds to zero */
    if (exp >= -14) {
        /* normal; a mantissa carry rolls over into the exponent, and
         * past the largest exponent into infinity (0x7c00) */
        uint32_t q = round_shift(m, 42);
        return (uint16_t)(sign | ((((uint32_t)(exp + 15)) << 10) + (q - 0x400)));
    }
    /* subnormal: units of 2^-24 */
    return (uint16_t)(sign | round_shift(m, 28 - exp));
}

/* ---- shapes ------------------------------------------------------------- */

size_t finn_shape_numel(int ndim, const int64_t *shape)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return 0;
        n *= (size_t)shape[i];
    }
    return n;
}

bool finn_shape_equal(int nda, const int64_t *a, int ndb, const int64_t *b)
{
    if (nda != ndb)
        return false;
    for (int i = 0; i < nda; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

const char *finn_shape_str(int ndim, const int64_t *shape, char *buf, size_t bufsize)
{
    if (!buf || bufsize == 0)
        return buf;
    size_t pos = 0;
    buf[0] = '\0';
    /* append with truncation; pos never passes bufsize - 1 */
#define SHAPE_APPEND(...)                                                   \
    do {                                                                    \
        if (pos < bufsize) {                                                \
            int w_ = snprintf(buf + pos, bufsize - pos, __VA_ARGS__);       \
            if (w_ > 0)                                                     \
                pos = pos + (size_t)w_ < bufsize ? pos + (size_t)w_ : bufsize - 1; \
        }                                                                   \
    } while (0)
    SHAPE_APPEND("(");
    for (int i = 0; i < ndim; i++)
        SHAPE_APPEND("%s%" PRId64, i ? ", " : "", shape[i]);
    SHAPE_APPEND(ndim == 1 ? ",)" : ")");
#undef SHAPE_APPEND
    return buf;
}

/* Check ndim/shape and compute numel and byte size without overflow. */
static int check_shape(finn_elem_type type, int ndim, const int64_t *shape, size_t *nbytes,
                       finn_error *err)
{
    size_t es = finn_elem_size(type);
    if (es == 0)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "tensor element type %d (%s) is not supported", (int)type,
                              finn_elem_name(type));
    if (ndim < 0 || ndim > FINN_MAX_DIMS)
        return finn_error_set(err, FINN_ERR_INVALID, "tensor rank %d is outside 0..%d", ndim,
                              FINN_MAX_DIMS);
    if (ndim > 0 && !shape)
        return finn_error_set(err, FINN_ERR_INVALID, "tensor of rank %d without a shape", ndim);
    bool zero = false;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return finn_error_set(err, FINN_ERR_INVALID, "negative dimension %" PRId64
                                  " in tensor shape", shape[i]);
        if (shape[i] == 0)
            zero = true;
    }
    size_t n = es;
    if (!zero) {
        for (int i = 0; i < ndim; i++) {
            uint64_t d = (uint64_t)shape[i];
            if (d > SIZE_MAX / n) {
                char s[256];
                return finn_error_set(err, FINN_ERR_INVALID, "tensor shape %s is too large",
                                      finn_shape_str(ndim, shape, s, sizeof s));
            }
            n *= (size_t)d;
        }
    } else {
        n = 0;
    }
    *nbytes = n;
    return 0;
}

/* ---- tensors ------------------------------------------------------------ */

static finn_tensor *tensor_alloc(finn_elem_type type, int ndim, const int64_t *shape, bool zero,
                                 finn_error *err)
{
    size_t nbytes;
    if (check_shape(type, ndim, shape, &nbytes, err) != 0)
        return NULL;
    finn_tensor *t = finn_xcalloc(1, sizeof *t, err);
    if (!t)
        return NULL;
    t->data = zero ? finn_xcalloc(nbytes ? nbytes : 1, 1, err) : finn_xmalloc(nbytes ? nbytes : 1, err);
    if (!t->data) {
        free(t);
        return NULL;
    }
    t->type = type;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t->shape[i] = shape[i];
    return t;
}

finn_tensor *finn_tensor_new(finn_elem_type type, int ndim, const int64_t *shape, finn_error *err)
{
    return tensor_alloc(type, ndim, shape, true, err);
}

finn_tensor *finn_tensor_new_uninit(finn_elem_type type, int ndim, const int64_t *shape,
                                    finn_error *err)
{
    return tensor_alloc(type, ndim, shape, false, err);
}

void finn_tensor_free(finn_tensor *t)
{
    if (!t)
        return;
    free(t->data);
    free(t);
}

size_t finn_tensor_numel(const finn_tensor *t)
{
    return t ? finn_shape_numel(t->ndim, t->shape) : 0;
}

size_t finn_tensor_nbytes(const finn_tensor *t)
{
    return t ? finn_tensor_numel(t) * finn_elem_size(t->type) : 0;
}

finn_tensor *finn_tensor_copy(const finn_tensor *t, finn_error *err)
{
    if (!t) {
        finn_error_set(err, FINN_ERR_INVALID, "cannot copy a NULL tensor");
        return NULL;
    }
    finn_tensor *c = finn_tensor_new_uninit(t->type, t->ndim, t->shape, err);
    if (c)
        memcpy(c->data, t->data, finn_tensor_nbytes(t));
    return c;
}

int finn_tensor_reshape(finn_tensor *t, int ndim, const int64_t *shape, finn_error *err)
{
    if (!t)
        return finn_error_set(err, FINN_ERR_INVALID, "cannot reshape a NULL tensor");
    size_t nbytes;
    if (check_shape(t->type, ndim, shape, &nbytes, err) != 0)
        return -1;
    if (nbytes != finn_tensor_nbytes(t)) {
        char a[256], b[256];
        return finn_error_set(err, FINN_ERR_INVALID, "cannot reshape tensor of shape %s to %s",
                              finn_shape_str(t->ndim, t->shape, a, sizeof a),
                              finn_shape_str(ndim, shape, b, sizeof b));
    }
    int64_t tmp[FINN_MAX_DIMS];
    for (int i = 0; i < ndim; i++)
        tmp[i] = shape[i]; /* shape may alias t->shape */
    t->ndim = ndim;
    for (int i = 0; i < FINN_MAX_DIMS; i++)
        t->shape[i] = i < ndim ? tmp[i] : 0;
    return 0;
}

/* ---- element access ----------------------------------------------------- */

/* One element, held in the widest type of its kind so that integer
 * conversions do not pass through double. */
typedef struct scalar {
    enum { S_SIGNED, S_UNSIGNED, S_FLOAT } kind;
    int64_t i;
    uint64_t u;
    double f;
} scalar;

static scalar load(const void *data, finn_elem_type type, size_t i)
{
    scalar s = {S_FLOAT, 0, 0, 0.0};
    const unsigned char *p = (const unsigned char *)data + i * finn_elem_size(type);
    switch (type) {
    case FINN_ELEM_FLOAT: { float v; memcpy(&v, p, 4); s.f = v; break; }
    case FINN_ELEM_DOUBLE: memcpy(&s.f, p, 8); break;
    case FINN_ELEM_FLOAT16: { uint16_t v; memcpy(&v, p, 2); s.f = half_to_double(v); break; }
    case FINN_ELEM_INT8: { int8_t v; memcpy(&v, p, 1); s.kind = S_SIGNED; s.i = v; break; }
    case FINN_ELEM_INT16: { int16_t v; memcpy(&v, p, 2); s.kind = S_SIGNED; s.i = v; break; }
    case FINN_ELEM_INT32: { int32_t v; memcpy(&v, p, 4); s.kind = S_SIGNED; s.i = v; break; }
    case FINN_ELEM_INT64: s.kind = S_SIGNED; memcpy(&s.i, p, 8); break;
    case FINN_ELEM_UINT8: s.kind = S_UNSIGNED; s.u = p[0]; break;
    case FINN_ELEM_BOOL: s.kind = S_UNSIGNED; s.u = p[0] != 0; break;
    case FINN_ELEM_UINT16: { uint16_t v; memcpy(&v, p, 2); s.kind = S_UNSIGNED; s.u = v; break; }
    case FINN_ELEM_UINT32: { uint32_t v; memcpy(&v, p, 4); s.kind = S_UNSIGNED; s.u = v; break; }
    case FINN_ELEM_UINT64: s.kind = S_UNSIGNED; memcpy(&s.u, p, 8); break;
    case FINN_ELEM_UNDEFINED:
    case FINN_ELEM_STRING:
        break;
    }
    return s;
}

/* Bit pattern for an integer destination: float truncates (saturating),
 * integers keep their two's-complement bits (narrowing then wraps). */
static uint64_t to_int_bits(scalar s, bool is_signed, int bits)
{
    if (s.kind == S_SIGNED)
        return (uint64_t)s.i;
    if (s.kind == S_UNSIGNED)
        return s.u;
    double f = s.f;
    if (isnan(f))
        return 0;
    f = trunc(f);
    if (is_signed) {
        double lo = -ldexp(1.0, bits - 1), hi = ldexp(1.0, bits - 1);
        if (f <= lo)
            return (uint64_t)(bits == 64 ? INT64_MIN : (int64_t)lo);
        if (f >= hi)
            return (uint64_t)(bits == 64 ? INT64_MAX : (int64_t)hi - 1);
        return (uint64_t)(int64_t)f;
    }
    double hi = ldexp(1.0, bits);
    if (f <= 0)
        return 0;
    if (f >= hi)
        return bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    return (uint64_t)f;
}

static double to_double(scalar s)
{
    if (s.kind == S_SIGNED)
        return (double)s.i;
    if (s.kind == S_UNSIGNED)
        return (double)s.u;
    return s.f;
}

static void store(void *data, finn_elem_type type, size_t i, scalar s)
{
    unsigned char *p = (unsigned char *)data + i * finn_elem_size(type);
    switch (type) {
    case FINN_ELEM_FLOAT: {
        float v = s.kind == S_SIGNED ? (float)s.i : s.kind == S_UNSIGNED ? (float)s.u : (float)s.f;
        memcpy(p, &v, 4);
        break;
    }
    case FINN_ELEM_DOUBLE: { double v = to_double(s); memcpy(p, &v, 8); break; }
    case FINN_ELEM_FLOAT16: { uint16_t v = double_to_half(to_double(s)); memcpy(p, &v, 2); break; }
    case FINN_ELEM_BOOL:
        p[0] = s.kind == S_SIGNED ? s.i != 0 : s.kind == S_UNSIGNED ? s.u != 0 : s.f != 0.0;
        break;
    case FINN_ELEM_INT8: { int8_t v = (int8_t)to_int_bits(s, true, 8); memcpy(p, &v, 1); break; }
    case FINN_ELEM_INT16: { int16_t v = (int16_t)to_int_bits(s, true, 16); memcpy(p, &v, 2); break; }
    case FINN_ELEM_INT32: { int32_t v = (int32_t)to_int_bits(s, true, 32); memcpy(p, &v, 4); break; }
    case FINN_ELEM_INT64: { int64_t v = (int64_t)to_int_bits(s, true, 64); memcpy(p, &v, 8); break; }
    case FINN_ELEM_UINT8: p[0] = (uint8_t)to_int_bits(s, false, 8); break;
    case FINN_ELEM_UINT16: { uint16_t v = (uint16_t)to_int_bits(s, false, 16); memcpy(p, &v, 2); break; }
    case FINN_ELEM_UINT32: { uint32_t v = (uint32_t)to_int_bits(s, false, 32); memcpy(p, &v, 4); break; }
    case FINN_ELEM_UINT64: { uint64_t v = to_int_bits(s, false, 64); memcpy(p, &v, 8); break; }
    case FINN_ELEM_UNDEFINED:
    case FINN_ELEM_STRING:
        break;
    }
}

double finn_tensor_get(const finn_tensor *t, size_t i)
{
    if (!t || i >= finn_tensor_numel(t))
        return NAN;
    return to_double(load(t->data, t->type, i));
}

void finn_tensor_set(finn_tensor *t, size_t i, double v)
{
    if (!t || i >= finn_tensor_numel(t))
        return;
    scalar s = {S_FLOAT, 0, 0, v};
    store(t->data, t->type, i, s);
}

finn_tensor *finn_tensor_convert(const finn_tensor *t, finn_elem_type to, finn_error *err)
{
    if (!t) {
        finn_error_set(err, FINN_ERR_INVALID, "cannot convert a NULL tensor");
        return NULL;
    }
    if (finn_elem_size(t->type) == 0) {
        finn_error_set(err, FINN_ERR_UNSUPPORTED, "cannot convert a tensor of type %s",
                       finn_elem_name(t->type));
        return NULL;
    }
    finn_tensor *c = finn_tensor_new(to, t->ndim, t->shape, err);
    if (!c)
        return NULL;
    size_t n = finn_tensor_numel(t);
    if (to == t->type) {
        memcpy(c->data, t->data, finn_tensor_nbytes(t));
        return c;
    }
    for (size_t i = 0; i < n; i++)
        store(c->data, to, i, load(t->data, t->type, i));
    return c;
}
