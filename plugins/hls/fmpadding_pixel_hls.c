/*
 * fmpadding_pixel_hls.c - FMPadding_Pixel_hls: zero insertion between pixels (transposed conv).
 *
 * FMPadding_Pixel has no abstract layer in finn-run yet, so this variant
 * carries FINN's cycle model itself: (C / SIMD) * numInputVectors * OH * OW
 * with O = I + (I - 1) * (stride - 1) per axis (finn-backend.md 10).  FINN
 * has no resource model for it (defaults, 11.6).
 */
#include "hls.h"
#include "res_other.h"

/* int((C / SIMD) * batch * OH * OW), Python float arithmetic in that order */
static int64_t fpp_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    int64_t img[2] = {0, 0}, st[2] = {0, 0}, ch = 0, simd = finn_node_attr_i(n, "SIMD", 1);
    int64_t batch = finn_node_attr_i(n, "numInputVectors", 1);
    finn_error e = {0};
    if (ro_attr_pair(n, "ImgDim", img, &e) || ro_attr_pair(n, "Stride", st, &e) ||
        ro_attr_i(n, "NumChannels", &ch, &e) || simd < 1)
        return -1;
    int64_t oh = img[0] + (img[0] - 1) * (st[0] - 1), ow = img[1] + (img[1] - 1) * (st[1] - 1);
    return (int64_t)((double)ch / (double)simd * (double)batch * (double)oh * (double)ow);
}

/* Attributes FMPadding_Pixel_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "FMPadding_Pixel", .impl = "hls", .attrs = ATTRS,
                              .exp_cycles = fpp_cycles,
                              .resources = ro_res_none};

const finn_op hls_fmpadding_pixel_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "FMPadding_Pixel_hls", .ext = &HW};
