/*
 * lookup_hls.c - Lookup_hls: embedding table lookup.
 *
 * Execution, shapes, widths and cycles come from the abstract Lookup layer;
 * this file adds FINN's resource model (finn-backend.md 11.6): embeddings
 * stored in BRAM_18K (as 16 x 1024) when internal_embedded, nothing when
 * external.
 */
#include "hls.h"
#include "res_other.h"

#include <string.h>

static int lk_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                        finn_hw_res *out, finn_error *err)
{
    (void)m, (void)fpga_part;
    ro_res_defaults(out);
    if (strcmp(finn_node_attr_s(n, "mem_mode", "internal_embedded"), "internal_embedded"))
        return 0;
    int64_t ne = 0, dim = 0, bits = 0;
    if (ro_attr_i(n, "NumEmbeddings", &ne, err) || ro_attr_i(n, "EmbeddingDim", &dim, err) ||
        ro_attr_bits(n, "EmbeddingType", &bits, err))
        return -1;
    int64_t width = dim * bits; /* the output stream: one embedding per beat */
    int64_t bram = ro_ceil_div(width, 16) * ro_ceil_div(ne, 1024);
    out->bram_18k = (double)bram;
    if (bram > 0)
        out->bram_efficiency = (double)(width * ne) / (double)(bram * 18 * 1024);
    return 0;
}

/* Attributes Lookup_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "Lookup", .impl = "hls", .attrs = ATTRS,
                              .resources = lk_resources};

const finn_op hls_lookup_op = {.domain = FINN_HW_DOMAIN_HLS, .op_type = "Lookup_hls", .ext = &HW};
