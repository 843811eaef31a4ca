/*
 * step.c - ModelWrapper.transform() for the rewrites, FINN's Streamline()
 * (streamline/__init__.py) and the builder step step_streamline
 * (build_dataflow_steps.py), finn-frontend.md 6.1 and 6.2.
 */
#include "sl.h"

#include <stdlib.h>
#include <string.h>

/* A runaway rewrite (one that always reports a change) is an error rather
 * than a hang; FINN would loop forever. */
#define SL_MAX_PASSES 10000

/* Runs rw until it reports no change; *changed tells whether any pass did. */
static int run_to_fixed_point(const finn_registry *reg, finn_model *m, const sl_rewrite *rw,
                              bool *changed, finn_error *err)
{
    *changed = false;
    for (int pass = 0;; pass++) {
        bool once = false;
        if (rw->fn(reg, m, &once, err))
            return finn_error_prefix(err, "%s: ", rw->name);
        if (!once)
            break;
        *changed = true;
        if (pass >= SL_MAX_PASSES)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "%s: still changing the graph after %d passes", rw->name,
                                  SL_MAX_PASSES);
    }
    return 0;
}

int sl_transform(const finn_registry *reg, finn_model *m, const sl_rewrite *rw, finn_error *err)
{
    bool changed;
    if (run_to_fixed_point(reg, m, rw, &changed, err))
        return -1;
    if (finn_model_cleanup(m, err))
        return finn_error_prefix(err, "%s: cleanup: ", rw->name);
    return 0;
}

/* ---- core transformations in the rewrite shape ------------------------------ */

static int rw_remove_identity(const finn_registry *reg, finn_model *m, bool *changed,
                              finn_error *err)
{
    (void)reg;
    return finn_remove_identity_ops(m, changed, err);
}

static int rw_unique_node_names(const finn_registry *reg, finn_model *m, bool *changed,
                                finn_error *err)
{
    (void)reg;
    *changed = false;
    return finn_give_unique_node_names(m, err);
}

static int rw_readable_names(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err)
{
    (void)reg;
    *changed = false;
    return finn_give_readable_tensor_names(m, err);
}

static int rw_infer_datatypes(const finn_registry *reg, finn_model *m, bool *changed,
                              finn_error *err)
{
    *changed = false;
    return finn_infer_datatypes(reg, m, err);
}

static int rw_infer_layouts(const finn_registry *reg, finn_model *m, bool *changed,
                            finn_error *err)
{
    *changed = false;
    return finn_infer_data_layouts(reg, m, err);
}

static int rw_remove_unused(const finn_registry *reg, finn_model *m, bool *changed,
                            finn_error *err)
{
    (void)reg;
    *changed = false;
    return finn_remove_unused_tensors(m, err);
}

/* Every rewrite of this plugin by FINN/QONNX class name. */
const sl_rewrite SL_REWRITES[] = {
    {"ConvertSubToAdd", sl_convert_sub_to_add},
    {"ConvertDivToMul", sl_convert_div_to_mul},
    {"BatchNormToAffine", sl_batchnorm_to_affine},
    {"ConvertSignToThres", sl_convert_sign_to_thres},
    {"MoveMulPastMaxPool", sl_move_mul_past_maxpool},
    {"MoveScalarLinearPastInvariants", sl_move_scalar_linear_past_invariants},
    {"AbsorbSignBiasIntoMultiThreshold", sl_absorb_sign_bias_into_mt},
    {"MoveAddPastMul", sl_move_add_past_mul},
    {"MoveScalarAddPastMatMul", sl_move_scalar_add_past_matmul},
    {"MoveAddPastConv", sl_move_add_past_conv},
    {"MoveScalarMulPastMatMul", sl_move_scalar_mul_past_matmul},
    {"MoveScalarMulPastConv", sl_move_scalar_mul_past_conv},
    {"CollapseRepeatedAdd", sl_collapse_repeated_add},
    {"CollapseRepeatedMul", sl_collapse_repeated_mul},
    {"AbsorbAddIntoMultiThreshold", sl_absorb_add_into_mt},
    {"FactorOutMulSignMagnitude", sl_factor_out_mul_sign_magnitude},
    {"AbsorbMulIntoMultiThreshold", sl_absorb_mul_into_mt},
    {"Absorb1BitMulIntoMatMul", sl_absorb_1bit_mul_into_matmul},
    {"Absorb1BitMulIntoConv", sl_absorb_1bit_mul_into_conv},
    {"RoundAndClipThresholds", sl_round_and_clip_thresholds},
    {"ExtractBiasFromConv", sl_extract_bias_from_conv},
    {"LowerConvsToMatMul", sl_lower_convs_to_matmul},
    {"MakeMaxPoolNHWC", sl_make_maxpool_nhwc},
    {"AbsorbTransposeIntoMultiThreshold", sl_absorb_transpose_into_mt},
    {"AbsorbConsecutiveTransposes", sl_absorb_consecutive_transposes},
    {"ConvertBipolarMatMulToXnorPopcount", sl_convert_bipolar_matmul_to_xnor},
    {"AbsorbScalarMulAddIntoTopK", sl_absorb_scalar_mul_add_into_topk},
    {"RemoveIdentityOps", rw_remove_identity},
    {"GiveUniqueNodeNames", rw_unique_node_names},
    {"GiveReadableTensorNames", rw_readable_names},
    {"InferDataTypes", rw_infer_datatypes},
    {"InferDataLayouts", rw_infer_layouts},
    {"RemoveUnusedTensors", rw_remove_unused},
    {NULL, NULL},
};

const sl_rewrite *sl_rewrite_find(const char *name)
{
    for (const sl_rewrite *r = SL_REWRITES; r->name; r++)
        if (!strcmp(r->name, name))
            return r;
    return NULL;
}

/* Fingerprints (finn_model_fingerprint) of the model as the last clean-up
 * and the last tidy-up left it.  Every pass run after a rewrite reaches a
 * fixed point in one call, so on a model with the same fingerprint it would
 * change nothing: FINN's repeated clean-ups are skipped while the rewrites
 * find nothing to do.  (The rewrites' own "changed" flags cannot tell:
 * several report no change after rewriting, as FINN's do.) */
typedef struct sl_state {
    uint64_t clean, tidy;
    bool have_clean, have_tidy;
    uint64_t now; /* the fingerprint when the last apply() returned */
    bool every;   /* skip nothing */
} sl_state;

/* FINN_REFERENCE_PASSES=1 runs every clean-up as FINN does: the results
 * are the same (tests/tools/test_frontend_flow.c compares the bytes), only
 * slower; for checking that claim on a user's model. */
static sl_state fresh_state(void)
{
    sl_state st = {0, 0, false, false, 0, false};
    const char *every = getenv("FINN_REFERENCE_PASSES");
    st.every = every && *every && strcmp(every, "0");
    return st;
}

/* Passes that only rename nodes or tensors (consistently everywhere) or set
 * annotations: on a model that is a fixed point of the clean-up, the
 * clean-up still changes nothing after them (no tensor becomes unused, no
 * edge or initializer changes). */
static bool names_and_types_only(const char *name)
{
    static const char *const PASSES[] = {"GiveUniqueNodeNames", "GiveReadableTensorNames",
                                         "InferDataTypes", "InferDataLayouts"};
    for (size_t i = 0; i < sizeof PASSES / sizeof PASSES[0]; i++)
        if (!strcmp(name, PASSES[i]))
            return true;
    return false;
}

/* transform() by name (the names used below are all in the table),
 * without the clean-up when the model is as the last clean-up left it. */
static int apply(const finn_registry *reg, finn_model *m, const char *name, sl_state *st,
                 finn_error *err)
{
    const sl_rewrite *rw = sl_rewrite_find(name);
    if (!rw)
        return finn_error_set(err, FINN_ERR_NOT_FOUND, "unknown rewrite %s", name);
    bool was_clean = st->have_clean && st->now == st->clean;
    bool changed;
    if (run_to_fixed_point(reg, m, rw, &changed, err))
        return -1;
    /* a rewrite that says it changed something did; one that says it did
     * not may still have (as FINN's), so only then is the model hashed */
    st->now = changed ? 0 : finn_model_fingerprint(m);
    if (was_clean && names_and_types_only(rw->name))
        st->clean = st->now; /* renames and annotations leave nothing to clean */
    if (!changed && st->have_clean && st->now == st->clean && !st->every)
        return 0;
    if (finn_model_cleanup(m, err))
        return finn_error_prefix(err, "%s: cleanup: ", rw->name);
    st->clean = st->now = finn_model_fingerprint(m);
    st->have_clean = true;
    return 0;
}

/* The 22 rewrites of Streamline(), in FINN's order. */
static const char *const STREAMLINE[] = {
    "ConvertSubToAdd", "ConvertDivToMul", "BatchNormToAffine", "ConvertSignToThres",
    "MoveMulPastMaxPool", "MoveScalarLinearPastInvariants", "AbsorbSignBiasIntoMultiThreshold",
    "MoveAddPastMul", "MoveScalarAddPastMatMul", "MoveAddPastConv", "MoveScalarMulPastMatMul",
    "MoveScalarMulPastConv", "MoveAddPastMul", "CollapseRepeatedAdd", "CollapseRepeatedMul",
    "MoveMulPastMaxPool", "AbsorbAddIntoMultiThreshold", "FactorOutMulSignMagnitude",
    "AbsorbMulIntoMultiThreshold", "Absorb1BitMulIntoMatMul", "Absorb1BitMulIntoConv",
    "RoundAndClipThresholds",
};

/* After each rewrite Streamline() tidies up so names stay deterministic. */
static const char *const TIDY[] = {"RemoveIdentityOps", "GiveUniqueNodeNames",
                                   "GiveReadableTensorNames", "InferDataTypes"};

static int streamline(const finn_registry *reg, finn_model *m, sl_state *st, finn_error *err)
{
    for (size_t i = 0; i < sizeof STREAMLINE / sizeof STREAMLINE[0]; i++) {
        if (apply(reg, m, STREAMLINE[i], st, err))
            return finn_error_prefix(err, "Streamline: ");
        if (st->have_tidy && st->now == st->tidy && !st->every)
            continue; /* unchanged since the last tidy-up */
        for (size_t k = 0; k < sizeof TIDY / sizeof TIDY[0]; k++)
            if (apply(reg, m, TIDY[k], st, err))
                return finn_error_prefix(err, "Streamline (after %s): ", STREAMLINE[i]);
        st->tidy = st->now;
        st->have_tidy = true;
    }
    return 0;
}

int sl_streamline(const finn_registry *reg, finn_model *m, finn_error *err)
{
    sl_state st = fresh_state();
    return streamline(reg, m, &st, err);
}

static bool has_op(const finn_model *m, const char *op)
{
    for (size_t i = 0; i < m->n_nodes; i++)
        if (!strcmp(m->nodes[i]->op_type, op))
            return true;
    return false;
}

/* The rewrites of step_streamline (6.1) without the verification. */
static int streamline_model(const finn_registry *reg, finn_model *m, finn_error *err)
{
    static const char *const LOWERING[] = {"LowerConvsToMatMul", "MakeMaxPoolNHWC",
                                           "AbsorbTransposeIntoMultiThreshold", "MakeMaxPoolNHWC",
                                           "AbsorbConsecutiveTransposes"};
    sl_state st = fresh_state();
    if (apply(reg, m, "AbsorbSignBiasIntoMultiThreshold", &st, err) ||
        streamline(reg, m, &st, err))
        return -1;
    if (has_op(m, "Conv"))
        for (size_t i = 0; i < sizeof LOWERING / sizeof LOWERING[0]; i++)
            if (apply(reg, m, LOWERING[i], &st, err))
                return -1;
    if (apply(reg, m, "ConvertBipolarMatMulToXnorPopcount", &st, err) ||
        streamline(reg, m, &st, err) || apply(reg, m, "AbsorbScalarMulAddIntoTopK", &st, err) ||
        apply(reg, m, "InferDataLayouts", &st, err) ||
        apply(reg, m, "RemoveUnusedTensors", &st, err))
        return -1;
    return 0;
}

int sl_step_streamline(finn_model **model, finn_build *build, finn_error *err)
{
    const finn_registry *reg = finn_build_registry(build);
    if (streamline_model(reg, *model, err))
        return -1;
    return finn_build_verify(build, *model, "streamlined_python", "streamlined_python", err);
}
