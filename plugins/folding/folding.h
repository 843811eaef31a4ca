/*
 * folding.h - private interface of the folding plugin: FINN's
 * step_target_fps_parallelization (SetFolding), step_apply_folding_config
 * and step_minimize_bit_width (finn-backend.md sections 6, 7 and 8).
 *
 * Warnings go through fold_warn_fn so the passes can be used with or
 * without a running build (the steps print them as "Warning: ...").
 */
#ifndef FOLDING_H
#define FOLDING_H

#include <finn/plugin.h>

#include <stdbool.h>
#include <stdint.h>

typedef void (*fold_warn_fn)(void *ud, const char *line);

typedef struct fold_out {
    fold_warn_fn warn; /* may be NULL */
    void *ud;
} fold_out;

/* Printf-style warning through out (no-op when out->warn is NULL). */
void fold_warn(const fold_out *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* SetFolding(target_cycles, mvau_wwidth_max, two_pass_relaxation) on m:
 * per-node PE/SIMD/parallel_window, then GiveUniqueNodeNames and
 * AnnotateCycles (cycles_estimate), then the optional second pass. */
int fold_set_folding(const finn_registry *reg, finn_model *m, int64_t target_cycles,
                     int64_t mvau_wwidth_max, bool two_pass_relaxation, const fold_out *out,
                     finn_error *err);

/* get_exp_cycles: the op's hook (variant, then base), 0 for an op without
 * a cycle model (FINN's base class); -1 with err when the hook fails. */
int fold_exp_cycles(const finn_registry *reg, const finn_model *m, const finn_node *n,
                    int64_t *out, finn_error *err);

/* FINN's AnnotateCycles: cycles_estimate = exp_cycles on every hls/rtl
 * dataflow node. */
int fold_annotate_cycles(const finn_registry *reg, finn_model *m, finn_error *err);

/* dataflow_performance's max_cycles and max_cycles_node_name (first node
 * with the strictly largest cycles_estimate; "" and 0 when none > 0). */
int64_t fold_max_cycles(const finn_registry *reg, const finn_model *m, const char **name);

/* True for a specialized (hls/rtl) dataflow node (FINN's is_hls_node ||
 * is_rtl_node). */
bool fold_is_specialized(const finn_registry *reg, const finn_node *n);

/* MinimizeWeightBitWidth, MinimizeAccumulatorWidth (InferDataTypes after
 * each node), InferDataTypes. */
int fold_minimize_bit_width(const finn_registry *reg, finn_model *m, const fold_out *out,
                            finn_error *err);

/* folded_hls_cppsim: the folded child verified inside its parent model. */
int fold_verify_folded(finn_build *b, const finn_model *child, finn_error *err);

#endif
