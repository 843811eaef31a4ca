/*
 * verify.c - the builder's verification (FINN's verify_step): run the
 * model on verify_input_npy one sample at a time, compare with
 * verify_expected_output_npy by numpy.isclose(expected, out, atol=1e-3),
 * and save verification_output/verify_<vname>_<b>_<SUCCESS|FAIL>.npy.
 * A failed comparison is reported, never fatal.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder_priv.h"
#include "finn/exec.h"
#include "finn/npy.h"
#include "util.h"

/* One sample of a batch as a new tensor of shape (1, rest...). */
static finn_tensor *take_sample(const finn_tensor *t, int64_t b, finn_error *err)
{
    int64_t shape[FINN_MAX_DIMS];
    int nd = t->ndim;
    shape[0] = 1;
    for (int i = 1; i < nd; i++)
        shape[i] = t->shape[i];
    finn_tensor *s = finn_tensor_new(t->type, nd, shape, err);
    if (!s)
        return NULL;
    size_t bytes = finn_tensor_nbytes(s);
    memcpy(s->data, (const char *)t->data + (size_t)b * bytes, bytes);
    return s;
}

/* Reshape to the model's graph-input shape when the sizes agree (FINN
 * reshapes and prints a notice). */
static int fit_shape(finn_build *b, finn_tensor *t, const finn_value *v, const char *what,
                     finn_error *err)
{
    if (!v || v->ndim < 0 || finn_shape_equal(t->ndim, t->shape, v->ndim, v->shape))
        return 0;
    char from[128], to[128];
    finn_shape_str(t->ndim, t->shape, from, sizeof from);
    finn_shape_str(v->ndim, v->shape, to, sizeof to);
    finn_build_log(b, "Verification: reshaping %s %s from %s to %s", what, v->name, from, to);
    return finn_tensor_reshape(t, v->ndim, v->shape, err);
}

static bool all_close(const finn_tensor *expected, const finn_tensor *out)
{
    size_t n = finn_tensor_numel(expected);
    if (n != finn_tensor_numel(out))
        return false;
    for (size_t i = 0; i < n; i++) {
        double e = finn_tensor_get(expected, i), o = finn_tensor_get(out, i);
        if (!(fabs(e - o) <= 1e-3 + 1e-5 * fabs(o)))
            return false;
    }
    return true;
}

static int save_result(finn_build *b, const char *vname, int64_t idx, bool ok,
                       const finn_tensor *out, finn_exec_ctx *ctx, finn_error *err)
{
    char *dir = finn_path_join(b->output_dir, "verification_output");
    if (!dir || finn_mkdirs(dir, err) != 0) {
        free(dir);
        return -1;
    }
    bool full = finn_config_bool(b->cfg, "verify_save_full_context");
    size_t n = strlen(dir) + strlen(vname) + 64;
    char *path = malloc(n);
    if (!path) {
        free(dir);
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    }
    snprintf(path, n, "%s/verify_%s_%lld_%s.%s", dir, vname, (long long)idx,
             ok ? "SUCCESS" : "FAIL", full ? "npz" : "npy");
    int rc;
    if (full) {
        finn_npz *z = finn_npz_new();
        rc = z ? 0 : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < finn_exec_ctx_count(ctx); i++) {
            const char *name = finn_exec_ctx_name(ctx, i);
            rc = finn_npz_add(z, name, finn_exec_ctx_get(ctx, name), err);
        }
        if (rc == 0)
            rc = finn_npz_write(path, z, err);
        finn_npz_free(z);
    } else {
        rc = finn_npy_write(path, out, err);
    }
    free(path);
    free(dir);
    return rc;
}

int finn_build_verify(finn_build *b, const finn_model *model, const char *vtype,
                      const char *vname, finn_error *err)
{
    if (!finn_config_list_has(b->cfg, "verify_steps", vtype))
        return 0;
    finn_build_say(b, "Running verification for %s", vname);
    const char *in_path = finn_config_str(b->cfg, "verify_input_npy");
    const char *exp_path = finn_config_str(b->cfg, "verify_expected_output_npy");
    finn_tensor *in = NULL, *expected = NULL;
    if (!in_path || finn_npy_read(in_path, &in, err) != 0)
        return in_path ? finn_error_prefix(err, "verify_input_npy: ")
                       : finn_error_set(err, FINN_ERR_INVALID, "verify_input_npy is not set");
    if (!exp_path || finn_npy_read(exp_path, &expected, err) != 0) {
        finn_tensor_free(in);
        return exp_path ? finn_error_prefix(err, "verify_expected_output_npy: ")
                        : finn_error_set(err, FINN_ERR_INVALID,
                                         "verify_expected_output_npy is not set");
    }
    int rc = 0;
    bool all_ok = true;
    int64_t batch = in->ndim > 0 ? in->shape[0] : 1;
    int64_t ebatch = expected->ndim > 0 ? expected->shape[0] : 1;
    if (in->ndim == 0 || expected->ndim == 0 || batch != ebatch) {
        rc = finn_error_set(err, FINN_ERR_INVALID,
                            "verification %s: batch sizes don't match: %s has %lld, %s has %lld",
                            vname, in_path, (long long)batch, exp_path, (long long)ebatch);
        goto out;
    }
    const finn_value *in_v = model->n_inputs ? finn_model_value(model, model->inputs[0]) : NULL;
    const char *out_name = model->n_outputs ? model->outputs[0] : NULL;
    for (int64_t i = 0; i < batch && rc == 0; i++) {
        finn_exec_ctx *ctx = finn_exec_ctx_new(err);
        finn_tensor *x = take_sample(in, i, err);
        finn_tensor *e = take_sample(expected, i, err);
        finn_tensor *out = NULL;
        if (!ctx || !x || !e || !in_v || !out_name) {
            if (!in_v || !out_name)
                finn_error_set(err, FINN_ERR_INVALID, "verification %s: model has no input/output",
                               vname);
            rc = -1;
        }
        if (rc == 0)
            rc = fit_shape(b, x, in_v, "input", err);
        if (rc == 0) {
            rc = finn_exec_ctx_set(ctx, in_v->name, x, err);
            x = NULL;
        }
        if (rc == 0)
            rc = finn_execute(b->reg, model, ctx, err);
        if (rc == 0) {
            out = finn_tensor_copy(finn_exec_ctx_get(ctx, out_name), err);
            rc = out ? 0 : -1;
        }
        if (rc == 0 && !finn_shape_equal(out->ndim, out->shape, e->ndim, e->shape) &&
            finn_tensor_numel(out) == finn_tensor_numel(e))
            rc = finn_tensor_reshape(out, e->ndim, e->shape, err);
        if (rc == 0) {
            bool ok = all_close(e, out);
            all_ok = all_ok && ok;
            rc = save_result(b, vname, i, ok, out, ctx, err);
        }
        finn_tensor_free(out);
        finn_tensor_free(x);
        finn_tensor_free(e);
        finn_exec_ctx_free(ctx);
    }
    if (rc == 0)
        finn_build_say(b, "Verification for %s : %s", vname, all_ok ? "SUCCESS" : "FAIL");
    else
        finn_error_prefix(err, "verification %s: ", vname);
out:
    finn_tensor_free(in);
    finn_tensor_free(expected);
    return rc;
}
