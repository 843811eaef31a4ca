/*
 * res_common.h - resource-estimate helpers shared by the MVAU/VVAU/
 * Thresholding variants (finn-backend.md sections 11 and 13; FINN's
 * matrixvectoractivation.py, vectorvectoractivation.py and the hls/ and rtl/
 * variant files).  The hls and rtl plugins are separate shared objects, so
 * plugins/rtl/res_common.c compiles this same code into the rtl plugin.
 *
 * Arithmetic mirrors FINN's Python: values FINN computes with true division
 * are doubles computed in the same order, math.ceil/np.ceil are ceil(), and
 * int(...) is truncation.  Every function that reads attributes names the
 * node in its error message (finn_hw_resources is called directly, not
 * through the executor).
 */
#ifndef FINN_PLUGIN_RES_COMMON_H
#define FINN_PLUGIN_RES_COMMON_H

#include "finn/plugin.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- attributes ------------------------------------------------------------ */
/* INT attribute; a missing required one (dflt unused) is an error. */
int res_int(const finn_node *n, const char *name, bool required, int64_t dflt, int64_t *out,
            finn_error *err);
/* Required INT attribute that must be >= 1 (PE, SIMD, MW, ...). */
int res_pos(const finn_node *n, const char *name, int64_t *out, finn_error *err);
/* STRING attribute that must be one of the NULL-terminated allowed list
 * (FINN's get_nodeattr checks the allowed set). */
int res_choice(const finn_node *n, const char *name, const char *dflt,
               const char *const *allowed, const char **out, finn_error *err);
/* Datatype named by attribute attr (dflt NULL = required). */
int res_dt(const finn_node *n, const char *attr, const char *dflt, finn_datatype *out,
           finn_error *err);

/* ---- arithmetic ------------------------------------------------------------ */
/* Python's math.log(x, 2) = log(x) / log(2), which is not always log2(x). */
double res_py_log2(double x);
/* The reset every FINN op starts from: all counts 0, efficiencies 1. */
void res_init(finn_hw_res *out);

/* ---- DSP block of a part (finn.util.basic.get_dsp_block) ----------------- */
typedef enum res_dsp_block { RES_DSP48E1, RES_DSP48E2, RES_DSP58 } res_dsp_block;
int res_dsp_block_of(const char *part, res_dsp_block *out, finn_error *err);

/* ---- MVAU / VVAU ----------------------------------------------------------- */
typedef struct res_mac {
    const finn_node *n;
    bool vvau;                  /* VVAU formulas (else MVAU) */
    int64_t pe, simd;
    int64_t mw, mh;             /* MVAU */
    int64_t ch, kh, kw;         /* VVAU: Channels, Kernel */
    int64_t w, a, b, acc;       /* bits: weights, input, output, accDataType */
    bool in_signed;
    bool no_act;
    const char *mem_mode, *ram_style, *res_type, *ram_style_thr;
} res_mac;

/* Read the attributes of an MVAU* (vvau false) or VVAU* node. */
int res_mac_params(const finn_node *n, bool vvau, res_mac *p, finn_error *err);
/* BRAM_18K, URAM and both efficiencies (shared by the hls and rtl variants). */
int res_mac_memory(const res_mac *p, finn_hw_res *out, finn_error *err);
/* The HLS LUT model (FINN-R paper constants) and the HLS DSP model. */
int res_mac_hls_lut(const res_mac *p, double *lut, finn_error *err);
double res_mac_hls_dsp(const res_mac *p);

#endif
