/*
 * specialize.h - step_specialize_layers (finn-backend.md section 5): the
 * HLS-vs-RTL choice per abstract HW node and the step around it.
 */
#ifndef FINN_PLUGIN_SPECIALIZE_H
#define FINN_PLUGIN_SPECIALIZE_H

#include "finn/plugin.h"

/* FINN's _determine_impl_style for node n (domain finn.custom_op.fpgadataflow)
 * on FPGA part `part`: *style = "hls" or "rtl".  When FINN would warn, the
 * warning text goes to warn (else warn[0] = 0).  -1 with FINN's message when
 * the op has no variant or preferred_impl_style is invalid. */
int sp_choose_style(const finn_registry *reg, const finn_model *m, const finn_node *n,
                    const char *part, const char **style, char *warn, size_t warn_size,
                    finn_error *err);

/* FINN's get_dsp_block: "DSP58" (Versal), "DSP48E1" (7-series), "DSP48E2". */
const char *sp_dsp_block(const char *part);

int sp_step_specialize_layers(finn_model **model, finn_build *build, finn_error *err);

#endif
