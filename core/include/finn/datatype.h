/*
 * datatype.h - the QONNX/FINN DataType system.
 *
 * A finn_datatype is a small value (no allocation).  Names, ranges and the
 * smallest-type rule follow QONNX's datatype.py (see docs/datatypes.md).
 */
#ifndef FINN_DATATYPE_H
#define FINN_DATATYPE_H

#include <stdbool.h>
#include <stddef.h>
#include "finn/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum finn_dt_kind {
    FINN_DT_FLOAT32 = 0, /* the default: also what "no annotation" means */
    FINN_DT_FLOAT16,
    FINN_DT_BINARY,      /* = UINT1 */
    FINN_DT_BIPOLAR,
    FINN_DT_TERNARY,
    FINN_DT_UINT,        /* UINTn, n = bits (2..64) */
    FINN_DT_INT,         /* INTn,  n = bits (1..64) */
    FINN_DT_FIXED,       /* FIXED<bits,int_bits> */
    FINN_DT_SCALEDINT,   /* SCALEDINT<bits> */
    FINN_DT_FLOAT        /* FLOAT<exp_bits,mant_bits,bias> minifloat */
} finn_dt_kind;

typedef struct finn_datatype {
    finn_dt_kind kind;
    int bits;      /* total bit width */
    int int_bits;  /* FIXED: integer bits; FLOAT<>: exponent bits */
    int mant_bits; /* FLOAT<>: mantissa bits */
    int bias;      /* FLOAT<>: exponent bias */
} finn_datatype;

#define FINN_DT_NAME_MAX 48

finn_datatype finn_dt_float32(void);
finn_datatype finn_dt_uint(int bits); /* bits == 1 gives BINARY */
finn_datatype finn_dt_int(int bits);
finn_datatype finn_dt_bipolar(void);
finn_datatype finn_dt_binary(void);
finn_datatype finn_dt_ternary(void);

/* Parse a canonical name ("INT8", "FIXED<8,3>", "FLOAT<4,3,7>", ...). */
int finn_dt_parse(const char *name, finn_datatype *out, finn_error *err);
/* Canonical name into buf (at least FINN_DT_NAME_MAX bytes); returns buf. */
const char *finn_dt_name(finn_datatype dt, char *buf, size_t bufsize);

int finn_dt_bitwidth(finn_datatype dt);
double finn_dt_min(finn_datatype dt); /* SCALEDINT: NaN */
double finn_dt_max(finn_datatype dt);
bool finn_dt_signed(finn_datatype dt);
bool finn_dt_is_integer(finn_datatype dt);
bool finn_dt_is_fixed_point(finn_datatype dt);
bool finn_dt_allowed(finn_datatype dt, double v);
bool finn_dt_equal(finn_datatype a, finn_datatype b);
/* Number of representable values; 0 for FLOAT32/FLOAT16/SCALEDINT. */
double finn_dt_num_values(finn_datatype dt);

/* QONNX get_smallest_possible(v): BINARY, UINT1..64, BIPOLAR, TERNARY,
 * INT1..64 in that order; non-integral v gives FLOAT32. */
finn_datatype finn_dt_smallest_for_value(double v);
/* Smallest type whose range holds both lo and hi (same candidate order). */
finn_datatype finn_dt_smallest_for_range(double lo, double hi);

/* HLS type string (ap_uint<n>, ap_int<n>, ap_fixed<w, i>, float, half). */
const char *finn_dt_hls_type(finn_datatype dt, char *buf, size_t bufsize);

#ifdef __cplusplus
}
#endif
#endif
