/*
 * gemm_to_matmul.c - QONNX's GemmToMatMul (finn-frontend.md 4, step 3.2):
 * Gemm(A, B, C) becomes [Transpose(A)] [Transpose(B)] MatMul -> Mul(alpha)
 * -> Add(Mul(C, beta)); RemoveIdentityOps then drops the x1 multiplications.
 * One Gemm per application.
 */
#include "frontend.h"

#include <stdlib.h>
#include <string.h>

/* A new tensor name with a float shape (ndim < 0: unknown). */
static char *new_tensor(finn_model *m, int ndim, const int64_t *shape, finn_error *err)
{
    char *name = fe_new_name(m, err);
    if (name && ndim >= 0 && finn_model_set_shape(m, name, FINN_ELEM_FLOAT, ndim, shape, err)) {
        free(name);
        return NULL;
    }
    if (name && ndim < 0 && !finn_model_get_or_add_value(m, name, err)) {
        free(name);
        return NULL;
    }
    return name;
}

static int copy_dtype(finn_model *m, const char *from, const char *to, finn_error *err)
{
    finn_datatype dt = finn_model_datatype(m, from);
    if (dt.kind == FINN_DT_FLOAT32)
        return 0;
    return finn_model_set_datatype(m, to, dt, err);
}

static int insert(finn_model *m, size_t *at, const char *op, const char *a, const char *b,
                  const char *out, finn_error *err)
{
    finn_node *n = fe_node(op, NULL, (const char *const[]){a, b, NULL}, out, err);
    if (!n || finn_model_insert_node(m, (*at)++, n, err)) {
        finn_node_free(n);
        return -1;
    }
    return 0;
}

/* Transpose input k of the Gemm (no perm: reversed axes). */
static int transpose_input(finn_model *m, finn_node *g, size_t k, size_t *at, finn_error *err)
{
    const finn_value *v = finn_model_value(m, g->inputs[k]);
    int64_t shape[FINN_MAX_DIMS];
    int nd = v ? v->ndim : -1;
    for (int i = 0; i < nd; i++)
        shape[i] = v->shape[nd - 1 - i];
    char *out = new_tensor(m, nd, shape, err);
    if (!out)
        return -1;
    int rc = -1;
    finn_node *t = fe_node("Transpose", NULL, (const char *const[]){g->inputs[k], NULL}, out, err);
    if (!t || finn_model_insert_node(m, (*at)++, t, err)) {
        finn_node_free(t);
        goto done;
    }
    if (copy_dtype(m, g->inputs[k], out, err) || finn_node_set_input(g, k, out, err))
        goto done;
    rc = 0;
done:
    free(out);
    return rc;
}

static int convert(const fe_ctx *c, finn_model *m, finn_node *g, size_t idx, finn_error *err)
{
    if (finn_model_opset(m, "") != 9)
        fe_warn(c,
                "The GemmToMatMul transformation only offers explicit support for version 9 of "
                "the Gemm node, but the ONNX version of the supplied model is %lld.",
                (long long)finn_model_opset(m, ""));
    if (g->n_inputs < 2)
        return fe_fail(err, g, FINN_ERR_INVALID, "Gemm needs inputs A and B");
    size_t at = idx + 1;
    if (finn_node_attr_i(g, "transA", 0) && transpose_input(m, g, 0, &at, err))
        return -1;
    if (finn_node_attr_i(g, "transB", 0) && transpose_input(m, g, 1, &at, err))
        return -1;
    int rc = -1;
    char *alpha = NULL, *mm_out = NULL, *beta = NULL, *c_out = NULL, *mul_out = NULL;
    char *gout = strdup(g->outputs[0]);
    if (!gout)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    const finn_value *av = finn_model_value(m, g->inputs[0]);
    const finn_value *bv = finn_model_value(m, g->inputs[1]);
    int64_t mm_shape[2] = {0, 0};
    int mm_nd = -1;
    if (av && bv && av->ndim == 2 && bv->ndim == 2) {
        mm_shape[0] = av->shape[0];
        mm_shape[1] = bv->shape[1];
        mm_nd = 2;
    }
    /* MatMul writes a new tensor; Mul(alpha) writes the Gemm output for now */
    if (!(alpha = fe_new_scalar_init(m, finn_node_attr_f(g, "alpha", 1.0f), err)) ||
        !(mm_out = new_tensor(m, mm_nd, mm_shape, err)) ||
        insert(m, &at, "MatMul", g->inputs[0], g->inputs[1], mm_out, err) ||
        insert(m, &at, "Mul", mm_out, alpha, gout, err))
        goto done;
    finn_node *mul_main = m->nodes[at - 1];
    bool has_c = g->n_inputs > 2 && g->inputs[2][0];
    if (has_c) {
        /* other branch: C * beta, then ((A*B) * alpha) + (C * beta) */
        const finn_value *cv = finn_model_value(m, g->inputs[2]);
        if (!(beta = fe_new_scalar_init(m, finn_node_attr_f(g, "beta", 1.0f), err)) ||
            !(c_out = new_tensor(m, cv ? cv->ndim : -1, cv ? cv->shape : NULL, err)) ||
            insert(m, &at, "Mul", g->inputs[2], beta, c_out, err) ||
            copy_dtype(m, g->inputs[2], c_out, err))
            goto done;
        if (!(mul_out = new_tensor(m, mm_nd, mm_shape, err)) ||
            finn_node_set_output(mul_main, 0, mul_out, err) ||
            insert(m, &at, "Add", mul_out, c_out, gout, err))
            goto done;
    }
    finn_model_remove_node(m, g);
    rc = fe_remove_identity_ops(m, err);
done:
    free(alpha);
    free(mm_out);
    free(beta);
    free(c_out);
    free(mul_out);
    free(gout);
    return rc;
}

int fe_pass_gemm_to_matmul(const fe_ctx *c, finn_model *m, bool *changed, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        if (!strcmp(m->nodes[i]->op_type, "Gemm")) {
            *changed = true;
            return convert(c, m, m->nodes[i], i, err);
        }
    }
    return 0;
}
